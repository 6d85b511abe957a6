"""How much evidence a report may carry: at most 10 files, a total per report, and a total per
body per day. The form states the limits before anything is uploaded; more is refused on the
form with the reason, and nothing is stored -- no report, no evidence row, no file."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.builders import PDF, file_report, progress_world, upload
from tracker.models import Evidence, Report

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)  # 10:00 in Liaocheng


@pytest.fixture
def world(staff_a, staff_b, body_c):
    return progress_world(staff_a.membership.body, staff_b.membership.body, body_c)


def pdf_of(size):
    """A PDF of exactly `size` bytes."""
    return PDF + b"%" * (size - len(PDF))


def post_report(client, assignment, files, **fields):
    data = {
        "status": "in_progress",
        "percent": "50",
        "text": "推进中",
        "as_of": "2026-11-27",
        "files": files,
        **fields,
    }
    return client.post(reverse("report_create", args=[assignment.pk]), data)


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def nothing_stored(settings):
    return (
        not Report.objects.exists() and not Evidence.objects.exists() and not stored_files(settings)
    )


def plain(text):
    """Sizes are written with a no-break space (filesizeformat)."""
    return text.replace("\xa0", " ")


def errors_of(response):
    return plain(" ".join(str(e) for e in response.context["form"].errors.get("files", [])))


@time_machine.travel(NOW, tick=False)
def test_the_form_states_the_limits_before_anything_is_uploaded(client_as, staff_b, world):
    page = client_as(staff_b).get(reverse("report_create", args=[world["own"].pk]))
    text = plain(page.content.decode())
    assert "每次最多 10 个，每个不超过 20.0 MB，合计不超过 50.0 MB" in text
    assert "本单位每天合计不超过 200.0 MB，今天还可上传 200.0 MB" in text
    # The same numbers, for the script that checks the chosen files before the upload.
    field = re.search(r"<input[^>]*type=\"file\"[^>]*>", text).group(0)
    assert 'data-max-files="10"' in field
    assert f'data-max-report="{50 * 1024 * 1024}"' in field
    assert f'data-max-today="{200 * 1024 * 1024}"' in field
    assert "tracker/report.js" in text


@time_machine.travel(NOW, tick=False)
def test_an_eleventh_file_is_refused_on_the_form_and_nothing_is_stored(
    client_as, staff_b, world, settings
):
    files = [upload(f"第{n}份.pdf", PDF) for n in range(11)]
    response = post_report(client_as(staff_b), world["own"], files)
    assert response.status_code == 200
    assert "最多上传 10 个文件，这次选择了 11 个" in errors_of(response)
    assert nothing_stored(settings)


@time_machine.travel(NOW, tick=False)
def test_a_report_over_the_total_cap_is_refused_on_the_form_and_nothing_is_stored(
    client_as, staff_b, world, settings
):
    settings.TRACKER_UPLOAD_REPORT_MAX_BYTES = 2000
    files = [upload(f"第{n}份.pdf", pdf_of(800)) for n in range(3)]
    response = post_report(client_as(staff_b), world["own"], files)
    assert response.status_code == 200
    assert "这些文件合计 2.3 KB，超过了每次填报 2.0 KB 的上限" in errors_of(response)
    assert nothing_stored(settings)
    # Within the cap it goes through.
    files = [upload(f"第{n}份.pdf", pdf_of(800)) for n in range(2)]
    response = post_report(client_as(staff_b), world["own"], files)
    assert response.status_code == 302
    assert Evidence.objects.count() == 2


@time_machine.travel(NOW, tick=False)
def test_a_body_is_held_to_its_daily_total(client_as, staff_b, world, settings):
    settings.TRACKER_UPLOAD_BODY_DAY_MAX_BYTES = 3000
    client = client_as(staff_b)
    assert post_report(client, world["own"], [upload("a.pdf", pdf_of(2000))]).status_code == 302
    page = plain(client.get(reverse("report_create", args=[world["own"].pk])).content.decode())
    assert "今天还可上传 1000 字节" in page
    refused = post_report(client, world["own"], [upload("b.pdf", pdf_of(1500))])
    assert refused.status_code == 200
    assert "本单位今天只能再上传 1000 字节（每天上限 2.9 KB）" in errors_of(refused)
    assert Report.objects.count() == 1 and len(stored_files(settings)) == 1
    # A report without files is still welcome.
    assert post_report(client, world["own"], []).status_code == 302


def test_the_daily_total_starts_again_at_local_midnight(client_as, staff_b, world, settings):
    settings.TRACKER_UPLOAD_BODY_DAY_MAX_BYTES = 3000
    client = client_as(staff_b)
    # 23:30 in Liaocheng on the 27th, then 00:30 on the 28th.
    with time_machine.travel(dt.datetime(2026, 11, 27, 15, 30, tzinfo=dt.UTC), tick=False):
        files = [upload("a.pdf", pdf_of(2500))]
        assert post_report(client, world["own"], files).status_code == 302
    with time_machine.travel(dt.datetime(2026, 11, 27, 16, 30, tzinfo=dt.UTC), tick=False):
        files = [upload("b.pdf", pdf_of(2500))]
        assert post_report(client, world["own"], files, as_of="2026-11-28").status_code == 302


@time_machine.travel(NOW, tick=False)
def test_another_body_has_its_own_daily_total(staff_b, staff_a, world, settings):
    settings.TRACKER_UPLOAD_BODY_DAY_MAX_BYTES = 3000
    file_report(world["own"], staff_b, files=[upload("a.pdf", pdf_of(2500))])
    file_report(world["lead"], staff_a, files=[upload("b.pdf", pdf_of(2500))])
    assert Evidence.objects.count() == 2


@time_machine.travel(NOW, tick=False)
def test_the_service_holds_the_limits_too(staff_b, world, settings):
    """What the form checked is checked again under the body's row lock, so two reports at
    the same moment cannot both take the last of the day's allowance."""
    settings.TRACKER_UPLOAD_BODY_DAY_MAX_BYTES = 3000
    file_report(world["own"], staff_b, files=[upload("a.pdf", pdf_of(2000))])
    with pytest.raises(ValidationError) as refused:
        file_report(world["own"], staff_b, files=[upload("b.pdf", pdf_of(1500))])
    assert "今天只能再上传" in str(refused.value.message_dict["files"])
    with pytest.raises(ValidationError):
        file_report(world["own"], staff_b, files=[upload(f"{n}.pdf", PDF) for n in range(11)])
    assert Report.objects.count() == 1 and len(stored_files(settings)) == 1


def test_a_request_larger_than_any_report_gets_a_page_saying_so(
    client_as, staff_b, world, settings
):
    settings.TRACKER_REQUEST_MAX_BYTES = 4000
    settings.TRACKER_UPLOAD_REPORT_MAX_BYTES = 3000
    response = post_report(client_as(staff_b), world["own"], [upload("a.pdf", pdf_of(5000))])
    assert response.status_code == 413
    text = plain(response.content.decode())
    assert "上传内容过大" in text and "合计不能超过 2.9 KB" in text
    assert nothing_stored(settings)
