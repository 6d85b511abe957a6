"""An assignment's record and a task's page cost the same number of queries with 2 and with
20 assignments, reports and events, for the lead body, the owner and a manager. The two
worlds are built once for the whole module (tests/conftest.py: shared_world)."""

import pytest

from tests.builders import count_queries, deep_history, many_reports
from tests.conftest import shared_world
from tests.factories import AssignmentFactory, BodyFactory, MembershipFactory, make_manager

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_world(django_db_blocker):
        lead = MembershipFactory(body=BodyFactory(name="市邮政管理局")).user
        owner = MembershipFactory(body=BodyFactory(name="莘县", kind="county")).user
        manager = make_manager()
        small_task, small_a = many_reports(2, lead.membership.body, owner, "small")
        large_task, large_a = many_reports(20, lead.membership.body, owner, "large")
        # Twenty assignments on one task, too.
        for _ in range(18):
            AssignmentFactory(task=large_task, body=BodyFactory())
        deep_history(small_a, owner, manager, 2)
        deep_history(large_a, owner, manager, 20)
        yield {
            "users": {"lead": lead, "owner": owner, "manager": manager},
            "task_detail": (small_task.get_absolute_url(), large_task.get_absolute_url()),
            "assignment_detail": (small_a.get_absolute_url(), large_a.get_absolute_url()),
        }


@pytest.mark.parametrize("role", ["lead", "owner", "manager"])
@pytest.mark.parametrize("which", ["task_detail", "assignment_detail"])
def test_a_task_and_an_assignment_cost_the_same_with_2_and_20(client_as, world, which, role):
    small, large = world[which]
    client = client_as(world["users"][role])
    assert count_queries(client, small) == count_queries(client, large)
