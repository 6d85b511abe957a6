"""Forms of the plan edits an administrator makes on the task page: a deadline, a body."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker import states
from tracker.forms.widgets import NOT_TOO_FAR, DateInput, OwnWordsForm, speak_our_words
from tracker.models import Assignment, Body, Measure
from tracker.services.documents import office_date

REASON_HELP = _("写明依据（会议纪要、文件、领导批示等），将与决定一起显示。")


def _choose_measure(field, task):
    """The task's measures, named by number and the start of their text."""
    field = cast(forms.ModelChoiceField, field)
    field.queryset = task.measures.all()
    field.label_from_instance = lambda m: f"{m.number}. {m.text[:30]}"


class ConfirmsPastDate(OwnWordsForm):
    """For a form with a date field (`date_field`) and a `confirm_past` field: a date already
    past makes the work overdue at once, so the administrator is warned and confirms it
    before it is saved. The confirmation is a checkbox once a date is entered (the warning
    names the date), hidden before."""

    date_field = ""
    today: dt.date

    def _offer_confirmation(self):
        if self.is_bound and self.data.get(self.add_prefix(self.date_field)):
            self.fields["confirm_past"].widget = forms.CheckboxInput()

    def _check_past(self, day):
        if day and day < self.today and not self.cleaned_data.get("confirm_past"):
            self.add_error(
                "confirm_past",
                _(
                    "%(day)s 已经过去：保存后，尚未销号的相关工作将立即显示为逾期。"
                    "如确需设定，请勾选“确认设定已经过去的日期”后再保存。"
                )
                % {"day": day.isoformat()},
            )


class ConfirmsMilestoneOrder(OwnWordsForm):
    """A milestone (阶段性目标) is a stage on the way to the deadline: one later than the
    deadline it applies to, or a deadline earlier than a milestone already set, is most
    likely a typing slip, but may be meant (the deadline is about to be extended). As for a
    past date (ConfirmsPastDate) the administrator is warned and confirms it: the
    `confirm_after` checkbox appears with the warning."""

    def _check_order(self, *, milestone, deadline, message):
        if (
            milestone
            and deadline
            and milestone > deadline
            and not self.cleaned_data.get("confirm_after")
        ):
            self.fields["confirm_after"].widget = forms.CheckboxInput()
            self.add_error("confirm_after", message)


def confirm_after_field():
    return forms.BooleanField(
        label=_("确认阶段性目标晚于完成时限"), required=False, widget=forms.HiddenInput
    )


def confirm_past_field():
    return forms.BooleanField(
        label=_("确认设定已经过去的日期"), required=False, widget=forms.HiddenInput
    )


class DeadlineForm(ConfirmsPastDate, ConfirmsMilestoneOrder):
    """A deadline the text does not say (a past one confirmed: ConfirmsPastDate)."""

    id_prefix = date_field = "deadline"

    measure: forms.ModelChoiceField[Measure] = forms.ModelChoiceField(
        label=_("适用于"), queryset=None, required=False, empty_label=_("整项任务")
    )
    deadline = forms.DateField(
        label=_("完成时限"), required=False, widget=DateInput, validators=NOT_TOO_FAR
    )
    ongoing = forms.BooleanField(label=_("长期任务（无完成日期）"), required=False)
    reason = forms.CharField(label=_("设定依据"), max_length=300, help_text=REASON_HELP)
    confirm_past = confirm_past_field()
    confirm_after = confirm_after_field()

    def __init__(self, *args, task, today=None, **kwargs):
        self.task = task
        self.today = today or timezone.localdate()
        super().__init__(*args, **kwargs)
        _choose_measure(self.fields["measure"], task)
        self._offer_confirmation()

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("ongoing") and data.get("deadline"):
            raise ValidationError(_("长期任务不设完成日期：请只选其一。"))
        if not data.get("ongoing") and not data.get("deadline") and "deadline" not in self.errors:
            self.add_error("deadline", _("请填写完成时限，或勾选“长期任务”。"))
        self._check_past(data.get("deadline"))
        self._check_milestones(data.get("measure"), data.get("deadline"))
        return data

    def _check_milestones(self, measure, deadline):
        """Warn when the new deadline comes before a milestone already set on the same task
        or measure (its own: those of one body's share follow that body's date)."""
        if deadline is None:
            return
        latest = (
            self.task.milestones.filter(
                measure=measure, assignment__isnull=True, withdrawn=False, due__gt=deadline
            )
            .order_by("-due", "-pk")
            .first()
        )
        if latest is None:
            return
        self._check_order(
            milestone=latest.due,
            deadline=deadline,
            message=_(
                "完成时限%(deadline)s早于已设定的阶段性目标“%(text)s”（%(day)s）："
                "阶段性目标应在完成时限之前。请核对日期；如确需设定，"
                "请勾选“确认阶段性目标晚于完成时限”后再保存。"
            )
            % {
                "deadline": office_date(deadline),
                "text": latest.text,
                "day": office_date(latest.due),
            },
        )


