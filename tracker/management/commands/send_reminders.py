"""Chase what is due soon or overdue (定时催办): one mail per body listing its items, to the
members of the body who have an e-mail address. Meant to run daily from cron; running it
twice on one day chases nothing twice (tracker/services/reminders.py).

    python manage.py send_reminders [--dry-run] [--site-url https://dubanshi.example.gov.cn]
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from tracker.services import reminders

OUTCOMES = {
    "sent": "已发送邮件至 {n} 个邮箱",
    "no_address": "已记录催办；该单位没有登记邮箱的工作人员，未发送邮件",
    "mail_failed": "邮件发送失败（已记入催办记录），下次运行时重试",
    "already": "今天已由另一次运行催办，跳过",
    "dry_run": "试运行：将发送至 {n} 个邮箱",
}


class Command(BaseCommand):
    help = "向临期、逾期工作的责任单位发送催办邮件（每个单位一封，每项工作每天至多一次）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="只列出将催办的工作，不记录、不发送"
        )
        parser.add_argument(
            "--site-url",
            default=getattr(settings, "TRACKER_SITE_URL", ""),
            help="邮件中链接的网站地址（默认取 TRACKER_SITE_URL）",
        )

    def handle(self, *args, dry_run, site_url, **options):
        results = reminders.send_scheduled(site_url=site_url, dry_run=dry_run)
        if not results:
            self.stdout.write("没有需要催办的临期或逾期工作。")
            return
        failed = 0
        for result in results:
            overdue = sum(1 for a in result.items if a.is_overdue)
            line = (
                f"{result.body.name}：{len(result.items)} 项（逾期 {overdue}，"
                f"临期 {len(result.items) - overdue}）→ "
                + OUTCOMES[result.outcome].format(n=len(result.recipients))
            )
            if result.outcome == "mail_failed":
                failed += 1
                self.stderr.write(self.style.ERROR(line))
            elif result.outcome == "no_address":
                self.stdout.write(self.style.WARNING(line))
            else:
                self.stdout.write(line)
        sent = sum(1 for r in results if r.outcome == "sent")
        summary = f"共 {len(results)} 个单位，发出 {sent} 封邮件"
        if failed:
            summary += f"，{failed} 个单位发送失败"
        self.stdout.write(self.style.SUCCESS(summary) if not failed else summary)
