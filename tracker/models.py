"""The plan's structure: Plan → Category → Task → Measure, the bodies that answer for them
(Assignment) and the countable targets. Rows refer to each other by natural keys so the
fixtures generated from seeds/ read as names, not ids.

Where a value can come either from the plan text or from a person, a `*_source` field
says which, and a person's decision keeps its reason beside it.
"""

import datetime as dt
import functools
import uuid
from collections import Counter
from contextlib import nullcontext

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import (
    Case,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tracker import states
from tracker.text import plain_number


class Source(models.TextChoices):
    """Who decided a value: the plan's text, or an administrator — in the review file that
    came with the import, or later on the task page. People read both of the latter as
    管理员确定, with the reason beside it (templates/tracker/_provenance.html)."""

    TEXT = "text", _("方案原文")
    REVIEW = "review", _("管理员确定（导入时）")
    ADMIN = "admin", _("管理员确定（导入后）")


# The sources (and assignment origins) that are a person's decision, not the text's.
DECIDED_BY_PERSON = ("review", "admin")


class PlanQuerySet(models.QuerySet):
    def current(self):
        """Plans being tracked: not archived (归档)."""
        return self.filter(archived_at__isnull=True)

    def archived(self):
        """Plans an administrator archived: kept with every record, tracked no more."""
        return self.filter(archived_at__isnull=False)

    def same_plan(self, *, slug, title, issuer, jurisdiction, sha256):
        """The plan an import of this text updates, or None for a new plan: the same slug
        (the review file's, else the one derived from place and title), else the same title
        and issuer in the same jurisdiction, else the same source file (its sha256)."""
        ways = []
        if slug:
            ways.append(Q(slug=slug))
        if title:
            ways.append(Q(title=title[:200], issuer=issuer[:100], jurisdiction=jurisdiction))
        if sha256:
            ways.append(Q(source_sha256=sha256))
        for way in ways:
            found = self.filter(way).order_by("pk").first()
            if found is not None:
                return found
        return None


_PlanManagerBase = models.Manager.from_queryset(PlanQuerySet)


class PlanManager(_PlanManagerBase):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Plan(models.Model):
    slug = models.SlugField(_("标识"), max_length=80, unique=True)
    title = models.CharField(_("名称"), max_length=200)
    # Plans sort by the reading of their titles, as Body by its name's (pinyin_of).
    pinyin = models.CharField(_("拼音"), max_length=400, blank=True, editable=False)
    jurisdiction = models.CharField(_("所属地区"), max_length=50)
    issuer = models.CharField(_("印发单位"), max_length=100, blank=True)
    issue_date = models.DateField(_("印发日期"), null=True, blank=True)
    start_date = models.DateField(
        _("跟踪起始日期"), null=True, blank=True, help_text=_("序时进度从此日起算。")
    )
    start_date_source = models.CharField(
        _("起始日期来源"), max_length=10, choices=Source.choices, blank=True
    )
    start_date_reason = models.CharField(_("起始日期依据"), max_length=300, blank=True)
    source_name = models.CharField(_("来源文件"), max_length=200, blank=True)
    source_sha256 = models.CharField(_("来源文件 SHA-256"), max_length=64, blank=True)
    source_text = models.TextField(
        _("来源全文"), blank=True, help_text=_("导入时的原文，行号据此对应。")
    )
    source_first_line = models.PositiveIntegerField(_("正文起始行"), null=True, blank=True)
    source_last_line = models.PositiveIntegerField(_("正文结束行"), null=True, blank=True)
    declared_categories = models.PositiveSmallIntegerField(
        _("原文所称类别数"), null=True, blank=True
    )
    declared_tasks = models.PositiveSmallIntegerField(_("原文所称任务数"), null=True, blank=True)
    report_period_days = models.PositiveSmallIntegerField(
        _("填报周期（天）"),
        default=30,
        help_text=_("按天数填报时：超过此天数没有进展填报即为未按时填报。"),
    )
    # The reporting calendar (tracker/states.py: silent). The plan texts seldom say it, so
    # it is a person's decision when set: report_rule_source / report_rule_reason.
    report_rhythm = models.CharField(
        _("填报节奏"), max_length=10, choices=states.Rhythm.choices, default=states.Rhythm.DAYS
    )
    report_day = models.PositiveSmallIntegerField(
        _("填报截止日"),
        null=True,
        blank=True,
        help_text=_("按月或按季度填报时：每月（每季度末月）的这一天前填报，1–28。"),
    )
    report_rule_source = models.CharField(
        _("填报节奏来源"), max_length=10, choices=Source.choices, blank=True
    )
    report_rule_reason = models.CharField(_("填报节奏依据"), max_length=300, blank=True)
    extension_cap = models.PositiveSmallIntegerField(
        _("每项工作最多延期次数"),
        null=True,
        blank=True,
        help_text=_("为空表示不限次数。"),
    )
    source_kind = models.CharField(
        _("来源文件类型"),
        max_length=10,
        blank=True,
        help_text=_("text、docx、pdf、html、xlsx 或 csv：行号对应的是由它转写的文本。"),
    )
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    # 归档: the plan leaves 我的任务, the dashboard, the lists and the reminders; every
    # record stays, and it can be restored (services/plan_edits.py records both).
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("归档人"),
    )
    archive_reason = models.CharField(_("归档依据"), max_length=300, blank=True)

    objects = PlanManager()

    class Meta:
        verbose_name = _("实施方案")
        verbose_name_plural = pgettext_lazy("复数", "实施方案")
        ordering = ["pinyin", "title", "pk"]
        # The roles of tracker/access.py, held through the groups 管理员 and 督查人员.
        permissions = [
            ("administer_plans", _("管理实施方案（导入方案、设定时限和责任单位、查看访问记录）")),
            ("supervise", _("督查（看板、清单、销号和延期审核、催办）")),
        ]
        constraints = [
            models.CheckConstraint(
                name="plan_report_period_positive", condition=Q(report_period_days__gte=1)
            ),
            # Archiving is a decision: it says why.
            models.CheckConstraint(
                name="plan_archive_has_reason",
                condition=Q(archived_at__isnull=True) | ~Q(archive_reason=""),
            ),
            models.CheckConstraint(
                name="plan_report_rhythm_valid", condition=Q(report_rhythm__in=states.Rhythm.values)
            ),
            # A calendar names its day, 1–28 so that every month has it.
            models.CheckConstraint(
                name="plan_report_day_in_month",
                condition=Q(report_rhythm=states.Rhythm.DAYS, report_day__isnull=True)
                | Q(
                    report_rhythm__in=[states.Rhythm.MONTHLY, states.Rhythm.QUARTERLY],
                    report_day__gte=1,
                    report_day__lte=28,
                ),
            ),
            models.CheckConstraint(
                name="plan_report_rule_source_valid",
                condition=Q(report_rule_source__in=["", *Source.values]),
            ),
            models.CheckConstraint(
                name="plan_extension_cap_positive",
                condition=Q(extension_cap__isnull=True) | Q(extension_cap__gte=1),
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    def save(self, *args, **kwargs):
        # The sort key is the title's own reading, never entered by hand.
        self.pinyin = pinyin_of(self.title)
        if "update_fields" in kwargs and "title" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "pinyin"}
        super().save(*args, **kwargs)
        # The tracking start or the reporting calendar may have changed: when each of the
        # plan's assignments must report next follows (Assignment.next_report_on).
        keep_next_report(Assignment.objects.filter(task__plan=self))
        fields = kwargs.get("update_fields")
        if fields is None or {"archived_at", "start_date"} & set(fields):
            # Archived, restored or started on another day: whether its assignments are
            # tracked and where their pace lines start follow (Assignment.pace_start).
            Assignment.objects.filter(task__plan=self).keep_due()

    def get_absolute_url(self):
        return reverse("plan_overview", args=[self.slug])

    @property
    def is_archived(self):
        return self.archived_at is not None

    @property
    def report_rule(self):
        """The reporting calendar as people say it: 每月25日前, 每季度末月25日前, 每30天."""
        return states.rhythm_label(self.report_rhythm, self.report_period_days, self.report_day)

    def source_lines(self, first, last):
        """Lines first..last (1-based, inclusive) of the source text, with their numbers."""
        if not (first and last and self.source_text):
            return []
        lines = self.source_text.splitlines()
        return [(n, lines[n - 1]) for n in range(first, min(last, len(lines)) + 1)]


class CategoryManager(models.Manager):
    def get_by_natural_key(self, plan_slug, number):
        return self.get(plan__slug=plan_slug, number=number)


class Category(models.Model):
    plan = models.ForeignKey(
        Plan, models.CASCADE, related_name="categories", verbose_name=_("实施方案")
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("名称"), max_length=200)
    summary = models.TextField(_("概述"), blank=True)
    first_line = models.PositiveIntegerField(_("起始行"), null=True, blank=True)
    last_line = models.PositiveIntegerField(_("结束行"), null=True, blank=True)

    objects = CategoryManager()

    class Meta:
        verbose_name = _("任务类别")
        verbose_name_plural = pgettext_lazy("复数", "任务类别")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="category_unique_number"),
            models.CheckConstraint(name="category_number_positive", condition=Q(number__gte=1)),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def natural_key(self):
        return (*self.plan.natural_key(), self.number)

    natural_key.dependencies = ["tracker.plan"]  # type: ignore[attr-defined]


def lines_are_ordered(prefix=""):
    """A check that a first/last line pair is either empty or in order."""
    first, last = f"{prefix}first_line", f"{prefix}last_line"
    return Q(**{f"{first}__isnull": True}) | Q(**{f"{last}__gte": F(first)})


class TaskQuerySet(models.QuerySet):
    def active(self):
        """Tasks being tracked: the current revision of the plan still contains them, and
        the plan is not archived."""
        return self.filter(withdrawn=False, plan__archived_at__isnull=True)

    def overdue(self, today):
        """逾期: an assignment of the task is overdue (by its own due date, which an approved
        extension may have moved past the task's deadline), or nobody answers for the task
        and its deadline has passed. The same as a red light (tracker/states.py)."""
        assignments = Assignment.objects.active().filter(task=OuterRef("pk"))
        return self.active().filter(
            Exists(Assignment.objects.overdue(today).filter(task=OuterRef("pk")))
            | Q(deadline__lt=today) & ~Exists(assignments)
        )

    def with_light(self, today):
        """Annotate `light`: the worst light of the task's active assignments (states.py);
        for a task nobody answers for, red once its deadline has passed, else NULL; NULL for a
        withdrawn task or a task of an archived plan. Red exactly when overdue().
        Task.light_on() is the same for one task."""
        worst = (
            Assignment.objects.active()
            .filter(task=OuterRef("pk"))
            .with_state(today)
            .order_by()
            .values("task")
            .annotate(worst=Max("light_rank"))
            .values("worst")
        )
        return self.annotate(light_rank=Subquery(worst)).annotate(
            light=states.light_of_rank(
                "light_rank",
                When(
                    Q(
                        light_rank__isnull=True,
                        deadline__lt=today,
                        withdrawn=False,
                        plan__archived_at__isnull=True,
                    ),
                    then=Value(states.Light.RED),
                ),
            )
        )


_TaskManagerBase = models.Manager.from_queryset(TaskQuerySet)


class TaskManager(_TaskManagerBase):
    def get_by_natural_key(self, plan_slug, number):
        return self.get(plan__slug=plan_slug, number=number)


