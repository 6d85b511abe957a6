"""Running the site: the access records for administrators (who downloaded which evidence
file, who exported what) and the health check for the proxy and the monitoring."""

import logging
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tracker.access import require_plan_admin
from tracker.forms.operations import AccessRecordFilter
from tracker.models import AccessRecord, Evidence

log = logging.getLogger(__name__)

PAGE_SIZE = 50


@login_required
@require_GET
def access_records(request):
    """访问记录: newest first, filtered by kind, person, content and day. Administrators only."""
    require_plan_admin(request.user, _("只有方案管理员可以查看访问记录。"))
    records = AccessRecord.objects.select_related("evidence", "user").order_by("-created_at", "-pk")
    filterset = AccessRecordFilter(request.GET, queryset=records)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tracker/access_records.html", {"filter": filterset, "page": page})


# --- health ----------------------------------------------------------------------------------


def _database_answers():
    """The database is there and holds the schema. A SQLite file that has gone is not opened
    (opening would create an empty one)."""
    name = str(connection.settings_dict["NAME"])
    in_memory = name == ":memory:" or "mode=memory" in name
    if connection.vendor == "sqlite" and not in_memory and not Path(name).exists():
        log.error("Health check: the SQLite database %s is missing", name)
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {MigrationRecorder.Migration._meta.db_table} LIMIT 1")
            cursor.fetchone()
    except DatabaseError:
        log.exception("Health check: the database does not answer")
        return False
    return True


def _media_writable():
    """The evidence storage takes a file (written and removed again)."""
    storage = Evidence._meta.get_field("file").storage
    try:
        name = storage.save("healthz/probe", ContentFile(b"ok"))
        storage.delete(name)
    # Each storage backend fails its own way (OSError from a folder; botocore's ClientError
    # or EndpointConnectionError from object storage): any failure is "not writable", a 503
    # the proxy can act on, never a 500.
    except Exception:
        log.exception("Health check: the evidence storage is not writable")
        return False
    return True


@require_GET
def healthz(request):
    """200 `ok` when the database answers and the evidence storage is writable; otherwise 503
    naming what failed. No login, and nothing about the data."""
    failed = [
        name
        for name, ok in (("database", _database_answers()), ("media", _media_writable()))
        if not ok
    ]
    if failed:
        body = "".join(f"{name}: unavailable\n" for name in failed)
        return HttpResponse(body, status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
