"""访问记录: every evidence download and every export is recorded -- who, when, from where, which
file or which filters and how many rows -- append-only, and shown to plan administrators."""

import csv
import io

import pytest
from django.urls import reverse

from tests.builders import PDF, count_queries, file_report, progress_world, upload
from tests.factories import make_manager
from tests.supervision_world import frozen, world
from tracker.admin import AccessRecordAdmin
from tracker.models import AccessRecord, HistoryIsAppendOnly

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence(staff_a, staff_b):
    own = progress_world(staff_a.membership.body, staff_b.membership.body)["own"]
    report = file_report(own, staff_b, files=[upload("验收报告.pdf", PDF)])
    return report.evidence.get()


def test_a_download_is_recorded_with_who_what_and_where(client_as, manager, evidence, settings):
    settings.TRACKER_TRUSTED_PROXIES = ["127.0.0.1"]
    manager.first_name = "王督查"
    manager.save()
    response = client_as(manager).get(
        evidence.get_absolute_url(), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.8.8.8"
    )
    assert response.status_code == 200
    record = AccessRecord.objects.get()
    assert record.kind == AccessRecord.Kind.EVIDENCE
    assert (record.user, record.user_name, record.evidence) == (manager, "王督查", evidence)
    assert record.subject == f"验收报告.pdf（莘县 · #{evidence.report_id}）"
    assert record.client_address == "10.8.8.8"


def test_a_refused_download_records_nothing(client_as, staff_c, evidence):
    assert client_as(staff_c).get(evidence.get_absolute_url()).status_code == 404
    assert not AccessRecord.objects.exists()


def test_an_export_is_recorded_with_its_filters_in_words_and_its_rows(
    client_as, manager, staff_b, staff_c
):
    with frozen():
        w = world(shen=staff_b.membership.body, guan=staff_c.membership.body)
        query = f"county={w['shen'].pk}&light=red&o=-overdue"
        response = client_as(manager).get(f"{reverse('list_export_csv')}?{query}")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))[1:]
    record = AccessRecord.objects.get()
    assert record.kind == AccessRecord.Kind.EXPORT
    assert record.subject.startswith("逾期与进度清单-") and record.subject.endswith(".csv")
    assert record.filters == "县（市、区）：莘县；亮灯：红灯；排序：逾期天数（降序）"
    assert record.query == query
    assert record.rows == len(rows) > 0
    assert record.evidence is None


def test_an_export_of_everything_says_so(client_as, manager, staff_b, staff_c):
    with frozen():
        world(shen=staff_b.membership.body, guan=staff_c.membership.body)
        client_as(manager).get(reverse("list_export_xlsx"))
    record = AccessRecord.objects.get()
    assert (record.filters, record.query) == ("", "")
    assert record.subject.endswith(".xlsx")


def test_records_are_never_changed_or_deleted(client_as, manager, evidence):
    client_as(manager).get(evidence.get_absolute_url())
    record = AccessRecord.objects.get()
    record.rows = 5
    with pytest.raises(HistoryIsAppendOnly):
        record.save()
    with pytest.raises(HistoryIsAppendOnly):
        record.delete()
    with pytest.raises(HistoryIsAppendOnly):
        AccessRecord.objects.all().delete()
    with pytest.raises(HistoryIsAppendOnly):
        AccessRecord.objects.update(rows=1)
    admin = AccessRecordAdmin(AccessRecord, None)
    assert not admin.has_add_permission(None)
    assert not admin.has_change_permission(None)
    assert not admin.has_delete_permission(None)


def test_administrators_read_the_records_and_filter_them(client_as, admin_user, manager, evidence):
    client_as(manager).get(evidence.get_absolute_url())
    client_as(manager).get(reverse("list_export_csv") + "?light=red")
    client = client_as(admin_user)
    page = client.get(reverse("access_records")).content.decode()
    assert "访问记录" in page and "验收报告.pdf" in page and "亮灯：红灯" in page
    assert "共 2 条" in page
    only_exports = client.get(reverse("access_records") + "?kind=export")
    assert [r.kind for r in only_exports.context["page"]] == ["export"]
    nobody = client.get(reverse("access_records") + "?who=somebody-else")
    assert list(nobody.context["page"]) == []


def test_the_records_page_costs_the_same_queries_for_2_and_20_records(
    client_as, admin_user, manager, evidence
):
    readers = [manager, *(make_manager(f"reader{n}") for n in range(3))]

    def read(n):
        for i in range(n):
            client_as(readers[i % len(readers)]).get(evidence.get_absolute_url())

    read(2)
    client = client_as(admin_user)
    few = count_queries(client, reverse("access_records"))
    read(18)
    client = client_as(admin_user)
    many = count_queries(client, reverse("access_records"))
    assert AccessRecord.objects.count() == 20
    assert few == many