class DeadlineFields(models.Model):
    """A deadline as the text states it, or as an administrator decided it."""

    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    deadline_text = models.CharField(
        _("时限原文"), max_length=100, blank=True, help_text=_("原文的说法，如“到2024年年底”。")
    )
    deadline_source = models.CharField(
        _("时限来源"), max_length=10, choices=Source.choices, blank=True
    )
    deadline_reason = models.CharField(_("设定依据"), max_length=300, blank=True)
    deadline_ref = models.CharField(
        _("时限出处"),
        max_length=100,
        blank=True,
        help_text=_("原文中的位置，如“第105行”“表1第3行”。"),
    )
    ongoing = models.BooleanField(
        _("长期任务"), default=False, help_text=_("长期坚持、持续推进，没有完成日期。")
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        fields = kwargs.get("update_fields")
        if fields is None or {"deadline", "withdrawn"} & set(fields):
            # The due date and the tracking its assignments keep follow (Assignment.due):
            # the assignments of this task or this measure (their foreign key's name).
            Assignment.objects.filter(**{str(self._meta.model_name): self.pk}).keep_due()

    @property
    def deadline_set_by_person(self):
        """True when a person, not the text, set this deadline."""
        return self.deadline_source in DECIDED_BY_PERSON


def deadline_constraints(prefix):
    return [
        # A date, or "ongoing", or neither -- never both.
        models.CheckConstraint(
            name=f"{prefix}_ongoing_has_no_date",
            condition=Q(ongoing=False) | Q(deadline__isnull=True),
        ),
        # Whoever set a deadline is known.
        models.CheckConstraint(
            name=f"{prefix}_deadline_has_source",
            condition=(Q(deadline__isnull=True) & Q(ongoing=False)) | ~Q(deadline_source=""),
        ),
        models.CheckConstraint(
            name=f"{prefix}_deadline_source_valid",
            condition=Q(deadline_source__in=["", *Source.values]),
        ),
    ]


class Task(DeadlineFields):
    plan = models.ForeignKey(Plan, models.CASCADE, related_name="tasks", verbose_name=_("实施方案"))
    category = models.ForeignKey(
        Category,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("任务类别"),
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("任务名称"), max_length=200)
    title_source = models.CharField(
        _("名称来源"), max_length=10, choices=Source.choices, default=Source.TEXT
    )
    source_text = models.TextField(_("原文"), blank=True)
    first_line = models.PositiveIntegerField(_("原文起始行"), null=True, blank=True)
    last_line = models.PositiveIntegerField(_("原文结束行"), null=True, blank=True)
    source_ref = models.CharField(
        _("原文出处"),
        max_length=200,
        blank=True,
        help_text=_("原文中载明此任务的每一处，如“第11段；表1第2行”。"),
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.TEXT)
    source_reason = models.CharField(_("审核说明"), max_length=500, blank=True)
    withdrawn = models.BooleanField(
        _("已撤销"), default=False, help_text=_("方案修订后不再包含此任务；记录保留。")
    )

    objects = TaskManager()

    class Meta:
        verbose_name = _("重点任务")
        verbose_name_plural = pgettext_lazy("复数", "重点任务")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="task_unique_number"),
            models.CheckConstraint(name="task_number_positive", condition=Q(number__gte=1)),
            models.CheckConstraint(name="task_lines_ordered", condition=lines_are_ordered()),
            *deadline_constraints("task"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def natural_key(self):
        return (*self.plan.natural_key(), self.number)

    natural_key.dependencies = ["tracker.plan", "tracker.category"]  # type: ignore[attr-defined]

    def get_absolute_url(self):
        return reverse("task_detail", args=[self.plan.slug, self.number])

    def first_lead(self):
        """The task's first-named lead (牵头) assignment, or None: where one body must answer
        for the whole task (a plan may name co-leads; the first compiles the report)."""
        return self.assignments.filter(measure__isnull=True).leads().select_related("body").first()

    def light_on(self, today=None):
        """The task's light for one object; TaskQuerySet.with_light() is the same in SQL."""
        today = today or timezone.localdate()
        assignments = self.assignments.active().select_related("task__plan", "measure")
        return states.task_light(self, (a.state(today).light for a in assignments), today)


class MeasureQuerySet(models.QuerySet):
    def with_light(self, today):
        """Annotate `light`: the worst light of the measure's active assignments, or NULL."""
        worst = (
            Assignment.objects.active()
            .filter(measure=OuterRef("pk"))
            .with_state(today)
            .order_by()
            .values("measure")
            .annotate(worst=Max("light_rank"))
            .values("worst")
        )
        return self.annotate(light_rank=Subquery(worst)).annotate(
            light=states.light_of_rank("light_rank")
        )


_MeasureManagerBase = models.Manager.from_queryset(MeasureQuerySet)


class MeasureManager(_MeasureManagerBase):
    def get_by_natural_key(self, plan_slug, task_number, number):
        return self.get(task__plan__slug=plan_slug, task__number=task_number, number=number)


class Measure(DeadlineFields):
    task = models.ForeignKey(Task, models.CASCADE, related_name="measures", verbose_name=_("任务"))
    number = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("具体措施"))
    first_line = models.PositiveIntegerField(_("原文起始行"), null=True, blank=True)
    last_line = models.PositiveIntegerField(_("原文结束行"), null=True, blank=True)
    source_ref = models.CharField(_("原文出处"), max_length=100, blank=True)
    withdrawn = models.BooleanField(_("已撤销"), default=False)

    objects = MeasureManager()

    class Meta:
        verbose_name = _("具体措施")
        verbose_name_plural = pgettext_lazy("复数", "具体措施")
        ordering = ["task", "number"]
        constraints = [
            models.UniqueConstraint(fields=["task", "number"], name="measure_unique_number"),
            models.CheckConstraint(name="measure_number_positive", condition=Q(number__gte=1)),
            models.CheckConstraint(name="measure_lines_ordered", condition=lines_are_ordered()),
            *deadline_constraints("measure"),
        ]

    def __str__(self):
        return f"{self.task.number}.{self.number} {self.text[:40]}"

    def natural_key(self):
        return (*self.task.natural_key(), self.number)

    natural_key.dependencies = ["tracker.task"]  # type: ignore[attr-defined]

    def light_on(self, today=None):
        """The measure's light for one object; MeasureQuerySet.with_light() is the same in SQL."""
        today = today or timezone.localdate()
        assignments = self.assignments.active().select_related("task__plan", "measure")
        return states.worst(a.state(today).light for a in assignments)


class BodyManager(models.Manager):
    def get_by_natural_key(self, jurisdiction, name):
        return self.get(jurisdiction=jurisdiction, name=name)


class BodyKind(models.TextChoices):
    DEPARTMENT = "department", _("市直部门")
    COUNTY = "county", _("县（市、区）")
    ZONE = "zone", _("开发区")
    ENTERPRISE = "enterprise", _("企业")
    OTHER = "other", _("其他")


class Body(models.Model):
    Kind = BodyKind

    jurisdiction = models.CharField(_("所属地区"), max_length=50)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    position = models.PositiveSmallIntegerField(
        _("排序"), default=0, help_text=_("同类单位按此排列，如各县（市、区）的习惯顺序。")
    )
    collective = models.BooleanField(
        _("统称"),
        default=False,
        help_text=_("代表一类单位，如“各街道”“各省级人民政府”：按原文保留为一个单位。"),
    )
    # Whom a manager calls about the body's work; kept by administrators (单位联系人 page,
    # admin) and carried into the list's exports.
    leader = models.CharField(
        _("责任人"), max_length=50, blank=True, help_text=_("分管负责同志，如“王某某 副局长”。")
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("联系电话"),
        max_length=50,
        blank=True,
        validators=[
            RegexValidator(
                r"^[0-9０-９+＋\-－—()（） ,，、;；转/]*$",
                _("联系电话只能包含数字、“-”、括号、空格、“转”和分隔号，如“0635-1234567”。"),
            )
        ],
        help_text=_("多个号码用“、”分隔，如“0635-1234567、13800000000”。"),
    )
    # Chinese names sort by their reading, not by code point: the name in pinyin with tone
    # numbers (pypinyin), kept beside the name so both databases sort alike in SQL.
    pinyin = models.CharField(_("拼音"), max_length=400, blank=True, editable=False)
    requires_approval = models.BooleanField(
        _("填报须经单位负责人审核"),
        default=False,
        help_text=_("勾选后，经办人的进展填报先保存为草稿，经单位负责人审核同意后才报送。"),
    )

    objects = BodyManager()

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = pgettext_lazy("复数", "责任单位")
        ordering = ["jurisdiction", "kind", "position", "pinyin"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="body_unique_name"),
            models.CheckConstraint(
                name="body_kind_valid",
                condition=Q(kind__in=BodyKind.values),
            ),
            models.CheckConstraint(name="body_name_not_blank", condition=~Q(name="")),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.jurisdiction, self.name)

    def save(self, *args, **kwargs):
        # The sort key is the name's own reading, never entered by hand.
        self.pinyin = pinyin_of(self.name)
        if "update_fields" in kwargs and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "pinyin"}
        super().save(*args, **kwargs)


def label_bodies(bodies):
    """Give each body a `label`: its name, and where two of them share a name (区发展改革委 of
    two districts) its jurisdiction too, so a list or picker can tell them apart; a
    collective (各街道) says so."""
    bodies = list(bodies)
    names = Counter(b.name for b in bodies)
    for b in bodies:
        b.label = f"{b.name}（{b.jurisdiction}）" if names[b.name] > 1 else b.name
        if b.collective:
            # 各街道 is every street office as one body, not one of the counties beside it.
            b.label += gettext("（统称）")
    return bodies


def pinyin_of(name):
    """A name's reading for sorting, as a Chinese dictionary orders words: pinyin syllables
    with tone numbers, separated by spaces (东昌府区 "dong1 chang1 fu3 qu1" before 东阿县
    "dong1 e1 xian4"). pypinyin reads whole words, so 莘县 is shen1, not xin1."""
    from pypinyin import Style, lazy_pinyin

    return " ".join(lazy_pinyin(name, style=Style.TONE3, neutral_tone_with_five=True))[:400]


class ProgressStatus(models.TextChoices):
    """What a body says about its work in a progress report (进展填报)."""

    NOT_STARTED = "not_started", _("未启动")
    IN_PROGRESS = "in_progress", _("推进中")
    DIFFICULTY = "difficulty", _("存在困难")
    COMPLETED = "completed", _("已完成")


# For order_by(): a task's own assignments (no measure) before those of its measures, on
# every database — SQLite sorts NULL first in ascending order, PostgreSQL last.
TASK_BEFORE_MEASURES = F("measure__number").asc(nulls_first=True)


# What lists of assignments leave out of their joins (AssignmentQuerySet.for_list).
LIST_DEFERRED = (
    "task__plan__source_text",
    "task__source_text",
    "task__category__summary",
)


