"""Fill a database with a province-sized, made-up tracking history, for benchmarks and for
trying the pages at scale:

    python manage.py generate_demo --plans 300 --seed 20261127 [--as-of 2026-11-27] [--force]

What it makes (issue 10's shape): 40 bodies of 聊城市 (its 8 counties, 3 zones and 29 city
departments, found by name when they exist), 14 tasks per plan in 4 categories, 5–9
assignments per task (a lead department, supporting departments; about a quarter of the
tasks broken down to all 8 counties, so a county has about 1,000 assignments at 300 plans),
20–48 progress reports per assignment with about 80 characters of Chinese narrative, due
dates spread over 2024–2027 so that about a third of the work is overdue on the as-of day,
some of it signed off (on time or late), waiting for sign-off or for the lead body's review,
some with approved extensions (and their change records), 催办 with receipts, milestones a
person set, corrections, and a few issued bulletins.

Deterministic: the same seed and as-of day give the same plans, texts, dates and states. Rows
are written in bulk (bulk_create, and executemany for the reports), so 300 plans take a few
minutes. Every assignment's current state is computed from the history it writes, by the same
rules the reporting services apply (tracker/services/reporting.py).

It refuses a database that holds any plan it did not make (real plans) unless --force is
given, and one that already holds its plans (use a fresh database).
"""

import datetime as dt
import random
import tomllib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from tracker import states
from tracker.access import ADMINS_GROUP, MANAGERS_GROUP
from tracker.models import (
    Assignment,
    Body,
    Category,
    ChangeRecord,
    Decision,
    ExtensionRequest,
    LeadReview,
    Measure,
    Membership,
    Milestone,
    Plan,
    Reminder,
    ReminderReceipt,
    Report,
    ReportedMilestone,
    Task,
    keep_next_report,
    pinyin_of,
)

SLUG_PREFIX = "gen-"
JURISDICTION = "聊城市"
PASSWORD = "demo-2024"
GAZETTEER = Path(settings.BASE_DIR) / "seeds" / "liaocheng.gazetteer.toml"
# Departments beyond the gazetteer's, so there are 40 bodies in all.
EXTRA_DEPARTMENTS = [
    "市发展和改革委员会",
    "市工业和信息化局",
    "市财政局",
    "市自然资源和规划局",
    "市住房和城乡建设局",
    "市交通运输局",
    "市农业农村局",
    "市商务局",
    "市文化和旅游局",
    "市卫生健康委员会",
    "市应急管理局",
    "市市场监督管理局",
    "市生态环境局",
    "市水利局",
    "市教育和体育局",
    "市人力资源和社会保障局",
    "市公安局",
    "市民政局",
    "市司法局",
    "市审计局",
    "市统计局",
    "市医疗保障局",
    "市行政审批服务局",
    "市大数据局",
    "市城市管理局",
    "市科学技术局",
    "市退役军人事务局",
    "市地方金融监督管理局",
    "市供销合作社",
]
BODIES = 40
TASKS_PER_PLAN = 14
CATEGORIES = ["强化规划引领", "提升服务能力", "推进融合发展", "优化发展环境"]
VERBS = ["推进", "加快", "完善", "健全", "深化", "强化", "提升", "打造", "建设", "培育"]
OBJECTS = [
    "县域快递物流体系",
    "农村寄递服务网络",
    "城市末端配送设施",
    "智能快件箱进社区",
    "快递包装绿色治理",
    "寄递渠道安全监管",
    "邮政快递园区",
    "冷链寄递服务",
    "快递进厂服务制造业",
    "跨境寄递通道",
    "快递从业人员权益保障",
    "邮政普遍服务",
    "数字化转型",
    "应急保障机制",
    "营商环境",
    "人才培养体系",
]
# Fragments of a progress narrative; a report joins a few into about 80 characters.
OPENINGS = [
    "本期已召开专题推进会议",
    "会同相关部门开展实地调研",
    "已完成阶段性工作方案的制定",
    "按照时间节点组织推进",
    "对照任务清单逐项梳理",
    "主要负责同志带队现场督导",
    "完成项目选址和前期手续办理",
]
MIDDLES = [
    "，明确责任分工和完成时限",
    "，累计投入资金约三百万元",
    "，建成服务网点十二处",
    "，覆盖行政村八十余个",
    "，协调解决用地审批等问题四项",
    "，组织培训从业人员二百余人次",
    "，完成设备采购和安装调试",
    "，形成问题清单并逐项销号",
]
ENDINGS = [
    "。下一步将加大协调力度，确保按期完成。",
    "。目前仍存在资金缺口，已申请专项支持。",
    "。整体进展顺利，部分环节需上级协调。",
    "。受天气影响施工有所延迟，正在抢抓工期。",
    "。已报送阶段性成果，请予审核。",
    "。将继续跟踪问效，巩固提升工作成效。",
]


