"""`manage.py backup` while reports are being written, then `manage.py restore` into a fresh
database and media folder: every report acknowledged before the backup is there, every file
is byte-identical, and nothing written after the backup's snapshot half-appears. Runs on the
SQLite test database (the online backup API) and, in the PostgreSQL run, on PostgreSQL
(pg_dump / pg_restore)."""

import hashlib
import io
import os
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.utils import translation

from tests.builders import PDF, file_report, progress_world, upload
from tracker.services import backup

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


class Writer(threading.Thread):
    """Files reports with one evidence file each through the service, as fast as it can, and
    notes each one as acknowledged once report_create has returned (committed)."""

    def __init__(self, assignment, author):
        super().__init__()
        self.assignment, self.author = assignment, author
        self.acknowledged = []  # (report pk, text, evidence sha256, time.monotonic())
        self.stop = threading.Event()
        self.failure = None

    def run(self):
        try:
            n = 0
            while not self.stop.is_set() and n < 1000:
                text = f"第{n}次填报"
                content = PDF + text.encode() * 50
                report = file_report(
                    self.assignment, self.author, text=text, files=[upload(f"{n}.pdf", content)]
                )
                digest = hashlib.sha256(content).hexdigest()
                self.acknowledged.append((report.pk, text, digest, time.monotonic()))
                n += 1
        except Exception as error:  # noqa: BLE001 -- handed to the test thread
            self.failure = error
        finally:
            connections.close_all()

    def wait_for(self, count, timeout=60):
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < count and time.monotonic() < deadline:
            assert self.failure is None, self.failure
            time.sleep(0.005)
        assert len(self.acknowledged) >= count


def restored_rows(env):
    """(report id → text) and (evidence file → (report id, sha256)) of the restored database."""
    reports = "SELECT id, text FROM tracker_report"
    evidence = "SELECT file, report_id, sha256 FROM tracker_evidence"
    if connection.vendor == "sqlite":
        with sqlite3.connect(env["SQLITE_PATH"]) as db:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            return dict(db.execute(reports).fetchall()), {
                f: (r, s) for f, r, s in db.execute(evidence).fetchall()
            }
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as db:
        return dict(db.execute(reports).fetchall()), {
            f: (r, s) for f, r, s in db.execute(evidence).fetchall()
        }


@pytest.fixture
def fresh_place(tmp_path):
    """An empty database and media folder to restore into: a new SQLite file, or a new
    PostgreSQL database in the test server (dropped afterwards)."""
    env = {"DJANGO_MEDIA_ROOT": str(tmp_path / "restored-media")}
    if connection.vendor == "sqlite":
        yield {**env, "DATABASE_URL": "", "SQLITE_PATH": str(tmp_path / "restored.sqlite3")}
        return
    s = connection.settings_dict
    name = f"{s['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{name}"
    yield {**env, "DATABASE_URL": url}
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_under_write_load_restores_every_acknowledged_report_and_file(
    staff_a, staff_b, settings, tmp_path, monkeypatch, fresh_place
):
    own = progress_world(staff_a.membership.body, staff_b.membership.body)["own"]
    writer = Writer(own, staff_b)
    snapshot_taken = {}

    # Make the interleaving certain, not lucky: once the database snapshot is taken, the
    # backup waits until the writer has committed more reports (their files land in the
    # media folder while the backup is about to copy files) before it goes on.
    real = backup.SNAPSHOTS[connection.vendor]

    def snapshot_then_wait(*args):
        result = real(*args)
        snapshot_taken["at"] = len(writer.acknowledged)
        writer.wait_for(snapshot_taken["at"] + 3)
        return result

    monkeypatch.setitem(backup.SNAPSHOTS, connection.vendor, snapshot_then_wait)
    archive = tmp_path / "backups" / "tracker.tar.gz"
    writer.start()
    try:
        writer.wait_for(5)
        started = time.monotonic()
        out = io.StringIO()
        call_command("backup", str(archive), stdout=out)
        assert "已备份到" in out.getvalue()
    finally:
        writer.stop.set()
        writer.join()
    assert writer.failure is None, writer.failure
    before = [a for a in writer.acknowledged if a[3] < started]
    assert len(before) >= 5 and len(writer.acknowledged) >= len(before) + 3

    result = run_manage("restore", str(archive), env=fresh_place)
    assert result.returncode == 0, result.stderr
    assert "已从" in result.stdout
    reports, evidence = restored_rows(fresh_place)

    # Every report acknowledged before the backup began is there, with its file.
    by_report = {report: (name, sha) for name, (report, sha) in evidence.items()}
    for pk, text, digest, _at in before:
        assert reports.get(pk) == text
        assert by_report[pk][1] == digest
    restored_media = Path(fresh_place["DJANGO_MEDIA_ROOT"])
    for pk in reports:
        name, sha = by_report[pk]
        restored = (restored_media / name).read_bytes()
        assert restored == (Path(settings.MEDIA_ROOT) / name).read_bytes()
        assert hashlib.sha256(restored).hexdigest() == sha
    # What was acknowledged after the snapshot is not there, nor are its files: the database
    # and the files are of one moment.
    assert len(reports) <= snapshot_taken["at"] + 1
    restored_files = {
        p.relative_to(restored_media).as_posix() for p in restored_media.rglob("*") if p.is_file()
    }
    assert restored_files == set(evidence)

    # A second restore into the now non-empty place is refused, and says why.
    again = run_manage("restore", str(archive), env=fresh_place)
    assert again.returncode != 0
    assert "目标数据库不是空的" in again.stderr


