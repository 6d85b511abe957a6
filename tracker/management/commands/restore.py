"""Restore an archive made by `manage.py backup` into an empty database and media folder.

    DATABASE_URL=postgres://…/tracker_new DJANGO_MEDIA_ROOT=/srv/new-media \\
        python manage.py restore /var/backups/tracker/tracker-2026-11-30.tar.gz

It refuses, writing nothing, when the database already has tables or the media folder already
has files, when the archive is of the other kind of database, or when a member of the archive
does not match its manifest. Run `manage.py migrate` afterwards only if the code is newer than
the backup.
"""

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from tracker.services import backup


class Command(BaseCommand):
    help = "把 backup 命令生成的归档恢复到空数据库和空的佐证材料目录。"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="backup 命令生成的归档文件")

    def handle(self, *args, archive, **options):
        try:
            summary = backup.restore(archive)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"已从 {summary.archive} 恢复：{summary.vendor} 数据库，"
                f"{summary.reports} 条进展填报，"
                f"{summary.files} 个佐证材料文件（{filesizeformat(summary.bytes)}）。"
            )
        )
