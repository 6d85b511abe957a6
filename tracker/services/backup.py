"""Backup and restore: one archive holding the database, every evidence file and the Word
document of every issued bulletin (通报).

The archive is a tar.gz:

    database/db.sqlite3       SQLite: a copy made with SQLite's online backup API
    database/postgres.dump    PostgreSQL: pg_dump --format=custom
    media/<name>              every evidence file and bulletin document the database copy
                              refers to
    manifest.json             what the archive is, and the size and SHA-256 of every member

It is consistent while the site runs: the database copy is one snapshot (the backup API copies
under one read transaction, which in WAL mode writers do not wait for; pg_dump runs in an
exported snapshot, and the list of files is read in the same one). The reporting service
stores a report's files before its transaction commits (and services/bulletins.py a
bulletin's document), and neither is ever changed or deleted, so the files named by the
snapshot are all on disk, complete, when they are copied afterwards. Each is checked against
the SHA-256 its row recorded.

Restoring goes only into an empty database and an empty media folder, and checks every
member against the manifest before it writes anything.
"""

import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.models import Bulletin, Evidence, Report

FORMAT = "tracker-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/db.sqlite3"
POSTGRES_MEMBER = "database/postgres.dump"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or a restore that cannot be done, with the reason for the operator."""


@dataclass
class Summary:
    """What a backup wrote or a restore put back."""

    archive: Path
    vendor: str
    reports: int = 0
    files: int = 0
    bytes: int = 0
    problems: list[str] = field(default_factory=list)


def _sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_environment(settings_dict):
    """libpq's variables for pg_dump and pg_restore: the password never appears in argv."""
    env = dict(os.environ)
    names = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD"}
    for key, variable in names.items():
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    env["PGDATABASE"] = settings_dict["NAME"]
    return env


def _program(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _("找不到 %(name)s：请安装 PostgreSQL 客户端（与服务器同一版本）。") % {"name": name}
        )
    return path


def _run(args, env):
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s 失败：%(error)s")
            % {"program": Path(args[0]).name, "error": result.stderr.strip()}
        )


# --- backup ----------------------------------------------------------------------------------


# The files the database refers to, with the SHA-256 each row recorded.
FILE_QUERIES = [
    f"SELECT file, sha256 FROM {Evidence._meta.db_table} ORDER BY id",
    f"SELECT document, sha256 FROM {Bulletin._meta.db_table} ORDER BY id",
]


def _snapshot_sqlite(settings_dict, folder):
    """The database copied with the online backup API; the evidence rows read from the copy."""
    copy = folder / "db.sqlite3"
    if not Path(settings_dict["NAME"]).is_file():
        raise BackupError(_("数据库文件 %(name)s 不存在。") % {"name": settings_dict["NAME"]})
    source = sqlite3.connect(settings_dict["NAME"], timeout=60)
    target = sqlite3.connect(copy)
    try:
        # pages=-1 (all at once): one read transaction, so one consistent snapshot.
        source.backup(target, pages=-1)
        rows = [row for query in FILE_QUERIES for row in target.execute(query).fetchall()]
        reports = target.execute(f"SELECT COUNT(*) FROM {Report._meta.db_table}").fetchone()[0]
    finally:
        target.close()
        source.close()
    return SQLITE_MEMBER, copy, rows, reports