class AssignmentQuerySet(models.QuerySet):
    """The states (done, overdue, due soon, behind pace, silent, light) are defined in
    tracker/states.py; these methods apply them."""

    def keep_due(self):
        """Recompute the kept `due`, `tracked` and `pace_start` of these assignments from
        their own due date, their measure, their task and its plan (after any change to one
        of them)."""
        task = Task.objects.filter(pk=OuterRef("task"))
        measure = Measure.objects.filter(pk=OuterRef("measure"))
        return self.update(
            pace_start=Subquery(task.values("plan__start_date")),
            due=Coalesce(
                "due_date",
                Subquery(measure.values("deadline")),
                Subquery(task.values("deadline")),
            ),
            tracked=Case(
                When(
                    Exists(task.filter(Q(withdrawn=True) | Q(plan__archived_at__isnull=False)))
                    | Exists(measure.filter(withdrawn=True)),
                    then=Value(False),
                ),
                default=Value(True),
            ),
        )

    def with_missed_milestone(self, today):
        """Annotate `missed_milestone`: the earliest milestone (阶段性目标) of the assignment
        due before `today` that no report in force says was reached (states.py) — the kept
        earliest open one, once it is past."""
        if "missed_milestone" in self.query.annotations:
            return self
        return self.annotate(
            missed_milestone=Case(
                When(open_milestone_due__lt=today, then=F("open_milestone_due")),
                default=None,
                output_field=models.DateField(),
            )
        )

    def keep_open_milestone(self):
        """Recompute the kept `open_milestone_due` of these assignments from their milestones
        and the reports in force (after any change to either)."""
        return self.update(open_milestone_due=open_milestone_subquery())

    def active(self):
        """Assignments being tracked: of tasks and measures the plan still contains (not
        withdrawn), in a plan that is not archived (kept as `tracked`)."""
        return self.filter(tracked=True)

    def leads(self):
        """The lead (牵头) assignments, first-named first: a plan may name co-leads, and the
        first of them is "the" lead where one body must answer (Task.first_lead)."""
        return self.filter(role=AssignmentRole.LEAD).order_by("position", "pk")

    def overdue(self, today):
        """逾期: active, its due date or a milestone has passed and it is not done."""
        return self.active().with_missed_milestone(today).filter(states.overdue_q(today))

    def with_state(self, today):
        """Annotate `missed_milestone`, the flags `is_withdrawn`, `is_done`,
        `is_overdue`, `is_due_soon`, `is_behind_pace`, `is_silent`, `is_waiting`,
        `is_done_late`, and `light` with its `light_rank` (3 = red … 0 = done; NULL for
        withdrawn work), for filtering, sorting and counting in the database.
        Assignment.state() is the same for one row."""
        return (
            self.with_missed_milestone(today)
            .annotate(**states.state_annotations(today))
            .annotate(light=states.light_of_rank("light_rank"))
        )

    def visible_to_body(self, body):
        """What a body's staff may read: its own assignments, and every assignment of the
        tasks (task-level lead) and measures (measure-level lead) the body leads."""
        leads = Assignment.objects.filter(body=body, role=Assignment.Role.LEAD)
        # IN (the few tasks and measures the body leads), not EXISTS per row: the database
        # then finds their assignments by index instead of testing every assignment.
        return self.filter(
            Q(body=body)
            | Q(task__in=leads.filter(measure__isnull=True).values("task"))
            | Q(measure__in=leads.filter(measure__isnull=False).values("measure"))
        )

    def overseen_by(self, body):
        """The other bodies' assignments whose lead body (Assignment.lead_body) is `body`: a
        measure's assignments when the body leads the measure; a task's own assignments, and
        those of its measures without a lead of their own, when it leads the task."""
        task_leads = Assignment.objects.filter(
            body=body, role=Assignment.Role.LEAD, measure__isnull=True
        )
        measure_leads = Assignment.objects.filter(role=Assignment.Role.LEAD, measure__isnull=False)
        return self.exclude(body=body).filter(
            Exists(measure_leads.filter(body=body, measure=OuterRef("measure")))
            | (
                Exists(task_leads.filter(task=OuterRef("task")))
                & ~Exists(measure_leads.filter(measure=OuterRef("measure")))
            )
        )

    def county_shares(self):
        """The counties' own shares of broken-down work (states.county_share_q)."""
        return self.filter(states.county_share_q())

    def for_list(self):
        """The joins every list of assignments needs, and why a date of its own was set —
        without the plan's and the task's source texts (a plan's is thousands of characters,
        loaded again for every row: lists never show them)."""
        return self._list_joins().with_due_reason()

    def for_form(self):
        """What a form about one assignment shows of it (its work, its body): the joins
        of for_list() without why a date was set, and none of the states."""
        return self._list_joins()

    def _list_joins(self):
        return self.select_related("task__plan", "task__category", "measure", "body").defer(
            *LIST_DEFERRED
        )

    def with_due_reason(self):
        """Annotate `due_reason` and `due_via`: the reason and the way (an approved extension,
        an administrator) of the latest change to an assignment's own due date; NULL when
        nobody changed it (pages say so beside the date: _due_provenance.html)."""
        changes = ChangeRecord.objects.filter(assignment=OuterRef("pk"), field="due_date").order_by(
            "-created_at", "-pk"
        )
        return self.annotate(
            due_reason=Subquery(changes.values("reason")[:1]),
            due_via=Subquery(changes.values("via")[:1]),
        )

    def for_overdue_list(self, today, *, reasons=True):
        """The overdue and progress list (逾期与进度清单) and its exports: active work with
        its states, the most urgent first — red before yellow, the longest overdue, the
        earliest due, then the plan's own order. Without `reasons` the rows come without
        due_reason and due_via: the list's page adds them to its fifty rows alone
        (with_due_reasons), not to every row the order has to sort."""
        joined = self.active().for_list() if reasons else self.active()._list_joins()
        return joined.with_state(today).order_by(
            "-light_rank",
            F("days_overdue").desc(nulls_last=True),
            F("due").asc(nulls_last=True),
            *Assignment.LIST_TIEBREAK,
        )

    def overdue_first(self):
        """for_overdue_list()'s order for rows that are all overdue (the red light): the
        longest overdue first is the earliest `overdue_since`, which the overdue index
        (assignment_overdue) holds in order, then the earliest due date, then the plan's
        own order."""
        return self.order_by(
            "overdue_since", F("due").asc(nulls_last=True), *Assignment.LIST_TIEBREAK
        )

    def for_export(self):
        """What the list's exports add to each row: `latest_text`, the words of the current
        report (ReportQuerySet.current(), kept as Assignment.current_report). Why a date of
        its own was set comes with for_list() (with_due_reason)."""
        return self.annotate(latest_text=F("current_report__text"))

    def for_my_work(self):
        """A list of assignments with what is pending on each (their states: with_states)."""
        pending = ExtensionRequest.objects.pending().filter(assignment=OuterRef("pk"))
        return with_open_reminders(self.for_list().annotate(extension_pending=Exists(pending)))


_AssignmentManagerBase = models.Manager.from_queryset(AssignmentQuerySet)


class AssignmentManager(_AssignmentManagerBase):
    def get_by_natural_key(self, plan_slug, task_number, measure_number, jurisdiction, body_name):
        return self.get(
            task__plan__slug=plan_slug,
            task__number=task_number,
            measure__number=measure_number,
            body__jurisdiction=jurisdiction,
            body__name=body_name,
        )


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("牵头")
    SUPPORT = "support", _("配合")
    RESPONSIBLE = "responsible", _("分解落实")


class AssignmentOrigin(models.TextChoices):
    CLAUSE = "clause", _("责任分工条款")
    NAMED = "named", _("原文提及")
    REVIEW = "review", _("管理员确定（导入时）")
    ADMIN = "admin", _("管理员确定（导入后）")


