"""Forms of the plan edits an administrator makes on the task page: a deadline, a body."""

from __future__ import annotations

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tracker.forms.widgets import DateInput
from tracker.models import Assignment, Body, Measure

REASON_HELP = _("写明依据（会议纪要、文件、领导批示等），将与决定一起显示。")


def _choose_measure(field, task):
    """The task's measures, named by number and the start of their text."""
    field = cast(forms.ModelChoiceField, field)
    field.queryset = task.measures.all()
    field.label_from_instance = lambda m: f"{m.number}. {m.text[:30]}"


class DeadlineForm(forms.Form):
    measure: forms.ModelChoiceField[Measure] = forms.ModelChoiceField(
        label=_("适用于"), queryset=None, required=False, empty_label=_("整项任务")
    )
    deadline = forms.DateField(label=_("完成时限"), required=False, widget=DateInput)
    ongoing = forms.BooleanField(label=_("长期任务（无完成日期）"), required=False)
    reason = forms.CharField(label=_("设定依据"), max_length=300, help_text=REASON_HELP)

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        _choose_measure(self.fields["measure"], task)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("ongoing") and data.get("deadline"):
            raise ValidationError(_("长期任务不设完成日期：请只选其一。"))
        if not data.get("ongoing") and not data.get("deadline"):
            self.add_error("deadline", _("请填写完成时限，或勾选“长期任务”。"))
        return data


class AssignForm(forms.Form):
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


class ArchiveForm(forms.Form):
    """归档 or 恢复 a plan: a decision, so it says why."""

    reason = forms.CharField(label=_("依据"), max_length=300, help_text=REASON_HELP)


class BodyContactForm(forms.ModelForm):
    """An administrator keeps a body's 责任人 and contacts (the list's exports carry them)."""

    class Meta:
        model = Body
        fields = ["leader", "contact_name", "contact_phone"]
