"""A small plan for the managers' pages, with one assignment in each state on a frozen day
(2026-11-27, Asia/Shanghai), and a bigger one of n tasks for query counts."""

import datetime as dt

import time_machine

from tests.builders import file_report
from tests.factories import (
    AssignmentFactory,
    BodyFactory,
    CategoryFactory,
    CountyFactory,
    MeasureFactory,
    PlanFactory,
    TargetFactory,
    TaskFactory,
    UserFactory,
)
from tracker.models import Membership

TODAY = dt.date(2026, 11, 27)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
NOON = dt.datetime(2026, 11, 27, 12, 0, tzinfo=SHANGHAI)


def frozen(moment=NOON):
    return time_machine.travel(moment, tick=False)


def recently(days=3):
    """A report time a few days before TODAY: not silent."""
    return NOON - dt.timedelta(days=days)


def world(shen=None, guan=None):
    """Plan "lc" (tracking from 2026-01-01, monthly reports), seen on TODAY:

    task 1 推进快递园区建设, due 2026-06-30, led by 市邮政管理局, broken down to 莘县 and 冠县:
      莘县  red (overdue, 150 days), 40 %, reported recently
      冠县  done (signed off)
      lead  red (overdue), never reported
    task 2 完善城市末端配送, due 2027-12-31:
      莘县  green: 80 %, reported recently
      冠县  yellow: behind pace (5 %), reported recently
      measure 2.1 (due 2026-12-10) 东阿县: yellow, due soon, reported recently
    task 3 建立应急保障机制 (category 2), ongoing, support 市交通运输局: yellow, silent
    """
    plan = PlanFactory(
        slug="lc",
        title="聊城市加快邮政快递业高质量发展实施方案",
        start_date=dt.date(2026, 1, 1),
        report_period_days=30,
    )
    planning = CategoryFactory(plan=plan, number=1, title="强化行业规划引领")
    governance = CategoryFactory(plan=plan, number=2, title="提升行业治理效能")
    post = BodyFactory(name="市邮政管理局")
    shen = shen or CountyFactory(name="莘县")
    guan = guan or CountyFactory(name="冠县")
    dong_e = CountyFactory(name="东阿县")
    transport = BodyFactory(name="市交通运输局")
    park = TaskFactory(
        plan=plan,
        category=planning,
        number=1,
        title="推进快递园区建设",
        deadline=dt.date(2026, 6, 30),
        deadline_text="2026年6月底前",
    )
    delivery = TaskFactory(
        plan=plan,
        category=planning,
        number=2,
        title="完善城市末端配送",
        deadline=dt.date(2027, 12, 31),
        source_text="完善城市末端配送网络，推进智能快件箱进社区。",
    )
    emergency = TaskFactory(
        plan=plan,
        category=governance,
        number=3,
        title="建立应急保障机制",
        source_text="建立健全寄递渠道应急保障机制。",
        deadline=None,
        deadline_text="长期坚持",
        ongoing=True,
    )
    lockers = MeasureFactory(
        task=delivery,
        number=1,
        text="推进智能快件箱（信包箱）进社区、进校园。",
        deadline=dt.date(2026, 12, 10),
        deadline_source="text",
    )
    rows = {
        "plan": plan,
        "post": post,
        "shen": shen,
        "guan": guan,
        "dong_e": dong_e,
        "transport": transport,
        "park": park,
        "delivery": delivery,
        "emergency": emergency,
        "lockers": lockers,
        "park_lead": AssignmentFactory(task=park, body=post, role="lead"),
        "park_shen": AssignmentFactory(
            task=park, body=shen, percent=40, status="in_progress", last_reported_at=recently()
        ),
        "park_guan": AssignmentFactory(task=park, body=guan, signed_off=True),
        "delivery_shen": AssignmentFactory(
            task=delivery, body=shen, percent=80, status="in_progress", last_reported_at=recently()
        ),
        "delivery_guan": AssignmentFactory(
            task=delivery, body=guan, percent=5, status="in_progress", last_reported_at=recently()
        ),
        "lockers_dong_e": AssignmentFactory(
            task=delivery,
            measure=lockers,
            body=dong_e,
            percent=50,
            status="in_progress",
            last_reported_at=recently(),
        ),
        "emergency_transport": AssignmentFactory(task=emergency, body=transport, role="support"),
    }
    return rows


def big_plan(n, slug):
    """n tasks, each broken down to four counties who have reported (with a target value),
    led by a department, with a measure a department supports. For query counts."""
    plan = PlanFactory(slug=slug, start_date=dt.date(2026, 1, 1))
    categories = [CategoryFactory(plan=plan, number=k) for k in (1, 2)]
    lead = BodyFactory(name="市邮政管理局")
    counties = [CountyFactory(name=name) for name in ("莘县", "冠县", "东阿县", "临清市")]
    reporters = {}
    for c in counties:
        user = UserFactory(username=f"clerk-{c.pk}")
        Membership.objects.get_or_create(user=user, defaults={"body": c})
        reporters[c.pk] = user
    for i in range(1, n + 1):
        task = TaskFactory(
            plan=plan,
            category=categories[i % 2],
            number=i,
            deadline=dt.date(2026, 6, 30) if i % 2 else dt.date(2027, 12, 31),
        )
        target = TargetFactory(task=task, plan=plan, number=i)
        AssignmentFactory(task=task, body=lead, role="lead")
        measure = MeasureFactory(task=task, number=1)
        AssignmentFactory(task=task, measure=measure, body=BodyFactory(), role="support")
        for county in counties:
            a = AssignmentFactory(task=task, body=county)
            file_report(a, reporters[county.pk], percent=30 + i, values={target: i})
    return plan
