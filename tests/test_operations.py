"""What an operator relies on: readiness, request ids in responses and logs."""

import io
import logging
import re

import pytest
from django.db import DatabaseError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_readyz_reports_database_and_cache(client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json() == {"ready": True, "database": "ok", "cache": "ok"}
    assert client.head(reverse("readyz")).status_code == 200


def test_readyz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", refuse)
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json()["database"] == "failing"


def test_readyz_is_503_when_the_cache_does_not_store(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr("django.core.cache.cache.set", refuse)
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json() == {"ready": False, "database": "ok", "cache": "failing"}


def test_every_response_carries_a_request_id(client):
    first = client.get(reverse("healthz"))["X-Request-ID"]
    second = client.get(reverse("healthz"))["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_the_proxys_request_id_is_kept_and_a_forged_one_replaced(client):
    kept = client.get(reverse("healthz"), HTTP_X_REQUEST_ID="f00dcafe-1234")
    assert kept["X-Request-ID"] == "f00dcafe-1234"
    forged = client.get(reverse("healthz"), HTTP_X_REQUEST_ID="x\n2026 ERROR fake line")
    assert "\n" not in forged["X-Request-ID"] and len(forged["X-Request-ID"]) == 32


def test_log_lines_carry_a_timestamp_and_the_request_id(client):
    """Read through the configured handler itself (settings.LOGGING)."""
    handler = logging.getLogger("django").handlers[0]
    written = io.StringIO()
    previous = handler.setStream(written)
    try:
        response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-42")
    finally:
        handler.setStream(previous)
    assert response.status_code == 404
    line = written.getvalue().splitlines()[-1]
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} WARNING django.request ", line)
    assert "[request req-42] Not Found: /no-such-page/" in line