class Assignment(models.Model):
    # Bodies in their customary order: grouped by kind, each kind by the position the
    # gazetteer gives (东昌府区, 茌平区, 临清市 …), then by the reading of the name (pinyin).
    BODY_ORDER = ("body__kind", "body__position", "body__pinyin")
    # The end of every order of a list of assignments: the plan's own order, and the primary
    # key last, so the pages of a list never overlap.
    #
    # The body's place and reading come by its primary key, not through a join: joined, the
    # body became a table SQLite could start from, and with statistics (ANALYZE) it did — all
    # 40 bodies, then each one's assignments through an index, a third slower for the list
    # than reading the assignments in order (docs/bench.md).
    LIST_TIEBREAK = (
        "task__plan__pinyin",
        "task__number",
        TASK_BEFORE_MEASURES,
        Subquery(Body.objects.filter(pk=OuterRef("body")).values("position")[:1]),
        Subquery(Body.objects.filter(pk=OuterRef("body")).values("pinyin")[:1]),
        "pk",
    )

    # The roles in their customary order, co-leads as the text names them, then the bodies
    # in their customary order (BODY_ORDER): the order of a task's or a measure's bodies.
    ROLE_ORDER = (
        "role",
        Case(When(role=AssignmentRole.LEAD, then=F("position")), default=Value(0)),
        *BODY_ORDER,
    )

    Role = AssignmentRole
    Origin = AssignmentOrigin

    task = models.ForeignKey(
        Task, models.CASCADE, related_name="assignments", verbose_name=_("任务")
    )
    measure = models.ForeignKey(
        Measure,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("具体措施"),
    )
    body = models.ForeignKey(
        Body, models.PROTECT, related_name="assignments", verbose_name=_("责任单位")
    )
    role = models.CharField(_("角色"), max_length=12, choices=Role.choices)
    origin = models.CharField(_("来源"), max_length=10, choices=Origin.choices)
    origin_line = models.PositiveIntegerField(_("原文行号"), null=True, blank=True)
    origin_ref = models.CharField(
        _("原文出处"), max_length=100, blank=True, help_text=_("如“第105行”“表1第3行”。")
    )
    origin_reason = models.CharField(_("设定依据"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(
        _("原文顺序"),
        default=0,
        blank=True,
        help_text=_("此单位在原文责任单位中的次序；几个牵头单位中第一个为主。"),
    )
    due_date = models.DateField(_("本单位完成时限"), null=True, blank=True)
    due_text = models.CharField(_("时限原文"), max_length=100, blank=True)
    signed_off_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    # The current state. tracker/services/reporting.py keeps it, in the same transaction as
    # the report or decision that changes it, so lists never read the history.
    status = models.CharField(
        _("当前状态"),
        max_length=12,
        choices=ProgressStatus.choices,
        default=ProgressStatus.NOT_STARTED,
    )
    percent = models.PositiveSmallIntegerField(_("完成百分比"), default=0)
    progress_as_of = models.DateField(_("进展截至"), null=True, blank=True)
    last_reported_at = models.DateTimeField(_("最近填报时间"), null=True, blank=True)
    # Its local (Asia/Shanghai) day, kept beside it by save(): the reporting calendar counts
    # from it (states.py: silent) in every list, and converting a time zone in SQL costs a
    # call into Python per row on SQLite.
    last_report_on = models.DateField(_("最近填报日期"), null=True, blank=True, editable=False)
    signoff = models.CharField(
        _("销号状态"), max_length=12, choices=states.SignOff.choices, default=states.SignOff.OPEN
    )
    assigned_on = models.DateField(
        _("下达日期"),
        null=True,
        blank=True,
        help_text=_("方案原文以外另行分配的日期；为空表示自方案跟踪起始日起算填报周期。"),
    )
    # Kept with the current state (services/reporting.py: _refresh_progress) so that lists,
    # exports and counts never read the reports table: the report in force that is current
    # (ReportQuerySet.current().first()) and how many reports were filed (corrections
    # included). tests/reporting/test_kept_state.py checks them against the history.
    current_report = models.ForeignKey(
        "Report",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("当前填报"),
        editable=False,
    )
    report_count = models.PositiveIntegerField(_("填报次数"), default=0, editable=False)
    # The earliest milestone (阶段性目标) that applies and that no report in force says was
    # reached, kept like the report state: a milestone is missed on the days after it, so
    # the missed milestone of any day is this one once it is past (states.py) — without
    # it, every list tested the milestones of every row several times over (the overdue
    # flag, the light, the days overdue). Kept by Milestone.save(), by a new assignment's
    # save() and by _refresh_progress; tests/reporting/test_kept_state.py checks it.
    open_milestone_due = models.DateField(
        _("最早未完成的阶段性目标"), null=True, blank=True, editable=False
    )
    # The day the next report is due by the plan's calendar, counted from the assignment's
    # clock (states.py: silent; None when no day of the clock is known), kept like the rest:
    # in SQL the calendars took dozens of date functions per row, the largest part of every
    # count of the dashboard. Kept by save() (a report, the day the body was put on the work)
    # and Plan.save() (its tracking start or calendar); test_states checks it against the
    # Python rule.
    next_report_on = models.DateField(_("下次应填报日期"), null=True, blank=True, editable=False)
    # The due date that applies (effective_due: its own, else its measure's, else its
    # task's) and whether the work is still tracked (not `withdrawn`), kept like the rest:
    # reading them through the measure, the task and the plan made every list join three
    # tables for each of tens of thousands of rows before it could count or order them.
    # Kept by save() here, by Task and Measure.save() (DeadlineFields) and by Plan.save()
    # (keep_due); tests/reporting/test_kept_state.py checks them against their sources.
    due = models.DateField(_("完成时限（适用）"), null=True, blank=True, editable=False)
    tracked = models.BooleanField(_("跟踪中"), default=True, editable=False)
    # The plan's tracking start (Plan.start_date), where the pace line begins (states.py:
    # behind pace), kept with them: the states then read no other table than the
    # assignments, and a list's count joins none.
    pace_start = models.DateField(_("序时进度起算日"), null=True, blank=True, editable=False)
    # Since when the work counts as overdue unless it is done: the earlier of the due date
    # and the earliest open milestone (states.overdue_q, states.days_overdue). Computed by the
    # database from the two kept dates, so that the overdue list is read from an index in
    # its order (assignment_overdue) instead of evaluating the rule for every row.
    overdue_since = models.GeneratedField(
        expression=Least(
            Coalesce("due", "open_milestone_due"), Coalesce("open_milestone_due", "due")
        ),
        output_field=models.DateField(),
        db_persist=True,
        verbose_name=_("逾期起算日"),
    )
    # 逾期完成: recorded at sign-off, from the day the completion report was filed and the
    # due date that applied then (services/reporting.py: signoff_decide).
    completed_late_days = models.PositiveIntegerField(
        _("逾期完成天数"), null=True, blank=True, help_text=_("销号时记录：完成晚于时限的天数。")
    )

    objects = AssignmentManager()

    class Meta:
        verbose_name = _("责任分工")
        verbose_name_plural = pgettext_lazy("复数", "责任分工")
        ordering = ["task", "measure", "role", "body"]
        indexes = [
            # What a body leads (visible_to_body, overseen_by: 我的任务 on every request).
            models.Index(fields=["body", "role", "measure"], name="assignment_body_role"),
            # The few waiting for a sign-off decision (我的任务's reviews, 待办): without
            # them the database reads every assignment to find a handful.
            models.Index(
                fields=["signoff"],
                condition=Q(signoff="lead_review"),
                name="assignment_lead_review",
            ),
            models.Index(
                fields=["signoff"], condition=Q(signoff="requested"), name="assignment_requested"
            ),
            # The overdue list (逾期, the red light) in its order, most days overdue first:
            # by the day the work became overdue, then by due date (overdue_first); whether
            # it is tracked and signed off are in it so that the count reads only the index.
            # Not a partial index (WHERE tracked AND NOT signed off): Django sends those
            # values as parameters, and SQLite then checks each row in the table again, ten
            # times slower. Not `tracked` first: without statistics SQLite then read every
            # tracked assignment through it to find one plan's
            # (tests/supervision/test_overdue_index.py).
            models.Index(
                fields=["overdue_since", "due", "tracked", "signoff"], name="assignment_overdue"
            ),
        ]
        constraints = [
            # Unique per (task, measure, body); a NULL measure means "the whole task".
            models.UniqueConstraint(
                fields=["task", "body"],
                condition=Q(measure__isnull=True),
                name="assignment_unique_task_body",
            ),
            models.UniqueConstraint(
                fields=["task", "measure", "body"],
                condition=Q(measure__isnull=False),
                name="assignment_unique_measure_body",
            ),
            # A task or a measure may have several leads (co-leads: "牵头单位：A、B"); their
            # order is `position`, and the first-named answers where one must (leads()).
            models.CheckConstraint(
                name="assignment_role_valid",
                condition=Q(role__in=AssignmentRole.values),
            ),
            models.CheckConstraint(
                name="assignment_origin_valid",
                condition=Q(origin__in=AssignmentOrigin.values),
            ),
            models.CheckConstraint(name="assignment_percent_max", condition=Q(percent__lte=100)),
            models.CheckConstraint(
                name="assignment_status_valid", condition=Q(status__in=ProgressStatus.values)
            ),
            models.CheckConstraint(
                name="assignment_signoff_valid", condition=Q(signoff__in=states.SignOff.values)
            ),
            # Signed off exactly when it has a sign-off time.
            models.CheckConstraint(
                name="assignment_signed_off_has_time",
                condition=Q(signoff=states.SignOff.SIGNED_OFF, signed_off_at__isnull=False)
                | (~Q(signoff=states.SignOff.SIGNED_OFF) & Q(signed_off_at__isnull=True)),
            ),
            # Only signed-off work can have been completed late.
            models.CheckConstraint(
                name="assignment_late_only_when_signed_off",
                condition=Q(completed_late_days__isnull=True)
                | Q(signoff=states.SignOff.SIGNED_OFF, completed_late_days__gte=1),
            ),
        ]

    def __str__(self):
        """莘县：任务2 措施 2.1（分解落实） — what change records and the admin call it."""
        measure = self.measure
        if measure is not None:
            where = _("任务%(n)s 措施 %(n)s.%(m)s") % {"n": self.task.number, "m": measure.number}
        else:
            where = _("任务%(n)s") % {"n": self.task.number}
        return f"{self.body}：{where}（{self.get_role_display()}）"

    def natural_key(self):
        measure_number = self.measure.number if self.measure else None
        return (*self.task.natural_key(), measure_number, *self.body.natural_key())

    def save(self, *args, **kwargs):
        # The local day of the latest report is derived, never entered (like Body.pinyin),
        # and when the next report is due with it.
        self.last_report_on = states.local_day(self.last_reported_at)
        fields = kwargs.get("update_fields")
        if fields is None or {"last_reported_at", "assigned_on"} & set(fields):
            self.next_report_on = self.next_report_expected()
        if fields is not None and "last_reported_at" in fields:
            kwargs["update_fields"] = {*fields, "last_report_on"}
        if fields is not None and {"last_reported_at", "assigned_on"} & set(fields):
            kwargs["update_fields"] = {*kwargs["update_fields"], "next_report_on"}
        # The due date that applies and whether the work is tracked (kept: `due`).
        keep_due = fields is None or bool({"due_date", "task", "measure"} & set(fields))
        if keep_due:
            self.due = self.effective_due
            self.tracked = not self.withdrawn
            self.pace_start = self.task.plan.start_date
        if self._state.adding:
            self.open_milestone_due = self.first_open_milestone()
        elif fields is None and not kwargs.get("force_insert"):
            # The kept earliest open milestone is written only where milestones and reports
            # change (keep_open_milestone, _refresh_progress): a full save of an instance
            # read before such a change must not put the old value back.
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not (f.primary_key or f.generated or f.name == "open_milestone_due")
            ]
        super().save(*args, **kwargs)
        if keep_due:
            # Written from the rows as they are now: this instance may hold its task,
            # measure or plan as they were read before a change to them.
            Assignment.objects.filter(pk=self.pk).keep_due()

    def next_report_expected(self):
        """When the next report is due by the plan's calendar (states.next_report_due), from
        the latest of the plan's tracking start, the day the body was put on the work and the
        day of the latest report; None when none of them is known."""
        plan = self.task.plan
        clock = max(
            (d for d in (plan.start_date, self.assigned_on, self.last_report_on) if d is not None),
            default=None,
        )
        if clock is None:
            return None
        return states.next_report_due(
            clock=clock,
            rhythm=plan.report_rhythm,
            period=plan.report_period_days,
            day=plan.report_day,
        )

    def milestone_pairs(self):
        """(due, reached) for each milestone that applies to this assignment: reached when a
        report in force says so. A new assignment has only its task's or measure's, none
        reached yet."""
        if self.pk is None:
            applying = Milestone.objects.filter(
                assignment__isnull=True, task=self.task_id, measure=self.measure_id, withdrawn=False
            )
            return [(m.due, False) for m in applying]
        met = set(
            ReportedMilestone.objects.filter(
                assignment=self.pk, report__corrected_by__isnull=True
            ).values_list("milestone_id", flat=True)
        )
        return [(m.due, m.pk in met) for m in Milestone.objects.applying_to(self)]

    def first_open_milestone(self):
        """The earliest milestone that applies to this assignment and that no report in force
        says was reached (what `open_milestone_due` keeps)."""
        return min((due for due, reached in self.milestone_pairs() if not reached), default=None)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.measure and self.task_id and self.measure.task_id != self.task_id:
            raise ValidationError({"measure": _("该措施不属于所选任务。")})

    @property
    def effective_due(self):
        """The due date that applies: own, else the measure's, else the task's."""
        return self.due_date or self.inherited_due

    @property
    def inherited_due(self):
        """The due date it has without one of its own: the measure's, else the task's."""
        if self.measure and self.measure.deadline:
            return self.measure.deadline
        return self.task.deadline

    @property
    def lead_assignment_q(self):
        """The assignment of the lead body that oversees this one (lead_body)."""
        if self.measure_id:
            return Q(measure=self.measure_id, role=self.Role.LEAD) | Q(
                task=self.task_id, measure__isnull=True, role=self.Role.LEAD
            )
        return Q(task=self.task_id, measure__isnull=True, role=self.Role.LEAD)

    def lead_body(self):
        """牵头单位: the body that oversees this assignment — its measure's lead if the
        measure has one, else its task's lead — or None, also when that is its own body.
        AssignmentQuerySet.overseen_by() is the same in SQL."""
        leads = {
            a.measure_id: a.body
            for a in Assignment.objects.filter(self.lead_assignment_q).select_related("body")
        }
        body = leads.get(self.measure_id) if self.measure_id in leads else leads.get(None)
        return None if body is None or body.pk == self.body_id else body

    @property
    def is_ongoing(self):
        """长期坚持: no date of its own, and the measure (else the task) is ongoing work."""
        if self.due_date:
            return False
        if self.measure and (self.measure.deadline or self.measure.ongoing):
            return self.measure.ongoing
        return self.task.ongoing

    @property
    def is_county_share(self):
        """A county's own share of broken-down work; states.county_share_q in SQL."""
        return self.role == self.Role.RESPONSIBLE and self.body.kind == Body.Kind.COUNTY

    @property
    def set_by_person(self):
        """True when a person, not the text, put this body on the work."""
        return self.origin in DECIDED_BY_PERSON

    @property
    def origin_place(self):
        """Where the text names this body, as people read it ("第105行", "表1第3行"); rows
        imported before references were kept have only the line number."""
        if self.origin_ref:
            return self.origin_ref
        return f"第{self.origin_line}行" if self.origin_line else ""

    @property
    def deadline_from(self):
        """Where the due date this assignment shows comes from: its measure or its task
        (their deadline fields say who set it, the text's words and why), or None when it
        has a date of its own (an approved extension or an administrator moved it). The
        same choice as effective_due and is_ongoing."""
        if self.due_date:
            return None
        return self._inherited_from()

    def _inherited_from(self):
        """The measure or the task whose deadline applies when there is no own date."""
        measure = self.measure
        if measure and (measure.deadline or (measure.ongoing and not self.task.deadline)):
            return measure
        return self.task

    @property
    def text_due_words(self):
        """(words, place) of the due date the plan's text gives this work — its own date's
        words, else its measure's or its task's — shown beside a date a person set (an
        approved extension, an administrator); empty when the text gives none."""
        if self.due_text:
            return self.due_text, self.origin_place
        item = self._inherited_from()
        return item.deadline_text, item.deadline_ref

    @property
    def own_due_by_person(self):
        """For an assignment with a date of its own: True when a person set it (an approved
        extension, an administrator), False when the text states it (`due_text`). Reads the
        `due_via` annotation (AssignmentQuerySet.with_due_reason)."""
        via = getattr(self, "due_via", None)
        return not (self.due_text and via in (None, "import"))

    @property
    def withdrawn(self):
        """True when the work is no longer tracked: the plan no longer contains its task or
        measure, or the plan is archived (states.withdrawn_q)."""
        return self.out_of_plan or self.task.plan.archived_at is not None

    @property
    def out_of_plan(self):
        """True when the plan no longer contains the work's task or measure (撤销)."""
        return self.task.withdrawn or (self.measure is not None and self.measure.withdrawn)

    def get_absolute_url(self):
        return reverse("assignment_detail", args=[self.pk])

    def state(self, today=None, *, milestones=None):
        """The states of this assignment on a day (tracker/states.py): done, overdue, due
        soon, behind pace, silent and the light. AssignmentQuerySet.with_state() is the same
        in SQL. `milestones`, (due, reached) pairs, when the caller knows them; else they are
        read from the milestones and the reports in force."""
        plan = self.task.plan
        today = today or timezone.localdate()
        if milestones is None:
            milestones = self.milestone_pairs()
        return states.compute(
            today=today,
            due=self.effective_due,
            start=plan.start_date,
            percent=self.percent,
            signoff=self.signoff,
            rhythm=plan.report_rhythm,
            period=plan.report_period_days,
            report_day=plan.report_day,
            assigned_on=self.assigned_on,
            last_report_on=states.local_day(self.last_reported_at),
            withdrawn=self.withdrawn,
            milestones=milestones,
            completed_late_days=self.completed_late_days,
        )


class TargetManager(models.Manager):
    def get_by_natural_key(self, plan_slug, number):
        return self.get(plan__slug=plan_slug, number=number)


class TargetScope(models.TextChoices):
    PLAN = "plan", _("全市")
    TASK = "task", _("本任务")
    EACH_COUNTY = "each_county", _("每个县（市、区）")
    OTHER = "other", _("其他")


class TargetComparator(models.TextChoices):
    AT_LEAST = ">=", _("不少于")
    AT_MOST = "<=", _("不超过")
    EQUAL = "=", _("达到")


class Target(models.Model):
    Scope = TargetScope
    Comparator = TargetComparator

    plan = models.ForeignKey(
        Plan, models.CASCADE, related_name="targets", verbose_name=_("实施方案")
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    task = models.ForeignKey(
        Task, models.CASCADE, null=True, blank=True, related_name="targets", verbose_name=_("任务")
    )
    measure = models.ForeignKey(
        Measure,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("具体措施"),
    )
    description = models.CharField(_("指标"), max_length=300)
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    comparator = models.CharField(
        _("比较"), max_length=2, choices=Comparator.choices, default=Comparator.AT_LEAST
    )
    scope = models.CharField(_("范围"), max_length=12, choices=Scope.choices, default=Scope.TASK)
    due_date = models.DateField(_("完成时限"), null=True, blank=True)
    due_text = models.CharField(_("时限原文"), max_length=100, blank=True)
    line = models.PositiveIntegerField(_("原文行号"), null=True, blank=True)
    ref = models.CharField(_("原文出处"), max_length=100, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.TEXT)
    source_reason = models.CharField(_("设定依据"), max_length=300, blank=True)
    withdrawn = models.BooleanField(_("已撤销"), default=False)

    objects = TargetManager()

    class Meta:
        verbose_name = _("量化指标")
        verbose_name_plural = pgettext_lazy("复数", "量化指标")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="target_unique_number"),
            models.CheckConstraint(
                name="target_comparator_valid", condition=Q(comparator__in=TargetComparator.values)
            ),
            models.CheckConstraint(
                name="target_scope_valid",
                condition=Q(scope__in=TargetScope.values),
            ),
            # A measure's target also names the measure's task.
            models.CheckConstraint(
                name="target_measure_needs_task",
                condition=Q(measure__isnull=True) | Q(task__isnull=False),
            ),
        ]

    def __str__(self):
        return self.description

    def natural_key(self):
        return (*self.plan.natural_key(), self.number)

    natural_key.dependencies = ["tracker.plan", "tracker.task", "tracker.measure"]  # type: ignore[attr-defined]


