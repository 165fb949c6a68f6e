"""Sign-in throttling (django-axes), no account probing, password rules, POST-only sign-out,
redirects that stay on the site. tests/classroom/test_accounts.py has the happy paths."""

import re
from collections import Counter
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from classroom.models import Enrollment

from .conftest import ACCEPT, PASSWORD, assert_in_language, make_user, translated

pytestmark = pytest.mark.django_db
LOGIN = reverse("classroom:login")
SIGNUP = reverse("classroom:signup")
LOCKED_OUT = [
    "Sign-in temporarily blocked",
    "There were too many failed attempts to sign in. For your security, signing in is blocked "
    "for a while. Please try again in 15 minutes, or ask your instructor for help.",
]
CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]*"')


def sign_in(client, username, password, address="10.0.0.1", **extra):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def without_tokens(html: str) -> str:
    return CSRF_VALUE.sub(r"\1", html)


# --- Throttling ----------------------------------------------------------------------------


def test_the_configuration_locks_the_pair_of_username_and_address():
    assert settings.AXES_FAILURE_LIMIT == 5
    # One inner list: the username and the address together, not either.
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_HANDLER == "classroom.throttling.SignInThrottle"
    assert settings.SIGN_IN_ACCOUNT_LIMIT_PER_HOUR == 20
    assert settings.SIGN_IN_ADDRESS_LIMIT_PER_HOUR == 300
    assert settings.AXES_LOCKOUT_CALLABLE == "classroom.views.locked_out"
    assert settings.AXES_ENABLED
    assert "axes.backends.AxesStandaloneBackend" in settings.AUTHENTICATION_BACKENDS


def test_another_accounts_success_never_clears_the_failures_against_the_instructor(world, client):
    """The bypass the review found: four wrong guesses at the teacher's password, one right
    sign-in as a student from the same address, and round again, for ever."""
    make_user("accomplice")
    for _n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "teacher", "guess").status_code == 200
    assert sign_in(Client(), "accomplice", PASSWORD).status_code == 302
    assert sign_in(client, "teacher", "guess").status_code == 429
    # Locked: the right password does not get through from this address either.
    assert sign_in(client, "teacher", PASSWORD).status_code == 429


def test_one_school_address_with_many_mistyping_students_locks_out_only_the_mistyped(
    client,
):
    """A whole school signs in through one NAT address."""
    for name in ["alice", "bob", "carol", "dave", "erin"]:
        make_user(name)
    school = "10.0.3.3"
    for name in ["alice", "bob", "carol", "dave"]:
        for _n in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, name, "wrong", address=school)
    assert sign_in(Client(), "alice", PASSWORD, address=school).status_code == 429
    assert sign_in(Client(), "erin", PASSWORD, address=school).status_code == 302
    # Alice's own pair is what is locked: at home she signs in.
    assert sign_in(Client(), "alice", PASSWORD, address="10.0.9.9").status_code == 302


def test_an_account_is_capped_across_addresses(student, client):
    limit = settings.SIGN_IN_ACCOUNT_LIMIT_PER_HOUR
    for n in range(limit - 1):
        assert sign_in(client, "student", "wrong", address=f"10.1.{n}.1").status_code == 200
    assert sign_in(client, "student", "wrong", address="10.1.99.1").status_code == 429
    # The right password from a fresh address does not get through either.
    assert sign_in(Client(), "student", PASSWORD, address="10.2.0.1").status_code == 429
    # Another account on one of those addresses still signs in.
    make_user("classmate")
    assert sign_in(Client(), "classmate", PASSWORD, address="10.1.0.1").status_code == 302


def test_an_address_is_capped_whatever_the_usernames(student, client, settings):
    settings.SIGN_IN_ADDRESS_LIMIT_PER_HOUR = 8
    for n in range(8):
        sign_in(client, f"name{n}", "wrong", address="10.0.3.4")
    assert sign_in(Client(), "student", PASSWORD, address="10.0.3.4").status_code == 429
    # From another address the student gets in: their account has no failure.
    assert sign_in(Client(), "student", PASSWORD, address="10.0.4.4").status_code == 302


