"""Request-level defences, each small enough to read at once:

- `client_address`: who is really asking, also behind the documented reverse proxy (used by
  django-axes' login throttling and by the access records);
- `PrivateCacheMiddleware`: nothing the app answers may be kept by a shared cache or on the
  browser's disk;
- `RequestSizeLimitMiddleware`: a request larger than the biggest report the site accepts is
  refused before anything reads it;
- `SessionIdleMiddleware`: a session left idle for TRACKER_SESSION_IDLE_SECONDS ends.
"""

import functools
import ipaddress
import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

# The session key holding the time (seconds since the epoch) of the user's last request.
LAST_SEEN = "tracker_last_seen"
# The last-seen time is written at most this often, so an active user's requests do not each
# write the session; the idle time is therefore exact to within this many seconds.
TOUCH_SECONDS = 60


# --- the client's address ------------------------------------------------------------------


@functools.cache
def _networks(proxies):
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _address(text):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(request):
    """The client's IP address. REMOTE_ADDR, unless the request comes from one of
    TRACKER_TRUSTED_PROXIES (DJANGO_TRUSTED_PROXIES): then the right-most address in
    X-Forwarded-For that is not itself a trusted proxy -- the one the proxy saw. Anything left
    of it was written by the client and proves nothing, so it is never used; nor is the header
    of a request that did not come through a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR") or None
    networks = _networks(tuple(settings.TRACKER_TRUSTED_PROXIES))
    peer = _address(remote or "")
    if peer is None or not any(peer in net for net in networks):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            log.warning("X-Forwarded-For from a trusted proxy holds %r, not an address", hop)
            return remote
        if not any(address in net for net in networks):
            return str(address)
    return remote


# --- caches ----------------------------------------------------------------------------------


class PrivateCacheMiddleware:
    """Every page, download and export is for the person who asked: `Cache-Control: private,
    no-store`, so no shared proxy serves it to someone else and no browser keeps it on disk
    after logout. Static files (WhiteNoise, above this middleware) stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, private=True, no_store=True)
        return response


# --- method not allowed ----------------------------------------------------------------------


class MethodNotAllowedPageMiddleware:
    """Django answers a GET on an address that takes form posts only (405) with an empty
    page; this one says what happened and where to go, keeping the status and `Allow`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        streaming = getattr(response, "streaming", False)
        if response.status_code == 405 and not streaming and not response.content:
            page = render(request, "405.html", status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response


# --- request size ----------------------------------------------------------------------------


class RequestSizeLimitMiddleware:
    """A request whose body is larger than TRACKER_REQUEST_MAX_BYTES (a report's files at
    their cap plus the form) answers 413 with a page that says the limits, before anything
    reads the body. The proxy in front refuses the same size (README)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.TRACKER_REQUEST_MAX_BYTES:
            log.warning("Refused a request of %s bytes to %s", length, request.path)
            context = {"report_max": settings.TRACKER_UPLOAD_REPORT_MAX_BYTES}
            return render(request, "413.html", context, status=413)
        return self.get_response(request)


# --- idle sessions ---------------------------------------------------------------------------


def stamp_login(sender, request, user, **kwargs):
    """On login (the user_logged_in signal): the session starts its idle clock now."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = int(time.time())


class SessionIdleMiddleware:
    """A signed-in session with no request for TRACKER_SESSION_IDLE_SECONDS is ended: the user
    is logged out and told why on the login page. The session's own expiry (SESSION_COOKIE_AGE,
    the same number) ends it on the server and in the browser, too; this makes it exact and
    independent of the session backend."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if last is not None and now - last > settings.TRACKER_SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, _("您长时间没有操作，已自动退出，请重新登录。"))
            elif last is None or now - last >= TOUCH_SECONDS:
                request.session[LAST_SEEN] = now
        return self.get_response(request)