class MilestoneForm(ConfirmsPastDate, ConfirmsMilestoneOrder):
    """阶段性目标 on the task page: for the whole task, one measure or one body's share. A
    plan loaded late may have stages already missed: a past date is confirmed
    (ConfirmsPastDate)."""

    id_prefix = "milestone"
    date_field = "due"

    scope = forms.ChoiceField(label=_("适用于"))
    due = forms.DateField(label=_("完成日期"), widget=DateInput, validators=NOT_TOO_FAR)
    text = forms.CharField(
        label=_("阶段性目标"), max_length=300, help_text=_("到该日期应完成什么，如“完成园区选址”。")
    )
    reason = forms.CharField(label=_("设定依据"), max_length=300, help_text=REASON_HELP)
    confirm_past = confirm_past_field()
    confirm_after = confirm_after_field()

    def __init__(self, *args, task, today=None, **kwargs):
        self.task = task
        self.today = today or timezone.localdate()
        super().__init__(*args, **kwargs)
        self._offer_confirmation()
        choices: list[tuple[str, object]] = [("task", _("整项任务（本任务各责任单位）"))]
        for m in task.measures.all():
            choices.append(
                (f"measure-{m.pk}", _("措施 %(n)s.%(m)s") % {"n": task.number, "m": m.number})
            )
        for a in task.assignments.select_related("body", "measure").order_by(
            "measure__number", *Assignment.BODY_ORDER
        ):
            choices.append((f"assignment-{a.pk}", str(a)))
        cast(forms.ChoiceField, self.fields["scope"]).choices = choices

    def clean(self):
        super().clean()
        due = self.cleaned_data.get("due")
        self._check_past(due)
        if due is not None and self.cleaned_data.get("scope"):
            deadline, whose = self._deadline_of_scope()
            self._check_order(
                milestone=due,
                deadline=deadline,
                message=_(
                    "阶段性目标日期%(day)s晚于%(whose)s的完成时限%(deadline)s："
                    "阶段性目标应在完成时限之前。请核对日期；如确需设定，"
                    "请勾选“确认阶段性目标晚于完成时限”后再保存。"
                )
                % {
                    "day": office_date(due),
                    "whose": whose,
                    "deadline": office_date(deadline) if deadline else "",
                },
            )
        return self.cleaned_data

    def _deadline_of_scope(self):
        """(the due date the chosen scope has, its name in the warning): the task's
        deadline, the measure's (else the task's), or the body's date that applies now
        (Assignment.effective_due: an extension's included); None for ongoing work."""
        measure, assignment = self.chosen_scope()
        if assignment is not None:
            return assignment.effective_due, _("%(body)s的这项工作") % {
                "body": assignment.body.name
            }
        if measure is not None:
            deadline = measure.deadline or (None if measure.ongoing else self.task.deadline)
            return deadline, _("措施 %(n)s.%(m)s") % {"n": self.task.number, "m": measure.number}
        return self.task.deadline, _("本任务")

    def chosen_scope(self):
        """(measure, assignment) the milestone is set on."""
        value = self.cleaned_data["scope"]
        if value.startswith("measure-"):
            return self.task.measures.get(pk=int(value.removeprefix("measure-"))), None
        if value.startswith("assignment-"):
            return None, self.task.assignments.get(pk=int(value.removeprefix("assignment-")))
        return None, None


