"""Forms of the managers' pages: the list's filters (django-filter), a reminder (催办), the
choice of a plan and of a bulletin's date."""

import datetime as dt
import functools

import django_filters as df
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from tracker import states
from tracker.forms.widgets import NOT_TOO_FAR, DateInput, OwnWordsForm, speak_our_words
from tracker.models import (
    Assignment,
    Body,
    Category,
    Plan,
    ProgressStatus,
    Reminder,
    Task,
    label_bodies,
)
from tracker.services.documents import office_date

MESSAGE_MAX = 1000


class ReminderForm(OwnWordsForm):
    """催办: the level (the manager's choice, proposed by services.reminders.suggested_level;
    a lead body only reminds or chases), the message, and for a 督办函 its 文号 and the day
    by which the body replies."""

    level = forms.ChoiceField(
        label=_("催办级别"), choices=Reminder.Level.choices, widget=forms.RadioSelect
    )
    doc_number = forms.CharField(
        label=_("督办函文号"),
        max_length=60,
        required=False,
        help_text=_("如“聊督办函〔2026〕5号”。仅督办函填写。"),
    )
    reply_by = forms.DateField(
        label=_("回复期限"),
        required=False,
        widget=DateInput,
        validators=NOT_TOO_FAR,
        help_text=_("仅督办函填写。催办内容用的是建议文字时，其中的“3 日内”将改为此日期。"),
    )
    message = forms.CharField(
        label=_("催办内容"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "将记入该项工作的记录，显示在责任单位的“我的任务”中，并发送邮件给登记了邮箱的工作人员。"
        ),
        error_messages={"required": _("请填写催办内容。")},
    )

    def __init__(self, *args, levels=None, today=None, **kwargs):
        self.today = today or timezone.localdate()
        super().__init__(*args, **kwargs)
        if levels is not None:
            field = self.fields["level"]
            field.choices = [c for c in Reminder.Level.choices if c[0] in levels]  # type: ignore[attr-defined]
            if Reminder.Level.LETTER not in levels:
                # A lead body only reminds or chases: a 督办函's 文号 and reply day are not its
                # to give, so they are not offered (hidden, they clean to nothing).
                for name in ("doc_number", "reply_by"):
                    self.fields[name].widget = forms.HiddenInput()

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("level") == Reminder.Level.LETTER:
            if not (data.get("doc_number") or "").strip():
                self.add_error("doc_number", _("督办函须写明文号。"))
            reply_by = data.get("reply_by")
            if reply_by is None:
                self.add_error("reply_by", _("督办函须写明回复期限。"))
            elif reply_by < self.today:
                self.add_error("reply_by", _("回复期限不能早于今天。"))
        return data


class BulletinForm(OwnWordsForm):
    """通报: as of which day, and for which plan (all plans when none is chosen). The day lies
    between EARLIEST_DAY and LATEST_YEARS years after today: the states are computed for it
    (tracker/states.py), and a date at the end of the calendar would overflow them."""

    EARLIEST_DAY = dt.date(2000, 1, 1)
    LATEST_YEARS = 10

    date = forms.DateField(label=_("截至日期"), required=False, widget=DateInput)
    plan = forms.ModelChoiceField(
        label=_("实施方案"),
        queryset=Plan.objects.current(),
        to_field_name="slug",
        required=False,
        empty_label=_("全部方案"),
    )

    def __init__(self, *args, today=None, **kwargs):
        self.today = today or timezone.localdate()
        super().__init__(*args, **kwargs)
        offer_plans(self.fields["plan"], self["plan"].value() or "")

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


