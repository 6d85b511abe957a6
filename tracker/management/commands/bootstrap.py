"""Prepare a database for use: load each plan in fixtures/ that it does not have yet, and,
when DEBUG is on (or --demo-users is given), create the demo users and the demo's own
decisions: 冠县 requires its head's approval of its reports (a clerk and a head to try it
with), and the Liaocheng plan reports monthly (每月25日前) and has one milestone — each an
administrator's decision with its reason, recorded and shown as such, never as the text's;
莘县 has one share extended by the managers and another asking for more time, chased by a
督办函 (the 通报, the exports and 我的任务's card show them).

It never overwrites: a plan already in the database is left exactly as users recorded it,
an existing demo user keeps its password, and a demo decision is made once.

    python manage.py bootstrap [--demo-users | --no-demo-users]
"""

import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from tracker.access import ADMINS_GROUP, MANAGERS_GROUP, ensure_role_groups
from tracker.models import (
    Assignment,
    Body,
    ExtensionRequest,
    Membership,
    Milestone,
    Plan,
    Reminder,
    Source,
)
from tracker.services import plan_edits, reminders, reporting

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
DEMO_PASSWORD = "demo-2024"
DEMO_JURISDICTION = "聊城市"
# username, full name, role, body (name, kind) for body staff
DEMO_USERS = [
    # The administrator also opens the Django admin (staff) and runs the site (superuser).
    ("admin", "管理员（市政府办公室）", "admin", None),
    ("dubanshi", "督查室 王督查", "manager", None),
    ("youzheng", "市邮政管理局 李工作人员", "staff", ("市邮政管理局", Body.Kind.DEPARTMENT)),
    ("shenxian", "莘县 张工作人员", "staff", ("莘县", Body.Kind.COUNTY)),
]
# 责任人, 联系人, 联系电话 of the demo bodies (made-up; the numbers are not in service), set
# only where nobody has filled them in: the list's exports and 单位联系人 show them.
DEMO_CONTACTS = {
    "市邮政管理局": ("李某某 副局长", "李工作人员", "0635-0000001"),
    "莘县": ("张某某 副县长", "张工作人员", "0635-0000002"),
}
# In-body approval (经办人 → 单位负责人): 冠县 requires it; a clerk and the head to try it.
APPROVAL_BODY = ("冠县", Body.Kind.COUNTY)
APPROVAL_USERS = [
    ("guanxian", "冠县 赵经办", Membership.Role.STAFF),
    ("guanxian_fzr", "冠县 孙负责人", Membership.Role.HEAD),
]
DEMO_PLAN = "liaocheng-express-2024"
DEMO_REASON = "演示数据：为试用填报日历而设，原文未规定"


def plan_slugs_in(fixture: Path) -> list[str]:
    data = json.loads(fixture.read_text(encoding="utf-8"))
    return [row["fields"]["slug"] for row in data if row["model"] == "tracker.plan"]


