import importlib
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from tests.factories import BodyFactory, PlanFactory, TaskFactory
from tracker.access import ROLE_GROUP_PERMISSIONS, is_manager, is_plan_admin
from tracker.management.commands import bootstrap
from tracker.models import Membership, Plan, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def fixture_dir(tmp_path, monkeypatch):
    """A fixtures/ folder holding one small plan, made with the serializer."""
    plan = PlanFactory(slug="tiny", title="小方案")
    TaskFactory(plan=plan, number=1, title="原标题")
    data = json.loads(
        call_command_output("dumpdata", "tracker.plan", "tracker.category", "tracker.task")
    )
    Task.objects.all().delete()
    plan.categories.all().delete()
    plan.delete()
    (tmp_path / "tiny.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(bootstrap, "FIXTURES_DIR", tmp_path)
    return tmp_path


def call_command_output(*args):

    out = io.StringIO()
    call_command(*args, "--natural-foreign", "--natural-primary", stdout=out)
    return out.getvalue()


def test_it_loads_a_plan_once_and_never_overwrites_it(fixture_dir):
    call_command("bootstrap", "--no-demo-users", stdout=io.StringIO())
    task = Task.objects.get(plan__slug="tiny", number=1)
    task.title = "用户改过的标题"
    task.save()
    call_command("bootstrap", "--no-demo-users", stdout=io.StringIO())
    assert Plan.objects.count() == 1
    assert Task.objects.get(pk=task.pk).title == "用户改过的标题"


def test_it_creates_the_demo_users_with_their_roles(fixture_dir):
    BodyFactory(name="市邮政管理局")
    call_command("bootstrap", "--demo-users", stdout=io.StringIO())
    call_command("bootstrap", "--demo-users", stdout=io.StringIO())  # idempotent
    User = get_user_model()
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert is_plan_admin(admin) and admin.groups.filter(name="管理员").exists()
    dubanshi = User.objects.get(username="dubanshi")
    assert is_manager(dubanshi) and not is_plan_admin(dubanshi)
    assert not dubanshi.is_staff
    assert Membership.objects.get(user__username="youzheng").body.name == "市邮政管理局"
    shen = User.objects.get(username="shenxian")
    assert shen.membership.body.name == "莘县" and not shen.is_staff
    assert shen.check_password(bootstrap.DEMO_PASSWORD)


def test_after_a_flush_bootstrap_makes_the_role_groups_again(fixture_dir):
    # `manage.py flush` empties the groups migration 0003 made; bootstrap then failed with
    # Group.DoesNotExist (and so did the tests that ran after a browser test's flush).
    BodyFactory(name="市邮政管理局")
    Group.objects.all().delete()
    call_command("bootstrap", "--demo-users", stdout=io.StringIO())
    User = get_user_model()
    assert is_plan_admin(User.objects.get(username="admin"))
    dubanshi = User.objects.get(username="dubanshi")
    assert is_manager(dubanshi) and not is_plan_admin(dubanshi)
    for name, wanted in ROLE_GROUP_PERMISSIONS.items():
        held = set(
            Group.objects.get(name=name).permissions.values_list(
                "content_type__app_label", "codename"
            )
        )
        assert held == {(app, code) for app, codes in wanted.items() for code in codes}


def test_the_role_groups_are_made_as_migration_0003_made_them():
    # Migrations keep their own copy of what they did; the two lists must not drift apart.
    made = importlib.import_module("tracker.migrations.0003_role_groups")
    assert ROLE_GROUP_PERMISSIONS == {
        made.ADMINS: made.ADMIN_PERMISSIONS,
        made.MANAGERS: made.MANAGER_PERMISSIONS,
    }


def test_the_demo_bodies_get_contacts_nobody_has_filled_in(fixture_dir):
    BodyFactory(name="市邮政管理局", leader="王局长", contact_name="王某", contact_phone="110")
    call_command("bootstrap", "--demo-users", stdout=io.StringIO())
    shen = Membership.objects.get(user__username="shenxian").body
    assert (shen.leader, shen.contact_name, shen.contact_phone) == bootstrap.DEMO_CONTACTS["莘县"]
    post = Membership.objects.get(user__username="youzheng").body
    assert (post.leader, post.contact_name, post.contact_phone) == ("王局长", "王某", "110")


def test_the_demo_has_an_approving_body_and_a_monthly_calendar_as_decisions():
    from tracker.models import ChangeRecord, Milestone

    call_command("bootstrap", "--demo-users", stdout=io.StringIO())
    call_command("bootstrap", "--demo-users", stdout=io.StringIO())  # idempotent
    User = get_user_model()
    clerk = User.objects.get(username="guanxian")
    head = User.objects.get(username="guanxian_fzr")
    assert clerk.membership.body == head.membership.body
    assert clerk.membership.body.name == "冠县" and clerk.membership.body.requires_approval
    assert (clerk.membership.role, head.membership.role) == ("staff", "head")
    assert head.check_password(bootstrap.DEMO_PASSWORD)
    plan = Plan.objects.get(slug=bootstrap.DEMO_PLAN)
    assert (plan.report_rhythm, plan.report_day, plan.report_rule_source) == (
        "monthly",
        25,
        "admin",
    )
    assert "原文未规定" in plan.report_rule_reason
    assert ChangeRecord.objects.filter(plan=plan, field="report_rhythm").count() == 1
    (milestone,) = Milestone.objects.filter(source="admin")
    assert milestone.assignment.body.name == "冠县" and milestone.source == "admin"
    # What the text says is untouched.
    assert plan.tasks.filter(deadline_source="admin").count() == 0


def test_the_demo_has_an_extended_share_and_a_letter_chasing_a_pending_request():
    from tracker.models import Assignment, Decision, ExtensionRequest, Reminder

    call_command("bootstrap", "--demo-users", stdout=io.StringIO())
    call_command("bootstrap", "--demo-users", stdout=io.StringIO())  # made once
    (approved,) = Decision.objects.filter(kind="approved")
    assert approved.assignment.body.name == "莘县"
    (pending,) = ExtensionRequest.objects.pending()
    (letter,) = Reminder.objects.filter(level="letter")
    assert letter.assignment == pending.assignment != approved.assignment
    assert letter.doc_number.startswith("聊督办函〔") and letter.reply_by is not None
    assert letter.sent_by.username == "dubanshi"
    # Its words name the reply day and the request being decided, not "ask for an extension".
    assert "正在审批" in letter.message and "按程序申请延期" not in letter.message
    assert Assignment.objects.get(pk=approved.assignment_id).due_date == approved.granted_due