class MilestoneQuerySet(models.QuerySet):
    def applying_to(self, assignment):
        """The milestones an assignment must reach: its own, its measure's (for an assignment
        of a measure) and its task's (for an assignment of the task itself)."""
        return self.filter(
            Q(assignment=assignment.pk)
            | Q(assignment__isnull=True, task=assignment.task_id, measure=assignment.measure_id),
            withdrawn=False,
        ).order_by("due", "pk")

    def applying_to_outer(self):
        """applying_to() for OuterRef("pk"), in a subquery over assignments."""
        return (
            self.filter(task=OuterRef("task"), withdrawn=False)
            .annotate(scope=Coalesce("measure", Value(0), output_field=models.BigIntegerField()))
            .filter(
                Q(assignment=OuterRef("pk"))
                | Q(
                    assignment__isnull=True,
                    scope=Coalesce(
                        OuterRef("measure"), Value(0), output_field=models.BigIntegerField()
                    ),
                )
            )
        )


_MilestoneManagerBase = models.Manager.from_queryset(MilestoneQuerySet)


class MilestoneManager(_MilestoneManagerBase):
    def get_by_natural_key(self, plan_slug, task_number, measure_number, due):
        return self.get(
            task__plan__slug=plan_slug,
            task__number=task_number,
            measure__number=measure_number,
            due=due,
        )


class Milestone(models.Model):
    """阶段性目标: a date and what must be done by then. Either a stage of a staged deadline as
    the plan's text states it ("2024年6月底前完成…，2025年底前全面…": its words and where they
    are written; the task's or measure's deadline is its last stage; a re-import updates the
    stages in place and marks the ones the new text drops as withdrawn), or a person's
    decision (source 管理员设定, with its reason and who set it; its creation is in the change
    records), on a task, a measure or one assignment (`assignment`).

    A milestone of a task applies to the task's own assignments, one of a measure to the
    measure's, one of an assignment to that one (MilestoneQuerySet.applying_to). An
    assignment reaches it when a report in force says so (ReportedMilestone); missed, it
    makes the work overdue (tracker/states.py)."""

    task = models.ForeignKey(
        Task, models.CASCADE, related_name="milestones", verbose_name=_("任务")
    )
    measure = models.ForeignKey(
        Measure,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="milestones",
        verbose_name=_("具体措施"),
    )
    assignment = models.ForeignKey(
        "Assignment",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="milestones",
        verbose_name=_("责任分工"),
    )
    due = models.DateField(_("完成日期"))
    text = models.CharField(_("阶段性目标"), max_length=300)
    phrase = models.CharField(_("时限原文"), max_length=100, blank=True)
    line = models.PositiveIntegerField(_("原文行号"), null=True, blank=True)
    ref = models.CharField(_("原文出处"), max_length=100, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.TEXT)
    reason = models.CharField(_("设定依据"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("设定人"),
    )
    withdrawn = models.BooleanField(_("已撤销"), default=False)

    objects = MilestoneManager()

    class Meta:
        verbose_name = _("阶段性目标")
        verbose_name_plural = pgettext_lazy("复数", "阶段性目标")
        ordering = ["task", "due", "pk"]
        constraints = [
            models.CheckConstraint(name="milestone_text_not_blank", condition=~Q(text="")),
            models.CheckConstraint(
                name="milestone_source_valid", condition=Q(source__in=Source.values)
            ),
            models.CheckConstraint(
                name="milestone_one_scope",
                condition=Q(measure__isnull=True) | Q(assignment__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.due.isoformat()} {self.text}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Added, moved, withdrawn or re-dated: the kept earliest open milestone of the
        # task's assignments follows (Assignment.open_milestone_due).
        Assignment.objects.filter(task=self.task_id).keep_open_milestone()

    def delete(self, *args, **kwargs):
        task = self.task_id
        result = super().delete(*args, **kwargs)
        Assignment.objects.filter(task=task).keep_open_milestone()
        return result

    def natural_key(self):
        measure_number = self.measure.number if self.measure else None
        return (*self.task.natural_key(), measure_number, self.due.isoformat())

    natural_key.dependencies = ["tracker.task", "tracker.measure"]  # type: ignore[attr-defined]

    @property
    def scope_label(self):
        assignment, measure = self.assignment, self.measure
        if assignment is not None:
            return assignment.body.name
        if measure is not None:
            return _("措施 %(n)s.%(m)s") % {"n": self.task.number, "m": measure.number}
        return _("整项任务")


class MembershipManager(models.Manager):
    def get_by_natural_key(self, username):
        return self.get(user__username=username)


class MembershipRole(models.TextChoices):
    STAFF = "staff", _("经办人")
    HEAD = "head", _("单位负责人")


class Membership(models.Model):
    """Which body a user works for (one body per user), and in which role: the head
    (单位负责人) approves the clerks' reports where the body requires it
    (Body.requires_approval)."""

    Role = MembershipRole

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="membership",
        verbose_name=_("用户"),
    )
    body = models.ForeignKey(
        Body, models.PROTECT, related_name="memberships", verbose_name=_("责任单位")
    )
    role = models.CharField(
        _("单位内角色"), max_length=8, choices=MembershipRole.choices, default=MembershipRole.STAFF
    )

    objects = MembershipManager()

    class Meta:
        verbose_name = _("单位成员")
        verbose_name_plural = pgettext_lazy("复数", "单位成员")
        ordering = ["body", "user"]
        constraints = [
            models.CheckConstraint(
                name="membership_role_valid", condition=Q(role__in=MembershipRole.values)
            ),
        ]

    def __str__(self):
        return f"{self.user} @ {self.body}"

    def natural_key(self):
        return (self.user.username,)

    natural_key.dependencies = ["tracker.body"]  # type: ignore[attr-defined]


# --- Progress, decisions and history -------------------------------------------------------
# Every model below is append-only: tracker/services/ inserts rows and nothing updates or
# deletes them (the admin shows them read-only; the model refuses, too). A correction is a new
# report pointing at the one it corrects; a decision is a new row beside what it decides.


class HistoryIsAppendOnly(Exception):
    """Raised on an attempt to change or delete a row of the history."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise HistoryIsAppendOnly(f"{self.model.__name__} rows are never changed")

    def delete(self):
        raise HistoryIsAppendOnly(f"{self.model.__name__} rows are never deleted")


class AppendOnly(models.Model):
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise HistoryIsAppendOnly(f"{type(self).__name__} rows are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise HistoryIsAppendOnly(f"{type(self).__name__} rows are never deleted")


class ReportQuerySet(AppendOnlyQuerySet):
    def current(self):
        """Reports in force (nobody has corrected them), the assignment's current report
        first: the latest as-of date, and of reports with the same date the one filed last —
        a correction standing where the report it corrects stood (Report.place_at)."""
        return self.filter(corrected_by__isnull=True).order_by(*Report.LATEST_FIRST)

    def for_timeline(self, *, body=True):
        """What a timeline shows of each report: its author and the head who approved it;
        without `body` the report's assignment and its body are left to the caller (the
        page of one assignment has them already). What hangs on each report comes with
        with_timeline_parts()."""
        return self.select_related(
            "author", "approved_by", *(("assignment__body",) if body else ())
        )


def validate_checks_at_once(instance, exclude=None):
    """Model.validate_constraints() for a model whose constraints are all CheckConstraints,
    with ONE query: Django asks the database once per constraint (and, inside a
    transaction, around a savepoint each). The same errors, codes and messages; a row that
    breaks several constraints gets all their errors, as Django gives them."""
    from django.core.exceptions import ValidationError
    from django.db import DatabaseError, connections, router, transaction
    from django.db.models.sql import Query
    from django.db.models.sql.constants import SINGLE

    model = type(instance)
    checks = [
        c
        for c in model._meta.constraints
        if not (exclude and c._expression_refs_exclude(model, c.condition, exclude))
    ]
    if not checks:
        return
    using = router.db_for_write(model, instance=instance)
    query = Query(None)
    against = instance._get_field_expression_map(meta=model._meta, exclude=exclude)
    for name, value in against.items():
        query.add_annotation(value, name, select=False)
    for i, check in enumerate(checks):
        # As CheckConstraint.validate: a condition that is UNKNOWN (NULL) does not fail.
        query.add_annotation(
            Coalesce(check.condition, True, output_field=models.BooleanField()), f"check_{i}"
        )
    # Inside a transaction, a savepoint, as Django takes: a failed query must not abort it.
    connection = connections[using]
    guard = transaction.atomic(using=using) if connection.in_atomic_block else nullcontext()
    try:
        with guard:
            row = query.get_compiler(using=using).execute_sql(SINGLE)
    except DatabaseError:
        # A value the database cannot compare: ask constraint by constraint, as Django does.
        models.Model.validate_constraints(instance, exclude=exclude)
        return
    errors: dict = {}
    for check, passed in zip(checks, row, strict=True):
        if not passed:
            error = ValidationError(
                check.get_violation_error_message(), code=check.violation_error_code
            )
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


class Report(AppendOnly):
    """进展填报: what a body reports about one assignment. Where the body requires it, its
    head approved it before it was filed (`approved_by`); until then it was a ReportDraft."""

    # The order of reports in force, latest first: by as-of date, then by place in the
    # filing order; the primary key only breaks ties of the same instant.
    LATEST_FIRST = ("-as_of", "-place_at", "-pk")

    assignment = models.ForeignKey(
        Assignment, models.PROTECT, related_name="reports", verbose_name=_("责任分工")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="reports",
        verbose_name=_("填报人"),
    )
    as_of = models.DateField(_("情况截至"))
    status = models.CharField(_("状态"), max_length=12, choices=ProgressStatus.choices)
    percent = models.PositiveSmallIntegerField(_("完成百分比"))
    text = models.TextField(_("工作进展"), max_length=2000)
    corrects = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
        verbose_name=_("更正的填报"),
    )
    # Where the report stands in the filing order: when it was filed, or, for a correction,
    # where the report it corrects stood — a correction replaces that report and no other.
    place_at = models.DateTimeField(_("报送次序"), default=timezone.now, db_index=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="reports_approved",
        verbose_name=_("单位负责人审核"),
    )
    # A report filed while a completion request waited (待牵头单位初审, 待销号审核) that says
    # the work is not complete withdraws the request (services/reporting.py); which one it
    # withdrew is kept here, as it was when the report was filed, for the timeline to say so.
    withdrew_signoff = models.CharField(
        _("撤回的销号申请"),
        max_length=12,
        blank=True,
        default="",
        choices=[(s.value, s.label) for s in states.WAITING],
    )

    # The history's own queryset, still append-only (AppendOnlyQuerySet).
    objects = ReportQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("进展填报")
        verbose_name_plural = pgettext_lazy("复数", "进展填报")
        ordering = ["created_at", "pk"]
        indexes = [
            # `corrects` is unique and almost always NULL. SQLite's statistics (ANALYZE)
            # describe its unique index by all its rows, NULLs included, as if a key matched
            # every report, and the planner then scans the whole table for each report it
            # joins to its correction (select_related("corrected_by"), current()). This index
            # holds only the corrections, so its statistics say what a key really matches.
            models.Index(
                fields=["corrects"],
                condition=Q(corrects__isnull=False),
                name="report_corrections",
            ),
        ]
        constraints = [
            models.CheckConstraint(name="report_percent_max", condition=Q(percent__lte=100)),
            models.CheckConstraint(
                name="report_status_valid", condition=Q(status__in=ProgressStatus.values)
            ),
            models.CheckConstraint(
                name="report_completed_is_100",
                condition=~Q(status=ProgressStatus.COMPLETED) | Q(percent=100),
            ),
            models.CheckConstraint(
                name="report_not_started_is_0",
                condition=~Q(status=ProgressStatus.NOT_STARTED) | Q(percent=0),
            ),
            models.CheckConstraint(name="report_text_not_blank", condition=~Q(text="")),
            models.CheckConstraint(
                name="report_withdrew_signoff_valid",
                condition=Q(withdrew_signoff__in=["", *(s.value for s in states.WAITING)]),
            ),
        ]

    @property
    def correction(self):
        """The report that corrects this one, or None. Templates read this: the reverse
        one-to-one raises when nothing corrects a report, and each failed template lookup
        lists the whole model with dir() — a real cost once per report of a timeline."""
        return getattr(self, "corrected_by", None)

    def __str__(self):
        return f"#{self.pk} {self.assignment_id} {self.as_of} {self.percent}%"

    def validate_constraints(self, exclude=None):
        """Its six check constraints in one query, not six (every report is checked)."""
        validate_checks_at_once(self, exclude)

    @property
    def filed_on(self):
        """The local day it was filed."""
        return states.local_day(self.created_at)


def evidence_path(instance, filename):
    """evidence/2026/11/<random>.<kind>: never the uploaded name (kept in original_name)."""
    return f"evidence/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{instance.kind}"


class EvidenceQuerySet(AppendOnlyQuerySet):
    def uploaded_by_body_on(self, body, day):
        """Bytes the body uploaded on a local day (the daily quota): its reports' evidence
        and its drafts' files, each counted when it arrived -- not again when a correction
        keeps a file, nor when a draft is filed with its files."""
        start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        end = start + dt.timedelta(days=1)
        rows = self.filter(
            report__assignment__body=body,
            carried_from__isnull=True,
            from_draft=False,
            created_at__gte=start,
            created_at__lt=end,
        )
        drafts = DraftFile.objects.filter(
            draft__assignment__body=body, uploaded_at__gte=start, uploaded_at__lt=end
        )
        return (rows.aggregate(total=models.Sum("size"))["total"] or 0) + (
            drafts.aggregate(total=models.Sum("size"))["total"] or 0
        )


class Evidence(AppendOnly):
    """佐证材料: a file attached to a report. Stored under MEDIA_ROOT, served only by
    tracker.views.reporting.evidence_download to people who may see the assignment."""

    report = models.ForeignKey(
        Report, models.PROTECT, related_name="evidence", verbose_name=_("进展填报")
    )
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=8)
    content_type = models.CharField(_("MIME 类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # A correction keeps the corrected report's files the body ticks: the same stored file,
    # a row of its own (services/reporting.report_create), not uploaded again.
    carried_from = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("沿用自"),
    )
    # Filed with its draft (draft_approve): uploaded, and counted, when the draft was saved.
    from_draft = models.BooleanField(_("来自草稿"), default=False)

    # The history's own queryset, still append-only (AppendOnlyQuerySet).
    objects = EvidenceQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = pgettext_lazy("复数", "佐证材料")
        ordering = ["report", "pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("evidence_download", args=[self.pk])


class ReportedValue(AppendOnly):
    """A value a report gives against one of the task's targets (量化指标)."""

    report = models.ForeignKey(
        Report, models.PROTECT, related_name="values", verbose_name=_("进展填报")
    )
    target = models.ForeignKey(
        Target, models.PROTECT, related_name="reported_values", verbose_name=_("量化指标")
    )
    value = models.DecimalField(_("完成值"), max_digits=14, decimal_places=4)

    class Meta:
        verbose_name = _("指标完成值")
        verbose_name_plural = pgettext_lazy("复数", "指标完成值")
        ordering = ["report", "target__number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "target"], name="reported_value_once"),
        ]

    def __str__(self):
        return f"{self.target} = {plain_number(self.value)}"


class ExtensionRequestQuerySet(AppendOnlyQuerySet):
    def pending(self):
        """Not yet decided."""
        return self.filter(decision__isnull=True)


class ExtensionRequest(AppendOnly):
    """延期申请: a body asks to move its due date. A Decision approves or rejects it."""

    assignment = models.ForeignKey(
        Assignment,
        models.PROTECT,
        related_name="extension_requests",
        verbose_name=_("责任分工"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="extension_requests",
        verbose_name=_("申请人"),
    )
    old_due = models.DateField(_("原完成时限"), null=True, blank=True)
    new_due = models.DateField(_("申请延至"))
    reason = models.TextField(_("申请理由"), max_length=1000)

    # The history's own queryset, still append-only (AppendOnlyQuerySet).
    objects = ExtensionRequestQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = pgettext_lazy("复数", "延期申请")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(name="extension_reason_not_blank", condition=~Q(reason="")),
            models.CheckConstraint(
                name="extension_moves_later",
                condition=Q(old_due__isnull=True) | Q(new_due__gt=F("old_due")),
            ),
        ]

    def __str__(self):
        return f"{self.assignment} → {self.new_due}"


class DecisionKind(models.TextChoices):
    SIGNED_OFF = "signed_off", _("同意销号")
    RETURNED = "returned", _("退回")
    APPROVED = "approved", _("同意延期")
    REJECTED = "rejected", _("不同意延期")


EXTENSION_DECISIONS = [DecisionKind.APPROVED, DecisionKind.REJECTED]
SIGNOFF_DECISIONS = [DecisionKind.SIGNED_OFF, DecisionKind.RETURNED]


class Decision(AppendOnly):
    """A manager's decision: sign off (销号) or send back (退回) an assignment whose body
    reported it complete, or approve or reject an extension request."""

    Kind = DecisionKind

    assignment = models.ForeignKey(
        Assignment, models.PROTECT, related_name="decisions", verbose_name=_("责任分工")
    )
    kind = models.CharField(_("决定"), max_length=12, choices=Kind.choices)
    report = models.ForeignKey(
        Report,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("审核的填报"),
    )
    extension = models.OneToOneField(
        ExtensionRequest,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="decision",
        verbose_name=_("延期申请"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="decisions",
        verbose_name=_("审核人"),
    )
    reason = models.TextField(_("意见"), max_length=1000, blank=True)
    # An approval may grant another date than the one asked for (with the reason).
    granted_due = models.DateField(_("同意延至"), null=True, blank=True)

    class Meta:
        verbose_name = _("审核决定")
        verbose_name_plural = pgettext_lazy("复数", "审核决定")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="decision_kind_valid",
                condition=Q(kind__in=DecisionKind.values),
            ),
            # An extension decision names its request; a sign-off decision its report.
            models.CheckConstraint(
                name="decision_names_its_subject",
                condition=Q(kind__in=EXTENSION_DECISIONS, extension__isnull=False)
                | Q(kind__in=SIGNOFF_DECISIONS, extension__isnull=True),
            ),
            # Saying no needs a reason.
            models.CheckConstraint(
                name="decision_no_has_reason",
                condition=~Q(kind__in=[DecisionKind.RETURNED, DecisionKind.REJECTED])
                | ~Q(reason=""),
            ),
            models.CheckConstraint(
                name="decision_granted_only_when_approved",
                condition=Q(granted_due__isnull=True) | Q(kind=DecisionKind.APPROVED),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.assignment}"


class ChangeVia(models.TextChoices):
    ADMIN = "admin", _("后台管理")
    EXTENSION = "extension", _("延期审批")
    IMPORT = "import", _("方案导入")
    PLAN_EDIT = "plan_edit", _("管理员在任务页设定")
    ARCHIVE = "archive", _("方案归档与恢复")


class ChangeAction(models.TextChoices):
    CHANGED = "changed", _("修改")
    CREATED = "created", _("新增")
    DELETED = "deleted", _("删除")


class ChangeRecord(AppendOnly):
    """变更记录: one change to a plan, task, measure, assignment or target — by an
    administrator in the admin, by an approved extension, or by an import — with the old and
    the new value as they read at the time. `subject` keeps what was changed even if the
    object itself is later deleted."""

    Via = ChangeVia
    Action = ChangeAction

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    user_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    via = models.CharField(_("途径"), max_length=10, choices=Via.choices)
    action = models.CharField(_("操作"), max_length=8, choices=Action.choices)
    plan = models.ForeignKey(
        Plan, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("实施方案")
    )
    task = models.ForeignKey(
        Task, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("任务")
    )
    measure = models.ForeignKey(
        Measure,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("具体措施"),
    )
    assignment = models.ForeignKey(
        Assignment,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("责任分工"),
    )
    model = models.CharField(_("对象类型"), max_length=50)
    subject = models.CharField(_("对象"), max_length=300)
    field = models.CharField(_("字段"), max_length=50, blank=True)
    field_label = models.CharField(_("字段名称"), max_length=100, blank=True)
    old = models.TextField(_("原值"), blank=True)
    new = models.TextField(_("新值"), blank=True)
    reason = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("变更记录")
        verbose_name_plural = pgettext_lazy("复数", "变更记录")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="change_via_valid",
                condition=Q(via__in=ChangeVia.values),
            ),
            models.CheckConstraint(
                name="change_action_valid",
                condition=Q(action__in=ChangeAction.values),
            ),
        ]

    def __str__(self):
        return f"{self.subject} {self.field_label}: {self.old} → {self.new}"


