import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """The day's upload limit counts a draft's files when they are uploaded, and not again
    when the draft is filed. Files saved in drafts before this keep no upload time (NULL):
    counting them all on the day of the migration would stop a body's uploads that day."""

    dependencies = [
        ("tracker", "0013_correction_keeps_evidence"),
    ]

    operations = [
        migrations.AddField(
            model_name="draftfile",
            name="uploaded_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="上传时间"),
        ),
        migrations.AlterField(
            model_name="draftfile",
            name="uploaded_at",
            field=models.DateTimeField(
                blank=True, default=django.utils.timezone.now, null=True, verbose_name="上传时间"
            ),
        ),
        migrations.AddField(
            model_name="evidence",
            name="from_draft",
            field=models.BooleanField(default=False, verbose_name="来自草稿"),
        ),
    ]