class Command(BaseCommand):
    help = "加载尚未导入的方案夹具，并在开发模式下创建演示用户。"

    def add_arguments(self, parser):
        parser.add_argument("--demo-users", action="store_true", default=None)
        parser.add_argument("--no-demo-users", action="store_false", dest="demo_users")

    def handle(self, *args, demo_users=None, **options):
        for fixture in sorted(FIXTURES_DIR.glob("*.json")):
            slugs = plan_slugs_in(fixture)
            if slugs and Plan.objects.filter(slug__in=slugs).exists():
                self.stdout.write(
                    f"已有方案 {', '.join(slugs)}，跳过 {fixture.name}（不覆盖已记录的数据）"
                )
                continue
            with transaction.atomic():
                call_command("loaddata", str(fixture), verbosity=0)
            self.stdout.write(self.style.SUCCESS(f"已加载 {fixture.name}"))
        if demo_users is None:
            demo_users = settings.DEBUG
        if demo_users:
            self.create_demo_users()
            self.create_demo_chain()

    @transaction.atomic
    def create_demo_users(self):
        User = get_user_model()
        # Made by migration 0003, and again here after `manage.py flush` emptied them.
        made = ensure_role_groups()
        groups = {"admin": made[ADMINS_GROUP], "manager": made[MANAGERS_GROUP]}
        self.stdout.write(f"演示用户（密码均为 {DEMO_PASSWORD}）：")
        for username, full_name, role, body in DEMO_USERS:
            # An address on a reserved domain, so reminders show up on the console mailer.
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": full_name, "email": f"{username}@example.cn"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_staff = user.is_superuser = role == "admin"
                user.save()
            if role in groups:
                user.groups.add(groups[role])
            if body:
                name, kind = body
                body_obj, _ = Body.objects.get_or_create(
                    jurisdiction=DEMO_JURISDICTION, name=name, defaults={"kind": kind}
                )
                Membership.objects.get_or_create(user=user, defaults={"body": body_obj})
                leader, contact, phone = DEMO_CONTACTS[name]
                Body.objects.filter(
                    pk=body_obj.pk, leader="", contact_name="", contact_phone=""
                ).update(leader=leader, contact_name=contact, contact_phone=phone)
            note = "" if created else "（已存在，未改动）"
            self.stdout.write(f"  {username:<10} {full_name}{note}")

    @transaction.atomic
    def create_demo_chain(self):
        """The demo's own decisions (see the module docstring), each made once."""
        User = get_user_model()
        name, kind = APPROVAL_BODY
        body, _ = Body.objects.get_or_create(
            jurisdiction=DEMO_JURISDICTION, name=name, defaults={"kind": kind}
        )
        if not body.requires_approval:
            body.requires_approval = True
            body.save(update_fields=["requires_approval"])
        for username, full_name, role in APPROVAL_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": full_name, "email": f"{username}@example.cn"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            Membership.objects.get_or_create(user=user, defaults={"body": body, "role": role})
            note = "" if created else "（已存在，未改动）"
            self.stdout.write(f"  {username:<12} {full_name}（{role.label}）{note}")
        plan = Plan.objects.filter(slug=DEMO_PLAN).first()
        admin = User.objects.filter(username="admin").first()
        if plan is None or admin is None:
            return
        if not plan.report_rule_source:
            plan_edits.report_rule_set(
                plan=plan,
                user=admin,
                rhythm="monthly",
                day=25,
                period=plan.report_period_days,
                extension_cap=None,
                reason=DEMO_REASON,
            )
            self.stdout.write(f"  {plan.title}：每月25日前填报（管理员设定，演示）")
        share = (
            Assignment.objects.filter(task__plan=plan, body=body, role=Assignment.Role.RESPONSIBLE)
            .order_by("task__number")
            .select_related("task")
            .first()
        )
        if (
            share is not None
            and not Milestone.objects.filter(task__plan=plan, source=Source.ADMIN).exists()
        ):
            plan_edits.milestone_add(
                task=share.task,
                user=admin,
                due=timezone.localdate() + dt.timedelta(days=14),
                text="完成园区选址并报送选址方案",
                reason="演示数据：阶段性目标由管理员设定，原文未规定",
                assignment=share,
            )
            self.stdout.write(f"  任务{share.task.number}：冠县阶段性目标（管理员设定，演示）")
        self.create_demo_supervision(plan)

    def create_demo_supervision(self, plan):
        """莘县's first share extended by the managers (the 通报 and the list's export say so),
        and its second asking for more time while a 督办函 with its 文号 and reply day chases
        it (我的任务's card): once, while 莘县 has no extension request yet, on two of its
        overdue shares."""
        User = get_user_model()
        staff = User.objects.filter(username="shenxian").first()
        manager = User.objects.filter(username="dubanshi").first()
        if staff is None or manager is None or not hasattr(staff, "membership"):
            return
        today = timezone.localdate()
        if ExtensionRequest.objects.filter(assignment__body=staff.membership.body).exists():
            return
        # Two of its overdue shares: the letter then has something to chase.
        shares = list(
            Assignment.objects.filter(task__plan=plan, body=staff.membership.body)
            .active()
            .with_state(today)
            .filter(is_overdue=True)
            .order_by("task__number", "pk")
            .select_related("task")[:2]
        )
        if len(shares) < 2:
            return
        first, second = shares
        extended = reporting.extension_request_create(
            assignment=first,
            author=staff,
            new_due=today + dt.timedelta(days=60),
            reason="演示数据：用地手续尚在办理",
        )
        reporting.extension_decide(
            extension=extended, manager=manager, approve=True, reason="演示数据：同意延期"
        )
        self.stdout.write(f"  任务{first.task.number}：莘县延期获批（演示）")
        reporting.extension_request_create(
            assignment=second,
            author=staff,
            new_due=today + dt.timedelta(days=90),
            reason="演示数据：资金尚未到位",
        )
        second = Assignment.objects.for_list().with_state(today).get(pk=second.pk)
        reply_by = today + dt.timedelta(days=7)
        reminders.remind(
            assignment=second,
            sender=manager,
            message=reminders.reminder_message(
                second,
                today,
                reply_by=reply_by,
                pending_due=reminders.pending_extension_due(second),
            ),
            level=Reminder.Level.LETTER,
            doc_number=f"聊督办函〔{today.year}〕1号",
            reply_by=reply_by,
        )
        self.stdout.write(f"  任务{second.task.number}：莘县延期申请待审批、督办函（演示）")
