"""The pages managers and bodies open every morning, measured at province scale (issue 10):

    SQLITE_PATH=/tmp/x/bench.sqlite3 DJANGO_MEDIA_ROOT=/tmp/x/media manage.py bench_pages \
        --label sqlite --phase after
    .ci/with-postgres manage.py bench_pages --label postgresql --phase after

`make bench` runs both (each in a throw-away database) after the parser's benchmark. Steps:
migrate, `generate_demo` (300 plans), collectstatic into a temporary folder, serve with
gunicorn (2 sync workers, DEBUG off), then for each page of the issue's table: 3 warm-up
requests, 50 sequential requests (p50, p95, requests/s at one connection), 4 concurrent
connections (requests/s), the SQL queries the page makes (counted in this process with
Django's test client), the largest worker RSS after the page; for the two lists also the
same rows fetched by one hand-written SQL query (the floor). The exports' memory is taken on
freshly started workers: RSS before, peak (VmHWM) after. Last, a burst of report POSTs at 1
and 4 connections. All of it twice: without statistics, then after `optimize_database`
(ANALYZE) — no page may be slower with statistics.

The results are appended to docs/bench.md with the machine, the date and the commit. The
numbers are never asserted: a loaded machine must not fail a build (check `uptime` first).
A page slower than --budget seconds per measurement is measured with fewer requests (the
row says how many).
"""

import http.client
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tracker.models import Assignment, Body, Membership, Plan

HOST = "127.0.0.1"
PASSWORD = "demo-2024"
REPORT = Path(os.environ.get("BENCH_REPORT") or Path(settings.BASE_DIR) / "docs" / "bench.md")
MB = 1024 * 1024

# The targets, SQLite, one client (PostgreSQL: within 1.5× of these).
TARGETS_MS = {
    "list-red": 20,
    "list-body": 20,
    "assignment": 20,
    "plan": 20,
    "work": 50,
    "work-lead": 50,
    "dashboard-plan": 100,
    "dashboard-all": 300,
    "matrix-plan": 100,
    "matrix-all": 300,
    "bulletin-plan": 300,
    "bulletin-all": None,
    "xlsx": 3000,
    "csv": 1000,
}


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Http:
    """A tiny HTTP client with one cookie jar: gunicorn's sync workers close every
    connection, so each request opens its own, as a browser's would be served."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=600)
        all_headers = {"Host": HOST, "Accept-Language": "zh-CN"}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _sep, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        conn.close()
        return response.status, data, dict(response.getheaders())

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields):
        body = urllib.parse.urlencode(fields)
        return self.request(
            "POST",
            path,
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": ""},
        )

    def csrf(self, path):
        status, data, _h = self.get(path)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', data)
        if not match:
            raise CommandError(f"no CSRF token on {path} ({status})")
        return match.group(1).decode()

    def login(self, username):
        token = self.csrf("/accounts/login/")
        status, _d, _h = self.post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        )
        if status != 302:
            raise CommandError(f"login as {username} failed ({status})")


def rss_of(pid, field="VmRSS"):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        return 0
    return 0


class Server:
    """gunicorn, 2 sync workers, DEBUG off, on the database this process uses."""

    def __init__(self, static_root, log):
        self.port = free_port()
        self.static_root = static_root
        self.log = log
        self.process: Any = None

    def env(self):
        env = dict(os.environ)
        env.update(
            {
                "DJANGO_DEBUG": "0",
                "DJANGO_SECRET_KEY": "bench-" + "x" * 60,
                "DJANGO_ALLOWED_HOSTS": HOST,
                "DJANGO_SECURE_SSL_REDIRECT": "0",
                "DJANGO_HSTS_SECONDS": "0",
                "DJANGO_STATIC_ROOT": str(self.static_root),
                "DJANGO_LOG_LEVEL": "WARNING",
                "DJANGO_EMAIL_CONSOLE": "1",
            }
        )
        return env

    def start(self):
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "tracker.wsgi",
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                "2",
                "--worker-class",
                "sync",
                "--timeout",
                "600",
            ],
            cwd=settings.BASE_DIR,
            env=self.env(),
            stdout=self.log,
            stderr=self.log,
        )
        self.wait_ready()

    def wait_ready(self, old=()):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            workers = self.workers()
            if len(workers) == 2 and not set(workers) & set(old):
                try:
                    status, _d, _h = Http(self.port).get("/healthz")
                    if status == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.2)
        raise CommandError("gunicorn did not start (see the log)")

    def workers(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in children.read_text().split()]
        except OSError:
            return []

    def restart_workers(self):
        """Fresh workers (SIGHUP: gunicorn replaces them gracefully)."""
        old = self.workers()
        self.process.send_signal(signal.SIGHUP)
        self.wait_ready(old=old)

    def rss(self):
        return max((rss_of(pid) for pid in self.workers()), default=0)

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)


def stamp():
    """Now, in the site's time zone, named."""
    return f"{timezone.localtime():%Y-%m-%d %H:%M} {settings.TIME_ZONE}"


