"""Forms of the reporting chain: a body's report and extension request, a manager's decision
on a sign-off or an extension. Every bad value gets a message in Chinese next to its field;
nothing is written until the whole form is valid (tracker/services/reporting.py writes)."""

from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.functional import Promise, cached_property
from django.utils.translation import gettext_lazy as _

from tracker import evidence as evidence_files
from tracker.forms.widgets import NOT_TOO_FAR, DateInput, MultipleFileField, OwnWordsForm
from tracker.models import Milestone, ProgressStatus
from tracker.services.reporting import new_due_problem
from tracker.text import plain_number

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

MAX_FILES = evidence_files.MAX_FILES
TEXT_MAX = 2000
REASON_MAX = 1000


def _accepted_help(remaining_today):
    return _(
        "可上传 PDF、OFD、JPG/PNG 图片、Word/Excel/PowerPoint（docx/xlsx/pptx）、"
        "WPS（wps/et/dps）文件。每次最多 %(n)s 个，每个不超过 %(size)s，合计不超过 %(total)s；"
        "本单位每天合计不超过 %(day)s，今天还可上传 %(left)s。"
    ) % {
        "n": MAX_FILES,
        "size": filesizeformat(settings.TRACKER_UPLOAD_MAX_BYTES),
        "total": filesizeformat(settings.TRACKER_UPLOAD_REPORT_MAX_BYTES),
        "day": filesizeformat(settings.TRACKER_UPLOAD_BODY_DAY_MAX_BYTES),
        "left": filesizeformat(remaining_today),
    }


class _WhenShown(Promise):
    """A text made when the page is rendered, not when the form is built: today's quota is
    looked up only for a form that is shown (or that checks files). Never empty, so a test
    of whether there is one (BoundField.help_text) does not make it early."""

    def __init__(self, make):
        self.make = make

    def __str__(self):
        return str(self.make())

    def __bool__(self):
        return True


def _limit_attrs(remaining_today):
    """The limits and their messages for tracker/static/tracker/report.js, which checks the
    chosen files before they are uploaded. `{…}` are filled in by the script.
    `remaining_today` is a function: the page asks it when it is shown (ReportForm)."""
    return {
        "data-max-files": MAX_FILES,
        "data-max-file": settings.TRACKER_UPLOAD_MAX_BYTES,
        "data-max-report": settings.TRACKER_UPLOAD_REPORT_MAX_BYTES,
        "data-max-today": _WhenShown(remaining_today),
        "data-msg-files": _("最多上传 %(n)s 个文件，您选择了 {count} 个。") % {"n": MAX_FILES},
        "data-msg-file": _("“{name}”有 {size}，超过了每个文件 %(limit)s 的上限。")
        % {"limit": filesizeformat(settings.TRACKER_UPLOAD_MAX_BYTES)},
        "data-msg-report": _("所选文件合计 {size}，超过了每次填报 %(limit)s 的上限。")
        % {"limit": filesizeformat(settings.TRACKER_UPLOAD_REPORT_MAX_BYTES)},
        "data-msg-today": _WhenShown(
            lambda: (
                _("所选文件合计 {size}，本单位今天只能再上传 %(left)s。")
                % {"left": filesizeformat(remaining_today())}
            )
        ),
    }


def _milestone_label(milestone):
    return _("%(day)s 前：%(text)s") % {"day": milestone.due.isoformat(), "text": milestone.text}