def narratives(rng, n=600):
    """n narratives of about 80 characters each."""
    out = []
    for _ in range(n):
        text = rng.choice(OPENINGS) + rng.choice(MIDDLES) + rng.choice(MIDDLES)
        text += rng.choice(ENDINGS)
        while len(text) < 76:
            text = text[:-1] + rng.choice(MIDDLES) + "。"
        out.append(text)
    return out


def local_moment(day, minutes):
    """A moment on a local (Asia/Shanghai) day, `minutes` after 08:00."""
    naive = dt.datetime.combine(day, dt.time(8, 0)) + dt.timedelta(minutes=minutes)
    return timezone.make_aware(naive, timezone.get_default_timezone())


class Command(BaseCommand):
    help = "生成省级规模的演示数据（方案、责任分工、进展填报），用于性能测试和试用。"

    def add_arguments(self, parser):
        parser.add_argument("--plans", type=int, default=300)
        parser.add_argument("--seed", type=int, default=20261127)
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="the day the history runs up to (default: today, Asia/Shanghai)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="add the generated plans beside the real plans this database holds",
        )
        parser.add_argument("--bulletins", type=int, default=6, help="issued bulletins")

    def handle(self, *args, plans, seed, as_of, force, bulletins, **options):
        if plans < 1:
            raise CommandError("--plans 至少为 1。")
        today = timezone.localdate()
        as_of = as_of or today
        if as_of > today:
            raise CommandError("--as-of 不能晚于今天：生成的是已经发生的记录。")
        if Plan.objects.filter(slug__startswith=SLUG_PREFIX).exists():
            raise CommandError(
                "数据库中已有生成的演示方案（标识以 gen- 开头）。请在一个新的数据库中运行"
                "（例如 SQLITE_PATH=/tmp/demo.sqlite3 manage.py migrate 之后）。"
            )
        real = Plan.objects.exclude(slug__startswith=SLUG_PREFIX).count()
        if real and not force:
            raise CommandError(
                f"数据库中有 {real} 个真实的实施方案：生成的演示数据会与它们混在一起。"
                "请在一个新的数据库中运行；确需加入此数据库时，加上 --force。"
            )
        started = timezone.now()
        generator = Generator(rng=random.Random(seed), as_of=as_of, out=self.stdout)
        with transaction.atomic():
            generator.run(plans)
        if bulletins:
            generator.issue_bulletins(bulletins)
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {plans} 个方案：{generator.counts['assignments']} 项责任分工，"
                f"{generator.counts['reports']} 条进展填报（{seconds:.0f} 秒）。"
                f"登录：gen-manager / gen-staff-01…{BODIES:02d}，密码 {PASSWORD}。"
            )
        )


