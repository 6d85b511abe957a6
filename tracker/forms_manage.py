"""Forms for managers' pages: a reminder (催办) and the choice of a bulletin's date."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker.models import Plan

MESSAGE_MAX = 1000


class ReminderForm(forms.Form):
    message = forms.CharField(
        label=_("催办内容"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "将记入该项工作的记录，显示在责任单位的“我的任务”中，并发送邮件给登记了邮箱的工作人员。"
        ),
        error_messages={"required": _("请填写催办内容。")},
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class BulletinForm(forms.Form):
    """通报: as of which day, and for which plan (all plans when none is chosen)."""

    date = forms.DateField(label=_("截至日期"), required=False, widget=DateInput)
    plan = forms.ModelChoiceField(
        label=_("实施方案"),
        queryset=Plan.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("全部方案"),
    )


class PlanChoiceForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("实施方案"),
        queryset=Plan.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("全部方案"),
    )
