"""The pages of one object at a province's size (issue 10): the assignment page reads its
states from the Python twin (get_assignment: models.with_states) and takes its current
report and its pending extension request from its timeline; the plan overview takes each
task's leads from the assignments it fetched. Each gives what the SQL would, in a fixed
number of queries."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.builders import PDF, count_queries, file_report, upload
from tests.factories import (
    AssignmentFactory,
    BodyFactory,
    MeasureFactory,
    MembershipFactory,
    PlanFactory,
    TargetFactory,
    TaskFactory,
    UserFactory,
    make_manager,
)
from tracker.access import get_assignment
from tracker.models import Assignment, Milestone, Report, with_timeline_parts
from tracker.services import reporting

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)


def _varied_world(rng):
    """Assignments in every kind of state: calendars, milestones reached or not (and a
    report saying so corrected), own due dates, measures, withdrawn work, archived plans."""
    made = []
    for _ in range(60):
        rhythm = rng.choice(["days", "monthly", "quarterly"])
        plan = PlanFactory(
            start_date=rng.choice([None, dt.date(2025, rng.randint(1, 12), rng.randint(1, 28))]),
            report_rhythm=rhythm,
            report_day=rng.randint(1, 28) if rhythm != "days" else None,
            report_period_days=rng.choice([7, 30]),
            **(
                {"archived_at": timezone.now(), "archive_reason": "方案已完成"}
                if rng.random() < 0.1
                else {}
            ),
        )
        deadline = rng.choice([None, TODAY + dt.timedelta(days=rng.randint(-90, 90))])
        task = TaskFactory(
            plan=plan,
            deadline=deadline,
            deadline_source="text" if deadline else "",
            withdrawn=rng.random() < 0.1,
        )
        measure = None
        if rng.random() < 0.4:
            deadline = rng.choice([None, TODAY + dt.timedelta(days=rng.randint(-60, 60))])
            measure = MeasureFactory(
                task=task,
                deadline=deadline,
                deadline_source="text" if deadline else "",
                withdrawn=rng.random() < 0.1,
            )
        signoff = rng.choice(["open", "open", "lead_review", "requested", "returned"])
        a = AssignmentFactory(
            task=task,
            measure=measure,
            percent=rng.choice([0, 30, 60, 100]),
            signoff=signoff,
            due_date=rng.choice([None, None, TODAY + dt.timedelta(days=rng.randint(-30, 30))]),
            assigned_on=rng.choice([None, TODAY - dt.timedelta(days=rng.randint(0, 200))]),
        )
        for _ in range(rng.randint(0, 2)):
            own = rng.random() < 0.5
            Milestone.objects.create(
                task=task,
                measure=None if own else measure,
                assignment=a if own else None,
                due=TODAY + dt.timedelta(days=rng.randint(-40, 40)),
                text="节点",
            )
        made.append(a)
    return made


def test_get_assignment_gives_one_assignment_what_with_state_annotates():
    rng = random.Random(20261130)
    made = _varied_world(rng)
    # Reports, some saying a milestone was reached, some of those corrected.
    staff = MembershipFactory(user=UserFactory(), body=BodyFactory()).user
    for a in made[::3]:
        if a.withdrawn:
            continue
        a.body = staff.membership.body
        a.save()
        milestones = list(Milestone.objects.applying_to(a))
        report = file_report(
            a, staff, as_of=TODAY - dt.timedelta(days=rng.randint(0, 60)), milestones=milestones
        )
        if rng.random() < 0.3:
            file_report(a, staff, corrects=report)
    # Work signed off, on time and late.
    manager = make_manager()
    for a in made[1::5]:
        a.refresh_from_db()
        if a.signoff == "requested" and not a.withdrawn:
            reporting.signoff_decide(assignment=a, manager=manager, approve=True)
    names = list(Assignment.objects.with_state(TODAY).query.annotations)
    lights = set()
    for today in (TODAY, TODAY + dt.timedelta(days=45)):
        for a in made:
            row = Assignment.objects.with_state(today).get(pk=a.pk)
            one = get_assignment(manager, a.pk, today)
            for name in names:
                assert getattr(one, name) == getattr(row, name), (name, a.pk, today)
            lights.add(row.light)
    assert lights >= {"red", "yellow", "green", None}


def _history(assignment, staff, manager, n):
    for i in range(n):
        file_report(assignment, staff, percent=i + 1, as_of=TODAY - dt.timedelta(days=n - i))
    reporting.extension_request_create(
        assignment=assignment, author=staff, new_due=dt.date(2031, 1, 1), reason="需要更多时间"
    )


@pytest.mark.parametrize("role", ["manager", "owner"])
def test_the_assignment_page_costs_the_same_with_3_and_30_reports(client_as, role):
    manager = make_manager()
    owner = MembershipFactory(user=UserFactory(), body=BodyFactory()).user
    plan = PlanFactory(start_date=dt.date(2026, 1, 1))
    pages = []
    for n in (3, 30):
        task = TaskFactory(plan=plan, deadline=dt.date(2030, 12, 31))
        a = AssignmentFactory(task=task, body=owner.membership.body)
        Milestone.objects.create(task=task, due=dt.date(2026, 6, 30), text="节点")
        _history(a, owner, manager, n)
        pages.append(reverse("assignment_detail", args=[a.pk]))
    client = client_as(manager if role == "manager" else owner)
    few, many = (count_queries(client, url) for url in pages)
    assert few == many
    # Session, the user with their body (access.UserBackend), their role permissions; the
    # assignment, the timeline's seven kinds of entries and the three lists of its reports
    # (models.with_timeline_parts), the targets: 15. No more for the current report or the
    # pending extension request (both come from the timeline). Its own body's staff also
    # see their drafts, whether they lead the task and whether they may ask for more time.
    assert many == (15 if role == "manager" else 18)


def test_the_assignment_page_shows_the_pending_request_and_the_current_report(
    client_as,
):
    manager = make_manager()
    owner = MembershipFactory(user=UserFactory(), body=BodyFactory()).user
    task = TaskFactory(plan=PlanFactory(start_date=dt.date(2026, 1, 1)))
    a = AssignmentFactory(task=task, body=owner.membership.body)
    file_report(a, owner, percent=40)
    # Asked before the completion report: once sign-off is asked for, no extension is.
    reporting.extension_request_create(
        assignment=a, author=owner, new_due=dt.date(2031, 1, 1), reason="需要更多时间"
    )
    current = file_report(a, owner, percent=100, status="completed")
    a.refresh_from_db()
    assert a.current_report_id == current.pk
    page = client_as(manager).get(a.get_absolute_url()).content.decode()
    assert "待审批的延期申请" in page
    assert reverse("extension_decide", args=[a.extension_requests.get().pk]) in page
    assert f"见填报 #{current.pk}。" in page


def test_get_assignment_gives_the_states_for_the_day_asked():
    a = AssignmentFactory(
        task=TaskFactory(plan=PlanFactory(start_date=dt.date(2026, 1, 1)), deadline=TODAY)
    )
    manager = make_manager()
    assert get_assignment(manager, a.pk, TODAY).light == "yellow"  # due today: due soon
    later = get_assignment(manager, a.pk, TODAY + dt.timedelta(days=1))
    assert (later.light, later.is_overdue, later.days_overdue) == ("red", True, 1)


def test_the_plan_overview_names_co_leads_first_named_first(client_as, staff_a):
    plan = PlanFactory(slug="co")
    task = TaskFactory(plan=plan, number=1)
    # Created in the reverse of their order in the text.
    AssignmentFactory(task=task, body=BodyFactory(name="市商务局"), role="lead", position=1)
    AssignmentFactory(task=task, body=BodyFactory(name="市交通运输局"), role="lead", position=0)
    AssignmentFactory(task=task, body=BodyFactory(name="莘县"), role="responsible", position=2)
    measure = MeasureFactory(task=task, number=1)
    AssignmentFactory(
        task=task, measure=measure, body=BodyFactory(name="市财政局"), role="lead", position=0
    )
    page = client_as(staff_a).get(reverse("plan_overview", args=["co"])).content.decode()
    row = page[page.index("市交通运输局") - 200 :]
    leads, others = row.split('data-label="其他责任单位"')[:2]
    assert leads.index("市交通运输局") < leads.index("市商务局")
    assert "莘县" not in leads and "莘县" in others
    # A measure's lead is one of the task's other bodies, not a lead of the task itself.
    assert "市财政局" not in leads and "市财政局" in others.split("</tr>")[0]


def test_the_timeline_shows_what_hangs_on_each_report(client_as):
    """Files, values and milestones reached, read for the whole timeline at once
    (models.with_timeline_parts), each beside its own report; a correction named on both."""
    owner = MembershipFactory(user=UserFactory(), body=BodyFactory()).user
    task = TaskFactory(plan=PlanFactory(start_date=dt.date(2026, 1, 1)))
    a = AssignmentFactory(task=task, body=owner.membership.body)
    other = AssignmentFactory(task=task, body=BodyFactory())
    target = TargetFactory(task=task, description="网点<数>", unit="个")
    milestone = Milestone.objects.create(task=task, due=dt.date(2026, 6, 30), text="建成园区")
    first = file_report(
        a,
        owner,
        text="第一次<b>\n第二行",
        values={target: Decimal("12.5")},
        milestones=[milestone],
        files=[upload("材料一.pdf", PDF)],
    )
    fix = file_report(
        a,
        owner,
        corrects=first,
        text="更正后",
        values={target: Decimal("13")},
        milestones=[milestone],
    )
    file_report(other, MembershipFactory(body=other.body).user, files=[upload("别家.pdf", PDF)])
    page = client_as(owner).get(a.get_absolute_url()).content.decode()

    def entry(report):
        rest = page[page.index(f'id="r{report.pk}"') :]
        return rest[: rest.index('<li class="tl ') if '<li class="tl ' in rest else None]

    first_li, fix_li = entry(first), entry(fix)
    assert "第一次&lt;b&gt;<br>第二行" in first_li
    assert "材料一.pdf" in first_li and "完成阶段性目标（2026-06-30）：建成园区" in first_li
    assert "网点&lt;数&gt;：<strong>12.5</strong> 个" in first_li
    assert f"已被 #{fix.pk} 更正（原内容保留）" in first_li and "更正这条填报" not in first_li
    assert f"更正了 #{first.pk}" in fix_li and "<strong>13</strong>" in fix_li
    assert "更正这条填报" in fix_li and "材料一.pdf" not in fix_li
    assert fix_li.count("完成阶段性目标") == 1
    assert "别家.pdf" not in page
    # The milestone is reached by the report in force that says so: the correction.
    assert f"已完成（填报 #{fix.pk}）" in page


def test_what_hangs_on_a_report_filed_since_is_passed_over():
    """A report filed between reading the reports and reading their files is not on the
    page, and its files are left out rather than failing the page."""
    owner = MembershipFactory(user=UserFactory(), body=BodyFactory()).user
    a = AssignmentFactory(task=TaskFactory(), body=owner.membership.body)
    shown = file_report(a, owner, files=[upload("一.pdf", PDF)])
    reports = list(Report.objects.filter(assignment=a).for_timeline())
    file_report(a, owner, files=[upload("二.pdf", PDF)])
    [report] = with_timeline_parts(reports)
    assert report.pk == shown.pk
    assert [f.original_name for f in report.evidence_list] == ["一.pdf"]
    assert report.correction is None


def test_numbers_are_shown_as_people_write_them(client_as):
    """A target of 10 and a reported 10.0000 read 10 on the report forms, never 10.0000 or
    Decimal's 1E+1 (seen in the Chromium walk: a correction offered 3.0000)."""
    owner = MembershipFactory(user=UserFactory(), body=BodyFactory()).user
    task = TaskFactory(plan=PlanFactory(start_date=dt.date(2026, 1, 1)))
    a = AssignmentFactory(task=task, body=owner.membership.body)
    target = TargetFactory(task=task, description="网点", unit="个", value=Decimal("10"))
    report = file_report(a, owner, values={target: Decimal("10")})
    client = client_as(owner)
    for url in (reverse("report_create", args=[a.pk]), reverse("report_correct", args=[report.pk])):
        page = client.get(url).content.decode()
        assert " 10 个" in page and "1E+1" not in page and "10.0000" not in page
    page = client.get(reverse("report_correct", args=[report.pk])).content.decode()
    assert f'name="target_{target.pk}" value="10"' in page
