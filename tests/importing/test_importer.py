"""The importer, fed hand-built parsed plans: what a re-import keeps, changes and withdraws."""

import datetime as dt
from decimal import Decimal

import pytest

from plan import model as pm
from tracker.models import Assignment, Body, Plan, Source, Target, Task
from tracker.services.importing import import_parsed_plan

pytestmark = pytest.mark.django_db

TEXT = "\n".join(f"第{n}行" for n in range(1, 31))


def ref(name, role=pm.SUPPORT, source=pm.FROM_CLAUSE, kind=pm.CITY_DEPARTMENT, line=5, reason=""):
    return pm.BodyRef(
        name=name, raw=name, kind=kind, role=role, source=source, line=line, reason=reason
    )


def task(number, title, *, category=1, deadline=None, bodies=(), measures=(), targets=()):
    return pm.Task(
        number=number,
        title=title,
        text=f"{title}。",
        span=pm.Span(number, number),
        category=category,
        deadline=deadline,
        bodies=list(bodies),
        measures=list(measures),
        targets=list(targets),
    )


def parsed(*tasks, slug="t-plan"):
    return pm.ParsedPlan(
        title="测试市实施方案",
        jurisdiction="聊城市",
        issuer="",
        issue_date=None,
        start_date=dt.date(2024, 9, 1),
        start_date_source=pm.REVIEW,
        declared_categories=1,
        declared_tasks=len(tasks),
        span=pm.Span(1, 30),
        categories=[
            pm.Category(number=1, title="强化行业规划引领", summary="概述", span=pm.Span(1, 2))
        ],
        tasks=list(tasks),
        slug=slug,
    )


END_2024 = pm.Deadline(date=dt.date(2024, 12, 31), phrase="到2024年年底", line=3)


def first_import():
    park_target = pm.Target(
        description="每县至少建成1处快递园区",
        value=Decimal(1),
        unit="处",
        scope="each_county",
        due=END_2024,
        line=3,
    )
    return parsed(
        task(
            1,
            "出台行业专项规划",
            bodies=[ref("市邮政管理局", pm.LEAD, pm.FROM_REVIEW, reason="行业主管部门")],
        ),
        task(
            2,
            "推进快递园区建设",
            deadline=END_2024,
            targets=[park_target],
            bodies=[
                ref("莘县", pm.RESPONSIBLE, kind=pm.COUNTY),
                ref("冠县", pm.RESPONSIBLE, kind=pm.COUNTY),
            ],
        ),
        task(
            3,
            "提升农村服务网络",
            measures=[
                pm.Measure(number=1, text="巩固快递进村成果。", span=pm.Span(4, 4)),
                pm.Measure(
                    number=2,
                    text="加强农村寄递物流体系建设。",
                    span=pm.Span(5, 5),
                    bodies=[ref("市交通运输局", source=pm.FROM_SENTENCE)],
                ),
            ],
        ),
    )


def test_it_creates_the_plan_with_everything_traceable():
    result = import_parsed_plan(first_import(), source_text=TEXT, source_name="seed.txt")
    plan = result.plan
    assert result.created and plan.slug == "t-plan" and plan.source_name == "seed.txt"
    assert len(plan.source_sha256) == 64 and plan.source_text == TEXT
    assert plan.start_date == dt.date(2024, 9, 1) and plan.start_date_source == Source.REVIEW
    park = plan.tasks.get(number=2)
    assert park.deadline == dt.date(2024, 12, 31) and park.deadline_text == "到2024年年底"
    assert park.deadline_source == Source.TEXT and park.category.title == "强化行业规划引领"
    assert {a.body.name for a in park.assignments.all()} == {"莘县", "冠县"}
    assert Body.objects.get(name="莘县").kind == Body.Kind.COUNTY
    lead = Assignment.objects.get(task__number=1, role="lead")
    assert lead.origin == "review" and lead.origin_reason == "行业主管部门"
    named = Assignment.objects.get(body__name="市交通运输局")
    assert named.origin == "named" and named.measure.number == 2
    target = Target.objects.get()
    assert (target.task, target.value, target.scope) == (park, Decimal(1), "each_county")
    assert plan.tasks.get(number=1).deadline is None  # never invented


