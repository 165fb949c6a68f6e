import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# The last resort when not even a template renders: both languages, no database, no files.
PLAIN_SERVER_ERROR = """<!doctype html>
<html lang="zh-Hant">
<head><meta charset="utf-8"><title>500</title></head>
<body>
<main class="error-page">
  <h1>系統發生錯誤</h1>
  <p>錯誤已記錄，請稍後再試。</p>
  <div lang="en">
    <h1>Something went wrong on our side</h1>
    <p>The error has been logged. Please try again in a moment.</p>
  </div>
</main>
</body>
</html>
"""


@require_safe
def healthz(request):
    """A bare view: the benchmark's measure of what the stack itself can serve."""
    return HttpResponse(b"ok", content_type="text/plain")


@require_safe
def readyz(request):
    """Ready to serve: the database answers and the cache stores. For a load balancer that
    should stop sending requests to an app server that cannot reach either."""
    checks = {"database": _database_answers(), "cache": _cache_stores()}
    ready = all(checks.values())
    body = {"ready": ready, **{name: "ok" if ok else "failing" for name, ok in checks.items()}}
    return JsonResponse(body, status=200 if ready else 503)


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.exception("Readiness: the database does not answer")
        return False


def _cache_stores() -> bool:
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", timeout=5)
        stored = cache.get(key) == "ok"
        cache.delete(key)
        return stored
    except Exception:  # any backend's connection error: the answer is "not ready"
        logger.exception("Readiness: the cache does not store")
        return False


def _error(request, status, **context):
    return render(request, "errors/error.html", {"status": status, **context}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400)


def permission_denied(request, exception=None):
    return _error(request, 403)


def csrf_failure(request, reason=""):
    """A refused CSRF check (CSRF_FAILURE_VIEW): our 403, in the reader's language.

    Django's reason ("CSRF token missing.") helps a developer and nobody else: shown with
    DEBUG only.
    """
    return _error(request, 403, csrf_failed=True, reason=reason if settings.DEBUG else "")


def page_not_found(request, exception=None):
    return _error(request, 404)


def server_error(request):
    """Our 500 page; when that fails too (the database is down, and the site's layout asks it
    for the signed-in user), a plain page that needs neither the database nor the request."""
    try:
        return _error(request, 500)
    except Exception:
        logger.exception("The 500 page could not be rendered; serving the plain one")
    try:
        return HttpResponseServerError(loader.get_template("errors/500_plain.html").render())
    except Exception:
        logger.exception("The plain 500 page could not be rendered; serving the built-in one")
    return HttpResponseServerError(PLAIN_SERVER_ERROR)
