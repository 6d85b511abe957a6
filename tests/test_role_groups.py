"""Migration 0003 makes the role groups of tracker/access.py and keeps the users who were
administrators in practice working: superusers and staff who held plan permissions go into
管理员; a staff account with no permission at all does not (issue 12)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import UserFactory, make_admin
from tracker.access import is_manager, is_plan_admin

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("tracker", "0002_roles_and_access_records")]


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


def leaf():
    return MigrationExecutor(connection).loader.graph.leaf_nodes("tracker")


def test_the_migration_makes_the_groups_and_keeps_todays_administrators():
    migrate(BEFORE)
    Group.objects.filter(name__in=["管理员", "督查人员"]).delete()
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    editor = UserFactory(username="editor", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="change_task"))
    bare = UserFactory(username="bare", is_staff=True)
    clerk = UserFactory(username="clerk")
    old_managers = Group.objects.create(name="督查人员")
    manager = UserFactory(username="dubanshi")
    manager.groups.add(old_managers)

    migrate(leaf())

    admins = Group.objects.get(name="管理员")
    assert set(admins.user_set.values_list("username", flat=True)) == {"root", "editor"}
    for user in (superuser, editor, bare, clerk, manager):
        user.refresh_from_db()
    assert is_plan_admin(superuser) and is_plan_admin(editor)
    assert not is_plan_admin(bare) and not is_manager(bare)
    assert not is_manager(clerk)
    assert is_manager(manager) and not is_plan_admin(manager)
    # The administrators' group carries what their work in the admin needs, the unlocking
    # of login lockouts included; the superuser flag stays a superuser's to give.
    held = set(admins.permissions.values_list("codename", flat=True))
    assert {"change_task", "change_user", "delete_accessattempt", "view_accessrecord"} <= held
    assert not held & {"change_group", "delete_user", "change_report", "delete_evidence"}


@pytest.mark.django_db
def test_an_administrator_manages_users_but_cannot_make_a_superuser(client_as):
    admin = make_admin("root")
    admin.is_superuser = False
    admin.save()
    clerk = UserFactory(username="clerk")
    client = client_as(admin)
    page = client.get(f"/admin/auth/user/{clerk.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "groups" in form.fields and "is_staff" in form.fields
    assert "is_superuser" not in form.fields and "user_permissions" not in form.fields
    # A superuser still can.
    admin.is_superuser = True
    admin.save()
    form = client_as(admin).get(f"/admin/auth/user/{clerk.pk}/change/").context["adminform"].form
    assert "is_superuser" in form.fields
