"""Pages go out gzipped to browsers that accept it, padded against BREACH."""

import gzip

import pytest
from django.urls import reverse

GZIP_HEADER_SIZE = 10


@pytest.fixture
def unit_url(full_course):
    return reverse("courseware:unit", args=[full_course.units.order_by("order").first().slug])


def padding_length(body: bytes) -> int:
    """Length of the gzip header's file name field, which the middleware fills at random."""
    assert body[3] & gzip.FNAME, "the file name flag is set"
    return body.index(b"\x00", GZIP_HEADER_SIZE) - GZIP_HEADER_SIZE


def test_page_is_gzipped_and_decompresses_to_the_page(student_client, unit_url):
    plain = student_client.get(unit_url)
    packed = student_client.get(unit_url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert packed["Content-Encoding"] == "gzip"
    assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content) / 2
    assert "Accept-Encoding" in packed["Vary"]
    html = gzip.decompress(packed.content).decode()
    assert html.startswith("<!doctype html>")
    assert len(html) == len(plain.content.decode())


def test_each_response_is_padded_by_a_random_length(client, unit_url):
    lengths = {
        padding_length(client.get(unit_url, HTTP_ACCEPT_ENCODING="gzip").content) for _ in range(12)
    }
    assert len(lengths) > 1


def test_browsers_that_do_not_accept_gzip_get_plain_html(client, unit_url):
    response = client.get(unit_url, HTTP_ACCEPT_ENCODING="identity")

    assert "Content-Encoding" not in response
    assert response.content.startswith(b"<!doctype html>")
    assert "Accept-Encoding" in response["Vary"]


def test_short_responses_are_not_compressed(client):
    response = client.get(reverse("healthz"), HTTP_ACCEPT_ENCODING="gzip")

    assert "Content-Encoding" not in response


def test_level_zero_leaves_compression_to_the_proxy(settings, client, unit_url):
    settings.GZIP_LEVEL = 0

    response = client.get(unit_url, HTTP_ACCEPT_ENCODING="gzip")

    assert "Content-Encoding" not in response
    assert "Accept-Encoding" not in response.get("Vary", "")
    assert response.content.startswith(b"<!doctype html>")


def test_static_files_are_built_with_brotli_beside_gzip(tmp_path, settings):
    """A phone's first visit takes the Brotli copies (about 3 KB less than gzip for the unit
    page's scripts and styles); WhiteNoise writes them only when the brotli package is there."""
    import brotli
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)

    built = tmp_path / staticfiles_storage.stored_name("css/app.css")
    original = built.read_bytes()
    assert brotli.decompress(built.with_name(f"{built.name}.br").read_bytes()) == original
    assert len(built.with_name(f"{built.name}.br").read_bytes()) < len(
        built.with_name(f"{built.name}.gz").read_bytes()
    )
