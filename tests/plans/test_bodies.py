"""单位联系人: managers read every body's 责任人, 联系人 and 联系电话; administrators keep them
(a page of their own, and the admin); bad input is refused with a message and changes
nothing; the page costs the same for 2 bodies as for 20."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import BodyFactory
from tracker.models import Body

pytestmark = pytest.mark.django_db


def test_managers_read_the_contacts(client_as, manager, body_b):
    body_b.leader, body_b.contact_name, body_b.contact_phone = "王某某", "李某", "0635-0000001"
    body_b.save()
    response = client_as(manager).get(reverse("body_list"))
    page = response.content.decode()
    assert "王某某" in page and "0635-0000001" in page
    assert reverse("body_edit", args=[body_b.pk]) not in page  # managers do not edit


def test_an_administrator_sets_a_bodys_contacts(client_as, admin_user, body_b):
    client = client_as(admin_user)
    assert (
        reverse("body_edit", args=[body_b.pk]) in client.get(reverse("body_list")).content.decode()
    )
    response = client.post(
        reverse("body_edit", args=[body_b.pk]),
        {
            "leader": "王某某 副县长",
            "contact_name": "李某",
            "contact_phone": "0635-0000001、13800000000",
        },
    )
    assert response.status_code == 302 and response.url == reverse("body_list")
    body_b.refresh_from_db()
    assert (body_b.leader, body_b.contact_name, body_b.contact_phone) == (
        "王某某 副县长",
        "李某",
        "0635-0000001、13800000000",
    )


def test_a_phone_number_with_letters_is_refused_with_a_message(client_as, admin_user, body_b):
    response = client_as(admin_user).post(
        reverse("body_edit", args=[body_b.pk]),
        {"leader": "王某某", "contact_name": "李某", "contact_phone": "call me"},
    )
    assert response.status_code == 200
    assert "联系电话只能包含数字" in response.content.decode()
    body_b.refresh_from_db()
    assert body_b.leader == "" and body_b.contact_phone == ""


def test_the_admin_edits_them_too(client_as, admin_user, body_b):
    page = client_as(admin_user).get(reverse("admin:tracker_body_change", args=[body_b.pk]))
    assert page.status_code == 200
    assert 'name="contact_phone"' in page.content.decode()


def test_the_contacts_page_costs_the_same_for_2_bodies_and_20(client_as, manager):
    client = client_as(manager)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("body_list")).status_code == 200
        return len(ctx.captured_queries)

    BodyFactory.create_batch(2)
    small = queries()
    BodyFactory.create_batch(18)
    assert Body.objects.count() == 20
    assert queries() == small


def test_a_contact_too_long_is_refused_in_our_words(client_as, admin_user, body_b):
    response = client_as(admin_user).post(
        reverse("body_edit", args=[body_b.pk]),
        {"leader": "王某某", "contact_name": "李某", "contact_phone": "1" * 60},
    )
    page = response.content.decode()
    assert "“联系电话”最多 50 字，现在有 60 字。" in page and "确保该变量" not in page
    body_b.refresh_from_db()
    assert body_b.contact_phone == ""
