"""The access records' filters (访问记录, /audit/)."""

import django_filters as df
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracker.forms.widgets import DateInput
from tracker.models import AccessRecord


class AccessRecordFilter(df.FilterSet):
    """Filter the access records by kind, person or file / export, and day (local dates)."""

    kind = df.ChoiceFilter(
        empty_label=_("全部"), label=_("类型"), choices=AccessRecord.Kind.choices
    )
    who = df.CharFilter(
        label=_("访问人"),
        method="by_person",
        max_length=150,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    subject = df.CharFilter(
        label=_("内容"),
        field_name="subject",
        lookup_expr="icontains",
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    since = df.DateFilter(
        label=_("日期自"), field_name="created_at", lookup_expr="date__gte", widget=DateInput
    )
    until = df.DateFilter(
        label=_("日期至"), field_name="created_at", lookup_expr="date__lte", widget=DateInput
    )

    class Meta:
        model = AccessRecord
        fields: list[str] = []

    def by_person(self, queryset, name, value):
        """The name as recorded, or the account's username."""
        return queryset.filter(Q(user_name__icontains=value) | Q(user__username__icontains=value))
