"""The overdue and progress list (逾期与进度清单): one FilterSet over assignments, used by the
page, its table fragment and its exports, so an export holds exactly what the page lists.

Everything starts from `list_queryset(user, today)`: the active assignments the user may see
(tracker.access.visible_assignments: everything for managers, their own and what their body
leads for body staff) with the states of tracker/states.py. The filter state lives in the
URL's query string, so a link to a filtered list can be shared.

The text search is a case-insensitive substring match (icontains) on the task's title, the
measure's text, the task's source text and the body's name. Both SQLite (LIKE) and
PostgreSQL (UPPER … LIKE) match Chinese characters as plain substrings; each word of the
query must match somewhere.
"""

import django_filters as df
from django import forms
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from tracker import states
from tracker.access import visible_assignments
from tracker.forms import DateInput
from tracker.models import (
    TASK_BEFORE_MEASURES,
    Assignment,
    Body,
    Category,
    Plan,
    ProgressStatus,
    Task,
)


def days_overdue(today):
    """Whole days an overdue assignment is past its due date (due yesterday: 1); NULL when
    it is not overdue (states.overdue_q decides that)."""
    return Case(
        When(
            states.overdue_q(today),
            then=Value(states.day_number(today)) - states.DayNumber(F("due")),
        ),
        default=None,
        output_field=IntegerField(),
    )


# The most urgent first: red before yellow, the longest overdue, the earliest due, then the
# plan's own order. Ties always end on the primary key, so pages never overlap.
TIEBREAK = [
    "task__plan__title",
    "task__number",
    TASK_BEFORE_MEASURES,
    "body__name",
    "pk",
]
URGENCY = [
    "-light_rank",
    F("days_overdue").desc(nulls_last=True),
    F("due").asc(nulls_last=True),
    *TIEBREAK,
]

# Sortable columns: parameter → the fields it sorts by. Empty values always go last.
SORTS = {
    "task": ["task__plan__title", "task__number", "measure__number"],
    "body": ["body__name"],
    "light": ["light_rank"],
    "due": ["due"],
    "overdue": ["days_overdue"],
    "percent": ["percent"],
    "reported": ["last_reported_at"],
}
SORT_LABELS = {
    "task": _("任务"),
    "body": _("责任单位"),
    "light": _("亮灯"),
    "due": _("完成时限"),
    "overdue": _("逾期天数"),
    "percent": _("完成百分比"),
    "reported": _("最近填报"),
}


def sort_choices():
    choices = []
    for key, label in SORT_LABELS.items():
        choices.append((key, _("%(label)s（升序）") % {"label": label}))
        choices.append((f"-{key}", _("%(label)s（降序）") % {"label": label}))
    return choices


def ordering(value):
    """order_by() arguments for a sort parameter such as "due" or "-overdue"."""
    descending = value.startswith("-")
    fields = SORTS[value.lstrip("-")]
    if descending:
        keys = [F(f).desc(nulls_last=True) for f in fields]
    else:
        keys = [F(f).asc(nulls_last=True) for f in fields]
    return [*keys, *TIEBREAK]


def list_queryset(user, today):
    """What the list and its exports start from, most urgent first."""
    return (
        visible_assignments(user)
        .active()
        .for_list()
        .with_state(today)
        .annotate(days_overdue=days_overdue(today))
        .order_by(*URGENCY)
    )


FLAGS = [
    ("overdue", _("逾期")),
    ("due_soon", _("临期")),
    ("behind_pace", _("滞后于序时进度")),
    ("silent", _("未按时填报")),
]


ALL = _("全部")


class AssignmentFilter(df.FilterSet):
    q = df.CharFilter(
        label=_("搜索"),
        method="search",
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("任务、措施、原文或单位")}
        ),
    )
    plan = df.ModelChoiceFilter(
        empty_label=ALL,
        label=_("实施方案"),
        field_name="task__plan",
        to_field_name="slug",
        queryset=Plan.objects,
    )
    category = df.ModelChoiceFilter(
        empty_label=ALL, label=_("类别"), field_name="task__category", queryset=Category.objects
    )
    task = df.ModelChoiceFilter(empty_label=ALL, label=_("任务"), queryset=Task.objects.active())
    county = df.ModelChoiceFilter(
        empty_label=ALL,
        label=_("县（市、区）"),
        field_name="body",
        queryset=Body.objects.filter(kind="county"),
    )
    body = df.ModelChoiceFilter(
        empty_label=ALL,
        label=_("责任单位"),
        queryset=Body.objects.filter(assignments__isnull=False).distinct(),
    )
    role = df.ChoiceFilter(empty_label=ALL, label=_("角色"), choices=Assignment.Role.choices)
    light = df.ChoiceFilter(empty_label=ALL, label=_("亮灯"), choices=states.Light.choices)
    flag = df.ChoiceFilter(empty_label=ALL, label=_("状态标记"), choices=FLAGS, method="flagged")
    status = df.ChoiceFilter(empty_label=ALL, label=_("进展状态"), choices=ProgressStatus.choices)
    signoff = df.ChoiceFilter(empty_label=ALL, label=_("销号"), choices=states.SignOff.choices)
    due_after = df.DateFilter(
        label=_("完成时限自"), field_name="due", lookup_expr="gte", widget=DateInput
    )
    due_before = df.DateFilter(
        label=_("完成时限至"), field_name="due", lookup_expr="lte", widget=DateInput
    )
    overdue_days = df.NumberFilter(
        label=_("逾期天数不少于"),
        method="overdue_at_least",
        min_value=0,
        max_value=100000,
        decimal_places=0,
    )
    o = df.ChoiceFilter(
        label=_("排序"), choices=sort_choices, method="sort", empty_label=_("按紧急程度")
    )

    class Meta:
        model = Assignment
        fields = []

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(task__title__icontains=word)
                | Q(measure__text__icontains=word)
                | Q(task__source_text__icontains=word)
                | Q(body__name__icontains=word)
            )
        return queryset

    def flagged(self, queryset, name, value):
        return queryset.filter(**{f"is_{value}": True})

    def overdue_at_least(self, queryset, name, value):
        return queryset.filter(is_overdue=True, days_overdue__gte=int(value))

    def sort(self, queryset, name, value):
        return queryset.order_by(*ordering(value))