# --- Reminders (催办) -----------------------------------------------------------------------


class ReminderQuerySet(AppendOnlyQuerySet):
    def record_mail_failure(self):
        """The one change a reminder ever undergoes. The scheduled sweep records its reminders
        before it sends their mail, so that no mail goes out twice (services/reminders.py);
        when that mail then fails, it is marked here: `mail_failed` set, `emailed_to` emptied.
        Only on scheduled reminders not yet marked, so it happens at most once to a row."""
        pending = self.exclude(kind__in=PERSONS_REMINDERS).filter(mail_failed=False)
        return models.QuerySet.update(pending, mail_failed=True, emailed_to="")


class ReminderKind(models.TextChoices):
    MANUAL = "manual", _("督查催办")
    LEAD = "lead", _("牵头单位催办")
    DUE_SOON = "due_soon", _("临期提醒")
    OVERDUE = "overdue", _("逾期催办")


# Reminders a person sent (a manager, or the lead body's staff), as against the sweep's.
PERSONS_REMINDERS = [ReminderKind.MANUAL, ReminderKind.LEAD]


class ReminderLevel(models.TextChoices):
    """How hard a 催办 presses, mildest first (services/reminders.py: suggested_level)."""

    NOTICE = "notice", _("提醒")
    CHASE = "chase", _("催办")
    LETTER = "letter", _("督办函")
    INTERVIEW = "interview", _("约谈")
    BULLETIN = "bulletin", _("通报")


REMINDER_LEVELS = list(ReminderLevel)


