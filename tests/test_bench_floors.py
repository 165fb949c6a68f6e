"""The benchmark's floors (issue 18) are served by the benchmark's URLconf only, and do the work
they stand for: a signed-in read of the session and user, a CSRF-checked insert."""

from __future__ import annotations

import gzip

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, URLPattern, get_resolver, resolve, reverse

from bench import floors

pytestmark = pytest.mark.django_db


def _patterns(resolver):
    for pattern in resolver.url_patterns:
        yield pattern
        if hasattr(pattern, "url_patterns"):
            yield from _patterns(pattern)


def test_production_urls_do_not_include_the_floors():
    assert settings.ROOT_URLCONF == "config.urls"
    with pytest.raises(Resolver404):
        resolve("/_bench/page/")
    with pytest.raises(NoReverseMatch):
        reverse("bench_floor_page")
    resolver = get_resolver("config.urls")
    modules = {
        pattern.callback.__module__
        if isinstance(pattern, URLPattern)
        else getattr(pattern.urlconf_module, "__name__", str(pattern.urlconf_name))
        for pattern in _patterns(resolver)
    }
    assert modules, "the walk found no URL patterns"
    assert not any(str(module).startswith("bench") for module in modules)


def test_bench_settings_only_swap_the_urlconf():
    import bench.settings as bench_settings
    import config.settings as production

    assert bench_settings.ROOT_URLCONF == "bench.urls"
    assert bench_settings.MIDDLEWARE == production.MIDDLEWARE


@pytest.fixture
def bench_urls(settings, tmp_path):
    body = tmp_path / "reading.html"
    body.write_bytes(("<!doctype html><title>閱讀</title>" + "越南與權力平衡。" * 400).encode())
    settings.ROOT_URLCONF = "bench.urls"
    settings.BENCH_READING_BODY = str(body)
    floors._body = None
    floors.create_table()
    yield body.read_bytes()
    floors._body = None


def test_page_floor_returns_the_reading_body_gzipped_to_a_signed_in_user(
    bench_urls, client, student
):
    assert client.get("/_bench/page/").status_code == 403
    client.force_login(student)
    response = client.get("/_bench/page/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "private" in response["Cache-Control"]
    assert gzip.decompress(response.content) == bench_urls


def _rows():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {floors.TABLE}")  # noqa: S608
        return cursor.fetchone()[0]


def test_insert_floor_checks_the_csrf_token_and_inserts_one_row(bench_urls, student):
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    secret = _get_new_csrf_string()
    client.cookies[settings.CSRF_COOKIE_NAME] = secret  # as the benchmark's requests carry it
    before = _rows()
    refused = client.post("/_bench/insert/", HTTP_HX_REQUEST="true")
    assert refused.status_code == 403
    assert _rows() == before
    response = client.post(
        "/_bench/insert/", HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=_mask_cipher_secret(secret)
    )
    assert response.status_code == 200
    assert response.content == floors.FRAGMENT
    assert len(response.content) == 1024
    assert _rows() == before + 1
