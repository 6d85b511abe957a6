"""The web import: an administrator uploads a plan file of any kind (or pastes its text), and
optionally its review file; sees the import report; confirms.

The upload stays on the server between the preview and the confirmation (ImportDraft, keyed
by a random id and holding the file's sha256): the confirmation names the draft and nothing
else, so what is imported is exactly the file the preview was made from, whatever size it
is and however the browser encodes its line ends. Post, redirect, then the preview is a
page of its own (reloading it does not upload again)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from plan import PlanError, ReviewError
from tracker.access import get_import_draft, require_plan_admin
from tracker.forms.importing import ImportForm
from tracker.services import importing

# After confirming, up to this many warnings are messages of their own; more are one message
# that opens to them (the tag FOLDED: tracker/base.html, folded_message).
WARNINGS_LISTED = 3
FOLDED = "folded"
EXPIRED = gettext_lazy("这份预览已超过保留时间，请重新上传方案文件。")
KINDS = {
    "text": gettext_lazy("纯文本"),
    "docx": gettext_lazy("Word 文档（.docx）"),
    "pdf": gettext_lazy("PDF 文件"),
    "html": gettext_lazy("网页"),
    "xlsx": gettext_lazy("Excel 表格（.xlsx）"),
    "csv": gettext_lazy("CSV 表格"),
}


def _by_provenance(bodies):
    """A parsed task's or measure's bodies grouped by where they come from — one place in
    the text, or one decision of the administrator — in the text's order:
    [(bodies, a body of the group)]."""
    groups: dict[tuple, tuple[list, object]] = {}
    for b in bodies:
        by_person = b.source == "review"
        key = (by_person, b.reason if by_person else b.ref)
        groups.setdefault(key, ([], b))[0].append(b)
    return list(groups.values())


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    require_plan_admin(request.user, _("只有方案管理员可以导入方案。"))
    if request.method != "POST":
        return render(request, "tracker/import_form.html", {"form": ImportForm()})
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "tracker/import_form.html", {"form": form})
    data = form.cleaned_data
    try:
        # Read once here, so that what cannot be read comes back to the form, next to its
        # field; the preview reads the stored draft the same way.
        importing.read_plan_source(
            data["source_bytes"],
            source_name=data["source_name"],
            review_text=data["review_text"] or None,
            gazetteer_path=importing.gazetteer_path(data["gazetteer"]),
        )
    except ReviewError as error:
        form.add_error("review_file", str(error))
    except PlanError as error:
        form.add_error("source_file" if data["from_file"] else "source_text", str(error))
    if form.errors:
        return render(request, "tracker/import_form.html", {"form": form})
    draft = importing.draft_create(
        user=request.user,
        source=data["source_bytes"],
        source_name=data["source_name"],
        review_text=data["review_text"],
        gazetteer=data["gazetteer"],
    )
    return redirect("import_preview", key=draft.key)


def _unusable(request, draft):
    """A redirect when the draft cannot be previewed or confirmed any more, else None."""
    if draft.confirmed_at is not None:
        messages.info(request, _("这份方案已经确认导入，不会重复导入。"))
        return redirect(draft.plan) if draft.plan else redirect("import_start")
    if draft.is_expired():
        messages.error(request, str(EXPIRED))
        return redirect("import_start")
    return None


def _read(request, draft):
    """(text, parsed), or None with the reason as a message (the draft was readable when it
    was stored; a gazetteer removed meanwhile is the one way it may not be now)."""
    try:
        return importing.draft_read(draft)
    except (PlanError, ValidationError) as error:
        message = error.messages[0] if isinstance(error, ValidationError) else str(error)
        messages.error(request, message)
        return None


@login_required
@require_GET
def import_preview(request, key):
    """The import report of an uploaded plan: what was read, with where each value came
    from, and whether it is a plan the system has already (then confirming updates it)."""
    draft = get_import_draft(request.user, key)
    gone = _unusable(request, draft)
    if gone:
        return gone
    read = _read(request, draft)
    if read is None:
        return redirect("import_start")
    text, parsed = read
    existing = importing.existing_plan(parsed, draft.source_sha256)
    for task in parsed.tasks:
        task.body_groups = _by_provenance(task.bodies)
        task.places = "；".join(dict.fromkeys(s.ref for s in task.stated_at if s.ref))
        for measure in task.measures:
            measure.body_groups = _by_provenance(measure.bodies)
    return render(
        request,
        "tracker/import_preview.html",
        {
            "draft": draft,
            "parsed": parsed,
            "kind": KINDS.get(parsed.source_kind, parsed.source_kind),
            "existing": existing,
            "preview": importing.preview_changes(draft, text, parsed) if existing else None,
        },
    )


@login_required
@require_POST
def import_confirm(request, key):
    draft = get_import_draft(request.user, key)
    gone = _unusable(request, draft)
    if gone:
        return gone
    try:
        result = importing.draft_confirm(draft=draft, user=request.user)
    except importing.DraftAlreadyConfirmed as done:
        messages.info(request, _("这份方案已经确认导入，不会重复导入。"))
        return redirect(done.plan) if done.plan else redirect("import_start")
    except importing.DraftExpired:
        messages.error(request, str(EXPIRED))
        return redirect("import_start")
    except (PlanError, ValidationError) as error:
        message = error.messages[0] if isinstance(error, ValidationError) else str(error)
        messages.error(request, message)
        return redirect("import_start")
    verb = _("已创建") if result.created else _("已更新")
    messages.success(
        request,
        _("%(verb)s方案“%(title)s”：%(tasks)s 项任务。")
        % {"verb": verb, "title": result.plan.title, "tasks": len(result.parsed.tasks)},
    )
    if result.plan.is_archived:
        messages.warning(
            request, _("该方案已归档，更新后仍为归档状态；如需恢复跟踪，请在本页恢复。")
        )
    for note in result.notes:
        messages.info(request, note)
    if len(result.warnings) <= WARNINGS_LISTED:
        for warning in result.warnings:
            messages.warning(request, warning)
    else:
        # An update may say forty things, all listed on the preview before confirming: one
        # message that opens to the list, not forty above the plan (base.html, FOLDED).
        head = ngettext(
            "导入有 %(n)s 条提示（确认前已在预览中列出），点击展开。",
            "导入有 %(n)s 条提示（确认前已在预览中列出），点击展开。",
            len(result.warnings),
        ) % {"n": len(result.warnings)}
        messages.warning(request, "\n".join([head, *result.warnings]), extra_tags=FOLDED)
    return redirect(result.plan)
