"""Issue 11's wrong answers, each pinned: the current state after correcting an older report,
the sign-off page, records and reminders after an extension, never-reported work, what body
staff see on a task page, and the smaller points (已完成 is 100 %, a precise refusal, our
own words, the order of bodies, the county filter, a deadline in the past, /favicon.ico).
The bulletin's numbering: tests/supervision/test_chain_supervision.py."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from tests.builders import PDF, complete, file_report, progress_world, set_own_due, upload
from tests.factories import AssignmentFactory, BodyFactory, CountyFactory
from tracker.services import reminders, reporting

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _today():
    # Time runs (tick): reports, reminders and decisions are filed one after another.
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)):
        yield


@pytest.fixture
def world(staff_a, staff_b, body_c):
    return progress_world(staff_a.membership.body, staff_b.membership.body, body_c)


# 1 -------------------------------------------------------------------------------------------


def test_correcting_an_older_report_leaves_the_current_state_alone(client_as, staff_b, world):
    own, target = world["own"], world["target"]
    older = file_report(own, staff_b, percent=30, as_of=TODAY)
    file_report(own, staff_b, percent=40, as_of=TODAY, values={target: 2})
    response = client_as(staff_b).post(
        reverse("report_correct", args=[older.pk]),
        {"status": "in_progress", "percent": "35", "text": "更正：实为35%", "as_of": "2026-11-27"},
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.percent == 40  # the newer report is still the current one
    page = client_as(staff_b).get(own.get_absolute_url())
    (line,) = page.context["targets"][0].reported
    assert line.value == 2  # the latest target value, not "—"


# 2 -------------------------------------------------------------------------------------------


def test_the_sign_off_page_shows_evidence_targets_history_and_lateness(
    client_as, staff_b, manager, world
):
    own = world["own"]
    set_own_due(own, dt.date(2026, 11, 20))
    file_report(own, staff_b, percent=50, as_of=dt.date(2026, 11, 10), text="园区主体完工")
    complete(
        own,
        staff_b,
        text="园区建成",
        values={world["target"]: 1},
        files=[upload("验收报告.pdf", PDF)],
    )
    page = client_as(manager).get(reverse("signoff_review", args=[own.pk])).content.decode()
    evidence = own.reports.get(status="completed").evidence.get()
    assert f'href="{evidence.get_absolute_url()}"' in page and "验收报告.pdf" in page
    assert "不少于 1 处" in page and "达标" in page  # the target against its goal
    assert "园区主体完工" in page and "填报记录" in page  # the history
    assert "逾期完成：完成报告晚于时限 7 天" in page  # due 11-20, reported 11-27
    assert "材料齐全，同意报督查审核。" in page  # the lead body's opinion
    assert client_as(manager).get(evidence.get_absolute_url()).status_code == 200


# 4 -------------------------------------------------------------------------------------------


def test_a_reminder_superseded_by_an_approved_extension_is_closed(
    client_as, staff_b, manager, world
):
    own = world["own"]
    set_own_due(own, dt.date(2026, 11, 1))
    reminders.remind(assignment=own, sender=manager, message="已逾期，请尽快推进。")
    assert "已逾期，请尽快推进。" in client_as(staff_b).get(reverse("my_work")).content.decode()
    request = reporting.extension_request_create(
        assignment=own, author=staff_b, new_due=dt.date(2027, 3, 31), reason="用地"
    )
    reporting.extension_decide(extension=request, manager=manager, approve=True)
    work = client_as(staff_b).get(reverse("my_work")).content.decode()
    assert "已逾期，请尽快推进。" not in work and "收到催办" not in work
    page = client_as(staff_b).get(own.get_absolute_url()).content.decode()
    assert "已办结：延期获批，不再适用" in page


def test_a_reminder_answered_by_a_report_is_closed(client_as, staff_b, manager, world):
    own = world["own"]
    reminders.remind(assignment=own, sender=manager, message="请报送进展。")
    report = file_report(own, staff_b, percent=20)
    page = client_as(manager).get(own.get_absolute_url()).content.decode()
    assert f"已办结：已填报 #{report.pk}" in page


# 5 -------------------------------------------------------------------------------------------


def test_never_reported_work_says_how_late_its_first_report_is(client_as, staff_b, world):
    # Tracking began 2024-09-01, reports every 30 days: the first was due 2024-10-01.
    plan = world["plan"]
    plan.start_date = dt.date(2024, 9, 1)
    plan.save()
    work = client_as(staff_b).get(reverse("my_work")).content.decode()
    assert "首次填报已逾期 787 天（应于 2024-10-01 前填报）" in work
    assert "下次填报截至 2024-10-01" not in work
    page = client_as(staff_b).get(world["own"].get_absolute_url()).content.decode()
    assert "首次填报已逾期 787 天（应于 2024-10-01 前填报）" in page


# 6 -------------------------------------------------------------------------------------------


def test_the_task_page_shows_body_staff_names_and_roles_only(
    client_as, staff_a, staff_b, staff_c, manager, world
):
    other = world["other"]  # 冠县's share
    set_own_due(other, dt.date(2026, 10, 1))
    from tracker.models import Milestone

    Milestone.objects.create(
        task=world["task"], assignment=other, due=dt.date(2026, 12, 20), text="冠县选址"
    )
    url = world["task"].get_absolute_url()
    before = client_as(staff_b).get(url).content.decode()
    file_report(other, staff_c, percent=90)
    after = client_as(staff_b).get(url).content.decode()
    assert "冠县" in after and "分解落实" in after  # names and roles
    assert "2026-10-01" not in after and "个县（市、区）中" not in after  # no date, no roll-up
    assert "冠县选址" not in after  # nor 冠县's milestone
    assert 'class="light red"' not in after.split("具体措施")[1].split("量化指标")[0]
    # 冠县's report moves nothing 莘县 can see (the roll-up used to).
    strip = lambda page: page.split('name="csrfmiddlewaretoken"')[0]  # noqa: E731
    assert strip(before) == strip(after)
    # The lead body and the managers see the whole task.
    for user in (staff_a, manager):
        page = client_as(user).get(url).content.decode()
        assert "2026-10-01" in page and "平均" in page and "冠县选址" in page


# 7 -------------------------------------------------------------------------------------------


def test_choosing_completed_means_100(client_as, staff_b, world):
    response = client_as(staff_b).post(
        reverse("report_create", args=[world["own"].pk]),
        {"status": "completed", "percent": "", "text": "园区建成", "as_of": "2026-11-27"},
    )
    assert response.status_code == 302
    world["own"].refresh_from_db()
    assert (world["own"].percent, world["own"].status) == (100, "completed")
    form = client_as(staff_b).get(reverse("report_create", args=[world["own"].pk]))
    assert "tracker/report.js" in form.content.decode()  # fills in 100 in the browser too


def test_a_second_extension_request_is_refused_saying_why(client_as, staff_b, manager, world):
    own = world["own"]
    reporting.extension_request_create(
        assignment=own, author=staff_b, new_due=dt.date(2031, 6, 30), reason="用地"
    )
    response = client_as(staff_b).get(reverse("extension_create", args=[own.pk]), follow=True)
    assert "已有一份延期申请（2026-11-27 提交，申请延至 2031-06-30）在等待审批" in (
        response.content.decode()
    )


def test_our_own_words_not_djangos(client_as, staff_b, world):
    response = client_as(staff_b).post(
        reverse("extension_create", args=[world["own"].pk]),
        {"new_due": "2031-06-30", "reason": "字" * 1001},
    )
    page = response.content.decode()
    assert "“申请理由”最多 1000 字，现在有 1001 字。" in page
    assert "确保该变量" not in page


def test_bodies_sort_by_position_then_by_pinyin(client_as, manager):
    from tests.factories import TaskFactory

    task = TaskFactory(deadline=dt.date(2030, 12, 31))
    for name in ["市商务局", "市财政局", "市发展改革委"]:
        AssignmentFactory(task=task, body=BodyFactory(name=name))
    for position, name in [(7, "冠县"), (5, "莘县"), (1, "东昌府区")]:
        AssignmentFactory(task=task, body=CountyFactory(name=name, position=position))
    response = client_as(manager).get(reverse("assignment_list") + "?o=body")
    names = [a.body.name for a in response.context["page"]]
    # Counties in the city's order; departments by their reading (cai, fa, shang).
    assert names == ["东昌府区", "莘县", "冠县", "市财政局", "市发展改革委", "市商务局"]


def test_county_staff_are_offered_only_the_counties_they_may_see(client_as, staff_b, world):
    for name in ["东昌府区", "茌平区", "临清市"]:
        CountyFactory(name=name)
    form = client_as(staff_b).get(reverse("assignment_list")).context["filter"].form
    assert [b.name for b in form.fields["county"].queryset] == ["莘县"]


def test_a_deadline_in_the_past_is_saved_only_when_confirmed(client_as, admin_user, world):
    task = world["task"]
    url = reverse("task_deadline", args=[task.plan.slug, task.number])
    data = {"deadline": "2026-06-30", "reason": "会议纪要"}
    warned = client_as(admin_user).post(url, data)
    assert warned.status_code == 400
    assert "2026-06-30 已经过去：保存后，尚未销号的相关工作将立即显示为逾期" in (
        warned.content.decode()
    )
    task.refresh_from_db()
    assert task.deadline == dt.date(2030, 12, 31)
    assert client_as(admin_user).post(url, {**data, "confirm_past": "on"}).status_code == 302
    task.refresh_from_db()
    assert task.deadline == dt.date(2026, 6, 30)


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.url.endswith("tracker/favicon.ico")
    icon = Path(settings.BASE_DIR) / "tracker" / "static" / "tracker" / "favicon.ico"
    assert icon.read_bytes()[:4] == b"\x00\x00\x01\x00"  # an ICO file
