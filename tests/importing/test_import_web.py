"""The web import: upload or paste, preview the report, confirm."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tracker.models import Plan

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_b4e0627ec94ce713.txt"
REVIEW = ROOT / "seeds" / "liaocheng-express-2024.review.toml"


def upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes(), "text/plain")


def hidden_fields(html):
    return {
        name: value
        for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html)
        if name != "csrfmiddlewaretoken"
    }


def unescape(value):
    import html

    return html.unescape(value)


def test_administrator_previews_then_confirms(client_as, admin_user):
    client = client_as(admin_user)
    response = client.post(
        "/import/",
        {
            "source_file": upload(SEED),
            "review_file": upload(REVIEW),
            "gazetteer": "liaocheng.gazetteer.toml",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "导入预览" in page
    assert "原文称 14，识别 14" in page and "强化行业规划引领" in page
    assert Plan.objects.count() == 0  # nothing until confirmed
    fields = {k: unescape(v) for k, v in hidden_fields(page).items()}
    response = client.post("/import/confirm/", fields)
    plan = Plan.objects.get()
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    assert plan.tasks.count() == 14 and plan.source_name == SEED.name
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "已创建方案" in page


def test_pasted_text_works_too(client_as, admin_user):
    response = client_as(admin_user).post(
        "/import/", {"source_text": SEED.read_text("utf-8"), "gazetteer": ""}
    )
    assert "导入预览" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "请上传方案文本文件，或粘贴方案全文"),
        ({"source_text": "今天天气很好。"}, "方案"),
        ({"source_file": SimpleUploadedFile("x.pdf", b"%PDF-1.4\xff\xfe\x00\x81\x82")}, "编码"),
    ],
    ids=["nothing", "not-a-plan", "binary"],
)
def test_bad_input_comes_back_to_the_form_with_a_message(client_as, admin_user, data, message):
    response = client_as(admin_user).post("/import/", data)
    page = response.content.decode()
    assert response.status_code == 200 and "解析并预览" in page and message in page
    assert Plan.objects.count() == 0


def test_a_bad_review_file_is_reported_next_to_it(client_as, admin_user):
    bad = SimpleUploadedFile("r.toml", b"this is = = not toml")
    response = client_as(admin_user).post(
        "/import/", {"source_file": upload(SEED), "review_file": bad}
    )
    assert "审核文件" in response.content.decode() and Plan.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("source_text", lambda v: v.replace("2024", "2099")),
        ("review_text", lambda v: v.replace("市商务局", "市公安局")),
        ("gazetteer", lambda v: ""),
        ("token", lambda v: v[:-3] + "abc"),
    ],
)
def test_a_tampered_confirmation_is_refused(client_as, admin_user, field, change):
    client = client_as(admin_user)
    page = client.post(
        "/import/",
        {
            "source_file": upload(SEED),
            "review_file": upload(REVIEW),
            "gazetteer": "liaocheng.gazetteer.toml",
        },
    ).content.decode()
    fields = {k: unescape(v) for k, v in hidden_fields(page).items()}
    fields[field] = change(fields[field])
    response = client.post("/import/confirm/", fields, follow=True)
    assert "被改动" in response.content.decode() and Plan.objects.count() == 0


def test_only_administrators_may_import(client_as, manager, staff_a):
    for user in (manager, staff_a):
        assert client_as(user).get("/import/").status_code == 403
        assert client_as(user).post("/import/confirm/", {}).status_code == 403
