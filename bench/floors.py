"""The floors of issue 18: what a signed-in page and a signed-in htmx write cannot avoid.

(a′) ``signed_in_page``: a GET that reads the session and the user and returns the reading
page's body (the same bytes, as the benchmark fetched them) through the app's middleware,
gzip included. Everything the real page does beyond that (finding the unit, the student's
progress and quiz status, the template, the CSRF token) is what (b) costs above the floor.

(c′) ``signed_in_insert``: an htmx POST that passes the CSRF check (``CsrfViewMiddleware``,
the view is not exempt), inserts one row and returns a 1 KB fragment. Everything the answer
POST does beyond that (the attempt and item checked, grading, the attempt's totals updated
in the same transaction, the feedback rendered) is what (c) costs above it.

Served only by the benchmark's gunicorn (``bench.settings``, ``bench.urls``).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.http import require_POST, require_safe

TABLE = "bench_floor_row"
# One kilobyte of a fragment shaped like the answer's feedback (UTF-8 bytes).
_TEXT = (
    "越南在南海爭議中採取陸和海爭的策略，以多邊機制抗衡中國。"
    "Vietnam kept the peace on land while contesting at sea. "
)
_HEAD, _TAIL = (
    '<div class="feedback" role="status"><p><strong>正確 Correct</strong></p><p>',
    "</p></div>",
)


def _fragment(size: int = 1024) -> bytes:
    room = size - len((_HEAD + _TAIL).encode())
    text = (_TEXT * 10).encode()[:room].decode(errors="ignore")
    fragment = (_HEAD + text + _TAIL).encode()
    return fragment + b" " * (size - len(fragment))


FRAGMENT = _fragment()

_body: bytes | None = None


def create_table() -> None:
    """The floor's own table (not a model: nothing in the app may depend on it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, "
                "user_id integer NOT NULL, made_at timestamptz NOT NULL DEFAULT now())"
            )
        else:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (id integer PRIMARY KEY AUTOINCREMENT, "
                "user_id integer NOT NULL, made_at text NOT NULL DEFAULT CURRENT_TIMESTAMP)"
            )


def reading_body() -> bytes:
    global _body
    if _body is None:
        _body = Path(settings.BENCH_READING_BODY).read_bytes()
    return _body


@require_safe
def signed_in_page(request):
    if not request.user.is_authenticated:  # the session read, then the user
        return HttpResponseForbidden()
    return HttpResponse(reading_body(), content_type="text/html; charset=utf-8")


@require_POST
def signed_in_insert(request):
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (user_id) VALUES (%s)", [request.user.pk])  # noqa: S608
    return HttpResponse(FRAGMENT, content_type="text/html; charset=utf-8")
