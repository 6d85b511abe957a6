"""The web import: upload or paste, preview the report, confirm. The upload stays on the
server between the two steps (ImportDraft); the confirmation names the draft, nothing else."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.html import escape

from plan import read_document
from tracker.models import ChangeRecord, ImportDraft, Plan, Task

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_b4e0627ec94ce713.txt"
REVIEW = ROOT / "seeds" / "liaocheng-express-2024.review.toml"
GAZETTEER = "liaocheng.gazetteer.toml"


def upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes(), "text/plain")


def preview(client, **extra):
    """Upload the seed (and by default its review): the redirect to the draft's preview."""
    data = {"source_file": upload(SEED), "gazetteer": GAZETTEER, **extra}
    if "review_file" not in extra:
        data["review_file"] = upload(REVIEW)
    elif extra["review_file"] is None:
        del data["review_file"]
    response = client.post("/import/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response.url


def confirm_url(preview_url):
    return preview_url + "confirm/"


def test_administrator_previews_then_confirms(client_as, admin_user):
    client = client_as(admin_user)
    url = preview(client)
    draft = ImportDraft.objects.get()
    assert url == f"/import/{draft.key}/" and Plan.objects.count() == 0  # nothing until confirmed
    page = client.get(url).content.decode()
    assert "导入预览" in page and "原文称 14，识别 14" in page and "强化行业规划引领" in page
    assert "新方案" in page and "确认导入" in page
    response = client.post(confirm_url(url))
    plan = Plan.objects.get()
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    assert plan.tasks.count() == 14 and plan.source_name == SEED.name
    # The source kept is the text the parser read; the file's own digest identifies it.
    assert plan.source_text == read_document(SEED.read_bytes(), SEED.name)[0]
    assert plan.source_kind == "text"
    assert plan.source_sha256 == draft.source_sha256
    draft.refresh_from_db()
    assert draft.confirmed_at is not None and draft.plan == plan
    assert "已创建方案" in client.get(plan.get_absolute_url()).content.decode()


def test_the_preview_says_which_part_of_the_issue_line_the_text_does_not_state(
    client_as, admin_user
):
    # A plan with a date but no issuer read “印发 未注明 2025-07-15”: not stated… the date?
    text = (
        "聊城市推进快递进村三年行动方案\n2025年7月15日\n一、完善网络\n"
        "1.建设村级快递服务站。2025年年底前完成。（责任单位：市商务局）\n"
        "2.改造县级分拨中心。2026年年底前完成。（责任单位：市邮政管理局）\n"
    )
    client = client_as(admin_user)
    response = client.post("/import/", {"source_text": text, "gazetteer": GAZETTEER})
    page = client.get(response.url).content.decode()
    issued = page.split("<dt>印发</dt>", 1)[1].split("</dd>", 1)[0]
    assert "发文单位未注明" in issued and "· 2025-07-15" in issued


def test_the_gazetteer_is_offered_by_the_place_it_describes(client_as, admin_user):
    """An administrator picks the gazetteer by its city, not by a file name alone."""
    page = client_as(admin_user).get("/import/").content.decode()
    assert f'<option value="{GAZETTEER}" selected>聊城市（{GAZETTEER}）</option>' in page


def test_a_draft_is_confirmed_once(client_as, admin_user):
    client = client_as(admin_user)
    url = preview(client)
    client.post(confirm_url(url))
    again = client.post(confirm_url(url), follow=True)
    assert "已经确认导入" in again.content.decode()
    assert Plan.objects.count() == 1
    # Nothing was imported twice: no change records of a second import.
    assert not ChangeRecord.objects.filter(via=ChangeRecord.Via.IMPORT).exists()
    # The preview of a confirmed draft leads to the plan.
    assert client.get(url).url == Plan.objects.get().get_absolute_url()


def test_a_draft_belongs_to_the_administrator_who_uploaded_it(client_as, admin_user):
    from tests.factories import make_admin

    url = preview(client_as(admin_user))
    other = client_as(make_admin(username="admin2"))
    assert other.get(url).status_code == 404
    assert other.post(confirm_url(url)).status_code == 404
    assert Plan.objects.count() == 0


def test_an_expired_draft_is_refused_and_removed_later(client_as, admin_user, settings):
    client = client_as(admin_user)
    url = preview(client)
    later = timezone.now() + dt.timedelta(hours=settings.TRACKER_IMPORT_DRAFT_HOURS, minutes=1)
    with time_machine.travel(later):
        client = client_as(admin_user)  # a day later the session has ended: log in again
        response = client.post(confirm_url(url), follow=True)
        assert "超过保留时间" in response.content.decode() and Plan.objects.count() == 0
        preview(client)  # a new upload clears the expired draft away
    assert ImportDraft.objects.count() == 1


def test_the_confirmation_carries_nothing_but_the_draft(client_as, admin_user):
    """What the browser sends back cannot change what is imported: there is no text in it."""
    client = client_as(admin_user)
    url = preview(client)
    page = client.get(url).content.decode()
    assert 'name="source_text"' not in page and 'type="hidden" name="token"' not in page
    client.post(confirm_url(url), {"source_text": "今天天气很好。", "review_text": ""})
    assert Plan.objects.get().tasks.count() == 14


def test_pasted_text_with_the_browsers_line_ends_works(client_as, admin_user):
    client = client_as(admin_user)
    pasted = SEED.read_text("utf-8").replace("\n", "\r\n")  # what a browser submits
    response = client.post("/import/", {"source_text": pasted, "gazetteer": GAZETTEER})
    assert response.status_code == 302
    assert "导入预览" in client.get(response.url).content.decode()
    client.post(confirm_url(response.url))
    plan = Plan.objects.get()
    assert plan.source_name == "网页粘贴文本" and plan.tasks.count() == 15


def test_a_paste_over_the_limit_is_answered_on_the_form_with_the_text_kept(client_as, admin_user):
    pasted = "方案正文。" * (5 * 1024 * 1024 // 15 + 1)  # over 5 MB in UTF-8
    response = client_as(admin_user).post("/import/", {"source_text": pasted})
    page = response.content.decode()
    assert response.status_code == 200 and "超过粘贴上限 2.0 MB" in page
    assert "保存为 .txt 文件" in page
    assert pasted[:1000] in page and page.count("方案正文。") >= pasted.count("方案正文。")
    assert ImportDraft.objects.count() == 0 and Plan.objects.count() == 0


def test_a_request_over_the_form_data_limit_gets_the_chinese_400_page(
    client_as, admin_user, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client_as(admin_user).post("/import/", {"source_text": "长" * 2000})
    assert response.status_code == 400
    page = response.content.decode()
    assert "请求无法处理" in page and "用“方案文件”上传" in page


def test_a_file_over_the_limit_is_refused_with_its_size(client_as, admin_user, settings):
    settings.TRACKER_IMPORT_MAX_BYTES = 1000
    response = client_as(admin_user).post("/import/", {"source_file": upload(SEED)})
    page = response.content.decode()
    assert "超过上限 1000" in page and ImportDraft.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "请上传方案文件，或粘贴方案全文"),
        ({"source_text": "今天天气很好。"}, "方案"),
        ({"source_file": SimpleUploadedFile("x.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)}, "图片"),
        (
            {"source_file": SimpleUploadedFile("x.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")},
            "另存为",
        ),
        ({"source_text": "x", "gazetteer": "../pyproject.toml"}, "选择一个有效的选项"),
    ],
    ids=["nothing", "not-a-plan", "image", "old-word", "made-up-gazetteer"],
)
def test_bad_input_comes_back_to_the_form_with_a_message(client_as, admin_user, data, message):
    response = client_as(admin_user).post("/import/", data)
    page = response.content.decode()
    assert response.status_code == 200 and "解析并预览" in page and message in page
    assert Plan.objects.count() == 0 and ImportDraft.objects.count() == 0


@pytest.mark.parametrize(
    ("review", "message"),
    [
        (b"pyproject.toml", "TOML"),
        (b"/etc/passwd", "TOML"),
        (b"deep = " + b"[" * 5000 + b"]" * 5000, "嵌套过深"),
        (b"[[task]]\nnumber = " + b"9" * 5000 + b'\nexpect = "x"\nreason = "x"', "数字过长"),
        (b'[start]\ndate = 9999-12-31\nreason = "x"', "start.date 的日期 9999-12-31"),
        (b"this is = = not toml", "TOML"),
    ],
    ids=["a-path", "etc-passwd", "nested", "5000-digits", "year-9999", "not-toml"],
)
def test_review_file_abuse_gets_a_clear_error_next_to_it_and_writes_nothing(
    client_as, admin_user, review, message
):
    bad = SimpleUploadedFile("review.toml", review)
    response = client_as(admin_user).post(
        "/import/", {"source_file": upload(SEED), "review_file": bad, "gazetteer": GAZETTEER}
    )
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    # Next to the review file's field: after its input, before the next field.
    assert page.index('id="id_review_file"') < page.index(message) < page.index('id="id_gazetteer"')
    assert "root:" not in page and "build-system" not in page  # never read as a path
    assert Plan.objects.count() == 0 and ImportDraft.objects.count() == 0
    assert Task.objects.count() == 0


def test_the_same_plan_again_is_offered_as_an_update_and_updated_in_place(client_as, admin_user):
    client = client_as(admin_user)
    client.post(confirm_url(preview(client)))
    plan = Plan.objects.get()
    url = preview(client)
    page = client.get(url).content.decode()
    assert "此方案已存在，要更新它吗？" in page and "确认更新方案" in page
    response = client.post(confirm_url(url), follow=True)
    assert "已更新方案" in response.content.decode()
    assert Plan.objects.get() == plan and plan.tasks.count() == 14


def test_the_same_text_without_its_review_is_still_the_same_plan(client_as, admin_user):
    """The review gave the plan its slug; without it the parser derives another one, but
    the title and issuer (and the file) say it is the same plan."""
    client = client_as(admin_user)
    client.post(confirm_url(preview(client)))
    url = preview(client, review_file=None)
    assert "此方案已存在" in client.get(url).content.decode()
    response = client.post(confirm_url(url), follow=True)
    plan = Plan.objects.get()
    assert plan.slug == "liaocheng-express-2024"
    assert "标识仍为 liaocheng-express-2024" in response.content.decode()


def test_only_administrators_may_import(client_as, admin_user, manager, staff_a):
    url = preview(client_as(admin_user))
    for user in (manager, staff_a):
        client = client_as(user)
        assert client.get("/import/").status_code == 403
        assert client.get(url).status_code == 403
        assert client.post(confirm_url(url)).status_code == 403
    assert Plan.objects.count() == 0


def test_the_admin_lists_uploads_read_only(client_as, admin_user):
    client = client_as(admin_user)
    client.post(confirm_url(preview(client)))
    draft = ImportDraft.objects.get()
    listing = client.get("/admin/tracker/importdraft/").content.decode()
    assert SEED.name in listing
    page = client.get(f"/admin/tracker/importdraft/{draft.pk}/change/")
    assert page.status_code == 200 and "liaocheng-express-2024" in page.content.decode()
    assert client.post(f"/admin/tracker/importdraft/{draft.pk}/delete/", {"post": "yes"})
    assert ImportDraft.objects.count() == 1


def test_the_preview_of_an_update_lists_what_it_would_change_and_drop(client_as, admin_user):
    # Re-importing the seed without its review file silently dropped the decisions the
    # review had made (the start of tracking, deadlines, merged tasks): the preview said
    # nothing, and 36 warnings came only after confirming.
    client = client_as(admin_user)
    client.post(confirm_url(preview(client)))
    # The same text with its review again: nothing changes.
    same = client.get(preview(client))
    assert same.context["preview"].warnings == [] and same.context["preview"].changes == []
    assert "确认后，已有方案的内容不会有改动。" in same.content.decode()
    plan = Plan.objects.get()
    before = (plan.start_date, plan.tasks.filter(withdrawn=False).count())
    records_before = ChangeRecord.objects.count()
    url = preview(client, review_file=None)
    response = client.get(url)
    page = response.content.decode()
    shown = response.context["preview"]
    assert "本次没有附审核文件" in page
    assert any(w.startswith("跟踪起始原由审核文件确定为2024年9月1日") for w in shown.warnings)
    assert any("的时限原由审核文件确定为" in w for w in shown.warnings)
    # Bodies the review file named are said to be its, once per body, not the text's.
    assert not any("新文本不再提及“市邮政管理局”" in w for w in shown.warnings)
    assert any(
        "的“市邮政管理局”由审核文件指定（原文未列），本次未随附审核文件" in w
        for w in shown.warnings
    )
    # Every change it records, as people read them: the new task, the renamed one.
    assert any(c.startswith("新增：") for c in shown.changes)
    assert any("任务名称" in c or "名称" in c for c in shown.changes)
    assert all(escape(w) in page for w in shown.warnings)
    assert all(escape(c) in page for c in shown.changes)
    # The preview wrote nothing.
    plan.refresh_from_db()
    assert (plan.start_date, plan.tasks.filter(withdrawn=False).count()) == before
    assert ChangeRecord.objects.count() == records_before
    # Confirming does what the preview said: the same warnings, the same records.
    confirmed = client.post(confirm_url(url), follow=True).content.decode()
    assert all(escape(w) in confirmed for w in shown.warnings)
    # In one message that opens to them, not one message each above the plan.
    assert confirmed.count('<details class="folded">') == 1
    assert f"导入有 {len(shown.warnings)} 条提示（确认前已在预览中列出）" in confirmed
    assert ChangeRecord.objects.count() - records_before >= len(shown.changes)
    # With its review file again, the preview lists what comes back.
    back = client.get(preview(client)).context["preview"]
    assert any("2024-09-01" in c for c in back.changes)