def tables_in(env):
    if connection.vendor == "sqlite":
        if not Path(env["SQLITE_PATH"]).exists():
            return []
        with sqlite3.connect(env["SQLITE_PATH"]) as db:
            return db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as db:
        query = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        return db.execute(query).fetchall()


def test_restore_refuses_a_non_empty_media_folder_and_writes_nothing(tmp_path, fresh_place):
    archive = tmp_path / "a.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    media = Path(fresh_place["DJANGO_MEDIA_ROOT"])
    (media / "evidence").mkdir(parents=True)
    (media / "evidence" / "x.pdf").write_bytes(PDF)
    result = run_manage("restore", str(archive), env=fresh_place)
    assert result.returncode != 0
    assert f"佐证材料目录 {media} 不是空的（已有 1 个文件）" in result.stderr
    assert tables_in(fresh_place) == []


def test_a_damaged_archive_is_refused_before_anything_is_written(
    tmp_path, staff_a, staff_b, fresh_place
):
    own = progress_world(staff_a.membership.body, staff_b.membership.body)["own"]
    file_report(own, staff_b, files=[upload("验收.pdf", PDF)])
    archive = tmp_path / "a.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    # The same archive with one evidence file's bytes changed.
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("media/"):
                data = data.replace(b"%PDF", b"%XYZ")
            target.addfile(member, io.BytesIO(data))
    result = run_manage("restore", str(damaged), env=fresh_place)
    assert result.returncode != 0
    assert "备份文件已损坏" in result.stderr
    assert tables_in(fresh_place) == []
    media = Path(fresh_place["DJANGO_MEDIA_ROOT"])
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_an_archive_of_something_else_is_refused(tmp_path, fresh_place):
    archive = tmp_path / "other.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.addfile(tarfile.TarInfo("readme.txt"), io.BytesIO(b""))
    result = run_manage("restore", str(archive), env=fresh_place)
    assert result.returncode != 0
    assert "这不是本系统的备份文件" in result.stderr
    with translation.override("zh-hans"), pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "missing.tar.gz"))


def test_an_issued_bulletins_document_is_backed_up_and_restored(
    tmp_path, staff_a, staff_b, settings, fresh_place
):
    from django.utils import timezone

    from tests.factories import make_manager
    from tracker.services import bulletins

    world = progress_world(staff_a.membership.body, staff_b.membership.body)
    issued = bulletins.issue(
        user=make_manager(),
        plan=world["plan"],
        day=timezone.localdate(),
        title="关于落实情况的通报",
        recipients="",
        opening="",
        requirements="",
    )
    archive = tmp_path / "a.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    result = run_manage("restore", str(archive), env=fresh_place)
    assert result.returncode == 0, result.stderr
    restored = Path(fresh_place["DJANGO_MEDIA_ROOT"]) / issued.document.name
    assert restored.read_bytes() == (Path(settings.MEDIA_ROOT) / issued.document.name).read_bytes()
    assert hashlib.sha256(restored.read_bytes()).hexdigest() == issued.sha256