def percentile(values, p):
    values = sorted(values)
    if not values:
        return None
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


class Command(BaseCommand):
    help = "在临时数据库中生成 300 个方案的数据，用 gunicorn 测量各页面的速度和内存。"

    def add_arguments(self, parser):
        parser.add_argument("--label", default=connection.vendor)
        parser.add_argument("--phase", default="after", help="before | after (the report's row)")
        parser.add_argument("--plans", type=int, default=300)
        parser.add_argument("--seed", type=int, default=20261127)
        parser.add_argument("--requests", type=int, default=50)
        parser.add_argument("--budget", type=float, default=30.0, help="seconds per measurement")
        parser.add_argument("--reuse", action="store_true", help="use the plans already there")
        parser.add_argument("--only", default="", help="comma-separated page keys")
        parser.add_argument("--no-analyze", action="store_true", help="skip the ANALYZE pass")
        parser.add_argument("--no-write", action="store_true", help="print, do not append")
        parser.add_argument(
            "--max-load",
            type=float,
            default=1.0,
            help="wait (up to --wait seconds) for the 1-minute load average to drop to this",
        )
        parser.add_argument("--wait", type=float, default=900.0)

    def handle(self, *args, **options):
        self.options = options
        work = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
        call_command("migrate", verbosity=0)
        generated = Plan.objects.filter(slug__startswith="gen-").exists()
        if not (options["reuse"] and generated):
            if connection.vendor == "postgresql":
                self.autovacuum(False)
            started = time.monotonic()
            call_command("generate_demo", plans=options["plans"], seed=options["seed"])
            self.generate_seconds = time.monotonic() - started
        else:
            self.generate_seconds = 0.0
        self.stdout.write("== targets")
        self.pick()
        results = {}
        log = open(work / "gunicorn.log", "w")  # noqa: SIM115 - the server writes to it
        server = Server(work / "static", log)
        # As production: the manifest storage of DEBUG off, collected once.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=settings.BASE_DIR,
            env=server.env(),
            check=True,
        )
        try:
            server.start()
            passes = [("without statistics", False)]
            if not options["no_analyze"]:
                passes.append(("with statistics (ANALYZE)", True))
            for name, analyze in passes:
                if analyze:
                    started = time.monotonic()
                    call_command("optimize_database")
                    self.analyze_seconds = time.monotonic() - started
                    server.restart_workers()
                self.stdout.write(f"== {name}")
                load = self.quiet()
                results[name] = self.measure_all(server)
                results[name]["load"] = load
            if not options["no_write"]:
                self.explain()
        finally:
            server.stop()
            log.close()
        if connection.vendor == "postgresql":
            self.autovacuum(True)
        shutil.rmtree(work, ignore_errors=True)
        text = self.report(results)
        self.stdout.write(text)
        if not options["no_write"]:
            with REPORT.open("a", encoding="utf-8") as out:
                out.write(text)
            self.stdout.write(f"appended to {REPORT}")

    def quiet(self):
        """Wait for a quiet machine (other work on the same cores skews every number); the
        1-minute load average when measuring starts, for the report."""
        deadline = time.monotonic() + self.options["wait"]
        while os.getloadavg()[0] > self.options["max_load"] and time.monotonic() < deadline:
            self.stdout.write(f"   load {os.getloadavg()[0]:.2f}: waiting for a quiet machine")
            time.sleep(30)
        return os.getloadavg()[0]

    def autovacuum(self, on):
        """PostgreSQL: no automatic ANALYZE while measuring "without statistics"."""
        with connection.cursor() as cursor:
            for model in Assignment._meta.apps.get_app_config("tracker").get_models():
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = {str(on).lower()})")

    # --- what to measure ----------------------------------------------------------------------

    def pick(self):
        """The pages of the issue's table, on the generated data."""
        today = timezone.localdate()
        counties = (
            Body.objects.filter(kind="county")
            .annotate(n=Count("assignments"))
            .order_by("position", "pk")
        )
        county = min(counties, key=lambda b: (abs(b.n - 1000), b.position))
        self.county = county
        self.county_user = Membership.objects.filter(body=county).order_by("user__username")[0].user
        # The department that leads the most work: its 我的任务 adds the others' work on it
        # and their completion requests to review.
        lead = (
            Body.objects.filter(kind="department")
            .annotate(n=Count("assignments", filter=Q(assignments__role="lead")))
            .order_by("-n", "pk")
            .first()
        )
        self.lead_user = Membership.objects.filter(body=lead).order_by("user__username")[0].user
        plan = (
            Plan.objects.filter(slug__startswith="gen-")
            .annotate(
                n=Count("tasks__assignments", filter=Q(tasks__assignments__role="responsible"))
            )
            .order_by("-n", "slug")
            .first()
        )
        if plan is None:
            raise CommandError("no generated plans (generate_demo)")
        self.plan = plan
        # An assignment with about 33 reports in the middle of its work, as the issue's.
        candidates = (
            Assignment.objects.filter(signoff="open", task__plan__slug__startswith="gen-")
            .annotate(n=Count("reports"))
            .filter(n__gte=30, n__lte=36)
            .order_by("pk")
        )
        self.assignment = min(candidates[:200], key=lambda a: (abs(a.n - 33), a.pk))
        self.today = today
        p = plan.slug
        self.pages = [
            ("list-red", "/list/?light=red", "manager"),
            ("list-body", f"/list/?body={county.pk}", "manager"),
            ("assignment", f"/assignments/{self.assignment.pk}/", "manager"),
            ("plan", f"/plans/{p}/", "manager"),
            ("work", "/work/", "county"),
            ("work-lead", "/work/", "lead"),
            ("dashboard-plan", f"/dashboard/?plan={p}", "manager"),
            ("dashboard-all", "/dashboard/?plan=", "manager"),
            ("matrix-plan", f"/dashboard/matrix/?plan={p}", "manager"),
            ("matrix-all", "/dashboard/matrix/?plan=", "manager"),
            ("bulletin-plan", f"/dashboard/bulletin/?plan={p}", "manager"),
            ("bulletin-all", "/dashboard/bulletin/?plan=", "manager"),
            ("xlsx", "/list/export.xlsx?light=red", "manager"),
            ("csv", "/list/export.csv?light=red", "manager"),
        ]
        if self.options["only"]:
            keep = set(self.options["only"].split(","))
            self.pages = [page for page in self.pages if page[0] in keep]
        self.stdout.write(
            f"county {county.name} ({county.n} assignments), plan {p}, "
            f"assignment {self.assignment.pk} ({self.assignment.n} reports)"
        )

    def users(self):
        from django.contrib.auth import get_user_model

        return {
            "manager": get_user_model().objects.get(username="gen-manager"),
            "county": self.county_user,
            "lead": self.lead_user,
        }

    def measure_all(self, server):
        users = self.users()
        clients = {}
        for role, user in users.items():
            clients[role] = Http(server.port)
            clients[role].login(user.username)
        rows = []
        for key, url, role in self.pages:
            self.stdout.write(f"  {key} {url}")
            row = {"key": key, "url": url}
            row.update(self.timed(server, clients[role], url))
            row["queries"] = self.query_count(users[role], url)
            row["rss"] = server.rss()
            if key in ("list-red", "list-body"):
                row["floor"] = self.floor(key)
            rows.append(row)
            self.stdout.write(
                f"    HTTP {row['status']}, p50 {row['p50']:.1f} ms, p95 {row['p95']:.1f} ms, "
                f"{row['queries']} queries"
            )
        memory = {}
        for key, url, _role in self.pages:
            if key in ("xlsx", "csv"):
                memory[key] = self.export_memory(server, url)
        posts = self.post_burst(server)
        return {"rows": rows, "memory": memory, "posts": posts}

    def timed(self, server, client, url):
        budget = self.options["budget"]
        n = self.options["requests"]
        statuses, sizes = set(), set()

        def one(c):
            started = time.perf_counter()
            status, data, _h = c.get(url)
            statuses.add(status)
            sizes.add(len(data))
            return (time.perf_counter() - started) * 1000

        warm = [one(client) for _ in range(3 if n >= 10 else 1)]
        times, spent = [], 0.0
        for _ in range(n):
            ms = one(client)
            times.append(ms)
            spent += ms / 1000
            if spent > budget and len(times) >= 3:
                break
        if not times:
            times = warm
        # 4 connections: each its own client (the same session), as many requests each.
        per = max(2, min(n // 2, int(budget / max(statistics.median(times) / 1000, 1e-3) / 2)))
        done, errors = [], []

        def worker():
            c = Http(server.port)
            c.cookies = dict(client.cookies)
            for _ in range(per):
                try:
                    one(c)
                    done.append(1)
                except OSError as error:
                    errors.append(error)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        return {
            "n": len(times),
            "p50": statistics.median(times),
            "p95": percentile(times, 95),
            "rps1": len(times) / (sum(times) / 1000),
            "rps4": len(done) / wall,
            "n4": len(done),
            "status": ",".join(str(s) for s in sorted(statuses)),
            "bytes": max(sizes),
        }

    def query_count(self, user, url):
        # A page that fails (a 500) is counted and reported, not raised.
        client = Client(HTTP_HOST=HOST, raise_request_exception=False)
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                for _chunk in response.streaming_content:
                    pass
        return len(ctx.captured_queries)

    def floor(self, key):
        """The list's 50 rows and its total, by one hand-written query (two statements)."""
        sql_rows, rows_params, sql_count, count_params = floor_sql(
            connection.vendor, key, self.today, body=self.county.pk
        )
        times = []
        with connection.cursor() as cursor:
            for _ in range(20):
                started = time.perf_counter()
                cursor.execute(sql_count, count_params)
                cursor.fetchall()
                cursor.execute(sql_rows, rows_params)
                rows = cursor.fetchall()
                times.append((time.perf_counter() - started) * 1000)
        return {"p50": statistics.median(times), "rows": len(rows)}

    def export_memory(self, server, url):
        server.restart_workers()
        client = Http(server.port)
        client.login(self.users()["manager"].username)
        for _ in range(4):  # both workers have served a page
            client.get("/list/?light=red")
        idle = {pid: rss_of(pid) for pid in server.workers()}
        started = time.perf_counter()
        status, data, _h = client.get(url)
        seconds = time.perf_counter() - started
        peak = {pid: rss_of(pid, "VmHWM") for pid in server.workers()}
        after = {pid: rss_of(pid) for pid in server.workers()}
        growth = max(peak[pid] - idle.get(pid, 0) for pid in peak)
        rows = data.count(b"\n") - 1 if ".csv" in url else None
        return {
            "status": status,
            "seconds": seconds,
            "bytes": len(data),
            "idle": max(idle.values()),
            "growth": growth,
            "after": max(after.values()),
            "rows": rows,
        }

    def post_burst(self, server):
        """Report POSTs by body staff, each on assignments of its own body."""
        bodies = list(
            Membership.objects.filter(user__username__startswith="gen-staff-")
            .select_related("user", "body")
            .order_by("user__username")[:4]
        )
        results = {}
        for connections in (1, 4):
            jobs = []
            for m in bodies[:connections]:
                pks = list(
                    Assignment.objects.filter(body=m.body)
                    .exclude(signoff__in=["signed_off", "requested", "lead_review"])
                    .filter(task__plan__slug__startswith="gen-")
                    .order_by("pk")
                    .values_list("pk", flat=True)[: self.options["requests"]]
                )
                c = Http(server.port)
                c.login(m.user.username)
                token = c.csrf(f"/assignments/{pks[0]}/report/")
                jobs.append((c, token, pks))
            codes: list[int] = []

            def post(c, token, pks, codes=codes):
                for pk in pks:
                    status, _d, _h = c.post(
                        f"/assignments/{pk}/report/",
                        {
                            "csrfmiddlewaretoken": token,
                            "status": "in_progress",
                            "percent": "55",
                            "text": "基准测试：本期按计划推进，完成阶段性工作。",
                            "as_of": self.today.isoformat(),
                        },
                    )
                    codes.append(status)

            threads = [threading.Thread(target=post, args=job) for job in jobs]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - started
            results[connections] = {
                "n": len(codes),
                "rps": len(codes) / wall,
                "errors": sum(1 for s in codes if s != 302),
            }
        return results

    # --- the query plans -----------------------------------------------------------------------

    EXPLAINED = ("list-red", "list-body", "assignment", "work", "dashboard-all")

    def explain(self):
        """docs/query-plans-<database>.md: for the pages whose SQL matters most, the plan of
        each of their three slowest queries as the database runs them now (after ANALYZE):
        EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL."""
        users = self.users()
        vendor = connection.vendor
        out = [
            f"# Query plans on {vendor} (bench_pages, {stamp()})",
            "",
            "Written by `make bench` after its ANALYZE pass, on the generated province "
            f"({self.options['plans']} plans): for each page its three slowest queries "
            "(time in this process), the SQL shortened, then the plan.",
        ]
        for key, url, role in self.pages:
            if key not in self.EXPLAINED:
                continue
            client = Client(HTTP_HOST=HOST, raise_request_exception=False)
            client.force_login(users[role])
            client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            slowest = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]
            out += ["", f"## {key} `{url}`"]
            for query in slowest:
                sql = query["sql"]
                with connection.cursor() as cursor:
                    if vendor == "sqlite":
                        cursor.execute("EXPLAIN QUERY PLAN " + sql)
                        plan = [f"{row[0]:>3} {row[1]:>3} {row[3]}" for row in cursor.fetchall()]
                    else:
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                        plan = [row[0] for row in cursor.fetchall()]
                short = sql if len(sql) < 600 else sql[:400] + f" … ({len(sql)} characters)"
                out += [
                    "",
                    f"{float(query['time']) * 1000:.1f} ms: `{short}`",
                    "",
                    "```",
                    *plan,
                    "```",
                ]
        path = REPORT.parent / f"query-plans-{vendor}.md"
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
        self.stdout.write(f"wrote {path}")

    # --- the report ---------------------------------------------------------------------------

    def report(self, results):
        o = self.options
        cpu = "?"
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        except OSError:
            pass
        try:
            commit = subprocess.run(
                ["git", "log", "-1", "--format=%h %s"],
                cwd=settings.BASE_DIR,
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()[:80]
        except OSError:
            commit = "?"
        if connection.vendor == "sqlite":
            import sqlite3

            engine = f"SQLite {sqlite3.sqlite_version}"
        else:
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                engine = f"PostgreSQL {cursor.fetchone()[0]}"
        lines = [
            "",
            f"## {stamp()} · {o['label']} · {o['phase']}",
            "",
            f"Machine: {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
            f"{engine}. Code: `{commit}`. "
            f"Data: {o['plans']} plans, seed {o['seed']}, county {self.county.name} "
            f"({self.county.n} assignments), plan `{self.plan.slug}`, assignment "
            f"{self.assignment.pk} ({self.assignment.n} reports)"
            + (f"; generated in {self.generate_seconds:.0f} s" if self.generate_seconds else "")
            + (
                f"; ANALYZE took {self.analyze_seconds:.1f} s"
                if hasattr(self, "analyze_seconds")
                else ""
            )
            + ".",
        ]
        for name, result in results.items():
            lines += [
                "",
                f"### {name}",
                "",
                f"1-minute load average when this pass started: {result['load']:.2f}.",
                "",
                "| page | target | status | p50 ms | p95 ms | n | req/s (1) | req/s (4) | "
                "queries | KB | worker RSS MB | floor ms |",
                "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            ]
            for row in result["rows"]:
                target = TARGETS_MS.get(row["key"])
                floor = row.get("floor")
                lines.append(
                    f"| {row['key']} `{row['url']}` | {target if target else '—'} | "
                    f"{row['status']} | {row['p50']:.1f} | {row['p95']:.1f} | {row['n']} | "
                    f"{row['rps1']:.1f} | {row['rps4']:.1f} | {row['queries']} | "
                    f"{row['bytes'] / 1024:.0f} | "
                    f"{row['rss'] / MB:.0f} | "
                    + (f"{floor['p50']:.1f} ({floor['rows']} rows)" if floor else "")
                    + " |"
                )
            if result["memory"]:
                lines += [
                    "",
                    "| export (fresh workers) | s | rows | MB | idle RSS MB | peak growth MB | "
                    "RSS after MB |",
                    "|---|---:|---:|---:|---:|---:|---:|",
                ]
                for key, m in result["memory"].items():
                    lines.append(
                        f"| {key} | {m['seconds']:.2f} | {m['rows'] if m['rows'] else ''} | "
                        f"{m['bytes'] / MB:.1f} | {m['idle'] / MB:.0f} | {m['growth'] / MB:.0f} | "
                        f"{m['after'] / MB:.0f} |"
                    )
            posts = result["posts"]
            lines += [
                "",
                "| report POSTs | n | per second | errors |",
                "|---|---:|---:|---:|",
            ]
            for conns, p in posts.items():
                lines.append(
                    f"| {conns} connection(s) | {p['n']} | {p['rps']:.1f} | {p['errors']} |"
                )
        return "\n".join(lines) + "\n"


# --- the floor: the list's rows by one hand-written query --------------------------------

FLOOR_SELECT = """
SELECT a.id, p.title, t.number, t.title, m.number, b.name, a.role, a.status, a.percent,
       a.last_reported_at, a.signoff, a.due
FROM tracker_assignment a
JOIN tracker_task t ON t.id = a.task_id
JOIN tracker_plan p ON p.id = t.plan_id
JOIN tracker_body b ON b.id = a.body_id
LEFT JOIN tracker_measure m ON m.id = a.measure_id
WHERE a.tracked = {true} {where}
"""


def floor_sql(vendor, key, today, *, body):
    """(rows SQL, its params, count SQL, its params) for the red list or one body's list,
    written by hand over what each assignment keeps (its due date, whether it is tracked,
    since when it is overdue): the red list is tracked work not signed off that is overdue,
    the longest overdue first; a body's list is its work, red first, then by due date."""
    true = "TRUE" if vendor == "postgresql" else "1"
    if key == "list-red":
        where = "AND a.signoff <> 'signed_off' AND a.overdue_since < %s"
        order = "ORDER BY a.overdue_since, a.due, p.title, t.number, a.id"
        params = [today]
    else:
        where = "AND a.body_id = %s"
        order = (
            "ORDER BY CASE WHEN a.signoff = 'signed_off' THEN 0 WHEN a.overdue_since < %s "
            "THEN 3 ELSE 1 END DESC, a.due, p.title, t.number, a.id"
        )
        params = [body]
    select = FLOOR_SELECT.format(true=true, where=where)
    rows = select + order + " LIMIT 50"
    # The count needs none of the joins: what it filters on is kept on the assignment.
    count = f"SELECT COUNT(*) FROM tracker_assignment a WHERE a.tracked = {true} {where}"
    rows_params = params + ([today] if key == "list-body" else [])
    return rows, rows_params, count, params
