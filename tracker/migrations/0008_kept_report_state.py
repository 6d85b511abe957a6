# Issue 10 (province scale): what lists read on every row is kept, not recomputed.

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone


def keep_report_state(apps, schema_editor):
    """Fill the kept values from the history: each assignment's current report in force
    (the latest as-of date, then the latest place in the filing order, then the highest id —
    as ReportQuerySet.current()) and how many reports were filed; each reached milestone's
    assignment (its report's); the local day of each assignment's latest report."""
    Assignment = apps.get_model("tracker", "Assignment")
    Report = apps.get_model("tracker", "Report")
    ReportedMilestone = apps.get_model("tracker", "ReportedMilestone")
    current = (
        Report.objects.filter(assignment=OuterRef("pk"), corrected_by__isnull=True)
        .order_by("-as_of", "-place_at", "-pk")
        .values("pk")[:1]
    )
    count = (
        Report.objects.filter(assignment=OuterRef("pk"))
        .order_by()
        .values("assignment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Assignment.objects.update(
        current_report=Subquery(current),
        report_count=Coalesce(Subquery(count), Value(0)),
    )
    zone = timezone.get_default_timezone()
    days = []
    for a in Assignment.objects.filter(last_reported_at__isnull=False).only("last_reported_at"):
        a.last_report_on = timezone.localdate(a.last_reported_at, zone)
        days.append(a)
    Assignment.objects.bulk_update(days, ["last_report_on"], batch_size=1000)
    # ReportedMilestone is history (its manager refuses updates): the plain queryset fills
    # the new column once, before any row could have been written with it.
    rows = models.QuerySet(ReportedMilestone)
    rows.update(
        assignment=Subquery(
            Report.objects.filter(pk=OuterRef("report")).values("assignment")[:1]
        )
    )


class Migration(migrations.Migration):

    dependencies = [
        ("tracker", "0007_reporting_chain"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="current_report",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="tracker.report",
                verbose_name="当前填报",
            ),
        ),
        migrations.AddField(
            model_name="assignment",
            name="report_count",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="填报次数"),
        ),
        migrations.AddField(
            model_name="assignment",
            name="last_report_on",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="最近填报日期"
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(("corrects__isnull", False)),
                fields=["corrects"],
                name="report_corrections",
            ),
        ),
        migrations.AddField(
            model_name="reportedmilestone",
            name="assignment",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="tracker.assignment",
                verbose_name="责任分工",
            ),
        ),
        migrations.RunPython(keep_report_state, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="reportedmilestone",
            name="assignment",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="tracker.assignment",
                verbose_name="责任分工",
            ),
        ),
        migrations.AddIndex(
            model_name="reportedmilestone",
            index=models.Index(
                fields=["milestone", "assignment"], name="milestone_met_by_assignment"
            ),
        ),
    ]
