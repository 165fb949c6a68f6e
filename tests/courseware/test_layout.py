"""The unit page's layout is rendered once and each signed-in reader's own parts are filled
in per request (courseware.layout): the same page as a whole render, never another reader's
parts, and a CSRF token that works."""

import re

import pytest
from django.contrib import messages
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory
from django.urls import reverse

from courseware import views
from courseware.layout import can_fill_layout
from courseware.models import Unit
from quizzes import services
from quizzes.models import Item
from quizzes.samples import right_answer
from tests.quizzes.conftest import post_answer
from tests.unit_pages import same_but_tokens, unit_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def whole_render(monkeypatch):
    """Turn the layout off: every page rendered whole, as before it existed."""

    def render_whole():
        monkeypatch.setattr(views, "can_fill_layout", lambda request, mode: False)

    return render_whole


@pytest.mark.parametrize("language", ["zh-hant", "en", "zh-hans"])
@pytest.mark.parametrize("readings", ["off", "pinyin"])
def test_the_filled_layout_is_the_whole_page(
    mini_course, student, student_client, whole_render, language, readings
):
    unit = Unit.objects.get(slug="introduction")
    attempt = services.start_or_resume_attempt(student, unit)
    first = Item.objects.get(pk=attempt.item_ids[0])
    post_answer(student_client, attempt, first, right_answer(first))
    url = unit_url(readings=readings)
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    made = student_client.get(url, **headers).content.decode()  # renders and keeps the layout
    filled = student_client.get(url, **headers).content.decode()  # fills the kept layout
    whole_render()
    whole = student_client.get(url, **headers).content.decode()
    assert same_but_tokens(made) == same_but_tokens(whole)
    assert same_but_tokens(filled) == same_but_tokens(whole)
    assert "\x1a" not in filled


def test_each_reader_gets_their_own_read_status_grade_and_address(
    mini_course, student, django_user_model
):
    unit = Unit.objects.get(slug="introduction")
    attempt = services.start_or_resume_attempt(student, unit)
    for item in Item.objects.filter(pk__in=attempt.item_ids):
        services.record_answer(attempt=attempt, item=item, answer=right_answer(item))
    reader = Client()
    reader.force_login(student)
    reader.post(reverse("courseware:mark_read", args=[unit.slug]), {"read": "1"})
    own = reader.get(unit_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You have read this unit." in own
    assert "Your best score: 100 %" in own

    newcomer = Client()
    newcomer.force_login(django_user_model.objects.create_user("new", password="pw-New-12345"))
    theirs = newcomer.get(unit_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Mark this unit as read" in theirs
    assert "You have read this unit." not in theirs
    assert "Your best score" not in theirs
    assert "Start the quiz" in theirs
    again = newcomer.get(unit_url() + "?from=search", HTTP_ACCEPT_LANGUAGE="en")
    assert 'name="next" value="/units/introduction/?from=search"' in again.content.decode()


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_readers_who_read_more_or_less_get_their_own_counts(
    mini_course, student, django_user_model, whole_render, language
):
    """The read status is kept per unit and state (read or not), its count filled in."""
    units = list(Unit.objects.order_by("order"))
    readers = {
        "read both": (student, units),
        "read this one": (
            django_user_model.objects.create_user("one", password="pw-One-1234"),
            units[:1],
        ),
        "read the other": (
            django_user_model.objects.create_user("other", password="pw-Oth-1234"),
            units[1:],
        ),
        "read none": (django_user_model.objects.create_user("none", password="pw-Non-1234"), []),
    }
    clients = {}
    for name, (user, read) in readers.items():
        clients[name] = Client(HTTP_ACCEPT_LANGUAGE=language)
        clients[name].force_login(user)
        for unit in read:
            clients[name].post(reverse("courseware:mark_read", args=[unit.slug]), {"read": "1"})
    kept = {name: client.get(unit_url()).content.decode() for name, client in clients.items()}
    whole_render()
    for name, client in clients.items():
        whole = client.get(unit_url()).content.decode()
        assert same_but_tokens(kept[name]) == same_but_tokens(whole), name
    assert 'value="2">2 / 2</progress>' in kept["read both"]
    assert 'value="1">1 / 2</progress>' in kept["read the other"]
    assert 'value="0">0 / 2</progress>' in kept["read none"]


def test_the_token_in_a_filled_page_is_accepted(mini_course, student):
    reader = Client(enforce_csrf_checks=True)
    reader.force_login(student)
    reader.get(unit_url())  # keeps the layout
    page = reader.get(unit_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', page).group(1)
    response = reader.post(
        reverse("courseware:mark_read", args=["introduction"]),
        {"read": "1", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert (
        "You have read this unit."
        in reader.get(unit_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def test_visitors_messages_and_other_layouts_are_rendered_whole(student):
    request = RequestFactory().get("/units/introduction/")
    request.user = student
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    assert can_fill_layout(request, "side")
    assert not can_fill_layout(request, "stacked")
    messages.info(request, "Saved.")
    assert not can_fill_layout(request, "side")


def test_a_message_waiting_for_the_reader_is_shown_on_the_unit_page(mini_course, student_client):
    """A message belongs to one reader: the page that shows it is rendered whole."""
    student_client.get(unit_url())  # keeps the layout
    request = RequestFactory().get("/")
    waiting = CookieStorage(request)._encode([Message(constants.SUCCESS, "Welcome back!")])
    student_client.cookies[CookieStorage.cookie_name] = waiting
    page = student_client.get(unit_url()).content.decode()
    assert "Welcome back!" in page
    assert "\x1a" not in page
    assert "Welcome back!" not in student_client.get(unit_url()).content.decode()
