"""The database maintenance a deployment runs daily (cron, after send_reminders; README):
fresh statistics for the query planner.

- SQLite: `ANALYZE; PRAGMA optimize;` — the whole of every index (under a second on a province's
  database: 300 plans, a million reports), and the planner then knows, for instance, that
  the reports of one assignment are a few dozen rows. SQLite never gathers statistics by
  itself; without them it guesses. Sampled (`analysis_limit=1000`) it guessed wrong: a
  column NULL for most rows (an assignment's measure) looked like two rows a value, and
  the lists were read from the wrong end, a quarter slower than without statistics.
- PostgreSQL: `ANALYZE` (autovacuum also does it after large changes; running it daily is
  harmless and covers a server where autovacuum was turned down).

Every page is measured with statistics present (`make bench`: the second pass), so
statistics never make a page slower.
"""

import time

from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    help = "更新数据库的统计信息（ANALYZE），供查询规划使用。建议每天运行一次。"

    def handle(self, *args, **options):
        started = time.monotonic()
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA analysis_limit=0")
                cursor.execute("ANALYZE")
                cursor.execute("PRAGMA optimize")
            else:
                cursor.execute("ANALYZE")
        seconds = time.monotonic() - started
        self.stdout.write(f"已更新统计信息（{connection.vendor}，{seconds:.1f} 秒）。")
