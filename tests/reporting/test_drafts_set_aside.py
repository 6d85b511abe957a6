"""A clerk's draft can be changed and set aside: a file saved by mistake removed, a draft
handed to the head taken back (撤回修改), a draft nobody will file discarded (作废). Before,
none of these existed: drafts and their files stayed for ever, and a second 起草填报 made a
second draft without a word."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.builders import JPEG, PDF, progress_world, upload
from tests.factories import MembershipFactory, UserFactory
from tracker.models import DraftFile, DraftStep, Membership, ReportDraft

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)):
        yield


@pytest.fixture
def world(staff_a, staff_b, body_c):
    w = progress_world(staff_a.membership.body, staff_b.membership.body, body_c)
    body = staff_b.membership.body
    body.requires_approval = True
    body.save()
    Membership.objects.filter(user=staff_b).update(role="head")
    w["clerk"] = MembershipFactory(user=UserFactory(username="clerk"), body=body).user
    w["head"] = staff_b
    return w


def data(**overrides):
    return {
        "status": "in_progress",
        "percent": "40",
        "text": "园区主体完工",
        "as_of": "2026-11-27",
        **overrides,
    }


def saved_draft(client, w, **overrides):
    client.post(reverse("report_create", args=[w["own"].pk]), data(save="1", **overrides))
    return ReportDraft.objects.get()


def stored(settings):
    root = settings.MEDIA_ROOT
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_file_saved_by_mistake_is_removed_from_the_draft(
    client_as, world, settings, django_capture_on_commit_callbacks
):
    client = client_as(world["clerk"])
    draft = saved_draft(client, world, files=[upload("错传.jpg", JPEG), upload("验收.pdf", PDF)])
    wrong = draft.files.get(original_name="错传.jpg")
    right = draft.files.get(original_name="验收.pdf")
    page = client.get(draft.get_absolute_url())
    assert "草稿中已上传的文件" in page.content.decode()
    # Ticked means kept, as in 沿用原填报的佐证材料 above it: both come ticked.
    form = page.context["form"]
    assert form["keep_saved"].value() == [wrong.pk, right.pk]
    assert "取消勾选的文件在保存时从草稿中删除" in page.content.decode()
    shown = form["saved_shown"].value()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            draft.get_absolute_url(), data(save="1", keep_saved=[right.pk], saved_shown=shown)
        )
    assert [f.original_name for f in draft.files.all()] == ["验收.pdf"]
    assert len(stored(settings)) == 1


def test_a_file_saved_from_another_window_is_not_removed(client_as, world):
    """Unticking removes only what the page offered: a file the clerk saved meanwhile from
    another window, which this page never showed, stays."""
    client = client_as(world["clerk"])
    draft = saved_draft(client, world, files=[upload("验收.pdf", PDF)])
    first = draft.files.get()
    shown = client.get(draft.get_absolute_url()).context["form"]["saved_shown"].value()
    client.post(draft.get_absolute_url(), data(save="1", files=[upload("照片.jpg", JPEG)]))
    # The first window, unaware of 照片.jpg, keeps 验收.pdf ticked and saves.
    client.post(draft.get_absolute_url(), data(save="1", keep_saved=[first.pk], saved_shown=shown))
    assert sorted(f.original_name for f in draft.files.all()) == ["照片.jpg", "验收.pdf"]
    # Without the page's list (an old form) nothing is removed either.
    client.post(draft.get_absolute_url(), data(save="1"))
    assert draft.files.count() == 2


def test_the_clerk_takes_a_draft_back_from_the_head(client_as, world):
    client = client_as(world["clerk"])
    draft = saved_draft(client, world)
    client.post(draft.get_absolute_url(), data(submit="1"))
    draft.refresh_from_db()
    assert draft.state == "submitted"
    assert "撤回修改" in client.get(draft.get_absolute_url()).content.decode()
    # Not the head's to take back: the head returns it with a reason instead.
    head = client_as(world["head"]).post(reverse("draft_withdraw", args=[draft.pk]), follow=True)
    assert "只有经办人本人可以撤回这份草稿。" in head.content.decode()
    client = client_as(world["clerk"])
    client.post(reverse("draft_withdraw", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.state == "draft"
    assert list(draft.steps.values_list("kind", flat=True)) == ["submitted", "withdrawn"]
    # And it can be changed again.
    client.post(draft.get_absolute_url(), data(save="1", text="园区已封顶"))
    draft.refresh_from_db()
    assert draft.text == "园区已封顶"


def test_a_draft_nobody_will_file_is_discarded_with_its_files(
    client_as, world, settings, django_capture_on_commit_callbacks
):
    client = client_as(world["clerk"])
    draft = saved_draft(client, world, files=[upload("照片.jpg", JPEG)])
    assert "作废草稿" in client.get(draft.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("draft_discard", args=[draft.pk]), follow=True)
    assert "草稿已作废" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == "discarded" and not DraftFile.objects.exists()
    assert stored(settings) == []
    assert DraftStep.objects.get(draft=draft).kind == "discarded"
    # Gone from the lists, kept as a record; no more edits.
    assert client.get(reverse("my_work")).context["drafts"] == []
    refused = client.post(draft.get_absolute_url(), data(save="1"), follow=True)
    assert "这份草稿已作废，不能再修改。" in refused.content.decode()


def test_a_draft_with_the_head_is_not_discarded(client_as, world):
    client = client_as(world["clerk"])
    draft = saved_draft(client, world)
    client.post(draft.get_absolute_url(), data(submit="1"))
    response = client.post(reverse("draft_discard", args=[draft.pk]), follow=True)
    assert "只有未提交或已退回的草稿可以作废。" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == "submitted"


def test_starting_another_report_points_to_the_draft_begun(client_as, world):
    client = client_as(world["clerk"])
    draft = saved_draft(client, world)
    page = client.get(reverse("report_create", args=[world["own"].pk])).content.decode()
    assert "这项工作已有你的草稿，可以继续编辑" in page and draft.get_absolute_url() in page


def test_enter_in_a_field_saves_the_draft_and_does_not_hand_it_to_the_head(client_as, world):
    # A browser submits a form on Enter with its first submit button: that was 提交审核.
    page = client_as(world["clerk"]).get(reverse("report_create", args=[world["own"].pk]))
    form = page.content.decode().split('class="stack report-form"')[1].split("</form>")[0]
    assert form.index('name="save"') < form.index('name="submit"')
