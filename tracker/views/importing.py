"""The web import: an administrator uploads or pastes a plan text (and optionally its review
file), sees the import report, and confirms. The text travels back with the confirmation and
is parsed again, so what is imported is exactly what the report showed."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from plan import PlanError, ReviewError, decode, to_json
from tracker.access import require_plan_admin
from tracker.forms.importing import ImportConfirmForm, ImportForm
from tracker.models import Plan
from tracker.services.importing import import_parsed_plan, read_plan_source

SIGNING_SALT = "tracker.import.confirm"
SIGNING_MAX_AGE = 3600  # seconds: a preview left open longer is parsed again from scratch


@login_required
def import_start(request):
    require_plan_admin(request.user, _("只有方案管理员可以导入方案。"))
    if request.method != "POST":
        return render(request, "tracker/import_form.html", {"form": ImportForm()})
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        return _preview(request, form.cleaned_data)
    return render(request, "tracker/import_form.html", {"form": form})


def _preview(request, data):
    """Parse and show the report; errors go back to the form, next to the field."""
    try:
        text, parsed = read_plan_source(
            data["source_bytes"],
            source_name=data["source_name"],
            review=data["review_bytes"],
            gazetteer_path=data["gazetteer_path"],
        )
    except ReviewError as error:
        form = ImportForm(request.POST, request.FILES)
        form.is_valid()
        form.add_error("review_file", str(error))
        return render(request, "tracker/import_form.html", {"form": form})
    except PlanError as error:
        form = ImportForm(request.POST, request.FILES)
        form.is_valid()
        form.add_error("source_file" if data["from_file"] else "source_text", str(error))
        return render(request, "tracker/import_form.html", {"form": form})
    review_text = decode(data["review_bytes"]) if data["review_bytes"] else ""
    confirm = ImportConfirmForm(
        initial={
            "source_text": text,
            "source_name": data["source_name"],
            "review_text": review_text,
            "gazetteer": data["gazetteer"],
            "token": _sign(text, review_text, data["gazetteer"]),
        }
    )
    existing = Plan.objects.filter(slug=parsed.slug).first() if parsed.slug else None
    return render(
        request,
        "tracker/import_preview.html",
        {
            "parsed": parsed,
            "confirm": confirm,
            "existing": existing,
            "json": to_json(parsed),
        },
    )


def _digest(text, review_text, gazetteer):
    payload = "\0".join([text, review_text or "", gazetteer or ""])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _sign(text, review_text, gazetteer):
    """A signed token over what the report showed: the text, the review and the gazetteer.
    A confirmation whose fields were changed in the browser does not match it."""
    return signing.dumps(_digest(text, review_text, gazetteer), salt=SIGNING_SALT)


def _signature_matches(data):
    try:
        digest = signing.loads(data["token"], salt=SIGNING_SALT, max_age=SIGNING_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return False
    return digest == _digest(data["source_text"], data["review_text"], data["gazetteer"])


@login_required
def import_confirm(request):
    require_plan_admin(request.user, _("只有方案管理员可以导入方案。"))
    if request.method != "POST":
        return redirect("import_start")
    form = ImportConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("导入确认数据不完整，请重新上传方案文本。"))
        return redirect("import_start")
    data = form.cleaned_data
    if not _signature_matches(data):
        messages.error(
            request, _("方案文本或审核文件在确认前被改动，或预览已超过一小时，请重新上传。")
        )
        return redirect("import_start")
    try:
        text, parsed = read_plan_source(
            data["source_text"].encode("utf-8"),
            source_name=data["source_name"],
            review=data["review_text"].encode("utf-8") if data["review_text"] else None,
            gazetteer_path=data["gazetteer_path"],
        )
    except PlanError as error:
        messages.error(request, str(error))
        return redirect("import_start")
    result = import_parsed_plan(
        parsed, source_text=text, source_name=data["source_name"], user=request.user
    )
    verb = _("已创建") if result.created else _("已更新")
    messages.success(
        request,
        _("%(verb)s方案“%(title)s”：%(tasks)s 项任务。")
        % {"verb": verb, "title": result.plan.title, "tasks": len(parsed.tasks)},
    )
    for warning in result.warnings:
        messages.warning(request, warning)
    return redirect(result.plan)
