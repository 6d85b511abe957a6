"""WSGI entry point: `gunicorn tracker.wsgi`."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
application = get_wsgi_application()
# What is loaded now (Django, the models, the URLs) lives as long as the worker. Frozen, the
# garbage collector no longer walks those hundreds of thousands of objects again in every
# full collection a request's allocations trigger — a few milliseconds off each page
# (issue 10, docs/bench.md).
get_resolver().url_patterns  # noqa: B018 - import the URL configuration (and the views) now
gc.freeze()
