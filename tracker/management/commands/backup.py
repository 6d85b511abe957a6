"""Back up the database and every evidence file into one archive, while the site runs.

    python manage.py backup /var/backups/tracker/tracker-$(date +%F).tar.gz

SQLite is copied with its online backup API, PostgreSQL with pg_dump (the client must match
the server's version); tracker/services/backup.py says how the archive stays consistent.
Exits non-zero when an evidence file is missing or differs from what was recorded (the
archive is still written, holding everything else).
"""

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from tracker.services import backup


class Command(BaseCommand):
    help = "把数据库和全部佐证材料备份为一个归档文件（可在系统运行时执行）。"

    def add_arguments(self, parser):
        parser.add_argument("out", help="归档文件路径（.tar.gz）")

    def handle(self, *args, out, **options):
        try:
            summary = backup.backup(out)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份到 {summary.archive}：{summary.vendor} 数据库，"
                f"{summary.reports} 条进展填报，"
                f"{summary.files} 个佐证材料文件（{filesizeformat(summary.bytes)}）。"
            )
        )
        if summary.problems:
            for problem in summary.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"有 {len(summary.problems)} 个佐证材料文件缺失或与记录不符（见上）。"
            )
