"""Real server processes for the tests that need more than Django's live_server: gunicorn
started by the test, in a session of its own so that SIGKILL reaches the master and its
workers (tests/reporting/test_kill.py), or two of them sharing one PostgreSQL database
(tests/test_scale_out.py)."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving tracker.wsgi on a free port, with the environment's DJANGO_* settings
    replaced by `env` (the database and media the test chose)."""

    def __init__(self, env, workers=2):
        self.port = free_port()
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        full_env.update(DJANGO_LOG_LEVEL="WARNING", **env)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "tracker.wsgi",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={workers}",
                "--no-control-socket",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=full_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body, headers or {})
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            conn.close()

    def health(self):
        return self.request("GET", "/healthz")[0]

    def wait_until_up(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                return self.health()
            except OSError:
                time.sleep(0.05)
        raise AssertionError("the server did not start")

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def cookies_set(headers):
    """The cookies a response sets, by name."""
    jar = SimpleCookie()
    for name, value in headers:
        if name.lower() == "set-cookie":
            jar.load(value)
    return {name: morsel.value for name, morsel in jar.items()}
