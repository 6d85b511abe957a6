"""The two role groups of tracker/access.py, with their permissions, and today's users in them.

- 督查人员 (managers): the permission `tracker.supervise`. The group may already exist
  (`manage.py bootstrap` made it for the demo manager); its members stay.
- 管理员 (plan administrators): `tracker.administer_plans`, and the Django admin permissions an
  administrator's work needs there -- the plan's structure, bodies and memberships, users (but
  not the superuser flag: tracker/admin.py), the history read-only, and the login lockouts
  (django-axes) to unlock them.

Until now every Django staff account was a plan administrator. The ones that were so in
practice keep it: superusers, and staff holding a permission to change the plan's rows. A
staff account with no permissions is no longer an administrator (issue 12).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import Q

ADMINS = "管理员"
MANAGERS = "督查人员"

EDITABLE = ["plan", "category", "task", "measure", "target", "assignment", "body", "membership"]
HISTORY = [
    "report",
    "evidence",
    "reportedvalue",
    "extensionrequest",
    "decision",
    "changerecord",
    "reminder",
    "accessrecord",
]
ADMIN_PERMISSIONS = {
    "tracker": [
        "administer_plans",
        *(f"{action}_{model}" for model in EDITABLE for action in ("add", "change", "delete", "view")),
        *(f"view_{model}" for model in HISTORY),
    ],
    "auth": ["add_user", "change_user", "view_user", "view_group"],
    "axes": [
        "view_accessattempt",
        "delete_accessattempt",
        "view_accesslog",
        "view_accessfailurelog",
    ],
}
MANAGER_PERMISSIONS = {"tracker": ["supervise"]}


def _permissions(apps, wanted):
    Permission = apps.get_model("auth", "Permission")
    query = Q(pk__in=[])
    for app_label, codenames in wanted.items():
        query |= Q(content_type__app_label=app_label, codename__in=codenames)
    found = list(Permission.objects.filter(query))
    assert len(found) == sum(len(c) for c in wanted.values()), "a permission is missing"
    return found


def forwards(apps, schema_editor):
    # Permissions are normally made after `migrate` (post_migrate); these groups need them now.
    for label in ("tracker", "auth", "axes"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, using=schema_editor.connection.alias, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    User = apps.get_model("auth", "User")
    admins, _ = Group.objects.get_or_create(name=ADMINS)
    admins.permissions.add(*_permissions(apps, ADMIN_PERMISSIONS))
    managers, _ = Group.objects.get_or_create(name=MANAGERS)
    managers.permissions.add(*_permissions(apps, MANAGER_PERMISSIONS))

    plan_changes = Q(content_type__app_label="tracker", codename__startswith="change_")
    Permission = apps.get_model("auth", "Permission")
    editors = Permission.objects.filter(plan_changes)
    were_admins = User.objects.filter(
        Q(is_superuser=True)
        | Q(is_staff=True, user_permissions__in=editors)
        | Q(is_staff=True, groups__permissions__in=editors)
    ).distinct()
    for user in were_admins:
        user.groups.add(admins)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0002_roles_and_access_records"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
