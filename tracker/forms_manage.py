"""Forms for managers' pages: a reminder (催办) and the choice of a bulletin's date."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.forms import DateInput
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


class BulletinForm(forms.Form):
    """通报: as of which day, and for which plan (all plans when none is chosen). The day lies
    between EARLIEST_DAY and LATEST_YEARS years after today: the states are computed for it
    (tracker/states.py), and a date at the end of the calendar would overflow them."""

    EARLIEST_DAY = dt.date(2000, 1, 1)
    LATEST_YEARS = 10

    date = forms.DateField(label=_("截至日期"), required=False, widget=DateInput)
    plan = forms.ModelChoiceField(
        label=_("实施方案"),
        queryset=Plan.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("全部方案"),
    )

    def __init__(self, *args, today=None, **kwargs):
        self.today = today or timezone.localdate()
        super().__init__(*args, **kwargs)

    @property
    def latest_day(self):
        try:
            return self.today.replace(year=self.today.year + self.LATEST_YEARS)
        except ValueError:  # 29 February
            return self.today.replace(year=self.today.year + self.LATEST_YEARS, day=28)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day is not None and not self.EARLIEST_DAY <= day <= self.latest_day:
            raise ValidationError(
                _("截至日期应在 %(first)s 至 %(last)s 之间。")
                % {"first": self.EARLIEST_DAY.isoformat(), "last": self.latest_day.isoformat()}
            )
        return day


class PlanChoiceForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("实施方案"),
        queryset=Plan.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("全部方案"),
    )
