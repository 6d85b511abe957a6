"""The plan's structure: Plan → Category → Task → Measure, the bodies that answer for them
(Assignment) and the countable targets. Rows refer to each other by natural keys so the
fixtures generated from seeds/ read as names, not ids.

Where a value can come either from the plan text or from a person, a `*_source` field
says which, and a person's decision keeps its reason beside it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """Who decided a value."""

    TEXT = "text", _("方案原文")
    REVIEW = "review", _("管理员审核文件")
    ADMIN = "admin", _("管理员设定")


class PlanManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Plan(models.Model):
    slug = models.SlugField(_("标识"), max_length=80, unique=True)
    title = models.CharField(_("名称"), max_length=200)
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
        _("填报周期（天）"), default=30, help_text=_("超过此天数没有进展填报即为未按时填报。")
    )
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    objects = PlanManager()

    class Meta:
        verbose_name = _("实施方案")
        verbose_name_plural = _("实施方案")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                name="plan_report_period_positive", condition=Q(report_period_days__gte=1)
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("plan_overview", args=[self.slug])

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
        verbose_name_plural = _("任务类别")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="category_unique_number"),
            models.CheckConstraint(name="category_number_positive", condition=Q(number__gte=1)),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def natural_key(self):
        return (*self.plan.natural_key(), self.number)

    natural_key.dependencies = ["tracker.plan"]


def lines_are_ordered(prefix=""):
    """A check that a first/last line pair is either empty or in order."""
    first, last = f"{prefix}first_line", f"{prefix}last_line"
    return Q(**{f"{first}__isnull": True}) | Q(**{f"{last}__gte": F(first)})


class TaskQuerySet(models.QuerySet):
    def active(self):
        """Tasks the current revision of the plan still contains."""
        return self.filter(withdrawn=False)

    def overdue(self, today):
        """逾期: an assignment of the task is overdue, or the task's own deadline has passed
        and not every body on it has signed off (a task nobody was assigned stays overdue)."""
        assignments = Assignment.objects.filter(task=OuterRef("pk"))
        return self.active().filter(
            Exists(Assignment.objects.overdue(today).filter(task=OuterRef("pk")))
            | Q(deadline__lt=today) & (Exists(assignments.not_done()) | ~Exists(assignments))
        )


class TaskManager(models.Manager.from_queryset(TaskQuerySet)):
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
    ongoing = models.BooleanField(
        _("长期任务"), default=False, help_text=_("长期坚持、持续推进，没有完成日期。")
    )

    class Meta:
        abstract = True

    @property
    def deadline_is_decision(self):
        """True when a person, not the text, set this deadline."""
        return self.deadline_source in (Source.REVIEW, Source.ADMIN)


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
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.TEXT)
    source_reason = models.CharField(_("审核说明"), max_length=500, blank=True)
    withdrawn = models.BooleanField(
        _("已撤销"), default=False, help_text=_("方案修订后不再包含此任务；记录保留。")
    )

    objects = TaskManager()

    class Meta:
        verbose_name = _("重点任务")
        verbose_name_plural = _("重点任务")
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

    natural_key.dependencies = ["tracker.plan", "tracker.category"]

    def get_absolute_url(self):
        return reverse("task_detail", args=[self.plan.slug, self.number])


class MeasureManager(models.Manager):
    def get_by_natural_key(self, plan_slug, task_number, number):
        return self.get(task__plan__slug=plan_slug, task__number=task_number, number=number)


class Measure(DeadlineFields):
    task = models.ForeignKey(Task, models.CASCADE, related_name="measures", verbose_name=_("任务"))
    number = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("具体措施"))
    first_line = models.PositiveIntegerField(_("原文起始行"), null=True, blank=True)
    last_line = models.PositiveIntegerField(_("原文结束行"), null=True, blank=True)
    withdrawn = models.BooleanField(_("已撤销"), default=False)

    objects = MeasureManager()

    class Meta:
        verbose_name = _("具体措施")
        verbose_name_plural = _("具体措施")
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

    natural_key.dependencies = ["tracker.task"]


class BodyManager(models.Manager):
    def get_by_natural_key(self, jurisdiction, name):
        return self.get(jurisdiction=jurisdiction, name=name)


class Body(models.Model):
    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("市直部门")
        COUNTY = "county", _("县（市、区）")
        ZONE = "zone", _("开发区")
        ENTERPRISE = "enterprise", _("企业")
        OTHER = "other", _("其他")

    jurisdiction = models.CharField(_("所属地区"), max_length=50)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.OTHER)

    objects = BodyManager()

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["jurisdiction", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="body_unique_name"),
            models.CheckConstraint(
                name="body_kind_valid",
                condition=Q(kind__in=["department", "county", "zone", "enterprise", "other"]),
            ),
            models.CheckConstraint(name="body_name_not_blank", condition=~Q(name="")),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.jurisdiction, self.name)


class AssignmentQuerySet(models.QuerySet):
    def with_due(self):
        """Annotate `due`: the assignment's own due date, else its measure's, else its task's."""
        return self.annotate(due=Coalesce("due_date", "measure__deadline", "task__deadline"))

    def active(self):
        """Assignments of tasks and measures the plan still contains."""
        return self.filter(task__withdrawn=False).exclude(measure__withdrawn=True)

    def done(self):
        """Signed off (已销号)."""
        return self.filter(signed_off_at__isnull=False)

    def not_done(self):
        return self.filter(signed_off_at__isnull=True)

    def overdue(self, today):
        """逾期: its due date has passed and it is not done."""
        return self.active().with_due().not_done().filter(due__lt=today)

    def for_list(self):
        """The joins every list of assignments needs."""
        return self.select_related("task__plan", "task__category", "measure", "body")