def test_attempts_refused_while_locked_neither_extend_the_lock_nor_count_toward_the_caps(
    student, client, settings
):
    """A refused attempt is never checked (classroom/throttling.py): a student who locked
    their pair and keeps trying (the right password, even) must not lock their account from
    every address, nor push their own lock further away."""
    settings.SIGN_IN_ACCOUNT_LIMIT_PER_HOUR = 8
    for _n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "student", "wrong", address="10.0.5.5")
    locked_at = AccessAttempt.objects.get(username="student").attempt_time
    for password in ["wrong", "wrong", PASSWORD, PASSWORD, "wrong"]:
        assert sign_in(client, "student", password, address="10.0.5.5").status_code == 429

    assert AccessAttempt.objects.get(username="student").attempt_time == locked_at
    # Five failures counted against the account, not ten: from home the student gets in.
    assert sign_in(Client(), "student", PASSWORD, address="10.0.6.6").status_code == 302


def test_the_locked_out_page_says_when_to_try_again(student, client):
    for _n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "student", "wrong")
    response = sign_in(client, "student", PASSWORD)
    assert response.status_code == 429
    assert 14 * 60 <= int(response["Retry-After"]) <= 15 * 60
    retry_at = timezone.localtime(timezone.now() + timedelta(minutes=15))
    assert f"{retry_at:%H:%M}" in response.content.decode() or (
        f"{retry_at - timedelta(minutes=1):%H:%M}" in response.content.decode()
    )


def test_unknown_usernames_are_throttled_exactly_like_real_ones(student):
    statuses = {}
    for name in ("student", "nobody-here"):
        client = Client()
        statuses[name] = [sign_in(client, name, "wrong").status_code for n in range(7)]
    assert statuses["student"] == statuses["nobody-here"]
    assert statuses["student"][-1] == 429


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_the_locked_out_page_says_what_happened_in_the_users_language(student, language):
    client = Client(HTTP_ACCEPT_LANGUAGE=ACCEPT[language])
    for _n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "student", "wrong")
    response = sign_in(client, "student", PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert_in_language(html, language, LOCKED_OUT)
    assert 'role="alert"' in html
    assert "student" not in html.split("<main", 1)[1]  # no echo of who is locked


def test_the_lockout_ends_after_the_cool_off(student, client):
    for _n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "student", "wrong")
    assert sign_in(client, "student", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME * 1.01)
    assert sign_in(client, "student", PASSWORD).status_code == 302


def test_a_successful_sign_in_resets_the_count(student, client):
    for _n in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "student", "wrong")
    assert sign_in(client, "student", PASSWORD).status_code == 302
    client.post(reverse("classroom:logout"))
    for _n in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "student", "wrong")
    assert sign_in(client, "student", PASSWORD).status_code == 302


