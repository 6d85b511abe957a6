"""Builders for progress-reporting tests: evidence files of every kind, reports filed through
the service (so the current state stays right), a small world of one task, bigger ones for
query counts, and the query counter itself."""

import datetime as dt
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    AssignmentFactory,
    BodyFactory,
    MeasureFactory,
    MembershipFactory,
    PlanFactory,
    TargetFactory,
    TaskFactory,
    UserFactory,
)
from tracker.models import Assignment, ChangeRecord, Milestone
from tracker.services import reminders, reporting

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 128
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def zipped(*names):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name in names:
            z.writestr(name, "<x/>")
    return buffer.getvalue()


DOCX = zipped("[Content_Types].xml", "_rels/.rels", "word/document.xml")
XLSX = zipped("[Content_Types].xml", "xl/workbook.xml")
PPTX = zipped("[Content_Types].xml", "ppt/presentation.xml")
OFD = zipped("OFD.xml", "Doc_0/Document.xml")
PLAIN_ZIP = zipped("readme.txt")


def upload(name, content):
    return SimpleUploadedFile(name, content)


def file_report(assignment, author, **fields):
    """File a report through the service, with sensible defaults."""
    values = {
        "status": "in_progress",
        "percent": 40,
        "text": "完成快递园区选址。",
        "as_of": timezone.localdate(),
        **fields,
    }
    return reporting.report_create(assignment=assignment, author=author, **values)


def pass_to_managers(assignment, opinion="材料齐全，同意报督查审核。"):
    """Where the lead body reviews a completion request first (牵头单位初审), pass it on to
    the managers, as a member of the lead body (one is made if it has none)."""
    from tracker.models import Assignment, Membership

    a = Assignment.objects.get(pk=assignment.pk)
    if a.signoff != "lead_review":
        return None
    body = a.lead_body()
    member = Membership.objects.filter(body=body).select_related("user").first()
    user = member.user if member else MembershipFactory(body=body).user
    return reporting.lead_review_decide(
        assignment=a, reviewer=user, body=body, passed=True, opinion=opinion
    )


def complete(assignment, author, **fields):
    """Report the work complete and, where a lead body reviews it first, pass it on: it then
    waits for the managers' decision."""
    report = file_report(assignment, author, status="completed", percent=100, **fields)
    pass_to_managers(assignment)
    return report


def progress_world(lead_body, body, other_body=None, *, deadline=dt.date(2030, 12, 31)):
    """One task led by `lead_body`, broken down to `body` (and `other_body`) on a measure,
    with a target. Returns a dict of the rows."""
    task = TaskFactory(number=2, title="推进快递园区建设", deadline=deadline)
    measure = MeasureFactory(task=task, number=1, text="各县（市、区）至少建成1处快递园区。")
    lead = AssignmentFactory(task=task, body=lead_body, role="lead")
    own = AssignmentFactory(task=task, measure=measure, body=body, role="responsible")
    other = None
    if other_body is not None:
        other = AssignmentFactory(task=task, measure=measure, body=other_body, role="responsible")
    target = TargetFactory(task=task, plan=task.plan, number=1, description="建成快递园区")
    return {
        "plan": task.plan,
        "task": task,
        "measure": measure,
        "lead": lead,
        "own": own,
        "other": other,
        "target": target,
    }


def set_own_due(assignment, due):
    """Give an assignment a due date of its own, as an approved extension or an
    administrator would (through save(), which keeps the due date that applies)."""
    row = Assignment.objects.get(pk=assignment.pk)
    row.due_date = due
    row.save(update_fields=["due_date"])
    return row


def log_in(page, base, username, password="password"):
    """In a browser: sign in through the login page (the factories' password)."""
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="登录").click()


# --- query counts ------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def many_reports(n, lead_body, staff, slug):
    """n tasks led by `lead_body`; on each, a measure that `staff`'s body and another body
    answer for, each with a report carrying evidence and a target value, a reminder they
    acknowledged; every other one asks for sign-off (passed on by the lead body), the rest
    for an extension. Each task has a milestone and the lead body's summary. Returns the
    first task and `staff`'s first assignment."""
    plan = PlanFactory(slug=slug)
    if not lead_body.memberships.exists():
        MembershipFactory(body=lead_body)
    first = None
    for i in range(1, n + 1):
        task = TaskFactory(plan=plan, number=i, deadline=dt.date(2030, 12, 31))
        measure = MeasureFactory(task=task, number=1)
        target = TargetFactory(task=task, plan=plan, number=i)
        AssignmentFactory(task=task, body=lead_body, role="lead")
        other = MembershipFactory(user=UserFactory(), body=BodyFactory()).user
        for who in (staff, other):
            a = AssignmentFactory(task=task, measure=measure, body=who.membership.body)
            done = i % 2 == 0
            file_report(
                a,
                who,
                status="completed" if done else "in_progress",
                percent=100 if done else 40,
                values={target: 1},
                files=[upload("验收.pdf", PDF), upload("现场.png", PNG)],
            )
            pass_to_managers(a)
            # A reminder the body acknowledged, and a milestone of the task: more history.
            reminder = reminders.remind(assignment=a, sender=who, message="请报送进展。")
            reminders.acknowledge(reminder=reminder, user=who)
            if not done:
                reporting.extension_request_create(
                    assignment=a, author=who, new_due=dt.date(2031, 6, 30), reason="用地"
                )
            first = first or a
        Milestone.objects.create(task=task, due=dt.date(2030, 6, 30), text=f"节点{i}")
        lead_user = lead_body.memberships.select_related("user").first().user
        reporting.task_summary_create(
            task=task, body=lead_body, author=lead_user, as_of=timezone.localdate(), text="汇总"
        )
    return first.task, first


def deep_history(assignment, staff, manager, n):
    """n reports on one assignment, with corrections, decisions, extensions and changes."""
    for pending in assignment.extension_requests.pending():
        reporting.extension_decide(extension=pending, manager=manager, approve=False, reason="否")
    previous = None
    for i in range(n):
        report = file_report(
            assignment,
            staff,
            percent=10 + i,
            corrects=previous if i % 3 == 2 else None,
            files=[upload(f"第{i}份.pdf", PDF)],
        )
        previous = report
        ext = reporting.extension_request_create(
            assignment=assignment,
            author=staff,
            new_due=dt.date(2031, 1, 1) + dt.timedelta(days=i),
            reason=f"第{i}次",
        )
        reporting.extension_decide(extension=ext, manager=manager, approve=True)
    complete(assignment, staff)
    reporting.signoff_decide(assignment=assignment, manager=manager, approve=False, reason="补材料")
    assert ChangeRecord.objects.filter(assignment=assignment).count() == n
