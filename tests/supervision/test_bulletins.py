"""Issuing bulletins (印发通报) and their archive: a manager composes a bulletin, edits its
texts and issues it; it takes the next 文号 of the year, keeps its figures and its Word
document as they were, never changes, and is read by the bodies it names — only by them."""

import copy
import datetime as dt
import io
import threading

import pytest
from django.db import connection
from django.urls import reverse
from docx import Document

from tests.builders import file_report, pass_to_managers
from tests.factories import MembershipFactory, UserFactory, make_manager
from tests.supervision_world import NOON, frozen, world
from tracker.history import record_changes
from tracker.models import Bulletin, ChangeRecord, HistoryIsAppendOnly
from tracker.services import bulletins, reporting, supervision

pytestmark = pytest.mark.django_db

TITLE = "关于《聊城市加快邮政快递业高质量发展实施方案》落实情况的通报"


@pytest.fixture
def w(staff_b, staff_c):
    """The supervision world, with 莘县 (staff_b) overdue and 冠县 (staff_c) behind pace."""
    with frozen():
        yield world(shen=staff_b.membership.body, guan=staff_c.membership.body)


def compose(client, moment=NOON, **data):
    fields = {
        "plan": "lc",
        "date": "2026-11-27",
        "title": TITLE,
        "recipients": "各县（市、区）人民政府：",
        "opening": "现将有关情况通报如下。",
        "requirements": "（一）加快推进。逾期单位要尽快完成。",
        **data,
    }
    with frozen(moment):
        return client.post(reverse("bulletin_compose"), fields)


def issue(client, moment=NOON, **data):
    response = compose(client, moment, action="issue", confirm="on", **data)
    assert response.status_code == 302, response.context["form"].errors
    return Bulletin.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


def document_text(bulletin):
    with bulletin.document.open("rb") as f:
        return "\n".join(p.text for p in Document(io.BytesIO(f.read())).paragraphs)


# --- composing --------------------------------------------------------------------------


def test_the_composer_starts_from_the_plans_title_and_sensible_texts(client_as, manager, w):
    with frozen():
        response = client_as(manager).get(reverse("bulletin_compose") + "?plan=lc&date=2026-11-20")
    form = response.context["form"]
    assert form.initial["title"] == TITLE
    assert form.initial["opening"].endswith("现将截至2026年11月20日的落实情况通报如下。")
    assert form.initial["requirements"].startswith("（一）加快推进逾期事项。")
    assert form.initial["recipients"] == "各县（市、区）人民政府，市政府有关部门："
    page = response.content.decode()
    assert "一、总体情况" in page and "七、下一步要求" in page  # the preview


def test_the_preview_shows_the_edited_texts_and_issues_nothing(client_as, manager, w):
    response = compose(
        client_as(manager), action="preview", requirements="（一）立即整改。限期完成。"
    )
    assert response.status_code == 200
    blocks = [b.plain for b in response.context["doc"]["blocks"]]
    assert "（一）立即整改。限期完成。" in blocks
    assert not Bulletin.objects.exists()


