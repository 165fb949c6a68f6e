"""Random and malformed bodies posted to every POST endpoint, with a valid CSRF token.

Each example posts, as the role allowed to use the endpoint, a body of known and unknown
fields (missing, repeated, wrong types, huge, NUL, lone surrogates, bidi marks, ids of
other users' objects) to a URL whose ids are the user's own, someone else's or nobody's.
Every example then holds to four properties:

- the response is not a 5xx;
- no row changed except those the endpoint may change for this user (everything else is
  snapshotted before and after, every table of the project);
- a redirect stays on the site;
- the page is in the language asked for (html lang; and no English error text where the
  catalogue has a translation).

Each example runs in a savepoint that is rolled back, so all start from the same world.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.test import Client
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from classroom.models import Assignment, Enrollment, Extension, SchoolClass
from courseware.models import ReadingProgress, Unit
from quizzes.models import Attempt, Item, QuizPolicy, Response
from quizzes.presentation import choice_token
from review.models import Card, Review, SavedWord

from .access_table import ADMIN_ROW, concrete_url, read_table
from .conftest import ACCEPT, HTML_LANG, PASSWORD, changed_tables, snapshot, translated
from .fuzzing import FUZZ, bodies, ids, number_texts

pytestmark = pytest.mark.django_db
User = get_user_model()

SLUGS = st.from_regex(r"\A[-a-zA-Z0-9_]{1,80}\Z")
DATETIMES = st.sampled_from(
    ["2026-06-01T10:00", "2026-05-01T08:30", "2020-01-01T00:00", "2026-06-01 10:00:00", ""]
)
GOOD_PASSWORD = "a-Long-pass-phrase-9"
EVERY_ROW = Q(pk__isnull=False)
NEXT = st.sampled_from(["/home/", "/", "https://evil.example/", "//evil.example/", "/\\evil"])
# Error messages (without placeholders) the forms and views can answer with.
ERROR_MESSAGES = [
    "This field is required.",
    "Enter a whole number.",
    "Enter a valid date/time.",
    "Select a valid choice. That choice is not one of the available choices.",
    "Null characters are not allowed.",
    "The two password fields didn’t match.",
    "Your old password was entered incorrectly. Please enter it again.",
    "Choose an answer.",
    "Choose at least one answer.",
    "Choose only one answer.",
    "Choose a match for every entry.",
    "That answer is not one of the choices. Choose again.",
    "This attempt is finished and accepts no more answers.",
    "No class has this join code. Check the code with your instructor and try again.",
    "You are already in this class.",
    "The two passwords differ.",
    "This username cannot be used. Please choose another one.",
    "The unit must become visible before it is due.",
]


LTI_LOGIN_FIELDS = {
    "iss": st.sampled_from(["https://lms.example.edu", "", "javascript:alert(1)"]),
    "login_hint": None,
    "target_link_uri": st.sampled_from(
        ["http://testserver/lti/launch/", "https://evil.example/", "/lti/launch/", ""]
    ),
    "client_id": None,
    "lti_message_hint": None,
}
JWT_LIKE = st.one_of(
    st.sampled_from(["", "a.b.c", "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0."]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", max_size=300),
)


@dataclass
class Endpoint:
    role: str
    # URL parameter → strategy, given the world.
    params: Callable[[object], dict[str, st.SearchStrategy]]
    # Field name → strategy of meaningful values (None: anything), given world and params.
    fields: Callable[[object, dict], dict[str, st.SearchStrategy | None]]
    # Model → the rows this user may change through the endpoint.
    may_change: Callable[[object, object], dict]


def no_params(world):
    return {}


def no_fields(world, params):
    return {}


def slug_params(world):
    return {"slug": st.one_of(st.sampled_from([world.unit.slug, world.other_unit.slug]), SLUGS)}


def attempt_params(world):
    return {"attempt_id": ids([world.attempt.pk], [world.other_attempt.pk])}


def answer_params(world):
    not_in_attempt = Item.objects.exclude(pk__in=world.attempt.item_ids).first().pk
    return {
        "attempt_id": ids([world.attempt.pk], [world.other_attempt.pk]),
        "item_id": ids(list(world.attempt.item_ids), [not_in_attempt]),
    }


def answer_fields(world, params):
    attempt = Attempt.objects.filter(pk=params["attempt_id"]).first() or world.attempt
    item = Item.objects.filter(pk=params["item_id"]).first() or world.item
    keys = list(item.choices.values_list("key", flat=True))
    tokens = [choice_token(attempt, item, key) for key in keys]
    # Tokens of the same item in someone else's attempt: valid-looking, wrong owner.
    foreign = [choice_token(world.other_attempt, item, key) for key in keys]
    matches = [choice_token(attempt, item, key, side="match") for key in keys]
    fields = {"choice": st.sampled_from(tokens + foreign + keys)}
    for token in tokens + foreign[:1]:
        fields[f"position-{token}"] = st.one_of(
            st.sampled_from(["1", "2", "3", "4", "5"]), number_texts()
        )
        fields[f"match-{token}"] = st.sampled_from(matches + tokens)
    return fields


def class_params(world):
    return {"class_id": ids([world.school_class.pk], [world.other_class.pk])}


def student_params(world):
    return {
        **class_params(world),
        "student_id": ids(
            [world.student.pk], [world.other_student.pk, world.instructor.pk, world.staff.pk]
        ),
    }


def assignment_params(world):
    return {
        **class_params(world),
        "assignment_id": ids([world.assignment.pk], [world.other_assignment.pk]),
    }


def assignment_fields(prefix=""):
    def fields(world, params):
        unit_ids = list(Unit.objects.values_list("pk", flat=True))
        return {
            f"{prefix}unit": st.sampled_from(unit_ids + [0, 10**20]).map(str),
            f"{prefix}due_at": DATETIMES,
            f"{prefix}visible_from": DATETIMES,
            f"{prefix}note": None,
            f"{prefix}quiz_kind": st.sampled_from(["practice", "graded", "other"]),
            f"{prefix}attempts_allowed": st.sampled_from(["0", "1", "2", "10", "11", "-1"]),
            f"{prefix}grading_method": st.sampled_from(["highest", "first", "average", "x"]),
            f"{prefix}review_moment": st.sampled_from(["answer", "due", "never", "x"]),
            f"{prefix}show_correctness": st.sampled_from(["on", "", "1"]),
        }

    return fields


def student_assignment_params(world):
    return {**student_params(world), **assignment_params(world)}


def extension_fields(world, params):
    return {
        "due_at": DATETIMES,
        "extra_attempts": st.sampled_from(["0", "1", "10", "11", "-1", "x"]),
    }


# What an assignment's quiz rules may change: its policy, and the due date kept on the
# attempts taken under it.
def assignment_rules_may_change(world, user):
    return {
        Assignment: Q(school_class__instructor=user),
        QuizPolicy: Q(assignment__school_class__instructor=user),
        Attempt: Q(policy__assignment__school_class__instructor=user),
    }


def join_codes(world):
    code = world.school_class.join_code
    return st.sampled_from(
        [code, code.lower(), f"{code[:4]}-{code[4:]}", world.other_class.join_code, "WRONG234"]
    )


def own_deck(world, user):
    return {
        SavedWord: Q(student=user),
        Card: Q(saved_word__student=user),
        Review: Q(card__saved_word__student=user),
    }


def save_word_fields(world, params):
    passages = list(world.unit.passages.values_list("key", flat=True)) + ["no-such", "x" * 70]
    return {
        "headword": st.one_of(
            st.sampled_from(["越南", "越南", "权力", "權力平衡", "美國"]), st.text()
        ),
        "passage": st.sampled_from(passages),
        "term": st.sampled_from(["balance-of-power", "no-such-term", ""]),
        "next": NEXT,
    }


def card_params(world):
    other = world.other_saved_word.cards.first()
    return {"card_id": ids([c.pk for c in world.saved_word.cards.all()], [other.pk])}


def grade_fields(world, params):
    return {
        "showing": st.one_of(st.sampled_from(["0", "1", "-1", "x"]), number_texts()),
        "rating": st.sampled_from(["1", "2", "3", "4", "0", "5", "x"]),
    }


ENDPOINTS: dict[str, Endpoint] = {
    "/my-words/save/": Endpoint("student", no_params, save_word_fields, own_deck),
    "/my-words/<int:word_id>/remove/": Endpoint(
        "student",
        lambda w: {"word_id": ids([w.saved_word.pk], [w.other_saved_word.pk])},
        no_fields,
        own_deck,
    ),
    "/my-words/review/<int:card_id>/": Endpoint("student", card_params, grade_fields, own_deck),
    "/units/<slug:slug>/read/": Endpoint(
        "student",
        slug_params,
        lambda w, p: {"read": st.sampled_from(["0", "1"])},
        lambda w, u: {ReadingProgress: Q(user=u)},
    ),
    "/i18n/setlang/": Endpoint(
        "student",
        no_params,
        lambda w, p: {"language": st.sampled_from(["en", "zh-hant", "zh-tw", "xx"]), "next": NEXT},
        lambda w, u: {},
    ),
    "/login/": Endpoint(
        "anonymous",
        no_params,
        lambda w, p: {
            "username": st.sampled_from(["student", "teacher", "nobody", "STUDENT"]),
            "password": st.sampled_from([PASSWORD, "wrong"]),
            "next": NEXT,
        },
        lambda w, u: {AccessAttempt: EVERY_ROW, AccessFailureLog: EVERY_ROW},
    ),
    "/logout/": Endpoint("student", no_params, lambda w, p: {"next": NEXT}, lambda w, u: {}),
    "/signup/": Endpoint(
        "anonymous",
        no_params,
        lambda w, p: {
            "username": st.sampled_from(["newcomer", "student", "STUDENT", "new user"]),
            "display_name": None,
            "password1": st.sampled_from([GOOD_PASSWORD, "short"]),
            "password2": st.sampled_from([GOOD_PASSWORD, "short"]),
            "join_code": join_codes(w),
        },
        lambda w, u: {
            User: Q(pk__gt=w.staff.pk),
            Enrollment: Q(student__pk__gt=w.staff.pk),
        },
    ),
    "/join/": Endpoint(
        "student",
        no_params,
        lambda w, p: {"join_code": join_codes(w)},
        lambda w, u: {Enrollment: Q(student=u)},
    ),
    "/account/password/": Endpoint(
        "student",
        no_params,
        lambda w, p: {
            "old_password": st.sampled_from([PASSWORD, "wrong"]),
            "new_password1": st.sampled_from(["another-Long-pass-7", "123"]),
            "new_password2": st.sampled_from(["another-Long-pass-7", "123"]),
        },
        lambda w, u: {User: Q(pk=u.pk)},
    ),
    "/quiz/units/<slug:slug>/start/": Endpoint(
        "student", slug_params, no_fields, lambda w, u: {Attempt: Q(student=u)}
    ),
    "/quiz/units/<slug:slug>/practice/": Endpoint(
        "student", slug_params, no_fields, lambda w, u: {Attempt: Q(student=u)}
    ),
    "/quiz/attempts/<int:attempt_id>/items/<int:item_id>/": Endpoint(
        "student",
        answer_params,
        answer_fields,
        lambda w, u: {Attempt: Q(student=u), Response: Q(attempt__student=u)},
    ),
    "/quiz/attempts/<int:attempt_id>/finish/": Endpoint(
        "student", attempt_params, no_fields, lambda w, u: {Attempt: Q(student=u)}
    ),
    "/classes/new/": Endpoint(
        "instructor",
        no_params,
        lambda w, p: {"name": None, "term": None},
        lambda w, u: {SchoolClass: Q(instructor=u)},
    ),
    "/classes/<int:class_id>/join-code/": Endpoint(
        "instructor", class_params, no_fields, lambda w, u: {SchoolClass: Q(instructor=u)}
    ),
    "/classes/<int:class_id>/students/<int:student_id>/remove/": Endpoint(
        "instructor",
        student_params,
        no_fields,
        lambda w, u: {Enrollment: Q(school_class__instructor=u)},
    ),
    "/classes/<int:class_id>/students/<int:student_id>/readmit/": Endpoint(
        "instructor",
        student_params,
        no_fields,
        lambda w, u: {Enrollment: Q(school_class__instructor=u)},
    ),
    "/classes/<int:class_id>/students/<int:student_id>/assignments/<int:assignment_id>/"
    "extension/": Endpoint(
        "instructor",
        student_assignment_params,
        extension_fields,
        lambda w, u: {
            Extension: Q(assignment__school_class__instructor=u),
            Attempt: Q(policy__assignment__school_class__instructor=u),
        },
    ),
    "/classes/<int:class_id>/students/<int:student_id>/assignments/<int:assignment_id>/"
    "reopen/": Endpoint(
        "instructor",
        student_assignment_params,
        no_fields,
        lambda w, u: {Attempt: Q(unit__assignments__school_class__instructor=u)},
    ),
    "/classes/<int:class_id>/assignments/new/": Endpoint(
        "instructor",
        class_params,
        assignment_fields(),
        assignment_rules_may_change,
    ),
    "/classes/<int:class_id>/assignments/<int:assignment_id>/edit/": Endpoint(
        "instructor",
        assignment_params,
        assignment_fields("edit-"),
        assignment_rules_may_change,
    ),
    "/classes/<int:class_id>/assignments/<int:assignment_id>/delete/": Endpoint(
        "instructor",
        assignment_params,
        no_fields,
        lambda w, u: {Assignment: Q(school_class__instructor=u)},
    ),
    # The LTI routes: what a platform (or someone pretending to be one) posts. The world has
    # no registered platform, so every post must be refused without writing anything.
    "/lti/login/": Endpoint("anonymous", no_params, lambda w, p: LTI_LOGIN_FIELDS, lambda w, u: {}),
    "/lti/login/<uuid:registration_uuid>/": Endpoint(
        "anonymous",
        lambda w: {"registration_uuid": st.uuids().map(str)},
        lambda w, p: LTI_LOGIN_FIELDS,
        lambda w, u: {},
    ),
    "/lti/launch/": Endpoint(
        "anonymous",
        no_params,
        lambda w, p: {"id_token": JWT_LIKE, "state": None},
        lambda w, u: {},
    ),
    "/lti/deep-link/": Endpoint(
        "anonymous",
        no_params,
        lambda w, p: {
            "token": None,
            "choice": st.sampled_from(["introduction:quiz", "phase-one:reading", ":", "x"]),
        },
        lambda w, u: {},
    ),
    "/lti/classes/<int:class_id>/roster-sync/": Endpoint(
        "instructor", class_params, no_fields, lambda w, u: {}
    ),
}
# Rows that change with every sign-in or session and are nobody's work.
ALWAYS_MAY_CHANGE = {Session: EVERY_ROW, AccessLog: EVERY_ROW}
IGNORED_COLUMNS = {User: {"last_login"}}

POST_ROUTES = sorted(
    {row.route for row in read_table() if row.method == "POST" and row.route != ADMIN_ROW}
)


def test_every_post_endpoint_is_fuzzed():
    assert sorted(ENDPOINTS) == POST_ROUTES


def assert_in_requested_language(response, language: str) -> None:
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    html = response.content.decode("utf-8", "replace")
    if "<html" in html:
        assert f"<html {HTML_LANG[language]}>" in html
    if language != "en":
        for message in ERROR_MESSAGES:
            if translated(message, language) is not None:
                assert escape(message) not in html, f"untranslated error: {message!r}"


def assert_stays_on_site(response) -> None:
    for header in ("Location", "HX-Redirect", "HX-Location"):
        if header in response:
            target = urlsplit(response[header])
            assert target.netloc in ("", "testserver"), response[header]
            assert target.scheme in ("", "http", "https"), response[header]


@pytest.mark.parametrize("route", sorted(ENDPOINTS))
def test_hostile_posts_change_nothing_else_and_never_crash(world, route):
    endpoint = ENDPOINTS[route]
    user = world.user(endpoint.role)
    client = Client(enforce_csrf_checks=True, raise_request_exception=True)
    client.get("/")  # a page with a form: the CSRF cookie, as a browser gets it
    token = client.cookies["csrftoken"].value
    may_change = {**ALWAYS_MAY_CHANGE, **endpoint.may_change(world, user)}
    param_strategies = endpoint.params(world)

    @FUZZ
    @given(data=st.data())
    def post(data):
        params = {name: data.draw(s, label=name) for name, s in param_strategies.items()}
        body, content_type = data.draw(bodies(endpoint.fields(world, params)), label="body")
        language = data.draw(st.sampled_from(["zh-hant", "en"]), label="language")
        htmx = data.draw(st.booleans(), label="htmx")
        with transaction.atomic():
            client.cookies.pop("django_language", None)
            client.cookies.pop("sessionid", None)
            if user is not None:
                client.force_login(user)
            client.cookies["csrftoken"] = token  # sign-in rotates it
            before = snapshot(may_change, IGNORED_COLUMNS)
            headers = {"HTTP_X_CSRFTOKEN": token, "HTTP_ACCEPT_LANGUAGE": ACCEPT[language]}
            if htmx:
                headers["HTTP_HX_REQUEST"] = "true"
            response = client.generic(
                "POST", concrete_url(route, params), body, content_type, **headers
            )
            assert response.status_code < 500
            after = snapshot(may_change, IGNORED_COLUMNS)
            assert changed_tables(before, after) == []
            assert_stays_on_site(response)
            assert_in_requested_language(response, language)
            transaction.set_rollback(True)

    post()


def test_any_number_as_an_ordering_position_is_an_answer_or_an_error_never_a_500(world):
    """Every position field present, so that each value reaches the parsing of numbers: the
    general fuzzing above rarely sends a complete ordering form."""
    attempt = world.attempt
    item = Item.objects.get(unit=world.unit, kind=Item.Kind.ORDERING)
    names = [
        f"position-{choice_token(attempt, item, key)}"
        for key in sorted(item.choices.values_list("key", flat=True))
    ]
    url = f"/quiz/attempts/{attempt.pk}/items/{item.pk}/"
    client = Client(raise_request_exception=True)
    positions = [str(number) for number in range(1, len(names) + 1)]

    @FUZZ
    @given(
        values=st.lists(
            st.one_of(st.sampled_from(positions), number_texts()),
            min_size=len(names),
            max_size=len(names),
        ),
        htmx=st.booleans(),
    )
    def post(values, htmx):
        with transaction.atomic():
            client.force_login(world.student)
            headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
            response = client.post(url, dict(zip(names, values, strict=True)), **headers)
            assert response.status_code == 200
            stored = Response.objects.filter(attempt=attempt, item=item).first()
            if stored is not None:
                assert sorted(stored.answer) == sorted(item.choices.values_list("key", flat=True))
            transaction.set_rollback(True)

    post()


def error_cases(world):
    """(role, url, body, message, htmx): one refused post per kind of form."""
    code = world.school_class.join_code
    class_url = f"/classes/{world.school_class.pk}"
    answer_url = f"/quiz/attempts/{world.attempt.pk}/items/{world.item.pk}/"
    return [
        ("anonymous", "/signup/", {"join_code": "WRONG234"}, ERROR_MESSAGES[13], False),
        ("anonymous", "/signup/", {"join_code": code}, "This field is required.", True),
        ("student", "/join/", {"join_code": "WRONG234"}, ERROR_MESSAGES[13], False),
        ("student", "/join/", {"join_code": code}, "You are already in this class.", True),
        ("student", answer_url, {}, "Choose at least one answer.", False),
        ("student", answer_url, {"choice": "forged"}, ERROR_MESSAGES[11], True),
        (
            "student",
            "/account/password/",
            {"old_password": "wrong", "new_password1": "x", "new_password2": "x"},
            "Your old password was entered incorrectly. Please enter it again.",
            False,
        ),
        (
            "instructor",
            f"{class_url}/assignments/new/",
            {"unit": "1", "due_at": "2026-02-30T25:61"},
            "Enter a valid date/time.",
            True,
        ),
        (
            "instructor",
            "/classes/new/",
            {"name": "\x00"},
            "Null characters are not allowed.",
            False,
        ),
    ]


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_errors_come_back_in_the_users_language(world, language):
    for role, url, body, message, htmx in error_cases(world):
        client = world.client_for(role, HTTP_ACCEPT_LANGUAGE=ACCEPT[language])
        extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = client.post(url, body, **extra)
        assert response.status_code == 200, url
        html = response.content.decode()
        text = translated(message, language)
        if text is not None:
            assert escape(text) in html, f"{url}: {message!r} not in {language}"
        if not htmx:
            assert f"<html {HTML_LANG[language]}>" in html, url