class BulletinComposeForm(OwnWordsForm):
    """起草通报: the plan (all plans when none) and the as-of day come from the page's first
    step and travel as hidden fields; the manager writes the title, the main recipients,
    the opening and 下一步要求, and ticks `confirm` to issue."""

    plan = forms.ModelChoiceField(
        label=_("实施方案"),
        queryset=Plan.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.HiddenInput,
    )
    date = forms.DateField(
        label=_("截至日期"),
        widget=forms.HiddenInput,
        error_messages={"required": _("请选择截至日期。")},
    )
    title = forms.CharField(
        label=_("标题"), max_length=200, error_messages={"required": _("请填写通报标题。")}
    )
    recipients = forms.CharField(
        label=_("主送机关"),
        max_length=300,
        required=False,
        help_text=_("以全角冒号结尾，如“各县（市、区）人民政府，市政府有关部门：”。"),
    )
    opening = forms.CharField(
        label=_("开头语"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    requirements = forms.CharField(
        label=_("下一步要求"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_(
            "每行一段。以“（一）”“一、”“1.”开头的行按公文层次排版：序号和第一句用楷体或黑体，其余用仿宋。"
        ),
    )
    confirm = forms.BooleanField(
        label=_("我已核对通报内容，确认印发。印发后编入文号，不能修改或撤回。"), required=False
    )

    def __init__(self, *args, today=None, **kwargs):
        self.today = today or timezone.localdate()
        super().__init__(*args, **kwargs)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if not BulletinForm.EARLIEST_DAY <= day <= self.today:
            raise ValidationError(
                _("截至日期应在 %(first)s 至今天（%(today)s）之间：通报的是已经发生的情况。")
                % {
                    "first": office_date(BulletinForm.EARLIEST_DAY),
                    "today": office_date(self.today),
                }
            )
        return day

    def texts(self):
        """The texts the service takes, from a valid form."""
        data = self.cleaned_data
        return {key: data[key] for key in ("title", "recipients", "opening", "requirements")}


class PlanChoiceForm(OwnWordsForm):
    plan = forms.ModelChoiceField(
        label=_("实施方案"),
        queryset=Plan.objects.current(),
        to_field_name="slug",
        required=False,
        empty_label=_("全部方案"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_plans(self.fields["plan"], self["plan"].value() or "")


# --- the overdue and progress list (逾期与进度清单) -------------------------------------------

# Sortable columns: parameter → the fields it sorts by. Empty values always go last.
SORTS = {
    "task": ["task__plan__pinyin", "task__number", "measure__number"],
    # Bodies in their customary order, then by the reading of their names (Body.pinyin).
    "body": ["body__kind", "body__position", "body__pinyin"],
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


def _bodies_seen(request):
    """The bodies of the assignments the user may see, in their customary order: for each
    body one look-up in the assignments' body index, not a pass over all assignments."""
    from tracker.access import is_manager, visible_assignments

    user = getattr(request, "user", None)
    if user is None:
        return Body.objects.none()
    if is_manager(user):
        bodies = Body.objects.filter(Exists(Assignment.objects.filter(body=OuterRef("pk"))))
    else:
        # Body staff see their body's work and the work it leads: those few assignments
        # are found by index, and their bodies are the options.
        bodies = Body.objects.filter(pk__in=visible_assignments(user).values("body"))
    return bodies.only(
        "pk", "name", "jurisdiction", "kind", "position", "pinyin", "collective"
    ).order_by("kind", "position", "pinyin")


# The plan chooser offers the chosen plan and the most recent ones, never all of them: a
# province tracks hundreds (any plan can still be chosen by its link, e.g. from its page).
PLAN_CHOICES = 30


def offer_plans(field, chosen):
    """Limit a plan field's options to the chosen plan (a slug, or a Plan) and the
    PLAN_CHOICES plans tracked most recently; return the chosen Plan (None when none). The
    field still accepts any current plan: only what the page lists is bounded."""
    if isinstance(chosen, Plan):
        chosen = chosen.slug
    plans = Plan.objects.current().only("pk", "slug", "title")
    recent = list(plans.order_by(F("start_date").desc(nulls_last=True), "pinyin")[:PLAN_CHOICES])
    if chosen and all(p.slug != chosen for p in recent):
        recent = [*plans.filter(slug=chosen), *recent]
    empty = getattr(field, "empty_label", None) or ALL
    field.widget.choices = [("", empty)] + [(p.slug, p.title) for p in recent]
    return next((p for p in recent if p.slug == chosen), None)


class NullsLastOrderingFilter(df.OrderingFilter):
    """django-filter's OrderingFilter with what the list needs on top: a parameter may sort
    by several fields, empty values go last in either direction, and every order ends on a
    tiebreak that includes the primary key, so pages never overlap."""

    def __init__(self, *args, sorts, labels, tiebreak, **kwargs):
        self.sorts = sorts
        self.tiebreak = tiebreak
        # A callable, so the labels are translated when the form is built, not at import.
        kwargs["choices"] = functools.partial(self.sort_choices, labels)
        super().__init__(*args, fields=list(sorts), **kwargs)

    @staticmethod
    def sort_choices(labels):
        choices = []
        for key, label in labels.items():
            choices.append((key, _("%(label)s（升序）") % {"label": label}))
            choices.append((f"-{key}", _("%(label)s（降序）") % {"label": label}))
        return choices

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        keys = []
        for param in value:
            if param in EMPTY_VALUES:
                continue
            descending = param.startswith("-")
            for name in self.sorts[param.removeprefix("-")]:
                keys.append(
                    F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
                )
        return qs.order_by(*keys, *self.tiebreak)


FLAGS = [
    ("overdue", _("逾期")),
    ("due_soon", _("临期")),
    ("behind_pace", _("滞后于序时进度")),
    ("silent", _("未按时填报")),
]


ALL = _("全部")


class AssignmentFilter(df.FilterSet):
    """The list's filters over `visible_assignments(user).for_overdue_list(today)`: what the
    page shows is exactly what its exports hold. The filter state lives in the URL's query
    string, so a link to a filtered list can be shared.

    The text search is a case-insensitive substring match (icontains) on the task's title,
    the measure's text, the task's source text and the body's name. Both SQLite (LIKE) and
    PostgreSQL (UPPER … LIKE) match Chinese characters as plain substrings; each word of the
    query must match somewhere."""

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
        queryset=Plan.objects.current(),
    )
    category = df.ModelChoiceFilter(
        empty_label=ALL, label=_("类别"), field_name="task__category", queryset=Category.objects
    )
    task = df.ModelChoiceFilter(empty_label=ALL, label=_("任务"), queryset=Task.objects.active())
    # The counties and bodies offered are those of what the user may see (`request.user`):
    # a county's clerk is not offered the seven other counties.
    county = df.ModelChoiceFilter(
        empty_label=ALL,
        label=_("县（市、区）"),
        field_name="body",
        queryset=lambda request: _bodies_seen(request).filter(kind="county"),
    )
    body = df.ModelChoiceFilter(
        empty_label=ALL,
        label=_("责任单位"),
        queryset=lambda request: _bodies_seen(request),
    )
    role = df.ChoiceFilter(empty_label=ALL, label=_("角色"), choices=Assignment.Role.choices)
    light = df.ChoiceFilter(
        empty_label=ALL, label=_("亮灯"), choices=states.Light.choices, method="lit"
    )
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
    o = NullsLastOrderingFilter(
        label=_("排序"),
        sorts=SORTS,
        labels=SORT_LABELS,
        tiebreak=Assignment.LIST_TIEBREAK,
        empty_label=_("按紧急程度"),
    )

    class Meta:
        model = Assignment
        fields: list[str] = []

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The day the queryset's states were computed for (for_overdue_list(today)).
        self.today = today or timezone.localdate()

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            speak_our_words(form)
            self._scope_choices(form)
        return self._form

    def _scope_choices(self, form):
        """What the form offers, so that it never lists the whole database: the plan
        chooser the chosen plan and the PLAN_CHOICES most recent plans; categories and tasks
        those of the chosen plan only (none before a plan is chosen). Any valid value is
        still accepted (the querysets are unchanged): only the options shown are scoped."""
        # The page reloads when the plan changes (manage.js), so that these follow it.
        form.fields["plan"].widget.attrs["data-reload"] = True
        for name in ("category", "task"):
            form.fields[name].widget.attrs["data-follows"] = "plan"
        plan = offer_plans(form.fields["plan"], self.data.get("plan") or "")
        self._bodies_of(form, plan)
        if plan is None:
            hint = [("", _("（请先选择实施方案）"))]
            form.fields["category"].widget.choices = hint
            form.fields["task"].widget.choices = hint
            return
        categories = Category.objects.filter(plan=plan).only("pk", "number", "title")
        tasks = Task.objects.active().filter(plan=plan).only("pk", "number", "title", "plan")
        form.fields["category"].widget.choices = [("", ALL)] + [
            (c.pk, str(c)) for c in categories.order_by("number")
        ]
        form.fields["task"].widget.choices = [("", ALL)] + [
            (t.pk, str(t)) for t in tasks.order_by("number")
        ]

    def _bodies_of(self, form, plan):
        """The counties and bodies offered, named apart where two share a name (label_bodies).
        With a plan chosen, those with work in it (found through the plan's tasks, by index),
        and the one chosen: a body of another plan listed nothing."""
        for name in ("county", "body"):
            field = form.fields[name]
            bodies = field.queryset
            if plan is not None:
                chosen = str(self.data.get(name) or "")
                shown = Q(pk__in=Assignment.objects.filter(task__plan=plan).values("body"))
                # A value that is no key (validation tells the user) selects nothing to add.
                if chosen.isascii() and chosen.isdigit() and len(chosen) <= 9:
                    shown |= Q(pk=int(chosen))
                bodies = bodies.filter(shown)
            field.widget.choices = [("", ALL)] + [(b.pk, b.label) for b in label_bodies(bodies)]

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(task__title__icontains=word)
                | Q(measure__text__icontains=word)
                | Q(task__source_text__icontains=word)
                | Q(body__name__icontains=word)
            )
        return queryset

    # Overdue work only (the red light, the 逾期 flag, days overdue): the same rows and the
    # same order as the default's, written so that the database reads them from the overdue
    # index in order (AssignmentQuerySet.overdue_first). A sort the user chose still
    # applies: `o` is the last filter, and replaces the order.

    def lit(self, queryset, name, value):
        queryset = queryset.filter(states.light_q(value, self.today))
        return queryset.overdue_first() if value == states.Light.RED else queryset

    def flagged(self, queryset, name, value):
        if value == "overdue":
            return self.lit(queryset, name, states.Light.RED)
        return queryset.filter(**{f"is_{value}": True})

    def overdue_at_least(self, queryset, name, value):
        # Overdue by at least `value` days (and at least one: overdue at all) is overdue
        # since that many days before today or earlier.
        days = max(int(value), 1)
        since = self.today - dt.timedelta(days=days)
        overdue = self.lit(queryset, name, states.Light.RED)
        return overdue.filter(overdue_since__lte=since)

    def in_words(self, exclude=()):
        """The filters in force as a person would read them, e.g. “县（市、区）：莘县；亮灯：
        红灯”; empty when none; the fields named in `exclude` left out. For the access
        records and the title row of an export. A value the form refuses (a stale or edited
        URL) is left out of the words as it is left out of the filtering: the fields it
        cleaned still filter the list, so they are named even when another one failed."""
        form = self.form
        form.is_valid()  # cleans every field; the valid ones are in cleaned_data
        parts = []
        for name, field in form.fields.items():
            if name in exclude:
                continue
            value = form.cleaned_data.get(name)
            if value in EMPTY_VALUES:
                continue
            parts.append(f"{field.label}：{_shown(field, value)}")
        return "；".join(parts)


def _shown(field, value):
    """A filter's value as its form shows it: a row by its name, a choice by its label."""
    if isinstance(value, list | tuple):
        return "、".join(_shown(field, item) for item in value)
    if isinstance(value, dt.date):
        return office_date(value)
    if isinstance(value, models.Model):
        return str(value)
    labels = {str(key): str(label) for key, label in getattr(field, "choices", ())}
    return labels.get(str(value), str(value))