class Generator:
    def __init__(self, *, rng, as_of, out):
        self.rng = rng
        self.as_of = as_of
        self.out = out
        self.texts = narratives(rng)
        self.counts = {"assignments": 0, "reports": 0}

    # --- people and bodies ------------------------------------------------------------------

    def bodies(self):
        gazetteer = tomllib.loads(GAZETTEER.read_text(encoding="utf-8"))
        wanted = [(e["name"], Body.Kind.COUNTY) for e in gazetteer.get("county", [])]
        wanted += [(e["name"], Body.Kind.ZONE) for e in gazetteer.get("zone", [])]
        names = [e["name"] for e in gazetteer.get("department", [])]
        names += [n for n in EXTRA_DEPARTMENTS if n not in names]
        wanted += [(n, Body.Kind.DEPARTMENT) for n in names]
        wanted = wanted[:BODIES]
        found = {b.name: b for b in Body.objects.filter(jurisdiction=JURISDICTION)}
        bodies = []
        for position, (name, kind) in enumerate(wanted, start=1):
            body = found.get(name)
            if body is None:
                body = Body(jurisdiction=JURISDICTION, name=name, kind=kind, position=position)
                body.save()  # save() keeps the pinyin sort key
            bodies.append(body)
        return bodies

    def users(self, bodies):
        User = get_user_model()
        hashed = make_password(PASSWORD)
        manager, _created = User.objects.get_or_create(
            username="gen-manager",
            defaults={"first_name": "督查室 演示督查", "password": hashed},
        )
        manager.groups.add(Group.objects.get(name=MANAGERS_GROUP))
        admin, _created = User.objects.get_or_create(
            username="gen-admin", defaults={"first_name": "演示管理员", "password": hashed}
        )
        admin.groups.add(Group.objects.get(name=ADMINS_GROUP))
        staff = {}
        for i, body in enumerate(bodies, start=1):
            user, _created = User.objects.get_or_create(
                username=f"gen-staff-{i:02d}",
                defaults={
                    "first_name": f"{body.name} 演示工作人员",
                    "password": hashed,
                    "email": f"gen-staff-{i:02d}@example.cn",
                },
            )
            Membership.objects.get_or_create(user=user, defaults={"body": body})
            staff[body.pk] = user
        return manager, admin, staff

    # --- the plans ----------------------------------------------------------------------------

    def run(self, n_plans):
        rng = self.rng
        bodies = self.bodies()
        self.manager, self.admin, self.staff = self.users(bodies)
        counties = [b for b in bodies if b.kind == Body.Kind.COUNTY]
        others = [b for b in bodies if b.kind != Body.Kind.COUNTY]
        departments = [b for b in bodies if b.kind == Body.Kind.DEPARTMENT]
        plans = []
        for p in range(1, n_plans + 1):
            start = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 900))
            rhythm = rng.choice(
                [states.Rhythm.DAYS, states.Rhythm.MONTHLY, states.Rhythm.QUARTERLY]
            )
            topic = rng.choice(OBJECTS)
            title = f"聊城市{topic}{rng.choice(VERBS)}行动实施方案（第{p}号）"
            plans.append(
                Plan(
                    slug=f"{SLUG_PREFIX}{p:04d}",
                    title=title,
                    # bulk_create does not call Plan.save(), which keeps the reading.
                    pinyin=pinyin_of(title),
                    jurisdiction=JURISDICTION,
                    issuer="聊城市人民政府办公室",
                    issue_date=start - dt.timedelta(days=10),
                    start_date=start,
                    start_date_source="review",
                    start_date_reason="演示数据：印发后十日起跟踪",
                    source_name=f"gen-{p:04d}.txt",
                    source_kind="text",
                    declared_categories=len(CATEGORIES),
                    declared_tasks=TASKS_PER_PLAN,
                    report_rhythm=rhythm,
                    report_day=None if rhythm == states.Rhythm.DAYS else 25,
                    report_period_days=30,
                    report_rule_source="" if rhythm == states.Rhythm.DAYS else "admin",
                    report_rule_reason=""
                    if rhythm == states.Rhythm.DAYS
                    else "演示数据：按月或按季度填报",
                    imported_at=local_moment(start, 0),
                )
            )
        Plan.objects.bulk_create(plans, batch_size=200)
        plans = list(Plan.objects.filter(slug__startswith=SLUG_PREFIX).order_by("slug"))
        categories = []
        for plan in plans:
            for number, title in enumerate(CATEGORIES, start=1):
                categories.append(Category(plan=plan, number=number, title=title))
        Category.objects.bulk_create(categories, batch_size=1000)
        cats = {(c.plan_id, c.number): c for c in Category.objects.filter(plan__in=plans)}

        tasks, lines_of = [], {}
        for plan in plans:
            lines = [f"{plan.title}", "为贯彻落实上级部署，制定本方案。", "一、总体要求"]
            for number in range(1, TASKS_PER_PLAN + 1):
                category = cats[(plan.pk, min(4, (number - 1) // 4 + 1))]
                title = f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}"
                deadline, ongoing, phrase = self.deadline(plan.start_date)
                body_text = (
                    f"（{number}）{title}。"
                    + "".join(rng.choice(MIDDLES)[1:] + "；" for _ in range(12))
                    + (f"{phrase}完成。" if phrase else "")
                    + "（牵头单位：市邮政管理局；责任单位：各县（市、区）人民政府）"
                )
                lines.append(body_text)
                tasks.append(
                    Task(
                        plan=plan,
                        category=category,
                        number=number,
                        title=title,
                        source_text=body_text,
                        first_line=len(lines),
                        last_line=len(lines),
                        source_ref=f"第{len(lines)}行",
                        deadline=deadline,
                        deadline_text=phrase,
                        deadline_source="text" if (deadline or ongoing) else "",
                        deadline_ref=f"第{len(lines)}行" if phrase else "",
                        ongoing=ongoing,
                    )
                )
            lines.append("各级各部门要提高认识，加强组织领导，确保各项任务落到实处。")
            lines_of[plan.pk] = lines
        for plan in plans:
            plan.source_text = "\n".join(lines_of[plan.pk])
            plan.source_first_line, plan.source_last_line = 1, len(lines_of[plan.pk])
        Plan.objects.bulk_update(
            plans, ["source_text", "source_first_line", "source_last_line"], batch_size=100
        )
        Task.objects.bulk_create(tasks, batch_size=1000)
        tasks = list(Task.objects.filter(plan__in=plans).select_related("plan").order_by("pk"))
        self.out.write(f"{len(plans)} 个方案，{len(tasks)} 项任务")

        measures = []
        for task in tasks:
            if rng.random() < 0.25:
                measures.append(
                    Measure(
                        task=task,
                        number=1,
                        text=f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}，建立工作台账，按月调度。",
                        source_ref=f"第{task.first_line}行",
                    )
                )
        Measure.objects.bulk_create(measures, batch_size=1000)
        measure_of = {m.task_id: m for m in Measure.objects.filter(task__in=tasks)}

        assignments = []
        for task in tasks:
            lead = rng.choice(departments)
            line = task.first_line
            rows: list[tuple[Any, str, Any]] = [(lead, "lead", None)]
            if rng.random() < 0.24:
                rows += [(c, "responsible", None) for c in counties]
            else:
                supports = rng.sample([b for b in others if b.pk != lead.pk], rng.randint(4, 8))
                rows += [(b, "support", None) for b in supports]
            measure = measure_of.get(task.pk)
            if measure is not None:
                # The last supporting body answers for the measure instead.
                body, role, _none = rows[-1]
                rows[-1] = (body, role, measure)
            for position, (body, role, measure) in enumerate(rows):
                assignments.append(
                    Assignment(
                        task=task,
                        measure=measure,
                        body=body,
                        role=role,
                        origin="clause",
                        origin_line=line,
                        origin_ref=f"第{line}行",
                        position=position if role == "lead" else 0,
                    )
                )
        Assignment.objects.bulk_create(assignments, batch_size=2000)
        assignments = list(
            Assignment.objects.filter(task__in=tasks)
            .select_related("task__plan", "measure", "body")
            .order_by("pk")
        )
        self.counts["assignments"] = len(assignments)
        self.out.write(f"{len(assignments)} 项责任分工")
        self.milestones(tasks)
        self.histories(assignments)

    def deadline(self, start):
        """(deadline, ongoing, the text's words) of a task: about half past the as-of day."""
        rng = self.rng
        if rng.random() < 0.05:
            return None, True, "长期坚持"
        earliest = max(start + dt.timedelta(days=90), dt.date(2024, 3, 31))
        latest_past = self.as_of - dt.timedelta(days=1)
        if rng.random() < 0.5 and earliest < latest_past:
            day = earliest + dt.timedelta(days=rng.randrange((latest_past - earliest).days))
        else:
            first = max(self.as_of + dt.timedelta(days=1), earliest)
            end = max(dt.date(2027, 12, 31), first + dt.timedelta(days=1))
            day = first + dt.timedelta(days=rng.randrange((end - first).days))
        return day, False, f"{day.year}年{day.month}月{day.day}日前"

    def milestones(self, tasks):
        """Two tasks of each plan get a milestone a person set, some already past."""
        rng = self.rng
        rows = []
        by_plan: dict[int, list[Task]] = {}
        for task in tasks:
            by_plan.setdefault(task.plan_id, []).append(task)
        for plan_tasks in by_plan.values():
            for task in rng.sample(plan_tasks, 2):
                start = task.plan.start_date
                day = start + dt.timedelta(days=rng.randrange(60, 700))
                rows.append(
                    Milestone(
                        task=task,
                        due=day,
                        text="完成阶段性建设任务并报送阶段总结",
                        source="admin",
                        reason="演示数据：督查室确定的阶段性目标",
                        created_by=self.admin,
                    )
                )
        Milestone.objects.bulk_create(rows, batch_size=1000)
        self.milestones_of: dict[int, list[Milestone]] = {}
        for m in Milestone.objects.filter(task__in=tasks):
            self.milestones_of.setdefault(m.task_id, []).append(m)

    # --- each assignment's history -------------------------------------------------------------

    def histories(self, assignments):
        rng = self.rng
        as_of = self.as_of
        next_report = (Report.objects.aggregate(n=Max("pk"))["n"] or 0) + 1
        report_rows = []
        met_rows: list[Any] = []
        decisions: list[Any] = []
        reviews: list[Any] = []
        requests: list[Any] = []
        changes: list[Any] = []
        reminders, receipts = [], []
        leads: dict[int, Any] = {}
        for a in assignments:
            if a.role == "lead" and a.measure_id is None:
                leads.setdefault(a.task_id, a)
        letter_no = 0
        for index, a in enumerate(assignments):
            plan = a.task.plan
            due = a.effective_due
            past = due is not None and due < as_of
            roll = rng.random()
            if past:
                fate = (
                    "signed_off"
                    if roll < 0.33
                    else "requested"
                    if roll < 0.38
                    else "lead_review"
                    if roll < 0.41
                    else "returned"
                    if roll < 0.43
                    else "open"
                )
            else:
                fate = (
                    "signed_off"
                    if roll < 0.06
                    else "requested"
                    if roll < 0.09
                    else "lead_review"
                    if roll < 0.11
                    else "open"
                )
            lead = leads.get(a.task_id)
            has_lead = lead is not None and lead.body_id != a.body_id
            if fate == "lead_review" and not has_lead:
                fate = "requested"
            n = rng.randint(20, 48)
            start = max(plan.start_date, dt.date(2024, 1, 2))
            if fate == "signed_off" and due is not None:
                # Completed around the due date: some late, most on time.
                last = due + dt.timedelta(days=rng.randint(-60, 40))
                last = min(max(last, start + dt.timedelta(days=n)), as_of - dt.timedelta(days=3))
            elif rng.random() < 0.25:
                last = as_of - dt.timedelta(days=rng.randint(40, 300))  # gone silent
            else:
                last = as_of - dt.timedelta(days=rng.randint(0, 35))
            last = max(last, start)
            span = (last - start).days
            final_percent = {
                "signed_off": 100,
                "requested": 100,
                "lead_review": 100,
                "returned": 100,
            }.get(fate, rng.choice([0, 10, 20, 35, 50, 60, 75, 85, 95]))
            author = self.staff[a.body_id].pk
            rows = []
            for i in range(n):
                day = start + dt.timedelta(days=span * (i + 1) // n)
                percent = final_percent * (i + 1) // n
                if i == n - 1 and fate in ("signed_off", "requested", "lead_review", "returned"):
                    status, percent = "completed", 100
                elif percent == 0:
                    status = "not_started"
                elif percent == 100:
                    percent, status = 99, "in_progress"
                else:
                    status = "difficulty" if rng.random() < 0.08 else "in_progress"
                moment = local_moment(day, 60 + i)
                rows.append(
                    [
                        next_report,
                        a.pk,
                        author,
                        day,
                        status,
                        percent,
                        self.texts[rng.randrange(len(self.texts))],
                        None,
                        moment,
                        moment,
                    ]
                )
                next_report += 1
            # A correction of one report now and then (it takes the corrected one's place).
            if rng.random() < 0.06:
                k = rng.randrange(n - 1) if n > 1 else 0
                original = rows[k]
                fixed = list(original)
                fixed[0] = next_report
                fixed[6] = "更正：" + fixed[6]
                fixed[7] = original[0]
                fixed[9] = original[9] + dt.timedelta(hours=2)  # created later, same place
                next_report += 1
                rows.append(fixed)
            report_rows.extend(rows)
            # The state the reporting services would have left (services/reporting.py).
            in_force = [r for r in rows if r[0] not in {x[7] for x in rows if x[7]}]
            current = max(in_force, key=lambda r: (r[3], r[8], r[0]))
            a.status, a.percent, a.progress_as_of = current[4], current[5], current[3]
            a.current_report_id, a.report_count = current[0], len(rows)
            a.last_reported_at = max(r[9] for r in rows)
            a.last_report_on = states.local_day(a.last_reported_at)
            a.signoff = {
                "signed_off": states.SignOff.SIGNED_OFF,
                "requested": states.SignOff.REQUESTED,
                "lead_review": states.SignOff.LEAD_REVIEW,
                "returned": states.SignOff.RETURNED,
            }.get(fate, states.SignOff.OPEN)
            if fate == "returned":
                # Sent back: the last report stays, the sign-off is open again.
                decisions.append(
                    Decision(
                        assignment_id=a.pk,
                        kind=Decision.Kind.RETURNED,
                        report_id=current[0],
                        decided_by=self.manager,
                        reason="佐证材料不足，请补充现场照片和验收材料后重新申请。",
                        created_at=current[9] + dt.timedelta(days=2),
                    )
                )
            if fate in ("requested", "signed_off") and has_lead and lead is not None:
                reviews.append(
                    LeadReview(
                        assignment_id=a.pk,
                        report_id=current[0],
                        body_id=lead.body_id,
                        reviewer=self.staff[lead.body_id],
                        passed=True,
                        opinion="经核实，该单位已完成任务，同意报督查审核。",
                        created_at=current[9] + dt.timedelta(days=1),
                    )
                )
            if fate == "signed_off":
                signed = current[9] + dt.timedelta(days=rng.randint(2, 3))
                a.signed_off_at = signed
                late = states.days_late(due, states.local_day(current[9])) if due else 0
                a.completed_late_days = late if late > 0 else None
                decisions.append(
                    Decision(
                        assignment_id=a.pk,
                        kind=Decision.Kind.SIGNED_OFF,
                        report_id=current[0],
                        decided_by=self.manager,
                        created_at=signed,
                    )
                )
            # Milestones of the task: most reached by a report after a while.
            for m in self.milestones_of.get(a.task_id, []) if a.measure_id is None else []:
                if rng.random() < 0.6:
                    reporter = rows[min(len(rows) - 1, rng.randrange(len(rows)))]
                    if reporter[0] not in {x[7] for x in rows if x[7]}:
                        met_rows.append(
                            ReportedMilestone(
                                report_id=reporter[0],
                                milestone=m,
                                assignment_id=a.pk,
                                created_at=reporter[9],
                            )
                        )
            # Extensions: approved ones move the date (and say so in the change records).
            if fate == "open" and past and rng.random() < 0.08:
                new_due = as_of + dt.timedelta(days=rng.randint(20, 200))
                asked = local_moment(as_of - dt.timedelta(days=rng.randint(8, 20)), 30)
                request = ExtensionRequest(
                    assignment_id=a.pk,
                    requested_by_id=author,
                    old_due=due,
                    new_due=new_due,
                    reason="受项目审批进度影响，申请延期完成。",
                    created_at=asked,
                )
                requests.append(
                    (
                        request,
                        Decision(
                            assignment_id=a.pk,
                            kind=Decision.Kind.APPROVED,
                            decided_by=self.manager,
                            reason="",
                            created_at=asked + dt.timedelta(days=3),
                        ),
                    )
                )
                changes.append(
                    ChangeRecord(
                        user=self.manager,
                        user_name=self.manager.first_name,
                        via=ChangeRecord.Via.EXTENSION,
                        action=ChangeRecord.Action.CHANGED,
                        plan_id=plan.pk,
                        task_id=a.task_id,
                        measure_id=a.measure_id,
                        assignment_id=a.pk,
                        model="assignment",
                        subject=f"{a.body.name}：任务{a.task.number}",
                        field="due_date",
                        field_label="本单位完成时限",
                        old="",
                        new=new_due.isoformat(),
                        reason="同意延期申请：受项目审批进度影响，申请延期完成。",
                        created_at=asked + dt.timedelta(days=3),
                    )
                )
                a.due_date = new_due
            elif fate == "open" and past and rng.random() < 0.05:
                requests.append(
                    (
                        ExtensionRequest(
                            assignment_id=a.pk,
                            requested_by_id=author,
                            old_due=due,
                            new_due=as_of + dt.timedelta(days=90),
                            reason="任务量较大，申请延期三个月。",
                            created_at=local_moment(as_of - dt.timedelta(days=2), 45),
                        ),
                        None,
                    )
                )
            # 催办 of overdue work: a chase, sometimes a 督办函, most acknowledged.
            if fate == "open" and past and a.due_date is None and rng.random() < 0.3:
                for k in range(rng.randint(1, 2)):
                    day = as_of - dt.timedelta(days=rng.randint(1, 60))
                    letter = k == 1 and rng.random() < 0.5
                    if letter:
                        letter_no += 1
                    reminders.append(
                        (
                            Reminder(
                                assignment_id=a.pk,
                                kind=Reminder.Kind.MANUAL,
                                level=Reminder.Level.LETTER if letter else Reminder.Level.CHASE,
                                doc_number=f"聊督办函〔{day.year}〕{letter_no}号" if letter else "",
                                reply_by=day + dt.timedelta(days=10) if letter else None,
                                sent_by=self.manager,
                                message="该项工作已逾期，请抓紧推进并报送进展。",
                                day=day,
                                created_at=local_moment(day, 90),
                            ),
                            rng.random() < 0.6,
                            author,
                        )
                    )
            if index % 2000 == 1999 or index == len(assignments) - 1:
                self.write_reports(report_rows)
                report_rows = []
        Assignment.objects.bulk_update(
            assignments,
            [
                "current_report",
                "report_count",
                "status",
                "percent",
                "progress_as_of",
                "last_reported_at",
                "last_report_on",
                "signoff",
                "signed_off_at",
                "completed_late_days",
                "due_date",
            ],
            batch_size=1000,
        )
        ReportedMilestone.objects.bulk_create(met_rows, batch_size=2000)
        # Bulk writes skip Milestone.save() and Assignment.save(): the kept earliest open
        # milestone, next report day, due date and tracking, once.
        for i in range(0, len(assignments), 5000):
            batch = Assignment.objects.filter(pk__in=[a.pk for a in assignments[i : i + 5000]])
            batch.keep_open_milestone()
            batch.keep_due()
            keep_next_report(batch)
        LeadReview.objects.bulk_create(reviews, batch_size=2000)
        ExtensionRequest.objects.bulk_create([r for r, _d in requests], batch_size=2000)
        for request, decision in requests:
            if decision is not None:
                decision.extension = request
                decision.granted_due = request.new_due
                decisions.append(decision)
        Decision.objects.bulk_create(decisions, batch_size=2000)
        ChangeRecord.objects.bulk_create(changes, batch_size=2000)
        Reminder.objects.bulk_create([r for r, _ack, _u in reminders], batch_size=2000)
        for reminder, acknowledged, user in reminders:
            if acknowledged:
                receipts.append(
                    ReminderReceipt(
                        reminder=reminder,
                        acknowledged_by_id=user,
                        created_at=reminder.created_at + dt.timedelta(hours=5),
                    )
                )
        ReminderReceipt.objects.bulk_create(receipts, batch_size=2000)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Report]):
                cursor.execute(sql)
        self.out.write(
            f"{self.counts['reports']} 条进展填报，{len(decisions)} 项审核决定，"
            f"{len(reminders)} 次催办，{len(changes)} 次延期"
        )

    def write_reports(self, rows):
        """Reports in bulk: executemany is several times faster than model instances."""
        if not rows:
            return
        ops = connection.ops
        table = Report._meta.db_table
        sql = (
            f"INSERT INTO {table} (id, assignment_id, author_id, as_of, status, percent, text, "
            "corrects_id, place_at, created_at, approved_by_id, withdrew_signoff) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, NULL, '')"
        )
        # Corrections after the reports they correct (the foreign key is checked per row).
        rows.sort(key=lambda r: r[0])
        params = [
            (
                r[0],
                r[1],
                r[2],
                ops.adapt_datefield_value(r[3]),
                r[4],
                r[5],
                r[6],
                r[7],
                ops.adapt_datetimefield_value(r[8]),
                ops.adapt_datetimefield_value(r[9]),
            )
            for r in rows
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
        self.counts["reports"] += len(rows)
        if self.counts["reports"] % 100000 < len(rows):
            self.out.write(f"  {self.counts['reports']} 条进展填报……")

    def issue_bulletins(self, n):
        """A few bulletins issued through the service (their figures and Word documents)."""
        from tracker.services import bulletins

        day = min(self.as_of, timezone.localdate())
        for plan in Plan.objects.filter(slug__startswith=SLUG_PREFIX).order_by("slug")[:n]:
            texts = bulletins.default_texts(plan, day)
            bulletins.issue(user=self.manager, plan=plan, day=day, **texts)
        self.out.write("通报已印发")