class AssignmentManager(models.Manager.from_queryset(AssignmentQuerySet)):
    def get_by_natural_key(self, plan_slug, task_number, measure_number, jurisdiction, body_name):
        return self.get(
            task__plan__slug=plan_slug,
            task__number=task_number,
            measure__number=measure_number,
            body__jurisdiction=jurisdiction,
            body__name=body_name,
        )


class Assignment(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("牵头")
        SUPPORT = "support", _("配合")
        RESPONSIBLE = "responsible", _("分解落实")

    class Origin(models.TextChoices):
        CLAUSE = "clause", _("责任分工条款")
        NAMED = "named", _("原文提及")
        REVIEW = "review", _("管理员审核文件")
        ADMIN = "admin", _("管理员设定")

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
    origin_reason = models.CharField(_("设定依据"), max_length=500, blank=True)
    due_date = models.DateField(_("本单位完成时限"), null=True, blank=True)
    due_text = models.CharField(_("时限原文"), max_length=100, blank=True)
    signed_off_at = models.DateTimeField(_("销号时间"), null=True, blank=True)

    objects = AssignmentManager()

    class Meta:
        verbose_name = _("责任分工")
        verbose_name_plural = _("责任分工")
        ordering = ["task", "measure", "role", "body"]
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
            # At most one lead per task, and per measure.
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(role="lead", measure__isnull=True),
                name="assignment_one_lead_per_task",
            ),
            models.UniqueConstraint(
                fields=["measure"],
                condition=Q(role="lead", measure__isnull=False),
                name="assignment_one_lead_per_measure",
            ),
            models.CheckConstraint(
                name="assignment_role_valid",
                condition=Q(role__in=["lead", "support", "responsible"]),
            ),
            models.CheckConstraint(
                name="assignment_origin_valid",
                condition=Q(origin__in=["clause", "named", "review", "admin"]),
            ),
        ]

    def __str__(self):
        where = f"{self.task.number}.{self.measure.number}" if self.measure_id else self.task.number
        return f"{self.body} · {where} · {self.get_role_display()}"

    def natural_key(self):
        measure_number = self.measure.number if self.measure_id else None
        return (*self.task.natural_key(), measure_number, *self.body.natural_key())

    natural_key.dependencies = ["tracker.task", "tracker.measure", "tracker.body"]

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.measure_id and self.task_id and self.measure.task_id != self.task_id:
            raise ValidationError({"measure": _("该措施不属于所选任务。")})

    @property
    def effective_due(self):
        """The due date that applies: own, else the measure's, else the task's."""
        if self.due_date:
            return self.due_date
        if self.measure_id and self.measure.deadline:
            return self.measure.deadline
        return self.task.deadline

    @property
    def is_decision(self):
        """True when a person, not the text, put this body on the work."""
        return self.origin in (self.Origin.REVIEW, self.Origin.ADMIN)


class TargetManager(models.Manager):
    def get_by_natural_key(self, plan_slug, number):
        return self.get(plan__slug=plan_slug, number=number)


class Target(models.Model):
    class Scope(models.TextChoices):
        PLAN = "plan", _("全市")
        TASK = "task", _("本任务")
        EACH_COUNTY = "each_county", _("每个县（市、区）")
        OTHER = "other", _("其他")

    class Comparator(models.TextChoices):
        AT_LEAST = ">=", _("不少于")
        AT_MOST = "<=", _("不超过")
        EQUAL = "=", _("达到")

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
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.TEXT)
    source_reason = models.CharField(_("设定依据"), max_length=300, blank=True)
    withdrawn = models.BooleanField(_("已撤销"), default=False)

    objects = TargetManager()

    class Meta:
        verbose_name = _("量化指标")
        verbose_name_plural = _("量化指标")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="target_unique_number"),
            models.CheckConstraint(
                name="target_comparator_valid", condition=Q(comparator__in=[">=", "<=", "="])
            ),
            models.CheckConstraint(
                name="target_scope_valid",
                condition=Q(scope__in=["plan", "task", "each_county", "other"]),
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

    natural_key.dependencies = ["tracker.plan", "tracker.task", "tracker.measure"]


class MembershipManager(models.Manager):
    def get_by_natural_key(self, username):
        return self.get(user__username=username)


class Membership(models.Model):
    """Which body a user works for (one body per user)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="membership",
        verbose_name=_("用户"),
    )
    body = models.ForeignKey(
        Body, models.PROTECT, related_name="memberships", verbose_name=_("责任单位")
    )

    objects = MembershipManager()

    class Meta:
        verbose_name = _("单位成员")
        verbose_name_plural = _("单位成员")
        ordering = ["body", "user"]

    def __str__(self):
        return f"{self.user} @ {self.body}"

    def natural_key(self):
        return (self.user.username,)

    natural_key.dependencies = ["tracker.body"]