def test_importing_the_same_text_twice_changes_nothing():
    import_parsed_plan(first_import(), source_text=TEXT)
    ids = set(Task.objects.values_list("pk", flat=True))
    result = import_parsed_plan(first_import(), source_text=TEXT)
    assert not result.created and set(Task.objects.values_list("pk", flat=True)) == ids
    assert Assignment.objects.count() == 4 and Target.objects.count() == 1
    assert result.warnings == []


def test_a_dropped_task_is_withdrawn_and_keeps_its_rows_and_sign_offs():
    import_parsed_plan(first_import(), source_text=TEXT)
    park = Task.objects.get(title="推进快递园区建设")
    Assignment.objects.filter(task=park).update(
        signoff="signed_off", signed_off_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    first = first_import()
    rural = first.tasks[2]
    rural.number = 2
    result = import_parsed_plan(parsed(first.tasks[0], rural), source_text=TEXT)
    park.refresh_from_db()
    assert park.withdrawn and park.assignments.filter(signed_off_at__isnull=False).count() == 2
    assert Task.objects.get(title="提升农村服务网络").number == 2  # same row, renumbered
    assert park.number == 3
    assert any("推进快递园区建设" in w for w in result.warnings)
    assert Target.objects.get().withdrawn


def test_an_administrators_deadline_and_lead_survive_a_reimport():
    import_parsed_plan(first_import(), source_text=TEXT)
    t1 = Task.objects.get(number=1)
    t1.deadline, t1.deadline_source, t1.deadline_reason = dt.date(2025, 6, 30), "admin", "会议决定"
    t1.save()
    Assignment.objects.filter(task=t1).update(origin="admin")
    again = first_import()
    again.tasks[0].bodies = [ref("市商务局", pm.LEAD, pm.FROM_REVIEW, reason="改派")]
    result = import_parsed_plan(again, source_text=TEXT)
    t1.refresh_from_db()
    assert t1.deadline == dt.date(2025, 6, 30) and t1.deadline_source == "admin"
    assert t1.assignments.get(role="lead").body.name == "市邮政管理局"
    assert t1.assignments.get(body__name="市商务局").role == "support"
    assert any("管理员" in w for w in result.warnings)


def test_a_new_lead_from_the_review_demotes_the_old_one():
    import_parsed_plan(first_import(), source_text=TEXT)
    again = first_import()
    again.tasks[0].bodies = [ref("市商务局", pm.LEAD, pm.FROM_REVIEW, reason="改派")]
    result = import_parsed_plan(again, source_text=TEXT)
    t1 = Task.objects.get(number=1)
    assert t1.assignments.get(role="lead").body.name == "市商务局"
    assert t1.assignments.get(body__name="市邮政管理局").role == "support"
    assert any("市邮政管理局" in w for w in result.warnings)  # no longer named: kept, reported


def test_a_reimport_records_what_it_changed_and_who_changed_it(admin_user):
    from tracker.models import ChangeRecord

    import_parsed_plan(first_import(), source_text=TEXT)
    assert not ChangeRecord.objects.exists()  # a first import is not a list of changes
    again = first_import()
    again.tasks[1].deadline = pm.Deadline(date=dt.date(2026, 12, 31), phrase="到2026年年底")
    import_parsed_plan(again, source_text=TEXT, user=admin_user)
    record = ChangeRecord.objects.get(field="deadline")
    assert (record.old, record.new, record.via, record.user) == (
        "2024-12-31",
        "2026-12-31",
        "import",
        admin_user,
    )
    assert record.task.title == "推进快递园区建设"


def with_own_due(parsed_plan, date):
    """Give 莘县 on the park task a due date of its own, as a review file can."""
    for ref_ in parsed_plan.tasks[1].bodies:
        if ref_.name == "莘县":
            ref_.due = pm.Deadline(date=date, phrase="", provenance=pm.REVIEW, reason="分解")
    return parsed_plan


def test_a_reimport_keeps_a_due_date_that_an_approved_extension_moved(manager, staff_b):
    from tracker.services import reporting

    import_parsed_plan(with_own_due(first_import(), dt.date(2026, 12, 31)), source_text=TEXT)
    shen = Assignment.objects.get(body__name="莘县")
    assert shen.due_date == dt.date(2026, 12, 31)
    extension = reporting.extension_request_create(
        assignment=shen, author=staff_b, new_due=dt.date(2027, 6, 30), reason="用地审批"
    )
    reporting.extension_decide(extension=extension, manager=manager, approve=True)
    result = import_parsed_plan(
        with_own_due(first_import(), dt.date(2026, 12, 31)), source_text=TEXT
    )
    shen.refresh_from_db()
    assert shen.due_date == dt.date(2027, 6, 30)
    assert any("莘县" in w and "保持不变，不采用导入值" in w for w in result.warnings)


def test_a_reimport_never_resets_what_a_body_reported():
    import_parsed_plan(first_import(), source_text=TEXT)
    Assignment.objects.filter(body__name="莘县").update(status="in_progress", percent=40)
    import_parsed_plan(first_import(), source_text=TEXT)
    shen = Assignment.objects.get(body__name="莘县")
    assert (shen.status, shen.percent) == ("in_progress", 40)


def test_a_body_a_revision_adds_reports_from_the_day_it_was_added():
    import_parsed_plan(first_import(), source_text=TEXT)
    assert Assignment.objects.get(body__name="莘县").assigned_on is None  # from the plan start
    again = first_import()
    again.tasks[1].bodies.append(ref("高唐县", pm.RESPONSIBLE, kind=pm.COUNTY))
    import_parsed_plan(again, source_text=TEXT)
    from django.utils import timezone

    assert Assignment.objects.get(body__name="高唐县").assigned_on == timezone.localdate()


def test_the_same_plan_is_found_by_slug_then_title_and_issuer_then_the_file():
    plan = import_parsed_plan(first_import(), source_text=TEXT, source_sha256="a" * 64).plan
    # Another slug (no review file), the same title and issuer.
    other_slug = first_import()
    other_slug.slug = "plan-0123456789ab"
    result = import_parsed_plan(other_slug, source_text=TEXT, source_sha256="b" * 64)
    assert result.plan == plan and not result.created and plan.slug == "t-plan"
    assert any("标识仍为 t-plan" in w for w in result.notes)
    # Another slug and title (a review renamed it), the same file.
    renamed = first_import()
    renamed.slug, renamed.title = "renamed", "测试市另一个名字的方案"
    result = import_parsed_plan(renamed, source_text=TEXT, source_sha256="b" * 64)
    assert result.plan == plan
    # Nothing in common: a new plan.
    new = first_import()
    new.slug, new.title = "new", "测试市新方案"
    assert import_parsed_plan(new, source_text=TEXT, source_sha256="c" * 64).created
    assert Plan.objects.count() == 2


def test_co_leads_keep_the_texts_order_and_an_earlier_lead_the_text_drops_becomes_support():
    two = ref("市发展改革委", pm.LEAD, line=3), ref("市邮政管理局", pm.LEAD, line=3)
    import_parsed_plan(parsed(task(1, "出台行业专项规划", bodies=[*two])), source_text=TEXT)
    task1 = Task.objects.get()
    assert [a.body.name for a in task1.assignments.leads()] == ["市发展改革委", "市邮政管理局"]
    assert task1.first_lead().body.name == "市发展改革委"
    assert task1.first_lead().origin_ref == ""  # hand-built refs carry no place
    again = parsed(task(1, "出台行业专项规划", bodies=[ref("市邮政管理局", pm.LEAD)]))
    result = import_parsed_plan(again, source_text=TEXT)
    assert Assignment.objects.get(body__name="市发展改革委").role == "support"
    assert task1.first_lead().body.name == "市邮政管理局"
    assert any("不再以“市发展改革委”为牵头单位" in w for w in result.warnings)


def test_a_reimport_leaves_a_persons_milestones_alone():
    """The text's stages are matched and withdrawn by the text; a milestone a person set
    (阶段性目标, 管理员设定) is theirs, whatever the new text says, even on the same date."""
    from tracker.models import Milestone

    staged = first_import()
    staged.tasks[0].milestones = [
        pm.Milestone(date=dt.date(2024, 6, 30), phrase="6月底前", what="选址")
    ]
    import_parsed_plan(staged, source_text=TEXT)
    t1 = Task.objects.get(number=1)
    share = t1.assignments.first()
    mine = [
        Milestone.objects.create(
            task=t1, due=dt.date(2024, 6, 30), text="同日的节点", source="admin", reason="会议"
        ),
        Milestone.objects.create(
            task=t1, assignment=share, due=dt.date(2024, 9, 30), text="开工", source="admin"
        ),
    ]
    import_parsed_plan(first_import(), source_text=TEXT)  # the new text has no stages
    text_stage = Milestone.objects.get(source="text")
    assert text_stage.withdrawn
    for m in mine:
        m.refresh_from_db()
        assert not m.withdrawn and m.source == "admin"


def test_a_body_only_the_review_named_is_said_to_be_the_reviews_when_it_is_left_out():
    """Re-imported without its review file, the plan no longer has the bodies the review
    named: one warning per body says the review file (a person) named it, not the text."""
    first = first_import()
    first.tasks[2].measures[0].bodies = [ref("市邮政管理局", source=pm.FROM_REVIEW, reason="x")]
    import_parsed_plan(first, source_text=TEXT, reviewed=True)
    again = first_import()
    again.tasks[0].bodies = []
    result = import_parsed_plan(again, source_text=TEXT, reviewed=False)
    about = [w for w in result.warnings if "市邮政管理局" in w]
    assert about == [
        "任务1、任务3措施1的“市邮政管理局”由审核文件指定（原文未列），本次未随附审核文件："
        "这些责任分工保留未删除；如仍由其负责，请随附审核文件重新导入。"
    ]
    assert not any("新文本不再提及" in w for w in result.warnings)
    # A review file that no longer names it says so.
    result = import_parsed_plan(again, source_text=TEXT, reviewed=True)
    assert any("本次审核文件不再作此决定" in w and "市邮政管理局" in w for w in result.warnings)


def test_a_body_the_text_named_before_is_still_the_texts():
    import_parsed_plan(first_import(), source_text=TEXT)
    again = first_import()
    again.tasks[1].bodies = again.tasks[1].bodies[:1]
    result = import_parsed_plan(again, source_text=TEXT, reviewed=False)
    assert "任务2：新文本不再提及“冠县”，该责任分工保留未删除。" in result.warnings


def test_the_update_preview_says_what_confirming_will_do():
    """The preview runs the import and rolls it back: its warnings say what WILL happen."""
    from django.db import transaction

    import_parsed_plan(first_import(), source_text=TEXT)
    first = first_import()
    rural = first.tasks[2]
    rural.number = 2
    again = parsed(first.tasks[0], rural)
    with transaction.atomic():
        shown = import_parsed_plan(again, source_text=TEXT, preview=True).warnings
        transaction.set_rollback(True)
    assert "原任务“推进快递园区建设”不在新文本中，将标记为撤销（记录保留）。" in shown
    assert not any("已标记" in w for w in shown)
    assert not Task.objects.get(title="推进快递园区建设").withdrawn
    done = import_parsed_plan(again, source_text=TEXT).warnings
    assert "原任务“推进快递园区建设”不在新文本中，已标记为撤销（记录保留）。" in done
    assert Task.objects.get(title="推进快递园区建设").withdrawn


def test_a_lead_replaced_says_who_named_each_and_in_the_preview_what_will_happen():
    from django.db import transaction

    import_parsed_plan(first_import(), source_text=TEXT)  # 市邮政管理局 leads task 1: review
    again = first_import()
    again.tasks[0].bodies = [ref("市商务局", pm.LEAD, pm.FROM_CLAUSE)]
    with transaction.atomic():
        shown = import_parsed_plan(again, source_text=TEXT, preview=True).warnings
        transaction.set_rollback(True)
    said = (
        "任务1：原文写明由“市商务局”牵头，原由审核文件指定牵头的“市邮政管理局”{}配合单位"
        "（记录保留）。"
    )
    assert said.format("将改为") in shown
    assert said.format("改为") in import_parsed_plan(again, source_text=TEXT).warnings


def test_a_stage_after_an_administrators_deadline_kept_through_a_reimport_is_said():
    import_parsed_plan(first_import(), source_text=TEXT)
    park = Task.objects.get(title="推进快递园区建设")
    park.deadline, park.deadline_source, park.deadline_reason = (
        dt.date(2024, 9, 30),
        "admin",
        "提前",
    )
    park.save()
    again = first_import()
    again.tasks[1].milestones = [
        pm.Milestone(dt.date(2024, 6, 30), "2024年6月底前", "完成选址", 3),
        pm.Milestone(dt.date(2024, 12, 31), "到2024年年底", "建成园区", 3),
    ]
    result = import_parsed_plan(again, source_text=TEXT)
    assert (
        "任务2：管理员设定的完成时限2024年9月30日早于新文本的阶段性目标“到2024年年底建成园区”"
        "（2024年12月31日），请核对。"
    ) in result.warnings
    park.refresh_from_db()
    assert park.deadline == dt.date(2024, 9, 30)  # the administrator's date stands