class ReportForm(OwnWordsForm):
    """进展填报. `targets` are the task's targets a value may be given against; each becomes
    an optional field `target_<pk>`. `milestones` are the milestones of the work not yet
    reached: the report may say which it reached. Choosing 已完成 means 100 %: the page's
    script fills it in (tracker/static/tracker/report.js), and so does clean()."""

    status = forms.ChoiceField(
        label=_("当前状态"), choices=ProgressStatus.choices, widget=forms.RadioSelect
    )
    percent = forms.IntegerField(
        label=_("完成百分比"),
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
        help_text=_("0–100 的整数。选择“已完成”时为 100，并自动申请销号。"),
    )
    text = forms.CharField(
        label=_("工作进展"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    as_of = forms.DateField(label=_("情况截至"), widget=DateInput())
    # The declared field, not Form.files: the form's metaclass moves it into base_fields.
    files = MultipleFileField(label=_("佐证材料"), required=False)  # type: ignore[assignment]

    keep_files = forms.TypedMultipleChoiceField(
        label=_("沿用原填报的佐证材料"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "勾选的文件随更正一并报送，不必重新上传，也不占今天的上传额度；"
            "取消勾选的不随更正报送，仍保留在原填报下。"
        ),
    )
    # Ticked means "goes with this report" here as in keep_files just above: the draft's
    # saved files come ticked, and one unticked is deleted when the draft is saved.
    keep_saved = forms.TypedMultipleChoiceField(
        label=_("草稿中已上传的文件"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("勾选的文件留在草稿中，随草稿报送；取消勾选的文件在保存时从草稿中删除。"),
    )
    # The saved files the page offered (their pks, comma-separated): only these can be
    # unticked. A file saved meanwhile from another window, absent from this page, stays.
    saved_shown = forms.CharField(required=False, widget=forms.HiddenInput)
    milestones = forms.ModelMultipleChoiceField(
        label=_("本次完成的阶段性目标"),
        queryset=Milestone.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args,
        targets=(),
        milestones=None,
        today=None,
        uploaded_today=0,
        carried=None,
        saved_files=(),
        earliest=None,
        **kwargs,
    ):
        """`carried`: a correction's offer, the corrected report's files (Evidence), which
        `kept_evidence` then gives as ticked; None for any other report. `saved_files`: the
        files a draft holds already (they count towards the report's files).
        `uploaded_today`: bytes the body has already uploaded today (the daily quota), or
        a function that tells them. The function is asked at most once, and only when files
        are checked or the form is shown: a report without files, filed at once, skips
        that query (tracker/services/reporting.py checks the quota again, under lock, when
        a report carries files)."""
        self.today = today or timezone.localdate()
        self._uploaded_today = uploaded_today
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["milestones"])
        if milestones is None:
            del self.fields["milestones"]
        else:
            field.queryset = milestones
            # A milestone reads as its date and what is due by then.
            setattr(field, "label_from_instance", _milestone_label)  # noqa: B010
        self.fields["as_of"].initial = self.today
        # The plan's tracking start (or, without one, its date of issue): no state of the
        # work can be reported as of a day before it.
        self.earliest = earliest
        self.carried = list(carried or ())
        self.saved_files = list(saved_files)
        if not self.saved_files:
            del self.fields["keep_saved"]
            del self.fields["saved_shown"]
        else:
            cast(forms.TypedMultipleChoiceField, self.fields["keep_saved"]).choices = [
                (f.pk, f"{f.original_name}（{filesizeformat(f.size)}）") for f in self.saved_files
            ]
            self.fields["keep_saved"].initial = [f.pk for f in self.saved_files]
            self.fields["saved_shown"].initial = ",".join(str(f.pk) for f in self.saved_files)
        if not self.carried:
            del self.fields["keep_files"]
        else:
            # Beside the files kept, the upload is of more.
            self.fields["files"].label = _("新增佐证材料")
            cast(forms.TypedMultipleChoiceField, self.fields["keep_files"]).choices = [
                (e.pk, f"{e.original_name}（{filesizeformat(e.size)}）") for e in self.carried
            ]
        # Interpolated here, per request: `%` on a lazy text at class level would fix it in
        # the language active when the module was imported.
        self.fields["text"].help_text = _(
            "做了什么、取得了什么成效、还有什么困难（%(n)s 字以内）。"
        ) % {"n": TEXT_MAX}
        self.fields["files"].help_text = cast(
            "_StrOrPromise", _WhenShown(lambda: _accepted_help(self.remaining_today))
        )
        self.fields["files"].widget.attrs["accept"] = ",".join(evidence_files.ACCEPTED_EXTENSIONS)
        self.fields["files"].widget.attrs.update(_limit_attrs(lambda: self.remaining_today))
        self.targets = list(targets)
        for target in self.targets:
            goal = ""
            if target.value is not None:
                goal = (
                    f"{target.get_comparator_display()} {plain_number(target.value)} {target.unit}"
                )
            self.fields[f"target_{target.pk}"] = forms.DecimalField(
                label=_("%(target)s（%(unit)s）")
                % {"target": target.description, "unit": target.unit or _("数值")},
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=4,
                help_text=_("目标：%(goal)s") % {"goal": goal} if goal else "",
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
            )

    @cached_property
    def uploaded_today(self):
        """Bytes the body has already uploaded today."""
        given = self._uploaded_today
        return given() if callable(given) else given

    @property
    def remaining_today(self):
        """Bytes the body may still upload today."""
        return evidence_files.remaining_today(self.uploaded_today)

    def full_clean(self):
        super().full_clean()
        # A browser keeps no file chosen once the page comes back refused, for whatever
        # reason: a report sent again as it is would go without them.
        # The uploads (Form.files; the class attribute of that name is the field).
        uploads = vars(self).get("files")
        if self.is_bound and self.errors and uploads and uploads.getlist("files"):
            self.add_error(
                "files", _("这次选择的文件都没有保存：改正后请重新选择全部要上传的文件。")
            )

    def _check_with_carried(self):
        """The report's limits over the new files with those it keeps or its draft holds
        (clean_files checked the new ones alone)."""
        if "files" in self.errors or "keep_files" in self.errors:
            return
        files = self.cleaned_data.get("files") or []
        removed = set(self.files_to_remove())
        kept = [f for f in self.saved_files if f not in removed]
        carried = [e.size for e in self.kept_evidence()] + [f.size for f in kept]
        if not carried or (not files and len(carried) <= MAX_FILES):
            return
        used = self.uploaded_today if files else 0
        problem = evidence_files.quota_problem([u.size for u in files], used, carried=carried)
        if problem:
            self.add_error("files", problem)

    def clean_saved_shown(self):
        """The pks of the saved files the page offered; anything else in it is ignored."""
        given = self.cleaned_data.get("saved_shown") or ""
        return {int(pk) for pk in given.split(",") if pk.strip().isdigit()}

    def files_to_remove(self):
        """The draft's saved files the page offered and the clerk unticked."""
        shown = self.cleaned_data.get("saved_shown") or set()
        kept = set(self.cleaned_data.get("keep_saved") or ())
        return [f for f in self.saved_files if f.pk in shown and f.pk not in kept]

    def kept_evidence(self):
        """The corrected report's files ticked to keep, in their order."""
        chosen = set(self.cleaned_data.get("keep_files") or ())
        return [e for e in self.carried if e.pk in chosen]

    @property
    def target_fields(self):
        return [self[f"target_{t.pk}"] for t in self.targets]

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError(_("请填写工作进展。"))
        return text

    def clean_as_of(self):
        as_of = self.cleaned_data["as_of"]
        if as_of > self.today:
            raise ValidationError(_("截至日期不能晚于今天（%(day)s）。") % {"day": self.today})
        if self.earliest and as_of < self.earliest:
            raise ValidationError(
                _("截至日期不能早于本方案开始跟踪的日期（%(day)s），请检查年份。")
                % {"day": self.earliest}
            )
        return as_of

    def clean_files(self):
        files = self.cleaned_data["files"]
        if not files:
            return files  # nothing against the quota: it is not even looked up
        if len(files) > MAX_FILES:
            raise ValidationError(
                evidence_files.quota_problem([u.size for u in files], self.uploaded_today)
            )
        limit = settings.TRACKER_UPLOAD_MAX_BYTES
        errors: list[_StrOrPromise] = []
        for upload in files:
            name = evidence_files.clean_name(upload.name)
            if upload.size == 0:
                errors.append(_("“%(name)s”是空文件。") % {"name": name})
            elif upload.size > limit:
                errors.append(
                    _("“%(name)s”有 %(size)s，超过了 %(limit)s 的上限。")
                    % {
                        "name": name,
                        "size": filesizeformat(upload.size),
                        "limit": filesizeformat(limit),
                    }
                )
            elif PurePath(name).suffix.lower() not in evidence_files.ACCEPTED_EXTENSIONS:
                errors.append(
                    _("不接受“%(ext)s”文件（“%(name)s”）：可接受的类型见下方说明。")
                    % {"ext": PurePath(name).suffix or _("无扩展名"), "name": name}
                )
            elif evidence_files.kind_of(name, upload) is None:
                errors.append(
                    _("“%(name)s”的内容不是它的扩展名所说的类型，或者不是可接受的类型。")
                    % {"name": name}
                )
        if errors:
            raise ValidationError(errors)
        problem = evidence_files.quota_problem([u.size for u in files], self.uploaded_today)
        if problem:
            raise ValidationError(problem)
        return files

    def clean(self):
        super().clean()
        data = self.cleaned_data
        status, percent = data.get("status"), data.get("percent")
        if percent is None and "percent" not in self.errors:
            # 已完成 is 100 % and 未启动 0 %: nothing to type.
            if status == ProgressStatus.COMPLETED:
                data["percent"] = percent = 100
            elif status == ProgressStatus.NOT_STARTED:
                data["percent"] = percent = 0
            else:
                self.add_error("percent", _("请填写“完成百分比”。"))
        if status == ProgressStatus.COMPLETED and percent is not None and percent != 100:
            self.add_error("percent", _("选择“已完成”时，完成百分比应为 100。"))
        self._check_with_carried()
        if status == ProgressStatus.NOT_STARTED and percent:
            self.add_error("percent", _("选择“未启动”时，完成百分比应为 0。"))
        return data

    def milestones_reached(self):
        return list(self.cleaned_data.get("milestones") or [])

    def values(self):
        """Target → value for the targets given a value."""
        return {
            t: self.cleaned_data[f"target_{t.pk}"]
            for t in self.targets
            if self.cleaned_data.get(f"target_{t.pk}") is not None
        }


class ExtensionRequestForm(OwnWordsForm):
    """延期申请."""

    new_due = forms.DateField(label=_("申请延至"), widget=DateInput(), validators=NOT_TOO_FAR)
    reason = forms.CharField(
        label=_("申请理由"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, old_due=None, today=None, **kwargs):
        self.old_due = old_due
        self.today = today or timezone.localdate()
        super().__init__(*args, **kwargs)
        # Per request, in the user's language (see ReportForm.__init__).
        self.fields["reason"].help_text = _(
            "为什么需要延期，新的时限有什么把握（%(n)s 字以内）。"
        ) % {"n": REASON_MAX}

    def clean_new_due(self):
        new_due = self.cleaned_data["new_due"]
        problem = new_due_problem(self.old_due, new_due, self.today)
        if problem:
            raise ValidationError(problem)
        return new_due

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("请写明申请理由。"))
        return reason


class _DecisionForm(OwnWordsForm):
    yes: _StrOrPromise = ""
    no: _StrOrPromise = ""
    no_needs_reason: _StrOrPromise = ""

    decision = forms.ChoiceField(label=_("审核意见"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("意见说明"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["decision"]).choices = [
            ("yes", self.yes),
            ("no", self.no),
        ]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        data["reason"] = (data.get("reason") or "").strip()
        if data.get("decision") == "no" and not data["reason"]:
            self.add_error("reason", self.no_needs_reason)
        return data

    @property
    def approve(self):
        return self.cleaned_data["decision"] == "yes"


class SignOffForm(_DecisionForm):
    """销号审核: sign off, or send back with a reason."""

    yes = _("同意销号")
    no = _("退回")
    no_needs_reason = _("退回时请写明理由。")


class ExtensionDecisionForm(_DecisionForm):
    """延期审批: approve — at the date asked for, or another the manager grants, saying why —
    or reject with a reason."""

    yes = _("同意延期")
    no = _("不同意延期")
    no_needs_reason = _("不同意延期时请写明理由。")

    granted_due = forms.DateField(
        label=_("同意延至"),
        required=False,
        widget=DateInput(),
        validators=NOT_TOO_FAR,
        help_text=_("留空即按申请的日期；改为其他日期时请在意见说明中写明理由。"),
    )

    def __init__(self, *args, extension=None, **kwargs):
        self.extension = extension
        super().__init__(*args, **kwargs)
        if extension is not None:
            self.fields["granted_due"].initial = extension.new_due

    def clean(self):
        data = super().clean()
        granted = data.get("granted_due")
        if (
            self.extension is not None
            and data.get("decision") == "yes"
            and granted
            and granted != self.extension.new_due
            and not data.get("reason")
        ):
            self.add_error("reason", _("同意延至申请以外的日期时，请写明理由。"))
        return data


class LeadReviewForm(_DecisionForm):
    """牵头单位初审: pass the completion request on with an opinion, or return it."""

    yes = _("同意，报督查审核")
    no = _("退回责任单位")
    no_needs_reason = _("请写明初审意见。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("初审意见")
        self.fields["reason"].required = True
        self.fields["reason"].error_messages["required"] = _("请写明初审意见。")


class DraftReviewForm(_DecisionForm):
    """单位负责人审核: approve the draft (it is filed), or return it with a reason."""

    yes = _("同意报送")
    no = _("退回修改")
    no_needs_reason = _("退回时请写明理由。")


class TaskSummaryForm(OwnWordsForm):
    """汇总报送 by the lead body."""

    as_of = forms.DateField(label=_("情况截至"), widget=DateInput())
    text = forms.CharField(
        label=_("汇总情况"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("本任务总体进展、各责任单位落实情况、存在问题和下一步打算（4000 字以内）。"),
    )

    def __init__(self, *args, today=None, **kwargs):
        self.today = today or timezone.localdate()
        super().__init__(*args, **kwargs)
        self.fields["as_of"].initial = self.today

    def clean_as_of(self):
        as_of = self.cleaned_data["as_of"]
        if as_of > self.today:
            raise ValidationError(_("截至日期不能晚于今天（%(day)s）。") % {"day": self.today})
        return as_of

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError(_("请填写汇总情况。"))
        return text
