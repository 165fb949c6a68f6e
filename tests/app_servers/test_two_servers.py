"""Two app servers over one PostgreSQL database and one Redis, as docs/deploy.md deploys
them: whichever server a request reaches, the student is signed in, sees the current course
(loaded from outside or edited in the other server's admin), and counts against the same
sign-in limits. (The exactly-once answer test also runs split
across them: tests/concurrency/test_exactly_once.py.)

Runs when the suite runs on PostgreSQL with CACHE_URL=redis://… (.ci/run's last pass):

    DATABASE_URL=postgres://… CACHE_URL=redis://… pytest -m app_servers
"""

import io
import json
import random

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from courseware.models import Course, Term
from quizzes.models import Attempt, Item, Response
from quizzes.presentation import form_fields
from quizzes.samples import likely_answer
from tests.conftest import MINI_COURSE

from .servers import ACCOUNT_CAP, Visitor, form_values

pytestmark = [pytest.mark.app_servers, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Student-123"
LOGIN = reverse("classroom:login")
HOME = reverse("classroom:home")
INTRODUCTION = "/units/introduction/"


def make_account(django_user_model, username):
    """An account the servers' real hasher (PBKDF2) checks: the iteration count is part of
    the stored hash, so a low one keeps a right password fast (a wrong one is slow anyway)."""
    hasher = PBKDF2PasswordHasher()
    encoded = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    return django_user_model.objects.create(username=username, password=encoded)


def signed_in_elsewhere(user, address="203.0.113.10") -> Visitor:
    """A visitor whose session this process created in Redis, as a server would have."""
    client = Client()
    client.force_login(user)
    visitor = Visitor(address, csrf_cookie=True)
    visitor.cookies["sessionid"] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return visitor


def sign_in(visitor, server, username, password=PASSWORD):
    return visitor.post(server, LOGIN, {"username": username, "password": password})


def test_a_student_signs_in_on_one_server_and_answers_on_the_other(
    two_app_servers, mini_course, django_user_model
):
    first, second = two_app_servers
    student = make_account(django_user_model, "mai")
    visitor = Visitor()

    assert visitor.get(first, LOGIN).status_code == 200  # the CSRF cookie
    signed_in = sign_in(visitor, first, "mai")
    assert signed_in.status_code == 302, signed_in.text
    assert signed_in.headers["Location"] == HOME

    # The other server knows the session: its home page, not the sign-in page.
    assert visitor.get(second, HOME).status_code == 200
    started = visitor.post(second, "/quiz/units/introduction/start/")
    assert started.status_code == 302, started.text
    attempt = Attempt.objects.get(student=student)
    assert started.headers["Location"] == attempt.get_absolute_url()

    item = Item.objects.get(pk=attempt.item_ids[0])
    answer = likely_answer(item, right=True, rng=random.Random(1))
    answered = visitor.post(
        second,
        reverse("quizzes:answer", kwargs={"attempt_id": attempt.pk, "item_id": item.pk}),
        form_fields(attempt, item, answer),
        **{"HX-Request": "true"},
    )
    assert answered.status_code == 200, answered.text
    assert "quiz-feedback" in answered.text
    assert "quiz-error" not in answered.text
    stored = Response.objects.get(attempt=attempt)
    assert (stored.item_id, stored.is_correct) == (item.pk, True)

    # Back on the first server, the answer is there.
    page = visitor.get(first, attempt.get_absolute_url())
    assert page.status_code == 200
    assert page.text.count("quiz-feedback") == 1

    # Signing out on one server signs out on both.
    assert visitor.post(first, reverse("classroom:logout")).status_code == 302
    away = visitor.get(second, HOME)
    assert away.status_code == 302
    assert away.headers["Location"].startswith(LOGIN)


def course_file(tmp_path, correction=None):
    """The mini course, or with ``correction`` (a word) in a passage, a glossary definition
    and a choice's feedback."""
    data = json.loads(MINI_COURSE.read_text(encoding="utf-8"))
    if correction:
        passage = data["units"][0]["passages"][0]
        passage["text"]["zh-hant"] = f"這是{correction}的前言第1段。（Waltz, 1979: 117）"
        data["terms"][0]["definition"]["zh-hant"] = f"{correction}的定義"
        item = next(item for item in data["items"] if item["key"] == "intro-q1")
        item["choices"][0]["feedback"]["zh-hant"] = f"{correction}的回饋"
    path = tmp_path / f"course-{correction or 'original'}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


# Each server runs several worker processes, each with its own content cache: a few requests
# per server reach (almost surely) every one of them.
REQUESTS_PER_SERVER = 3
ORIGINAL = ["這是前言第1段", "國際政治中的權力分配概念", "回饋：蘇聯"]


def corrected(correction):
    return [f"這是{correction}的前言第1段", f"{correction}的定義", f"{correction}的回饋"]


def test_a_course_reload_is_seen_by_every_server_on_its_next_request(
    two_app_servers, mini_course, django_user_model, tmp_path
):
    """Content is cached in each process (courseware/caching.py), keyed by the content
    version in the database: a load from the release machine reaches every server at once,
    and so does a change after a backup is restored under them."""
    student = make_account(django_user_model, "lan")
    visitor = signed_in_elsewhere(student)
    item = Item.objects.get(key="intro-q1")

    def answer_page(server):
        """A fresh attempt answered on ``server``: the item's feedback as that server has it."""
        Attempt.objects.filter(student=student).delete()
        started = visitor.post(server, "/quiz/units/introduction/start/")
        assert started.status_code == 302, started.text
        attempt = Attempt.objects.get(student=student)
        url = reverse("quizzes:answer", kwargs={"attempt_id": attempt.pk, "item_id": item.pk})
        answer = likely_answer(item, right=True, rng=random.Random(1))
        response = visitor.post(
            server, url, form_fields(attempt, item, answer), **{"HX-Request": "true"}
        )
        assert response.status_code == 200, response.text
        return response.text

    def every_server_shows(shown, not_shown):
        for server in reversed(list(two_app_servers)):
            seen = "".join(
                visitor.get(server, INTRODUCTION).text
                + visitor.get(server, "/glossary/").text
                + answer_page(server)
                for _n in range(REQUESTS_PER_SERVER)
            )
            for text in shown:
                assert text in seen, (server.name, text)
            for text in not_shown:
                assert text not in seen, (server.name, text)

    every_server_shows(ORIGINAL, [])
    backup_version = Course.objects.get().content_version

    # The release step, from another machine: docs/deploy.md, "Releases".
    call_command("load_course", course_file(tmp_path, "修訂後"), stdout=io.StringIO())
    every_server_shows(corrected("修訂後"), ORIGINAL)

    # A backup from before that release, restored under the running servers (its content and
    # its version, as pg_restore writes them), then corrected again: no server may answer
    # with the pages it cached of the release the restore undid.
    call_command("load_course", course_file(tmp_path), stdout=io.StringIO())
    Course.objects.update(content_version=backup_version)
    call_command("load_course", course_file(tmp_path, "還原後"), stdout=io.StringIO())
    every_server_shows(corrected("還原後"), corrected("修訂後"))


def test_an_admin_edit_through_one_server_is_seen_by_the_other_on_its_next_request(
    two_app_servers, mini_course, django_user_model
):
    first, second = two_app_servers
    editor = signed_in_elsewhere(django_user_model.objects.create_superuser("editor", password="!"))
    reader = Visitor("192.0.2.7")
    for _n in range(REQUESTS_PER_SERVER):
        assert "國際政治中的權力分配概念" in reader.get(second, "/glossary/").text

    term = Term.objects.get(key="balance-of-power")
    change = f"/admin/courseware/term/{term.pk}/change/"
    form = form_values(editor.get(first, change).text, "term_form")
    assert form["definition_zh_hant"].strip() == "國際政治中的權力分配概念。"
    form["definition_zh_hant"] = "在第一台伺服器上修改的定義。"
    saved = editor.post(first, change, form)
    assert saved.status_code == 302, saved.text

    for _n in range(REQUESTS_PER_SERVER):
        glossary = reader.get(second, "/glossary/").text
        assert "在第一台伺服器上修改的定義" in glossary
        assert "國際政治中的權力分配概念" not in glossary


def test_wrong_passwords_split_across_servers_lock_at_the_same_count_as_on_one(
    two_app_servers, mini_course, django_user_model
):
    """django-axes keeps failures in the database and the hourly caps count in Redis: a
    guesser whose requests the load balancer spreads gets no more tries than on one server."""
    make_account(django_user_model, "teacher")
    guesser = Visitor("198.51.100.7", csrf_cookie=True)
    limit = settings.AXES_FAILURE_LIMIT
    servers = [list(two_app_servers)[n % 2] for n in range(limit + 1)]

    statuses = [sign_in(guesser, server, "teacher", "guess").status_code for server in servers]
    # The same count as on one server (tests/security/test_authentication.py): the last
    # allowed failure locks the pair (username, address).
    assert statuses == [200] * (limit - 1) + [429, 429]
    # Locked on both: even the right password, from that address.
    for server in two_app_servers:
        assert sign_in(guesser, server, "teacher").status_code == 429
    # The pair, not the account: the teacher signs in from home, on either server.
    at_home = Visitor("192.0.2.44", csrf_cookie=True)
    assert sign_in(at_home, two_app_servers.second, "teacher").status_code == 302


def test_the_hourly_cap_per_account_counts_failures_from_every_address_on_every_server(
    two_app_servers, mini_course, django_user_model
):
    """A slow guess from many addresses, spread over the servers: the per-account cap counts
    in Redis, so it holds at its count however the requests are spread (in each process's
    own memory, every worker of every server would allow its own count)."""
    make_account(django_user_model, "teacher")
    limit = ACCOUNT_CAP  # SIGN_IN_ACCOUNT_LIMIT_PER_HOUR of the servers
    statuses = []
    for n in range(limit + 1):
        guesser = Visitor(f"198.51.100.{n + 1}", csrf_cookie=True)
        server = list(two_app_servers)[n % 2]
        statuses.append(sign_in(guesser, server, "teacher", "guess").status_code)
    # As on one server (tests/security/test_authentication.py): the last allowed failure
    # reaches the cap, and the account is refused from then on.
    assert statuses == [200] * (limit - 1) + [429, 429]
    # From a new address, on either server, the account stays capped for the hour.
    for server in two_app_servers:
        newcomer = Visitor("192.0.2.99", csrf_cookie=True)
        assert sign_in(newcomer, server, "teacher").status_code == 429
