"""A correction (更正) keeps the corrected report's evidence files the body ticks: they proved
the work, and the mistake corrected is seldom in them. Before, the correction -- which becomes
the current report -- carried no files at all, and the form did not say so."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.builders import JPEG, PDF, file_report, progress_world, upload
from tests.factories import MembershipFactory, UserFactory
from tracker.models import Evidence, Membership, Report, ReportDraft

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)):
        yield


@pytest.fixture
def world(staff_a, staff_b, body_c):
    w = progress_world(staff_a.membership.body, staff_b.membership.body, body_c)
    w["wrong"] = file_report(
        w["own"],
        staff_b,
        percent=90,
        text="误填为90%",
        files=[upload("现场照片.jpg", JPEG), upload("验收报告.pdf", PDF)],
    )
    return w


def correction(**overrides):
    return {
        "status": "in_progress",
        "percent": "45",
        "text": "实际为45%",
        "as_of": TODAY.isoformat(),
        **overrides,
    }


def test_the_form_offers_the_corrected_reports_files_all_ticked(client_as, staff_b, world):
    page = client_as(staff_b).get(reverse("report_correct", args=[world["wrong"].pk]))
    html = page.content.decode()
    assert "沿用原填报的佐证材料" in html
    assert page.context["form"]["keep_files"].value() == [
        e.pk for e in world["wrong"].evidence.all()
    ]
    assert "现场照片.jpg" in html and "验收报告.pdf" in html


def test_the_ticked_files_go_with_the_correction_without_counting_as_uploads(
    client_as, staff_b, world
):
    wrong, body = world["wrong"], staff_b.membership.body
    _photo, pdf = wrong.evidence.order_by("pk")
    uploaded = Evidence.objects.uploaded_by_body_on(body, TODAY)
    client = client_as(staff_b)
    response = client.post(
        reverse("report_correct", args=[wrong.pk]), correction(keep_files=[pdf.pk])
    )
    assert response.status_code == 302
    fixed = Report.objects.get(corrects=wrong)
    kept = fixed.evidence.get()
    assert (kept.original_name, kept.file.name, kept.carried_from) == (
        "验收报告.pdf",
        pdf.file.name,
        pdf,
    )
    # The corrected report keeps its own two; the day's uploads are as they were.
    assert wrong.evidence.count() == 2
    assert Evidence.objects.uploaded_by_body_on(body, TODAY) == uploaded
    download = client.get(kept.get_absolute_url())
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    page = client.get(world["own"].get_absolute_url()).content.decode()
    assert page.count("验收报告.pdf") == 2 and "（沿用原填报）" in page


def test_nothing_ticked_keeps_nothing_and_new_files_come_as_uploads(client_as, staff_b, world):
    wrong = world["wrong"]
    client_as(staff_b).post(
        reverse("report_correct", args=[wrong.pk]),
        correction(files=[upload("新照片.jpg", JPEG)]),
    )
    fixed = Report.objects.get(corrects=wrong)
    assert [(e.original_name, e.carried_from_id) for e in fixed.evidence.all()] == [
        ("新照片.jpg", None)
    ]


def test_only_a_correction_keeps_files_and_only_those_of_the_report_it_corrects(staff_b, world):
    wrong = world["wrong"]
    other = file_report(world["own"], staff_b, files=[upload("另一份.pdf", PDF)])
    before = Report.objects.count()
    for corrects, kept in ((None, wrong.evidence.all()), (wrong, other.evidence.all())):
        with pytest.raises(ValidationError, match="只能沿用被更正的那条填报的佐证材料"):
            file_report(world["own"], staff_b, corrects=corrects, kept_evidence=list(kept))
    assert Report.objects.count() == before


def test_a_report_without_files_offers_nothing_to_keep(client_as, staff_b, world):
    plain = file_report(world["own"], staff_b, text="没有附件")
    page = client_as(staff_b).get(reverse("report_correct", args=[plain.pk]))
    assert "keep_files" not in page.context["form"].fields
    assert "沿用原填报的佐证材料" not in page.content.decode()


def test_a_drafted_correction_keeps_the_files_chosen_when_the_head_approves(
    client_as, staff_b, world
):
    body = staff_b.membership.body
    body.requires_approval = True
    body.save()
    Membership.objects.filter(user=staff_b).update(role="head")
    clerk = MembershipFactory(user=UserFactory(username="clerk"), body=body).user
    wrong = world["wrong"]
    photo, _pdf = wrong.evidence.order_by("pk")
    client = client_as(clerk)
    client.post(
        reverse("report_correct", args=[wrong.pk]), correction(keep_files=[photo.pk], save="1")
    )
    draft = ReportDraft.objects.get()
    assert draft.kept_evidence == [photo.pk]
    # The draft's page shows the choice as it was saved.
    assert client.get(draft.get_absolute_url()).context["form"]["keep_files"].value() == [photo.pk]
    client.post(draft.get_absolute_url(), correction(keep_files=[photo.pk], submit="1"))
    client_as(staff_b).post(
        reverse("draft_review", args=[draft.pk]), {"decision": "yes", "reason": ""}
    )
    fixed = Report.objects.get(corrects=wrong)
    assert [(e.original_name, e.carried_from) for e in fixed.evidence.all()] == [
        ("现场照片.jpg", photo)
    ]


# --- the report's limits hold over kept and saved files too -------------------------------


def test_kept_and_new_files_together_are_held_to_the_reports_limit(client_as, staff_b, world):
    # Three kept and eight new made a report of eleven files (limit ten).
    wrong = world["wrong"]
    kept = [e.pk for e in wrong.evidence.all()]
    new = [upload(f"照片{i}.jpg", JPEG) for i in range(9)]
    response = client_as(staff_b).post(
        reverse("report_correct", args=[wrong.pk]), correction(keep_files=kept, files=new)
    )
    assert response.status_code == 200
    assert "一次填报最多附 10 个文件：已有 2 个（沿用或草稿中已上传），这次又选择了 9 个。" in (
        response.content.decode()
    )
    assert not Report.objects.filter(corrects=wrong).exists()
    with pytest.raises(ValidationError, match="一次填报最多附 10 个文件"):
        file_report(
            world["own"],
            staff_b,
            corrects=wrong,
            kept_evidence=list(wrong.evidence.all()),
            files=[upload(f"照片{i}.jpg", JPEG) for i in range(9)],
        )


@pytest.fixture
def clerk(staff_b):
    body = staff_b.membership.body
    body.requires_approval = True
    body.save()
    Membership.objects.filter(user=staff_b).update(role="head")
    return MembershipFactory(user=UserFactory(username="clerk"), body=body).user


def test_a_draft_saved_again_is_held_to_the_reports_limit(client_as, clerk, world):
    # Each save was checked alone: two saves of eight made a draft of sixteen files.
    url = reverse("report_create", args=[world["own"].pk])
    client = client_as(clerk)
    client.post(url, correction(save="1", files=[upload(f"甲{i}.jpg", JPEG) for i in range(8)]))
    draft = ReportDraft.objects.get()
    again = client.post(
        draft.get_absolute_url(),
        correction(save="1", files=[upload(f"乙{i}.jpg", JPEG) for i in range(3)]),
    )
    assert "一次填报最多附 10 个文件：已有 8 个（沿用或草稿中已上传），这次又选择了 3 个。" in (
        again.content.decode()
    )
    assert draft.files.count() == 8


def test_a_drafts_files_count_when_uploaded_and_not_again_when_filed(
    client_as, clerk, staff_b, world
):
    # Drafts' files were not counted at all until the head filed them: a clerk could save
    # drafts of 50 MB again and again.
    body = staff_b.membership.body
    before = Evidence.objects.uploaded_by_body_on(body, TODAY)
    client = client_as(clerk)
    url = reverse("report_create", args=[world["own"].pk])
    client.post(url, correction(submit="1", files=[upload("验收.pdf", PDF)]))
    after_draft = Evidence.objects.uploaded_by_body_on(body, TODAY)
    assert after_draft == before + len(PDF)
    draft = ReportDraft.objects.get()
    client_as(staff_b).post(
        reverse("draft_review", args=[draft.pk]), {"decision": "yes", "reason": ""}
    )
    assert Report.objects.get(draft=draft).evidence.get().from_draft
    assert Evidence.objects.uploaded_by_body_on(body, TODAY) == after_draft


def test_the_head_sees_the_files_a_drafted_correction_keeps(client_as, clerk, staff_b, world):
    wrong = world["wrong"]
    photo, _pdf = wrong.evidence.order_by("pk")
    client_as(clerk).post(
        reverse("report_correct", args=[wrong.pk]), correction(keep_files=[photo.pk], submit="1")
    )
    page = client_as(staff_b).get(ReportDraft.objects.get().get_absolute_url()).content.decode()
    assert "现场照片.jpg" in page and "（沿用原填报）" in page and "验收报告.pdf" not in page


def test_the_lead_body_reviewing_a_completion_sees_which_files_were_kept(
    client_as, staff_a, staff_b, world
):
    wrong = world["wrong"]
    client_as(staff_b).post(
        reverse("report_correct", args=[wrong.pk]),
        correction(
            status="completed",
            percent="100",
            keep_files=[e.pk for e in wrong.evidence.all()],
            files=[upload("盖章扫描件.pdf", PDF)],
        ),
    )
    page = client_as(staff_a).get(reverse("lead_review", args=[world["own"].pk]))
    html = page.content.decode()
    current = html.split('class="card current-report"')[1].split("</div>")[0]
    assert current.count("（沿用原填报）") == 2 and "盖章扫描件.pdf" in current
