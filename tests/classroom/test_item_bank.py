"""The instructor's page of item-bank downloads, and the downloads themselves."""

import io
import xml.etree.ElementTree as ET
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.models import Item
from tests.quizzes.conftest import load_course_with_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher_client(client, instructor):
    client.force_login(instructor)
    return client


def test_instructor_home_links_to_the_item_bank_page(teacher_client, mini_course):
    response = teacher_client.get(reverse("classroom:home"))
    assert reverse("classroom:item_bank") in response.content.decode()


def test_item_bank_page_offers_each_format_for_the_course_and_each_unit(
    teacher_client, mini_course
):
    response = teacher_client.get(reverse("classroom:item_bank"))
    page = response.content.decode()
    assert response.status_code == 200
    for fmt in ("moodle-xml", "gift", "qti21"):
        assert reverse("classroom:item_bank_download", args=[fmt]) in page
        for slug in ("introduction", "phase-one"):
            assert reverse("classroom:item_bank_unit_download", args=[fmt, slug]) in page
    assert "intro-q" not in page  # no internal key shown


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_item_bank_page_speaks_the_readers_language(teacher_client, mini_course, language):
    teacher_client.cookies["django_language"] = language
    page = teacher_client.get(reverse("classroom:item_bank")).content.decode()
    expected = {"zh-hant": "下載", "en": "Download"}[language]
    assert expected in page


@pytest.mark.parametrize(
    ("fmt", "content_type", "check"),
    [
        ("moodle-xml", "application/xml", lambda body: ET.fromstring(body).tag == "quiz"),
        ("gift", "text/plain", lambda body: body.decode().startswith("$CATEGORY:")),
        (
            "qti21",
            "application/zip",
            lambda body: "imsmanifest.xml" in zipfile.ZipFile(io.BytesIO(body)).namelist(),
        ),
    ],
)
def test_downloads_are_attachments_in_each_format(
    teacher_client, mini_course, fmt, content_type, check
):
    response = teacher_client.get(reverse("classroom:item_bank_download", args=[fmt]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert check(response.content)


def test_a_unit_download_holds_that_units_items_only(teacher_client, mini_course):
    url = reverse("classroom:item_bank_unit_download", args=["moodle-xml", "phase-one"])
    quiz = ET.fromstring(teacher_client.get(url).content)
    keys = {q.findtext("idnumber") for q in quiz.findall("question") if q.get("type") != "category"}
    assert keys == set(Item.objects.filter(unit__slug="phase-one").values_list("key", flat=True))


def test_unknown_formats_and_units_are_404(teacher_client, mini_course):
    assert teacher_client.get("/items/export/pdf/").status_code == 404
    assert teacher_client.get("/items/export/gift/no-such-unit/").status_code == 404


def test_students_may_not_download_and_strangers_must_sign_in(client, student, mini_course):
    url = reverse("classroom:item_bank_download", args=["gift"])
    assert client.get(url).status_code == 302
    client.force_login(student)
    assert client.get(url).status_code == 403
    assert client.get(reverse("classroom:item_bank")).status_code == 403


@pytest.mark.parametrize("url_name", ["classroom:item_bank", "download"])
def test_item_bank_queries_do_not_grow_with_the_bank(client, instructor, url_name):
    counts = []
    for size in (5, 40):
        load_course_with_items(size)
        client.force_login(instructor)
        if url_name == "download":
            url = reverse("classroom:item_bank_download", args=["moodle-xml"])
        else:
            url = reverse(url_name)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
