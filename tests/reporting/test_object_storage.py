"""Evidence in S3-compatible object storage (DJANGO_S3_BUCKET, django-storages), against
moto's in-process S3: a report's file lands in the bucket and nowhere on this server's disk,
comes back byte for byte through the permission-checked download, the health check writes
there, and a backup carries it with its SHA-256 — what lets several app servers share the
files (README: More than one app server)."""

import hashlib
import json
import tarfile

import boto3
import pytest
from django.urls import reverse
from moto import mock_aws

from tests.builders import PDF, progress_world, upload
from tracker.models import Evidence
from tracker.services import backup

pytestmark = pytest.mark.django_db(transaction=True)

BUCKET = "tracker-files"


@pytest.fixture
def bucket(settings, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "test")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        # As tracker/settings.py builds it from DJANGO_S3_*; setting STORAGES resets the
        # storages Django already made.
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": "us-east-1",
                    "location": "liaocheng",
                    "default_acl": None,
                    "querystring_auth": True,
                    "file_overwrite": False,
                },
            },
        }
        yield s3


def test_evidence_goes_to_the_bucket_and_comes_back_byte_for_byte(
    bucket, client_as, staff_a, staff_b, staff_c, settings, tmp_path
):
    own = progress_world(staff_a.membership.body, staff_b.membership.body)["own"]
    content = PDF + "对象存储中的佐证".encode()
    client = client_as(staff_b)
    response = client.post(
        reverse("report_create", args=[own.pk]),
        {
            "status": "in_progress",
            "percent": "40",
            "text": "佐证存入对象存储",
            "as_of": "2026-11-27",
            "files": [upload("园区照片.pdf", content)],
        },
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    key = f"liaocheng/{evidence.file.name}"
    stored = bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert stored == content
    # Nothing of it on this server's disk.
    media = settings.MEDIA_ROOT
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]

    download = client.get(reverse("evidence_download", args=[evidence.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    # A body with no part in the task still may not read it: the bucket is private, the
    # site checks.
    outsider = client_as(staff_c).get(reverse("evidence_download", args=[evidence.pk]))
    assert outsider.status_code == 404

    assert client.get("/healthz").status_code == 200

    archive = tmp_path / "backup.tar.gz"
    backup.backup(archive)
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        member = f"media/{evidence.file.name}"
        assert tar.extractfile(member).read() == content
    assert manifest["files"][member]["sha256"] == hashlib.sha256(content).hexdigest()

    # An object lost from the bucket is a 404, as a file lost from the folder is, not a 500.
    bucket.delete_object(Bucket=BUCKET, Key=key)
    client = client_as(staff_b)
    assert client.get(reverse("evidence_download", args=[evidence.pk])).status_code == 404


def test_the_health_check_fails_when_the_bucket_is_gone(bucket, client):
    for page in bucket.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            bucket.delete_object(Bucket=BUCKET, Key=item["Key"])
    bucket.delete_bucket(Bucket=BUCKET)
    response = client.get("/healthz")
    assert response.status_code == 503