def _snapshot_postgresql(settings_dict, folder):
    """pg_dump in a snapshot exported by a repeatable-read transaction; the evidence rows read
    in that same transaction, so both see the same moment."""
    import psycopg

    dump = folder / "postgres.dump"
    params = {
        "dbname": settings_dict["NAME"],
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone() or ("",)
            _run(
                [
                    _program("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={dump}",
                ],
                _pg_environment(settings_dict),
            )
            rows = []
            for query in FILE_QUERIES:
                cursor.execute(query)
                rows.extend(cursor.fetchall())
            cursor.execute(f"SELECT COUNT(*) FROM {Report._meta.db_table}")
            (reports,) = cursor.fetchone() or (0,)
    return POSTGRES_MEMBER, dump, rows, reports


class _Hashing:
    """A file read through, hashing what is read (tarfile reads members with read(n))."""

    def __init__(self, fileobj):
        self.fileobj = fileobj
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.fileobj.read(size)
        self.digest.update(data)
        return data


def _member(name, size):
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    return info


SNAPSHOTS = {"sqlite": _snapshot_sqlite, "postgresql": _snapshot_postgresql}


def _add(tar, member, fileobj, size, manifest):
    """Add one member, hashing it as it goes in; returns its SHA-256."""
    reader = _Hashing(fileobj)
    tar.addfile(_member(member, size), reader)
    manifest["files"][member] = {"sha256": reader.digest.hexdigest(), "size": size}
    return reader.digest.hexdigest()


def backup(out):
    """Write the archive to `out` (written beside it under a temporary name, then renamed, so
    `out` is never half-written). Returns a Summary; its `problems` name evidence files that
    are missing or differ from their recorded SHA-256 (the archive is still written)."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    settings_dict = connection.settings_dict
    vendor = connection.vendor
    if vendor not in SNAPSHOTS:
        raise BackupError(_("不支持备份 %(vendor)s 数据库。") % {"vendor": vendor})
    storage = Evidence._meta.get_field("file").storage
    summary = Summary(archive=out, vendor=vendor)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {"vendor": vendor},
        "files": {},
    }
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".backup-") as work:
        folder = Path(work)
        db_member, db_path, rows, summary.reports = SNAPSHOTS[vendor](settings_dict, folder)
        manifest["database"]["member"] = db_member
        partial = folder / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            with open(db_path, "rb") as handle:
                _add(tar, db_member, handle, db_path.stat().st_size, manifest)
            for name, recorded in rows:
                try:
                    size = storage.size(name)
                    with storage.open(name, "rb") as handle:
                        actual = _add(tar, f"media/{name}", handle, size, manifest)
                except FileNotFoundError:
                    summary.problems.append(_("缺少文件 %(name)s") % {"name": name})
                    continue
                if actual != recorded:
                    summary.problems.append(
                        _("文件 %(name)s 与记录的 SHA-256 不符") % {"name": name}
                    )
                summary.files += 1
                summary.bytes += size
            manifest["reports"] = summary.reports
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            tar.addfile(_member(MANIFEST, len(data)), io.BytesIO(data))
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, out)
    return summary


# --- restore ---------------------------------------------------------------------------------


def _read_manifest(tar):
    try:
        member = tar.getmember(MANIFEST)
        handle = tar.extractfile(member)
        manifest = json.loads(handle.read()) if handle else None
    except (KeyError, ValueError) as error:
        raise BackupError(_("这不是本系统的备份文件（没有可读的 manifest.json）。")) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("这不是本系统的备份文件，或是不认识的版本。"))
    return manifest


def _database_tables():
    """The tables the configured database already has (a SQLite file not there has none)."""
    if connection.vendor == "sqlite" and not Path(connection.settings_dict["NAME"]).exists():
        return []
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def _stored_files(storage, folder=""):
    """Every file name in the storage (a folder on this server, or an object store's bucket
    under its prefix), walked through Django's storage API."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}{name}" for name in files]
    for sub in folders:
        names += _stored_files(storage, f"{folder}{sub}/")
    return names


def _refuse_unless_empty():
    tables = _database_tables()
    if tables:
        raise BackupError(
            _(
                "目标数据库不是空的（已有 %(n)s 张表，如 %(first)s）。"
                "恢复只写入空数据库：请换一个新的数据库，或确认不再需要后清空它。"
            )
            % {"n": len(tables), "first": tables[0]}
        )
    storage = Evidence._meta.get_field("file").storage
    files = _stored_files(storage)
    if files:
        where = getattr(storage, "bucket_name", None) or settings.MEDIA_ROOT
        raise BackupError(
            _(
                "佐证材料目录 %(root)s 不是空的（已有 %(n)s 个文件）。"
                "恢复只写入空目录：请换一个新目录，或确认不再需要后清空它。"
            )
            % {"root": where, "n": len(files)}
        )


def _verify(folder, manifest):
    """Every member is there, as large and with the SHA-256 the manifest says; no other."""
    found = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {
        MANIFEST
    }
    listed = set(manifest["files"])
    if found != listed:
        missing = sorted(listed - found)[:3]
        extra = sorted(found - listed)[:3]
        raise BackupError(
            _("备份文件不完整或被改动：缺少 %(missing)s，多出 %(extra)s。")
            % {"missing": missing or "—", "extra": extra or "—"}
        )
    for member, expected in manifest["files"].items():
        path = folder / member
        if path.stat().st_size != expected["size"] or _sha256_of(path) != expected["sha256"]:
            raise BackupError(_("备份文件已损坏：%(member)s 与清单不符。") % {"member": member})


def _restore_sqlite(path):
    name = Path(connection.settings_dict["NAME"])
    connection.close()
    name.parent.mkdir(parents=True, exist_ok=True)
    # A WAL or shared-memory file left beside an empty database must not be applied to the
    # restored one.
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{name}{suffix}").unlink(missing_ok=True)
    staged = name.with_name(f".{name.name}.restoring")
    shutil.copyfile(path, staged)
    with open(staged, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(staged, name)


def _restore_postgres(path):
    connection.close()
    _run(
        [
            _program("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}",
            str(path),
        ],
        _pg_environment(connection.settings_dict),
    )


def restore(archive):
    """Put an archive back into the configured, empty database and media folder. Raises
    BackupError, having written nothing, when the archive is not whole or the targets are not
    empty."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(_("找不到备份文件 %(path)s。") % {"path": archive})
    try:
        with tarfile.open(archive, "r:gz") as tar:
            return _restore_from(tar, archive)
    except (tarfile.TarError, EOFError, gzip.BadGzipFile) as error:
        raise BackupError(_("无法读取备份文件：%(error)s") % {"error": error}) from error


def _restore_from(tar, archive):
    manifest = _read_manifest(tar)
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            _("这是 %(archive)s 数据库的备份，不能恢复到 %(target)s 数据库。")
            % {"archive": vendor, "target": connection.vendor}
        )
    _refuse_unless_empty()
    # Unpacked beside the media folder, on the same disk, not in a small /tmp.
    beside = Path(settings.MEDIA_ROOT).resolve().parent
    beside.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=beside, prefix=".restore-") as work:
        folder = Path(work)
        # The "data" filter refuses absolute paths, links and anything outside `folder`.
        tar.extractall(folder, filter="data")
        _verify(folder, manifest)
        summary = Summary(archive=archive, vendor=vendor, reports=manifest.get("reports", 0))
        database = folder / manifest["database"]["member"]
        if vendor == "sqlite":
            _restore_sqlite(database)
        else:
            _restore_postgres(database)
        storage = Evidence._meta.get_field("file").storage
        for member, facts in manifest["files"].items():
            if not member.startswith("media/"):
                continue
            name = member.removeprefix("media/")
            with open(folder / member, "rb") as handle:
                saved = storage.save(name, File(handle, name=name))
            if saved != name:
                raise BackupError(_("文件 %(name)s 无法按原名恢复。") % {"name": name})
            summary.files += 1
            summary.bytes += facts["size"]
    return summary
