"""factory-boy factories for every model, in one module."""

import datetime as dt
import importlib

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils import timezone

from tracker.access import ADMINISTER_PLANS, ADMINS_GROUP, MANAGERS_GROUP, SUPERVISE
from tracker.models import Assignment, Body, Category, Measure, Membership, Plan, Target, Task

# The migration that made the role groups (its module name starts with a digit).
ROLE_GROUPS = importlib.import_module("tracker.migrations.0003_role_groups")


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"plan-{n}")
    title = factory.Sequence(lambda n: f"测试市第{n}号实施方案")
    jurisdiction = "聊城市"
    issuer = "聊城市人民政府办公室"
    start_date = dt.date(2024, 9, 1)
    start_date_source = "review"
    declared_categories = 2
    declared_tasks = 4


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"类别{n}")


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    plan = factory.SubFactory(PlanFactory)
    category = factory.SubFactory(CategoryFactory, plan=factory.SelfAttribute("..plan"))
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"推进第{n}项重点工作")
    source_text = "推进快递园区建设,到2024年年底,各县(市、区)至少建成1处快递园区。"
    first_line = 10
    last_line = 10
    deadline = dt.date(2024, 12, 31)
    deadline_text = "到2024年年底"
    deadline_source = "text"


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    task = factory.SubFactory(TaskFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"第{n}条具体措施。")


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body
        django_get_or_create = ["jurisdiction", "name"]

    jurisdiction = "聊城市"
    name = factory.Sequence(lambda n: f"市第{n}局")
    kind = Body.Kind.DEPARTMENT


class CountyFactory(BodyFactory):
    name = factory.Iterator(
        ["东昌府区", "茌平区", "临清市", "阳谷县", "莘县", "东阿县", "冠县", "高唐县"]
    )
    kind = Body.Kind.COUNTY


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    task = factory.SubFactory(TaskFactory)
    body = factory.SubFactory(BodyFactory)
    role = Assignment.Role.RESPONSIBLE
    origin = Assignment.Origin.CLAUSE

    class Params:
        # Signed off (已销号) without going through a report; for tests of lists and states.
        signed_off = factory.Trait(
            signoff="signed_off",
            status="completed",
            percent=100,
            signed_off_at=factory.LazyFunction(timezone.now),
        )


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    task = factory.SubFactory(TaskFactory)
    plan = factory.SelfAttribute("task.plan")
    number = factory.Sequence(lambda n: n + 1)
    description = "至少建成1处快递园区"
    value = 1
    unit = "处"
    scope = Target.Scope.EACH_COUNTY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "password")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    body = factory.SubFactory(BodyFactory)


def role_group(name, codename):
    """A role group of tracker/access.py with its permission. Migration 0003 made both; a
    transactional test's flush empties the groups, so they are made again when missing —
    the administrators' with every permission the migration gives them (the admin site's
    users and django-axes' records too), whichever tests ran before."""
    group, _ = Group.objects.get_or_create(name=name)
    wanted = ROLE_GROUPS.ADMIN_PERMISSIONS if name == ADMINS_GROUP else {"tracker": [codename]}
    query = Q(pk__in=[])
    for app_label, codenames in wanted.items():
        query |= Q(content_type__app_label=app_label, codename__in=codenames)
    group.permissions.add(*Permission.objects.filter(query))
    return group


def make_manager(username="manager"):
    """A manager (督查): in the 督查人员 group."""
    user = UserFactory(username=username)
    user.groups.add(role_group(MANAGERS_GROUP, SUPERVISE))
    return user


def make_admin(username="administrator"):
    """A plan administrator as the demo `admin` is one: in the 管理员 group, and Django staff
    and superuser for the admin site."""
    user = UserFactory(username=username, is_staff=True, is_superuser=True)
    user.groups.add(role_group(ADMINS_GROUP, ADMINISTER_PLANS))
    return user