def test_issuing_needs_the_confirmation(client_as, manager, w):
    response = compose(client_as(manager), action="issue")
    assert response.status_code == 200
    assert "请核对通报内容后勾选确认，再印发。" in response.content.decode()
    assert not Bulletin.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "  "}, "请填写通报标题。"),
        ({"date": "2026-11-28"}, "截至日期应在 2000年1月1日 至今天（2026年11月27日）之间"),
        ({"date": "不是日期"}, "有效的日期"),
        ({"title": "通" * 201}, "“标题”最多 200 字，现在有 201 字。"),
    ],
)
def test_bad_input_is_refused_with_a_message(client_as, manager, w, data, message):
    response = compose(client_as(manager), action="issue", confirm="on", **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Bulletin.objects.exists()


def test_a_day_after_today_is_refused_on_the_first_step(client_as, manager, w):
    with frozen():
        response = client_as(manager).get(reverse("bulletin_compose") + "?plan=lc&date=2026-12-01")
    assert "截至日期不能晚于今天" in response.content.decode()
    assert response.context["form"].initial["date"] == dt.date(2026, 11, 27)


# --- numbers ----------------------------------------------------------------------------


def test_two_bulletins_get_consecutive_numbers(client_as, manager, w):
    client = client_as(manager)
    first, second = issue(client), issue(client)
    assert (first.doc_number, second.doc_number) == ("聊督通〔2026〕1号", "聊督通〔2026〕2号")
    assert (first.year, first.number, second.number) == (2026, 1, 2)
    assert "聊督通〔2026〕2号" in document_text(second)


def test_the_numbers_start_again_each_year(client_as, manager, w):
    client = client_as(manager)
    issue(client)
    new_year = dt.datetime(2027, 1, 4, 9, 0, tzinfo=NOON.tzinfo)
    with frozen(new_year):
        client = client_as(manager)  # a new session: the old one ended when idle
    later = issue(client, moment=new_year, date="2027-01-03")
    assert later.doc_number == "聊督通〔2027〕1号" and later.issued_on == dt.date(2027, 1, 4)
    assert "2027年1月4日印发" in document_text(later)


def test_a_number_taken_meanwhile_is_skipped_and_nothing_is_left_behind(
    client_as, manager, w, monkeypatch, settings
):
    """Another manager took the number between reading it and writing: the database refuses
    the second, which takes the next one; the file of the refused attempt is removed."""
    issue(client_as(manager))
    real = bulletins.next_number
    answers = iter([1])  # stale: number 1 is taken
    monkeypatch.setattr(bulletins, "next_number", lambda year: next(answers, None) or real(year))
    with frozen():
        second = bulletins.issue(
            user=manager,
            plan=w["plan"],
            day=dt.date(2026, 11, 27),
            title=TITLE,
            recipients="",
            opening="",
            requirements="",
        )
    assert second.number == 2
    stored = sorted(p.name for p in (settings.MEDIA_ROOT / "bulletins" / "2026").iterdir())
    assert stored == sorted(b.document.name.split("/")[-1] for b in Bulletin.objects.all())


@pytest.mark.django_db(transaction=True)
def test_bulletins_issued_at_the_same_moment_get_different_numbers(staff_b, staff_c):
    """Real concurrent writers, each with its own connection: on PostgreSQL both read the
    same last number and the unique constraint sends one round again; SQLite queues them."""
    with frozen():
        w = world(shen=staff_b.membership.body, guan=staff_c.membership.body)
    managers = [make_manager(f"manager{i}") for i in range(3)]
    start = threading.Barrier(len(managers))
    errors = []

    def run(user):
        try:
            start.wait()
            with frozen():
                bulletins.issue(
                    user=user,
                    plan=w["plan"],
                    day=dt.date(2026, 11, 27),
                    title=TITLE,
                    recipients="",
                    opening="",
                    requirements="",
                )
        except Exception as error:  # noqa: BLE001 -- reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(user,)) for user in managers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(Bulletin.objects.values_list("number", flat=True)) == [1, 2, 3]


# --- frozen -------------------------------------------------------------------------------


def test_an_issued_bulletin_keeps_its_figures_when_new_reports_arrive(
    client_as, manager, staff_b, w
):
    client = client_as(manager)
    issued = issue(client)
    figures, text = issued.figures, document_text(issued)
    with frozen():
        page_before = client.get(issued.get_absolute_url()).context["doc"]["blocks"]
        # 莘县 reports its overdue work complete; the managers sign it off.
        file_report(w["park_shen"], staff_b, status="completed", percent=100)
        pass_to_managers(w["park_shen"])  # 市邮政管理局 leads the task: it reviews first
        reporting.signoff_decide(assignment=w["park_shen"], manager=manager, approve=True)
        live = client.get(reverse("bulletin") + "?plan=lc&date=2026-11-27")
    assert live.context["figures"]["counts"]["done"] == figures["counts"]["done"] + 1
    issued.refresh_from_db()
    assert issued.figures == figures
    assert document_text(issued) == text
    with frozen():
        page_after = client.get(issued.get_absolute_url()).context["doc"]["blocks"]
    assert page_after == page_before
    assert "（一）莘县（1项）" in [b.plain for b in page_after]


def test_an_issued_bulletin_is_never_changed(client_as, manager, w):
    issued = issue(client_as(manager))
    issued.title = "改过的标题"
    with pytest.raises(HistoryIsAppendOnly):
        issued.save()
    with pytest.raises(HistoryIsAppendOnly):
        Bulletin.objects.filter(pk=issued.pk).update(title="改过的标题")
    with pytest.raises(HistoryIsAppendOnly):
        issued.delete()


def test_issuing_keeps_who_issued_it_and_the_texts(client_as, manager, w):
    manager.first_name = "王督查"
    manager.save()
    issued = issue(client_as(manager), opening="特此通报。")
    assert issued.issued_by_name == "王督查" and issued.opening == "特此通报。"
    assert issued.plan == w["plan"] and issued.as_of == dt.date(2026, 11, 27)
    assert issued.issuer == "聊城市人民政府督查室"


# --- who reads it -------------------------------------------------------------------------


def test_it_names_the_bodies_its_sections_name(client_as, manager, w):
    issued = issue(client_as(manager))
    named = set(issued.named_bodies.values_list("name", flat=True))
    # Overdue 莘县 and 市邮政管理局; behind pace 冠县 and 东阿县; silent 市交通运输局; 莘县's
    # other work ahead of pace.
    assert named == {"莘县", "市邮政管理局", "冠县", "东阿县", "市交通运输局"}


def test_body_staff_see_only_the_bulletins_that_name_their_body(client_as, manager, staff_b, w):
    for_all = issue(client_as(manager))
    with frozen():
        other_body = MembershipFactory(user=UserFactory(username="clerk"))  # not in the plan
        listed = client_as(staff_b).get(reverse("bulletin_list"))
    assert [b.pk for b in listed.context["page"]] == [for_all.pk]
    with frozen():
        stranger = client_as(other_body.user)
        assert list(stranger.get(reverse("bulletin_list")).context["page"]) == []
        assert stranger.get(for_all.get_absolute_url()).status_code == 404
        assert stranger.get(reverse("bulletin_document", args=[for_all.pk])).status_code == 404
        mine = client_as(staff_b).get(reverse("bulletin_document", args=[for_all.pk]))
    assert mine.status_code == 200
    assert "attachment" in mine["Content-Disposition"]
    assert b"".join(mine.streaming_content)[:2] == b"PK"


def test_a_body_not_named_does_not_see_it(client_as, manager, staff_c, w):
    """As of 2026-01-05 nothing was due yet and 冠县 was neither ahead nor behind: the
    bulletin of that day does not name it, and 冠县's staff do not see it."""
    naming = issue(client_as(manager))  # 冠县 is behind pace on 2026-11-27
    issued = issue(client_as(manager), date="2026-01-05")
    assert "冠县" not in set(issued.named_bodies.values_list("name", flat=True))
    with frozen():
        client = client_as(staff_c)
        assert client.get(issued.get_absolute_url()).status_code == 404
        assert client.get(naming.get_absolute_url()).status_code == 200
        assert list(client.get(reverse("bulletin_list")).context["page"]) == [naming]


def test_the_archive_lists_number_date_and_who_issued_it(client_as, manager, w):
    client = client_as(manager)
    issue(client)
    issue(client)
    with frozen():
        response = client.get(reverse("bulletin_list"))
    assert [b.doc_number for b in response.context["page"]] == [
        "聊督通〔2026〕2号",  # the latest first
        "聊督通〔2026〕1号",
    ]
    table = response.content.decode().split("<table", 1)[1]
    assert "2026年11月27日" in table and "manager" in table


def test_body_staff_have_the_archive_in_the_top_bar(client_as, staff_b, w):
    with frozen():
        page = client_as(staff_b).get(reverse("my_work")).content.decode()
    assert f'href="{reverse("bulletin_list")}"' in page


def test_quotations_inside_a_quoted_title_become_single_quotes(client_as, manager, w):
    w["park"].title = "注重培育新动能，推进“快递进厂”"
    w["park"].save()
    with frozen():
        page = client_as(manager).get(reverse("bulletin") + "?plan=lc&date=2026-11-27")
    texts = [b.plain for b in page.context["doc"]["blocks"]]
    assert any("任务1“注重培育新动能，推进‘快递进厂’”" in t for t in texts)


def test_straight_quotation_marks_inside_a_quoted_title_become_single_quotes_too(
    client_as, manager, w
):
    # The Liaocheng seed, a newspaper page, writes 推进"快递进厂" with straight quotes: the
    # bulletin read “注重培育新动能，推进"快递进厂"”.
    w["park"].title = '注重培育新动能，推进"快递进厂"'
    w["park"].save()
    with frozen():
        page = client_as(manager).get(reverse("bulletin") + "?plan=lc&date=2026-11-27")
    texts = [b.plain for b in page.context["doc"]["blocks"]]
    assert any("任务1“注重培育新动能，推进‘快递进厂’”" in t for t in texts)
    assert not any('"' in t for t in texts)


def test_each_item_says_what_its_assignment_says(manager, w):
    """The figures read plain values, not model instances (supervision.bulletin_rows): each
    item still names its assignment's body, plan, task and measure, and gives its date or
    says it is ongoing (Assignment.is_ongoing) — also under an ongoing task, for a measure
    without a date of its own."""
    from tests.factories import AssignmentFactory, BodyFactory, MeasureFactory
    from tracker.models import Assignment

    with frozen():
        drill = MeasureFactory(task=w["emergency"], number=1, text="开展应急演练。")
        AssignmentFactory(task=w["emergency"], measure=drill, body=BodyFactory(name="市应急局"))
        figures = bulletins.figures(user=manager, plan=w["plan"], day=dt.date(2026, 11, 27))
    items = [i for s in figures["sections"] for g in s["groups"] for i in g["items"]]
    assignments = Assignment.objects.in_bulk([i["assignment"] for i in items])
    for i in items:
        a = assignments[i["assignment"]]
        due = a.effective_due.isoformat() if a.effective_due else None
        assert (i["body"], i["plan"], i["task"], i["task_title"]) == (
            a.body.name,
            a.task.plan.title,
            a.task.number,
            a.task.title,
        )
        measure = (a.measure.number, a.measure.text) if a.measure_id else (None, "")
        assert (i["measure"], i["measure_text"]) == measure
        assert (i["due"], i["ongoing"]) == (due, a.is_ongoing)
    drill_item = next(i for i in items if i["body"] == "市应急局")
    assert drill_item["ongoing"] and drill_item["measure_text"] == "开展应急演练。"


# --- extended dates ------------------------------------------------------------------------


def extend(assignment, staff, manager, *, on, to, granted=None):
    """An extension the body asks for and a manager approves on the day `on`."""
    with frozen(dt.datetime.combine(on, NOON.timetz())):
        asked = reporting.extension_request_create(
            assignment=assignment, author=staff, new_due=to, reason="用地手续未办结"
        )
        reporting.extension_decide(
            extension=asked,
            manager=manager,
            approve=True,
            granted_due=granted,
            reason="" if granted is None else "按实际需要",
        )


def test_a_date_an_extension_set_says_so_on_the_page_and_in_the_word_document(
    client_as, manager, staff_b, w
):
    """The bulletin is an official document: a date the managers granted is shown as their
    decision, with the plan's date it replaced — not as the plan's deadline."""
    extend(w["park_shen"], staff_b, manager, on=dt.date(2026, 7, 5), to=dt.date(2026, 9, 30))
    client = client_as(manager)
    with frozen():
        page = client.get(reverse("bulletin") + "?plan=lc&date=2026-11-27")
    said = "完成时限2026年9月30日（经批准延期，原定2026年6月30日），已逾期58天"
    shown = [b.plain for b in page.context["doc"]["blocks"]]
    assert any(said in t for t in shown), shown
    assert said in page.content.decode()
    # 市邮政管理局 on the same task keeps the plan's date, said plainly.
    lead = next(t for t in shown if "（牵头）" in t and "已逾期" in t)
    assert "完成时限2026年6月30日，已逾期150天" in lead and "延期" not in lead
    assert said in document_text(issue(client))


def test_two_extensions_are_counted_and_an_administrators_later_date_is_not_called_one(
    manager, staff_b, w
):
    extend(w["park_shen"], staff_b, manager, on=dt.date(2026, 7, 5), to=dt.date(2026, 8, 31))
    extend(
        w["park_shen"],
        staff_b,
        manager,
        on=dt.date(2026, 8, 20),
        to=dt.date(2026, 10, 31),
        granted=dt.date(2026, 9, 30),
    )
    with frozen():
        figures = bulletins.figures(user=manager, plan=w["plan"], day=dt.date(2026, 11, 27))
        blocks = [b.plain for b in supervision.bulletin_outline(figures)]
    assert any("完成时限2026年9月30日（经批准延期2次，原定2026年6月30日）" in t for t in blocks)

    # An administrator moves the date after the extensions: no longer an extension's date.
    a = w["park_shen"]
    old = copy.copy(a)
    a.due_date = dt.date(2026, 10, 15)
    a.save(update_fields=["due_date"])
    record_changes(user=manager, old=old, new=a, via=ChangeRecord.Via.ADMIN, fields=["due_date"])
    with frozen():
        figures = bulletins.figures(user=manager, plan=w["plan"], day=dt.date(2026, 11, 27))
        blocks = [b.plain for b in supervision.bulletin_outline(figures)]
    item = next(t for t in blocks if "完成时限2026年10月15日" in t)
    assert "延期" not in item