class ReportRuleForm(OwnWordsForm):
    """The plan's reporting calendar and its cap on extensions, set by an administrator."""

    id_prefix = "rule"

    report_rhythm = forms.ChoiceField(
        label=_("填报节奏"), choices=states.Rhythm.choices, widget=forms.RadioSelect
    )
    report_day = forms.IntegerField(
        label=_("截止日（每月或每季度末月）"),
        required=False,
        min_value=1,
        max_value=28,
        help_text=_("如 25 表示“每月25日前”。1–28。"),
    )
    report_period_days = forms.IntegerField(
        label=_("间隔天数"), required=False, min_value=1, max_value=366
    )
    start_date = forms.DateField(
        label=_("跟踪起始"),
        required=False,
        widget=DateInput,
        validators=NOT_TOO_FAR,
        help_text=_("首次填报和序时进度从此日起算。原文未写明时由管理员设定；留空则保持现状。"),
    )
    extension_cap = forms.IntegerField(
        label=_("每项工作最多延期次数"),
        required=False,
        min_value=1,
        max_value=20,
        help_text=_("留空表示不限次数。"),
    )
    reason = forms.CharField(label=_("设定依据"), max_length=300, help_text=REASON_HELP)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        rhythm = data.get("report_rhythm")
        if rhythm in (states.Rhythm.MONTHLY, states.Rhythm.QUARTERLY) and not data.get(
            "report_day"
        ):
            self.add_error("report_day", _("按月或按季度填报时，请填写截止日。"))
        if rhythm == states.Rhythm.DAYS and not data.get("report_period_days"):
            self.add_error("report_period_days", _("按天数填报时，请填写间隔天数。"))
        return data


class AssignForm(OwnWordsForm):
    id_prefix = "assign"

    measure: forms.ModelChoiceField[Measure] = forms.ModelChoiceField(
        label=_("适用于"), queryset=None, required=False, empty_label=_("整项任务")
    )
    body: forms.ModelChoiceField[Body] = forms.ModelChoiceField(
        label=_("责任单位"), queryset=None, required=False, empty_label=_("（选择已有单位）")
    )
    new_body = forms.CharField(
        label=_("或新增单位名称"),
        max_length=100,
        required=False,
        help_text=_("列表中没有时填写，如“市数据局”。"),
    )
    new_kind = forms.ChoiceField(
        label=_("新单位类型"), choices=Body.Kind.choices, initial=Body.Kind.DEPARTMENT
    )
    role = forms.ChoiceField(label=_("角色"), choices=Assignment.Role.choices)
    reason = forms.CharField(label=_("设定依据"), max_length=500, help_text=REASON_HELP)

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        _choose_measure(self.fields["measure"], task)
        body = cast(forms.ModelChoiceField, self.fields["body"])
        body.queryset = Body.objects.filter(jurisdiction=task.plan.jurisdiction)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        body, new_name = data.get("body"), (data.get("new_body") or "").strip()
        if body and new_name:
            raise ValidationError(_("请选择已有单位或填写新单位，二选一。"))
        if not body and not new_name:
            self.add_error("body", _("请选择责任单位，或填写新单位名称。"))
        data["new_body"] = new_name
        return data


class ArchiveForm(OwnWordsForm):
    """归档 or 恢复 a plan: a decision, so it says why."""

    id_prefix = "archive"

    reason = forms.CharField(
        label=_("依据"),
        max_length=300,
        help_text=REASON_HELP,
        error_messages={"required": _("请写明归档或恢复的依据。")},
    )


class BodyContactForm(forms.ModelForm):
    """An administrator keeps a body's 责任人 and contacts (the list's exports carry them)."""

    class Meta:
        model = Body
        fields = ["leader", "contact_name", "contact_phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        speak_our_words(self)