def test_the_admin_sign_in_is_throttled_too(world, client):
    url = reverse("admin:login")
    for _n in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "admin", "password": "wrong"}, REMOTE_ADDR="10.0.7.7")
    response = client.post(url, {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="10.0.7.7")
    assert response.status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302  # not signed in


# --- Behind a reverse proxy ----------------------------------------------------------------

PROXY = "10.0.0.2"  # every request reaches Django from here behind the proxy


def sign_in_through_proxy(client, username, password, forwarded_for):
    return sign_in(client, username, password, address=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def test_behind_the_proxy_failures_are_counted_per_client_address(student, settings):
    settings.BEHIND_PROXY = True
    for _n in range(settings.AXES_FAILURE_LIMIT):
        sign_in_through_proxy(Client(), "student", "wrong", forwarded_for="203.0.113.7")
    sign_in_through_proxy(Client(), "student", "wrong", forwarded_for="198.51.100.9")

    failures = Counter(
        dict(AccessAttempt.objects.values_list("ip_address", "failures_since_start"))
    )
    assert failures == {"203.0.113.7": 5, "198.51.100.9": 1}
    # The first client is locked out; the second, behind the same proxy, still signs in.
    locked = sign_in_through_proxy(Client(), "student", PASSWORD, forwarded_for="203.0.113.7")
    assert locked.status_code == 429
    allowed = sign_in_through_proxy(Client(), "student", PASSWORD, forwarded_for="198.51.100.9")
    assert allowed.status_code == 302


def test_behind_the_proxy_addresses_the_client_wrote_itself_are_ignored(student, settings):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 1
    # nginx appends the address it saw; everything to its left came from the client.
    for n in range(settings.AXES_FAILURE_LIMIT):
        forged = f"192.0.2.{n}, 203.0.113.7"
        sign_in_through_proxy(Client(), "student", "wrong", forwarded_for=forged)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    response = sign_in_through_proxy(Client(), "student", PASSWORD, "192.0.2.99, 203.0.113.7")
    assert response.status_code == 429


def test_behind_two_proxies_the_client_is_the_second_address_from_the_right(student, settings):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 2
    sign_in_through_proxy(Client(), "alice", "wrong", "192.0.2.1, 203.0.113.7, 10.0.0.1")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.7"]


def test_without_the_proxy_setting_x_forwarded_for_is_not_believed(student):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in_through_proxy(Client(), "student", "wrong", forwarded_for=f"192.0.2.{n}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {PROXY}
    response = sign_in_through_proxy(Client(), "student", PASSWORD, "192.0.2.200")
    assert response.status_code == 429


@pytest.mark.parametrize("forwarded_for", ["not-an-address", "203.0.113.7:51234", "   "])
def test_behind_the_proxy_a_header_that_is_not_an_address_counts_for_the_proxy(
    student, settings, forwarded_for
):
    settings.BEHIND_PROXY = True
    sign_in_through_proxy(Client(), "alice", "wrong", forwarded_for=forwarded_for)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [PROXY]


# --- No account probing ---------------------------------------------------------------------


def test_a_failed_sign_in_reads_the_same_for_unknown_and_known_accounts(student):
    known = sign_in(Client(), "student", "wrong", address="10.0.6.1")
    unknown = sign_in(Client(), "no-such-user", "wrong", address="10.0.6.2")
    assert known.status_code == unknown.status_code == 200
    known_html = without_tokens(known.content.decode()).replace('value="student"', "")
    unknown_html = without_tokens(unknown.content.decode()).replace('value="no-such-user"', "")
    assert known_html == unknown_html


def test_an_inactive_account_is_not_revealed_either(student):
    student.is_active = False
    student.save()
    inactive = sign_in(Client(), "student", PASSWORD, address="10.0.6.3")
    unknown = sign_in(Client(), "no-such-user", PASSWORD, address="10.0.6.4")
    assert inactive.status_code == unknown.status_code == 200
    assert without_tokens(inactive.content.decode()).replace(
        'value="student"', ""
    ) == without_tokens(unknown.content.decode()).replace('value="no-such-user"', "")


def signup_data(join_code: str, **overrides) -> dict:
    return {
        "username": "newcomer",
        "display_name": "新同學",
        "password1": "a-Long-pass-phrase-9",
        "password2": "a-Long-pass-phrase-9",
        "join_code": join_code,
        **overrides,
    }


def test_sign_up_without_a_valid_code_says_nothing_about_usernames(world):
    taken = Client().post(SIGNUP, signup_data("WRONG234", username="student"))
    free = Client().post(SIGNUP, signup_data("WRONG234", username="nobody-yet"))
    assert taken.status_code == free.status_code == 200
    assert without_tokens(taken.content.decode()).replace('value="student"', "") == without_tokens(
        free.content.decode()
    ).replace('value="nobody-yet"', "")


@pytest.mark.parametrize("username", ["student", "STUDENT", "teacher"])
def test_sign_up_with_a_taken_name_changes_nothing_and_names_no_one(world, username):
    before = (get_user_model().objects.count(), Enrollment.objects.count())
    code = world.school_class.join_code
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(SIGNUP, signup_data(code, username=username))
    html = response.content.decode()
    assert response.status_code == 200
    assert "This username cannot be used. Please choose another one." in html
    for revealing in ("already exists", "taken", "already registered"):
        assert revealing not in html
    assert (get_user_model().objects.count(), Enrollment.objects.count()) == before
    world.student.refresh_from_db()
    assert world.student.check_password(PASSWORD)


# --- Sign-ups per address ---------------------------------------------------------------

TOO_MANY_SIGN_UPS = (
    "Too many accounts have been created from your network in the last hour. Please try "
    "again later, or ask your instructor for help."
)


def sign_up(world, username, *, address="203.0.113.5", language="en", headers=(), **fields):
    """A sign-up to the world's class; ``fields`` override the form, ``headers`` add META."""
    data = signup_data(world.school_class.join_code, username=username)
    data.update(fields)
    client = Client(HTTP_ACCEPT_LANGUAGE=ACCEPT[language])
    return client.post(SIGNUP, data, REMOTE_ADDR=address, **dict(headers))


def accounts_and_enrollments():
    return get_user_model().objects.count(), Enrollment.objects.count()


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_sign_ups_past_the_hourly_limit_create_nothing_and_say_why(world, settings, language):
    settings.SIGN_UP_LIMIT_PER_HOUR = 2
    assert sign_up(world, "first").status_code == 302
    assert sign_up(world, "second").status_code == 302
    before = accounts_and_enrollments()
    response = sign_up(world, "third", language=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert_in_language(html, language, [TOO_MANY_SIGN_UPS])
    assert 'role="alert"' in html
    assert accounts_and_enrollments() == before
    assert not get_user_model().objects.filter(username="third").exists()


def test_the_limit_is_per_address(world, settings):
    settings.SIGN_UP_LIMIT_PER_HOUR = 1
    assert sign_up(world, "first", address="203.0.113.5").status_code == 302
    assert sign_up(world, "second", address="203.0.113.5").status_code == 200
    assert sign_up(world, "second", address="198.51.100.6").status_code == 302


def test_behind_the_proxy_the_limit_is_per_client_address(world, settings):
    settings.BEHIND_PROXY = True
    settings.SIGN_UP_LIMIT_PER_HOUR = 1
    first_client = {"HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    other_client = {"HTTP_X_FORWARDED_FOR": "198.51.100.6"}
    assert sign_up(world, "first", address=PROXY, headers=first_client).status_code == 302
    again = sign_up(world, "second", address=PROXY, headers=first_client)
    assert TOO_MANY_SIGN_UPS in again.content.decode()
    assert sign_up(world, "second", address=PROXY, headers=other_client).status_code == 302


def test_mistakes_do_not_use_up_the_limit(world, settings):
    settings.SIGN_UP_LIMIT_PER_HOUR = 1
    for _n in range(3):
        assert sign_up(world, "newcomer", join_code="WRONG234").status_code == 200
    sign_up(world, "newcomer", password2="not-the-same-9")
    assert sign_up(world, "newcomer").status_code == 302


def test_the_limit_is_shown_in_place_with_htmx(world, settings):
    settings.SIGN_UP_LIMIT_PER_HOUR = 0
    response = sign_up(world, "newcomer", headers={"HTTP_HX_REQUEST": "true"})
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps only successful responses
    assert html.lstrip().startswith('<form id="signup-form"')
    assert TOO_MANY_SIGN_UPS in html and 'role="alert"' in html


def test_a_limited_address_still_learns_nothing_about_usernames(world, settings):
    settings.SIGN_UP_LIMIT_PER_HOUR = 0
    taken = sign_up(world, "student", join_code="WRONG234")
    free = sign_up(world, "nobody-yet", join_code="WRONG234")
    assert without_tokens(taken.content.decode()).replace('value="student"', "") == (
        without_tokens(free.content.decode()).replace('value="nobody-yet"', "")
    )
    # With a valid code the free name meets the limit, which names no account either.
    html = sign_up(world, "nobody-yet").content.decode()
    for revealing in ("already exists", "taken", "already registered", "cannot be used"):
        assert revealing not in html


def test_the_default_limit_leaves_room_for_a_class_behind_one_school_address():
    assert settings.SIGN_UP_LIMIT_PER_HOUR >= 40


# --- Passwords ------------------------------------------------------------------------------


def test_all_four_password_validators_are_on():
    names = {
        validator.__class__.__name__
        for validator in password_validation.get_default_password_validators()
    }
    assert names == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }


WEAK_PASSWORDS = [
    ("short-1", "This password is too short. It must contain at least 8 characters."),
    ("password123", "This password is too common."),
    ("8412957360", "This password is entirely numeric."),
    ("newcomer1", "The password is too similar to the username."),
]


@pytest.mark.parametrize(("password", "message"), WEAK_PASSWORDS)
def test_sign_up_refuses_weak_passwords(world, password, message):
    data = signup_data(world.school_class.join_code, password1=password, password2=password)
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(SIGNUP, data)
    assert message in response.content.decode()
    assert not get_user_model().objects.filter(username="newcomer").exists()


@pytest.mark.parametrize(("password", "message"), WEAK_PASSWORDS)
def test_password_change_refuses_weak_passwords(student, password, message):
    student.username = "newcomer"
    student.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(student)
    response = client.post(
        reverse("classroom:password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert message in response.content.decode()
    student.refresh_from_db()
    assert student.check_password(PASSWORD)


# --- Sign-out, sessions, redirects -----------------------------------------------------------


def test_sign_out_is_post_only_and_needs_the_csrf_token(student):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    assert client.get(reverse("classroom:logout")).status_code == 405
    assert client.post(reverse("classroom:logout")).status_code == 403  # no token
    assert client.get(reverse("classroom:home")).status_code == 200  # still signed in
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("classroom:logout"), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302
    assert client.get(reverse("classroom:home")).status_code == 302  # signed out


def test_a_sign_in_starts_a_new_session(student, client):
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = before
    assert sign_in(client, "student", PASSWORD).status_code == 302
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:x"]
)
def test_redirects_after_sign_in_sign_out_and_language_stay_on_the_site(student, target):
    client = Client()
    response = client.post(LOGIN, {"username": "student", "password": PASSWORD, "next": target})
    assert response["Location"] == reverse("classroom:home")
    response = client.post(f"{reverse('classroom:logout')}?next={target}")
    assert "evil.example" not in response["Location"]
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert "evil.example" not in response.get("Location", "")
    assert not response.get("Location", "").startswith("javascript")


# --- Wrong join codes -------------------------------------------------------------------------

TOO_MANY_WRONG_CODES = (
    "Too many wrong join codes have been tried from your account or network in the last hour. "
    "Please check the code with your instructor and try again later."
)


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_wrong_join_codes_are_limited_per_account(world, settings, language):
    settings.JOIN_CODE_ACCOUNT_LIMIT_PER_HOUR = 3
    newcomer = make_user("newcomer")
    client = Client(HTTP_ACCEPT_LANGUAGE=ACCEPT[language])
    client.force_login(newcomer)
    join = reverse("classroom:join")
    for n in range(3):
        client.post(join, {"join_code": f"WRONG{n}AA"}, REMOTE_ADDR=f"10.3.0.{n}")
    # Now even the right code is not looked up, from any address.
    right_code = {"join_code": world.school_class.join_code}
    response = client.post(join, right_code, REMOTE_ADDR="10.3.9.9")
    assert response.status_code == 200
    assert_in_language(response.content.decode(), language, [TOO_MANY_WRONG_CODES])
    assert translated(TOO_MANY_WRONG_CODES, language) is not None
    assert not Enrollment.objects.filter(student=newcomer).exists()


def test_wrong_join_codes_at_sign_up_are_limited_per_address(world, settings):
    settings.JOIN_CODE_ADDRESS_LIMIT_PER_HOUR = 3
    for n in range(3):
        data = signup_data(f"WRONG{n}AA", username=f"guesser{n}")
        Client().post(SIGNUP, data, REMOTE_ADDR="203.0.113.8")
    refused = sign_up(world, "honest", address="203.0.113.8")
    assert TOO_MANY_WRONG_CODES in refused.content.decode()
    assert not get_user_model().objects.filter(username="honest").exists()
    # Another address (another school) is not affected.
    assert sign_up(world, "honest", address="198.51.100.8").status_code == 302