class Reminder(AppendOnly):
    """催办: a manager, or the scheduled sweep (`manage.py send_reminders`), chases the body that
    owns an assignment. Part of the assignment's history, so append-only like the rest, with
    one exception: a scheduled reminder whose mail failed after it was recorded is marked so
    (ReminderQuerySet.record_mail_failure). Who got it by e-mail is kept as it was at the
    time; an empty `emailed_to` means nobody did.

    A reminder is *open* until the body next reports or an extension is approved
    (with_open_reminders); 我的任务 shows open ones. It has a level (提醒 … 通报); a
    督办函 names its 文号 and the day a reply is due. The body acknowledges it (签收,
    ReminderReceipt). The scheduled sweep chases an assignment at most once a day, and the
    database holds it to that (reminder_scheduled_once_a_day); a reminder whose mail failed
    does not count, so the next run tries again."""

    Kind = ReminderKind
    Level = ReminderLevel

    assignment = models.ForeignKey(
        Assignment, models.PROTECT, related_name="reminders", verbose_name=_("责任分工")
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    level = models.CharField(
        _("催办级别"), max_length=10, choices=Level.choices, default=Level.CHASE
    )
    doc_number = models.CharField(
        _("文号"), max_length=60, blank=True, help_text=_("督办函的文号，如“聊督办函〔2026〕5号”。")
    )
    reply_by = models.DateField(_("回复期限"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="reminders_sent",
        verbose_name=_("催办人"),
    )
    message = models.TextField(_("催办内容"), max_length=1000)
    day = models.DateField(_("催办日期"), help_text=_("发出催办的本地日期。"))
    emailed_to = models.TextField(_("邮件收件人"), blank=True, help_text=_("每行一个地址。"))
    mail_failed = models.BooleanField(_("邮件发送失败"), default=False)

    # The history's own queryset, still append-only (AppendOnlyQuerySet).
    objects = ReminderQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("催办")
        verbose_name_plural = pgettext_lazy("复数", "催办")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="reminder_kind_valid",
                condition=Q(kind__in=ReminderKind.values),
            ),
            models.CheckConstraint(name="reminder_message_not_blank", condition=~Q(message="")),
            # A person's reminder names the person; a scheduled one nobody.
            models.CheckConstraint(
                name="reminder_manual_has_sender",
                condition=Q(kind__in=PERSONS_REMINDERS, sent_by__isnull=False)
                | (~Q(kind__in=PERSONS_REMINDERS) & Q(sent_by__isnull=True)),
            ),
            models.UniqueConstraint(
                fields=["assignment", "day"],
                condition=~Q(kind__in=PERSONS_REMINDERS) & Q(mail_failed=False),
                name="reminder_scheduled_once_a_day",
            ),
            models.CheckConstraint(
                name="reminder_level_valid", condition=Q(level__in=ReminderLevel.values)
            ),
            # A 督办函 has its 文号 and a day by which the body replies.
            models.CheckConstraint(
                name="reminder_letter_has_number_and_reply_day",
                condition=~Q(level=ReminderLevel.LETTER)
                | (~Q(doc_number="") & Q(reply_by__isnull=False)),
            ),
            # A lead body reminds or chases; the stronger levels are the managers'.
            models.CheckConstraint(
                name="reminder_lead_level_mild",
                condition=~Q(kind=ReminderKind.LEAD)
                | Q(level__in=[ReminderLevel.NOTICE, ReminderLevel.CHASE]),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.assignment_id} · {self.day}"

    @property
    def recipients(self):
        return [line for line in self.emailed_to.splitlines() if line]


def answered_at():
    """When what a reminder asks for was last done: the latest of the body's last report and
    the last approved extension (which sets a new date, superseding the chase of the old)."""
    extended = (
        Decision.objects.filter(assignment=OuterRef("pk"), kind=DecisionKind.APPROVED)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    epoch = Value(dt.datetime(1970, 1, 1, tzinfo=dt.UTC), output_field=models.DateTimeField())
    return Greatest(
        Coalesce(F("last_reported_at"), epoch),
        Coalesce(Subquery(extended, output_field=models.DateTimeField()), epoch),
        output_field=models.DateTimeField(),
    )


def with_due_reasons(assignments):
    """Give each assignment of a page `due_reason` and `due_via`, as with_due_reason()
    annotates them (the latest change to its own due date), in one query for all of them."""
    assignments = list(assignments)
    latest: dict[int, tuple[str, str]] = {}
    changes = (
        ChangeRecord.objects.filter(assignment__in=[a.pk for a in assignments], field="due_date")
        .order_by("assignment", "-created_at", "-pk")
        .values_list("assignment", "reason", "via")
    )
    for assignment, reason, via in changes:
        latest.setdefault(assignment, (reason, via))
    for a in assignments:
        a.due_reason, a.due_via = latest.get(a.pk, (None, None))
    return assignments


def keep_next_report(assignments):
    """Recompute the kept `next_report_on` of some assignments (after their plan's tracking
    start or calendar changed, or rows were written in bulk)."""
    changed = []
    for a in assignments.select_related("task__plan").only(
        "assigned_on",
        "last_report_on",
        "next_report_on",
        "task__plan__start_date",
        "task__plan__report_rhythm",
        "task__plan__report_period_days",
        "task__plan__report_day",
    ):
        expected = a.next_report_expected()
        if a.next_report_on != expected:
            a.next_report_on = expected
            changed.append(a)
    Assignment.objects.bulk_update(changed, ["next_report_on"], batch_size=1000)


def prebuilt(build, today):
    """`build(today)`, a queryset of assignments with their states, built once a day in each
    process and copied for each use (filter it further as any queryset).

    Building the state annotations (with_state) resolves a few hundred expressions: some
    milliseconds on every page that lists work, for a result that depends only on the day
    and the settings of the rules (states.py) — the cache key, so nothing stale is ever
    reused. `build` is a module-level function (the cache holds it)."""
    return _prebuilt(
        build, today, settings.TRACKER_DUE_SOON_DAYS, settings.TRACKER_BEHIND_PACE_POINTS
    ).all()


@functools.lru_cache(maxsize=32)
def _prebuilt(build, today, *rules):
    return build(today)


def active_with_state(today):
    """The active assignments with their states (for prebuilt)."""
    return Assignment.objects.active().with_state(today)


def with_timeline_parts(reports):
    """`reports`, all the reports of some assignments (ReportQuerySet.for_timeline), each with
    what a timeline shows beside it as lists -- `evidence_list`, `value_list` (with their
    targets), `met_list` (the milestones it says were reached) -- and its correction
    (`corrected_by`, None when nothing corrects it).

    The lists are read by assignment in three queries, without Django's prefetching, which
    cost an assignment's page more than the queries themselves (issue 10). The correction
    comes from the list itself: a correction is a report of the same assignment
    (services/reporting.report_create). Joined instead, every row read a second report,
    and with SQLite's statistics that join scanned the reports table."""
    by_corrected = {r.corrects_id: r for r in reports if r.corrects_id}
    for r in reports:
        Report.corrected_by.related.set_cached_value(r, by_corrected.get(r.pk))
        r.evidence_list, r.value_list, r.met_list = [], [], []
    if not reports:
        return reports
    by_pk = {r.pk: r for r in reports}
    assignments = sorted({r.assignment_id for r in reports})
    # A report filed since `reports` were read is not on this page: what hangs on it is
    # passed over (a report and its files, values and milestones are written together).
    parts = (
        (Evidence.objects.filter(report__assignment__in=assignments), "evidence_list"),
        (
            ReportedValue.objects.filter(report__assignment__in=assignments).select_related(
                "target"
            ),
            "value_list",
        ),
        (
            ReportedMilestone.objects.filter(assignment__in=assignments).select_related(
                "milestone"
            ),
            "met_list",
        ),
    )
    for rows, name in parts:
        for row in rows:  # in each model's own order, as Django's prefetching gave them
            report = by_pk.get(row.report_id)
            if report is not None:
                getattr(report, name).append(row)
    return reports


def with_states(assignments, today):
    """Give each assignment of a page the states with_state() annotates (`missed_milestone`,
    the flags, `days_overdue`, `expected_percent`, `light` and `light_rank`; `due` from the
    rows themselves), computed by the Python twin (Assignment.state's rules,
    states.compute) from the stored facts of rows fetched with their joins (_list_joins).

    A list picks its page's keys in SQL (the filters and the order need the states of every
    row); for the fifty rows shown the same states in SQL cost more to build and compile
    than the rows take to fetch. tests/supervision/test_states.py checks both agree."""
    assignments = list(assignments)
    for a in assignments:
        open_milestone = a.open_milestone_due
        # The earliest milestone not reached is the missed one once it is past.
        state = a.state(today, milestones=[(open_milestone, False)] if open_milestone else [])
        light = state.light
        a.due = state.due
        a.missed_milestone = open_milestone if open_milestone and open_milestone < today else None
        a.is_withdrawn = state.withdrawn
        a.is_done = state.done
        a.is_done_late = state.done_late
        a.is_waiting = state.waiting
        a.is_overdue = state.overdue
        a.is_due_soon = state.due_soon
        a.is_behind_pace = state.behind_pace
        a.is_silent = state.silent
        a.days_overdue = state.days_overdue
        a.expected_percent = state.expected_percent
        a.light = None if light is None else light.value
        a.light_rank = None if light is None else states.RANK[light]
    return assignments


def with_open_reminders(queryset):
    """For a list of assignments: `open_reminders`, how many reminders arrived since the body
    last reported or an extension was approved (the hook states.next_steps reads), and the
    latest one's `reminder_message`, `reminder_at`, `reminder_level`, `reminder_pk` and
    whether it was acknowledged (`reminder_acknowledged`); the rest of it for a page of
    rows: with_latest_reminders."""
    open_ones = Reminder.objects.filter(
        assignment=OuterRef("pk"), created_at__gt=OuterRef("answered_at")
    )
    latest = open_ones.order_by("-created_at", "-pk")
    return (
        queryset.annotate(answered_at=answered_at())
        .annotate(
            open_reminders=Subquery(
                open_ones.order_by()
                .values("assignment")
                .annotate(n=models.Count("pk"))
                .values("n"),
                output_field=models.IntegerField(),
            ),
            reminder_message=Subquery(latest.values("message")[:1]),
            reminder_at=Subquery(latest.values("created_at")[:1]),
            reminder_level=Subquery(latest.values("level")[:1]),
            reminder_pk=Subquery(latest.values("pk")[:1]),
        )
        .annotate(
            reminder_acknowledged=Exists(
                ReminderReceipt.objects.filter(reminder=OuterRef("reminder_pk"))
            )
        )
    )


def with_latest_reminders(assignments):
    """Assignments of with_open_reminders with what the reminder card shows of the latest
    one (`reminder_pk`): `reminder_kind`, `reminder_doc_number`, `reminder_reply_by`, the
    sender's name (`reminder_sender`, "" for the daily sweep) and body
    (`reminder_sender_body`) -- one query for a page, not seven subqueries for each row."""
    assignments = list(assignments)
    latest = Reminder.objects.select_related("sent_by__membership__body").in_bulk(
        [a.reminder_pk for a in assignments if getattr(a, "reminder_pk", None)]
    )
    for a in assignments:
        reminder = latest.get(getattr(a, "reminder_pk", None))
        sender = reminder.sent_by if reminder else None
        membership = getattr(sender, "membership", None) if sender else None
        a.reminder_kind = reminder.kind if reminder else None
        a.reminder_doc_number = reminder.doc_number if reminder else ""
        a.reminder_reply_by = reminder.reply_by if reminder else None
        a.reminder_sender = (sender.get_full_name() or sender.username) if sender else ""
        a.reminder_sender_body = membership.body.name if membership else None
    return assignments


class ReminderReceipt(AppendOnly):
    """签收: a member of the body acknowledges a reminder, once."""

    reminder = models.OneToOneField(
        Reminder, models.PROTECT, related_name="receipt", verbose_name=_("催办")
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("签收人")
    )

    class Meta:
        verbose_name = _("催办签收")
        verbose_name_plural = pgettext_lazy("复数", "催办签收")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.reminder_id} · {self.acknowledged_by}"


# --- Milestones (阶段性目标) ----------------------------------------------------------------


class ReportedMilestone(AppendOnly):
    """A report says that the assignment reached one of its milestones."""

    report = models.ForeignKey(
        Report, models.PROTECT, related_name="milestones_met", verbose_name=_("进展填报")
    )
    milestone = models.ForeignKey(
        Milestone, models.PROTECT, related_name="reported", verbose_name=_("阶段性目标")
    )
    # The report's assignment, written with the row: whether an assignment reached a
    # milestone is then one look-up in (milestone, assignment) — every list computes it for
    # each row it is kept for (open_milestone_subquery), and through the reports it took dozens.
    assignment = models.ForeignKey(
        "Assignment", models.PROTECT, related_name="+", verbose_name=_("责任分工"), editable=False
    )

    class Meta:
        verbose_name = _("阶段性目标完成情况")
        verbose_name_plural = pgettext_lazy("复数", "阶段性目标完成情况")
        ordering = ["report", "milestone"]
        indexes = [
            models.Index(fields=["milestone", "assignment"], name="milestone_met_by_assignment"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["report", "milestone"], name="milestone_met_once"),
        ]

    def __str__(self):
        return f"{self.report_id} → {self.milestone_id}"


def open_milestone_subquery():
    """For a queryset of assignments: the earliest applying milestone that no report in
    force of the assignment says was reached; NULL when there is none."""
    met = ReportedMilestone.objects.filter(
        milestone=OuterRef("pk"),
        assignment=OuterRef(OuterRef("pk")),
        report__corrected_by__isnull=True,
    )
    first = (
        Milestone.objects.applying_to_outer().exclude(Exists(met)).order_by("due").values("due")[:1]
    )
    return Subquery(first, output_field=models.DateField())


# --- The review chain: the lead body's review, its summary, in-body drafts ------------------


class LeadReview(AppendOnly):
    """牵头单位初审: the lead body's staff pass a supporting or county body's completion
    request on to the managers, with their opinion, or return it to the body."""

    assignment = models.ForeignKey(
        Assignment, models.PROTECT, related_name="lead_reviews", verbose_name=_("责任分工")
    )
    report = models.ForeignKey(
        Report, models.PROTECT, related_name="lead_reviews", verbose_name=_("审核的填报")
    )
    body = models.ForeignKey(Body, models.PROTECT, related_name="+", verbose_name=_("牵头单位"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("初审人")
    )
    passed = models.BooleanField(_("同意报督查审核"))
    opinion = models.TextField(_("初审意见"), max_length=1000)

    class Meta:
        verbose_name = _("牵头单位初审")
        verbose_name_plural = pgettext_lazy("复数", "牵头单位初审")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(name="lead_review_has_opinion", condition=~Q(opinion="")),
        ]

    def __str__(self):
        return f"{self.body} · {self.assignment_id} · {'passed' if self.passed else 'returned'}"


class TaskSummary(AppendOnly):
    """汇总报送: the lead body's account of the whole task, above the bodies' own reports."""

    task = models.ForeignKey(Task, models.PROTECT, related_name="summaries", verbose_name=_("任务"))
    body = models.ForeignKey(Body, models.PROTECT, related_name="+", verbose_name=_("牵头单位"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("报送人")
    )
    as_of = models.DateField(_("情况截至"))
    text = models.TextField(_("汇总情况"), max_length=4000)

    class Meta:
        verbose_name = _("汇总报送")
        verbose_name_plural = pgettext_lazy("复数", "汇总报送")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(name="summary_text_not_blank", condition=~Q(text="")),
        ]

    def __str__(self):
        return f"{self.body} · {self.task} · {self.as_of}"


class DraftState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待单位负责人审核")
    RETURNED = "returned", _("已退回修改")
    FILED = "filed", _("已报送")
    DISCARDED = "discarded", _("已作废")


class ReportDraftQuerySet(models.QuerySet):
    def open(self):
        """Drafts still being worked on or with the head: not filed, not discarded."""
        return self.exclude(state__in=[DraftState.FILED, DraftState.DISCARDED])


class ReportDraft(models.Model):
    """A report a clerk (经办人) prepares in a body that requires its head's approval
    (Body.requires_approval). Not history and not a report: it is seen only inside the
    body and counts for nothing until the head approves it, when it is filed as a Report
    (services/reporting.py: draft_approve). Its steps are DraftStep rows."""

    State = DraftState

    assignment = models.ForeignKey(
        Assignment, models.PROTECT, related_name="drafts", verbose_name=_("责任分工")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("经办人")
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=DraftState.choices, default=DraftState.DRAFT
    )
    status = models.CharField(_("进展状态"), max_length=12, choices=ProgressStatus.choices)
    percent = models.PositiveSmallIntegerField(_("完成百分比"))
    text = models.TextField(_("工作进展"), max_length=2000)
    as_of = models.DateField(_("情况截至"))
    corrects = models.ForeignKey(
        Report,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("更正的填报"),
    )
    # Target pk → value as text, and the milestones said to be reached.
    values = models.JSONField(_("指标完成值"), default=dict, blank=True)
    milestones = models.JSONField(_("完成的阶段性目标"), default=list, blank=True)
    # A correction's choice of the corrected report's files to keep (Evidence pks).
    kept_evidence = models.JSONField(_("沿用的佐证材料"), default=list, blank=True)
    report = models.OneToOneField(
        Report,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="draft",
        verbose_name=_("报送的填报"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)

    objects = ReportDraftQuerySet.as_manager()

    class Meta:
        verbose_name = _("填报草稿")
        verbose_name_plural = pgettext_lazy("复数", "填报草稿")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="draft_state_valid", condition=Q(state__in=DraftState.values)
            ),
            models.CheckConstraint(
                name="draft_filed_has_report",
                condition=Q(state=DraftState.FILED, report__isnull=False)
                | (~Q(state=DraftState.FILED) & Q(report__isnull=True)),
            ),
            models.CheckConstraint(name="draft_percent_max", condition=Q(percent__lte=100)),
        ]

    def __str__(self):
        return f"draft {self.pk} · {self.assignment_id} · {self.state}"

    def get_absolute_url(self):
        return reverse("draft_edit", args=[self.pk])

    @property
    def editable(self):
        """Still the clerk's to change, submit or discard: not with the head, filed or
        discarded."""
        return self.state in (DraftState.DRAFT, DraftState.RETURNED)

    def kept_files(self):
        """The files of the corrected report this draft keeps (沿用), in their order."""
        if self.corrects_id is None:
            return Evidence.objects.none()
        return Evidence.objects.filter(pk__in=self.kept_evidence, report=self.corrects_id)


