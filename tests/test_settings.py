import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x7!Qm2#pL9vR4tZ8wK1nB6cY3hJ5sD0fG-aE_uI+oP@lT&rW%9zXq",
    "DJANGO_ALLOWED_HOSTS": "dubansys.example.cn",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://dubansys.example.cn",
}


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


def test_check_deploy_is_silent_with_the_documented_production_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert not getattr(settings, "SILENCED_SYSTEM_CHECKS", [])


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": ""}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_csp_header_allows_no_inline_script(client):
    response = client.get("/accounts/login/")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["script-src"].startswith("'self'")
    assert directives["default-src"] == "'self'"


@pytest.mark.django_db
def test_login_page_speaks_chinese_by_default_and_english_on_request(client):
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in page and "用户名" in page and "密码" in page
    page = client.get("/accounts/login/", headers={"accept-language": "en"}).content.decode()
    assert '<html lang="en">' in page and "Username" in page


def test_time_zone_and_languages():
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]


def test_the_readme_tells_the_proxy_the_request_size_the_settings_accept():
    """nginx's client_max_body_size in README.md is the site's TRACKER_REQUEST_MAX_BYTES: a
    report's files at their cap and the form around them."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    allowed = int(re.search(r"client_max_body_size (\d+)m;", readme).group(1)) * 1024 * 1024
    assert allowed == settings.TRACKER_REQUEST_MAX_BYTES
    assert allowed > settings.TRACKER_UPLOAD_REPORT_MAX_BYTES >= settings.TRACKER_UPLOAD_MAX_BYTES


def test_the_readme_states_the_form_text_limit_the_settings_have():
    """Every line of README.md naming DATA_UPLOAD_MAX_MEMORY_SIZE gives the settings' value
    first (one said 10 MB, another still Django's 2.5 MB)."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line for line in readme.splitlines() if "`DATA_UPLOAD_MAX_MEMORY_SIZE`" in line]
    assert len(lines) >= 2
    for line in lines:
        mb = float(re.search(r"(\d+(?:\.\d+)?) MB", line).group(1))
        assert mb * 1024 * 1024 == settings.DATA_UPLOAD_MAX_MEMORY_SIZE, line


def test_evidence_and_bulletins_go_to_object_storage_when_a_bucket_is_set():
    """With DJANGO_S3_BUCKET the default storage (evidence files, issued bulletins' Word
    files) is django-storages' S3Storage, configured from the environment; without it, the
    folder DJANGO_MEDIA_ROOT. Checked without a network: the storage is built, not used."""
    script = (
        "import json, django; django.setup();"
        "from django.core.files.storage import default_storage, storages;"
        "from tracker.models import Bulletin, Evidence;"
        "s = storages['default'];"
        "fields = [M._meta.get_field(f).storage for M, f in"
        " ((Evidence, 'file'), (Bulletin, 'document'))];"
        "print(json.dumps([type(s).__module__ + '.' + type(s).__name__,"
        " all(f is default_storage for f in fields),"
        " getattr(s, 'bucket_name', None), getattr(s, 'endpoint_url', None),"
        " getattr(s, 'location', None), getattr(s, 'default_acl', 'x'),"
        " getattr(s, 'addressing_style', None)]))"
    )

    def storage_with(env):
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        full_env.update({"DJANGO_SETTINGS_MODULE": "tracker.settings", **env})
        out = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        import json

        return json.loads(out.stdout.strip().splitlines()[-1])

    s3 = storage_with(
        {
            "DJANGO_S3_BUCKET": "tracker-files",
            "DJANGO_S3_ENDPOINT_URL": "http://minio.internal:9000",
            "DJANGO_S3_ACCESS_KEY_ID": "key",
            "DJANGO_S3_SECRET_ACCESS_KEY": "secret",
            "DJANGO_S3_PREFIX": "liaocheng",
            "DJANGO_S3_ADDRESSING_STYLE": "path",
        }
    )
    assert s3 == [
        "storages.backends.s3.S3Storage",
        True,  # evidence files and bulletins' Word files both go there
        "tracker-files",
        "http://minio.internal:9000",
        "liaocheng",
        None,  # private: no public ACL
        "path",
    ]
    local = storage_with({"DJANGO_MEDIA_ROOT": "/srv/tracker/media"})
    assert local[0] == "django.core.files.storage.filesystem.FileSystemStorage"