def draft_file_path(instance, filename):
    return f"evidence/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{instance.kind}"


class DraftFile(models.Model):
    """An evidence file of a draft; when the draft is filed, its Evidence row points at the
    same stored file."""

    draft = models.ForeignKey(
        ReportDraft, models.CASCADE, related_name="files", verbose_name=_("填报草稿")
    )
    file = models.FileField(_("文件"), upload_to=draft_file_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=8)
    content_type = models.CharField(_("MIME 类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # For the day's upload limit (EvidenceQuerySet.uploaded_by_body_on); empty for files
    # saved before it was kept.
    uploaded_at = models.DateTimeField(_("上传时间"), null=True, blank=True, default=timezone.now)

    class Meta:
        verbose_name = _("草稿佐证材料")
        verbose_name_plural = pgettext_lazy("复数", "草稿佐证材料")
        ordering = ["draft", "pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("draft_file_download", args=[self.pk])


class DraftStepKind(models.TextChoices):
    SUBMITTED = "submitted", _("提交审核")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("同意报送")
    WITHDRAWN = "withdrawn", _("撤回修改")
    DISCARDED = "discarded", _("作废")


class DraftStep(AppendOnly):
    """One step of a draft's way through the body: submitted, returned (with the head's
    reason) or approved. Kept inside the body, like the draft."""

    Kind = DraftStepKind

    draft = models.ForeignKey(
        ReportDraft, models.PROTECT, related_name="steps", verbose_name=_("填报草稿")
    )
    kind = models.CharField(_("环节"), max_length=10, choices=DraftStepKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("办理人")
    )
    note = models.TextField(_("意见"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("草稿审核环节")
        verbose_name_plural = pgettext_lazy("复数", "草稿审核环节")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="draft_step_kind_valid", condition=Q(kind__in=DraftStepKind.values)
            ),
            models.CheckConstraint(
                name="draft_return_has_reason",
                condition=~Q(kind=DraftStepKind.RETURNED) | ~Q(note=""),
            ),
        ]

    def __str__(self):
        return f"{self.draft_id} {self.kind}"


# --- Access records (访问记录) ----------------------------------------------------------------


class AccessKind(models.TextChoices):
    EVIDENCE = "evidence", _("下载佐证材料")
    EXPORT = "export", _("导出清单")


class AccessRecord(AppendOnly):
    """访问记录: who downloaded which evidence file, and who exported what (the filters in
    words and as the query string, and how many rows). Written as the file is served
    (tracker/services/audit.py); append-only like the rest of the history, and shown to plan
    administrators (/audit/, and read-only in the admin)."""

    Kind = AccessKind

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("访问人"),
    )
    # As the user was named at the time, like ChangeRecord.user_name.
    user_name = models.CharField(_("访问人姓名"), max_length=150)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    evidence = models.ForeignKey(
        Evidence,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="accesses",
        verbose_name=_("佐证材料"),
    )
    subject = models.CharField(_("内容"), max_length=300)
    filters = models.TextField(_("筛选条件"), blank=True)
    query = models.TextField(_("查询参数"), blank=True)
    rows = models.PositiveIntegerField(_("行数"), null=True, blank=True)
    client_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("访问记录")
        verbose_name_plural = pgettext_lazy("复数", "访问记录")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="access_kind_valid", condition=Q(kind__in=AccessKind.values)
            ),
            # A download names its file; an export counts its rows.
            models.CheckConstraint(
                name="access_names_its_subject",
                condition=Q(kind=AccessKind.EVIDENCE, evidence__isnull=False)
                | Q(kind=AccessKind.EXPORT, evidence__isnull=True, rows__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.user_name} · {self.get_kind_display()} · {self.subject}"


# --- The web import's drafts ------------------------------------------------------------------


class ImportDraftQuerySet(models.QuerySet):
    def expired(self, now=None):
        """Drafts not confirmed within TRACKER_IMPORT_DRAFT_HOURS of their upload."""
        now = now or timezone.now()
        limit = now - dt.timedelta(hours=settings.TRACKER_IMPORT_DRAFT_HOURS)
        return self.filter(confirmed_at__isnull=True, created_at__lt=limit)


class ImportDraft(models.Model):
    """A plan uploaded to the web import, kept on the server between the preview and the
    confirmation, so what is imported is exactly the file the preview was made from —
    never a copy sent back by the browser. Confirmed once (then it names the plan it
    created or updated, and stays as the record of what was uploaded); an unconfirmed
    draft expires (ImportDraftQuerySet.expired) and is then removed."""

    key = models.UUIDField(_("编号"), default=uuid.uuid4, unique=True, editable=False)
    source = models.BinaryField(_("上传的文件"))
    source_name = models.CharField(_("文件名"), max_length=200)
    source_sha256 = models.CharField(_("文件 SHA-256"), max_length=64, db_index=True)
    review_text = models.TextField(_("审核文件"), blank=True)
    gazetteer = models.CharField(_("地名文件"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="import_drafts",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("确认导入时间"), null=True, blank=True)
    plan = models.ForeignKey(
        Plan,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_drafts",
        verbose_name=_("导入的方案"),
    )

    objects = ImportDraftQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入草稿")
        verbose_name_plural = pgettext_lazy("复数", "导入草稿")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(name="import_draft_has_sha256", condition=~Q(source_sha256="")),
        ]

    def __str__(self):
        return f"{self.source_name} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def expires_at(self):
        return self.created_at + dt.timedelta(hours=settings.TRACKER_IMPORT_DRAFT_HOURS)

    def is_expired(self, now=None):
        """True when it was not confirmed in time (ImportDraftQuerySet.expired)."""
        return self.confirmed_at is None and (now or timezone.now()) > self.expires_at


# --- Issued bulletins (通报) ------------------------------------------------------------------


def bulletin_path(instance, filename):
    """bulletins/2026/<random>.docx: never a name a person chose (the download is named by the
    文号 and the title)."""
    return f"bulletins/{instance.year}/{uuid.uuid4().hex}.docx"


class Bulletin(AppendOnly):
    """通报: a bulletin a manager issued (印发). It carries the next 文号 of its year
    (聊督通〔2026〕3号), the figures as they were when it was issued (`figures`, the JSON of
    tracker.services.supervision.bulletin_figures) with the texts the manager wrote, and the
    Word document made from them; it never changes afterwards, like the rest of the history.
    Body staff read the bulletins that name their body (`named_bodies`, set when it is
    issued). tracker/services/bulletins.py issues them."""

    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveIntegerField(_("期数"))
    doc_number = models.CharField(_("文号"), max_length=50)
    issuer = models.CharField(_("发文机关"), max_length=100)
    plan = models.ForeignKey(
        Plan,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="bulletins",
        verbose_name=_("实施方案"),
        help_text=_("为空表示全部实施方案。"),
    )
    as_of = models.DateField(_("截至日期"))
    issued_on = models.DateField(_("印发日期"))
    title = models.CharField(_("标题"), max_length=200)
    recipients = models.CharField(_("主送机关"), max_length=300, blank=True)
    opening = models.TextField(_("开头语"), max_length=2000, blank=True)
    requirements = models.TextField(_("下一步要求"), max_length=5000, blank=True)
    figures = models.JSONField(_("通报数据"), encoder=DjangoJSONEncoder)
    document = models.FileField(_("Word 文档"), upload_to=bulletin_path, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="bulletins_issued",
        verbose_name=_("印发人"),
    )
    # As the user was named at the time, like ChangeRecord.user_name.
    issued_by_name = models.CharField(_("印发人姓名"), max_length=150)
    named_bodies = models.ManyToManyField(
        Body, related_name="bulletins", blank=True, verbose_name=_("通报涉及的单位")
    )

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = pgettext_lazy("复数", "通报")
        ordering = ["-year", "-number"]
        constraints = [
            # One 文号 per number and year, whatever happens at the same moment
            # (services/bulletins.py retries on this constraint).
            models.UniqueConstraint(fields=["year", "number"], name="bulletin_unique_number"),
            models.CheckConstraint(name="bulletin_number_positive", condition=Q(number__gte=1)),
            models.CheckConstraint(
                name="bulletin_year_plausible", condition=Q(year__gte=2000, year__lte=2999)
            ),
            models.CheckConstraint(name="bulletin_title_not_blank", condition=~Q(title="")),
        ]

    def __str__(self):
        return f"{self.doc_number} {self.title}"

    def get_absolute_url(self):
        return reverse("bulletin_detail", args=[self.pk])
