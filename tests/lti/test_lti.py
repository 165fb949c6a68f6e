"""The LTI 1.3 tool driven by a simulated platform (tests/lti/conftest.py)."""

from __future__ import annotations

import io
import re
from html import unescape

import jwt
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from jwcrypto.jwk import JWK
from lti_tool.models import Key, LtiUser

from classroom.models import Enrollment, display_name, is_instructor
from courseware.models import Unit
from lti.models import LtiActivity, LtiClass, LtiScore
from quizzes import services
from quizzes.models import Item
from quizzes.samples import right_answer, wrong_answer

from .conftest import (
    CLIENT_ID,
    DEEP_LINK_RETURN,
    INSTRUCTOR,
    ISSUER,
    LEARNER,
    LINEITEMS_URL,
    MEMBERSHIPS_URL,
)

pytestmark = pytest.mark.django_db

READING = {"unit": "introduction", "activity": "reading"}
QUIZ = {"unit": "introduction", "activity": "quiz"}
LINEITEM = f"{LINEITEMS_URL}/7/lineitem"


def continue_url(response) -> str:
    match = re.search(r'href="(/lti/continue/[^"]+)"', response.content.decode())
    assert match, response.content.decode()
    return unescape(match[1])


def account(sub="student-1"):
    return LtiUser.objects.get(sub=sub).auth_user


@pytest.fixture
def finish_attempt(django_capture_on_commit_callbacks):
    """Answer every item of a new graded attempt; the grade is sent once it commits."""

    def finish(user, unit, answer):
        with django_capture_on_commit_callbacks(execute=True):
            return _finish(user, unit, answer)

    return finish


def _finish(user, unit, answer):
    attempt = services.start_or_resume_attempt(user, unit)
    for item_id in attempt.item_ids:
        item = Item.objects.prefetch_related("choices").get(pk=item_id)
        services.record_answer(attempt=attempt, item=item, answer=answer(item))
    attempt.refresh_from_db()
    assert attempt.is_finished
    return attempt


# --- keys -------------------------------------------------------------------------------


def test_jwks_publishes_the_tool_key_and_rotation_adds_a_new_one(client, platform):
    keys = client.get("/lti/jwks/").json()["keys"]
    assert len(keys) == 1 and keys[0]["alg"] == "RS256" and "d" not in keys[0]
    call_command("rotate_keys", stdout=io.StringIO())
    rotated = client.get("/lti/jwks/").json()["keys"]
    assert len(rotated) == 2
    assert keys[0]["kid"] in {key["kid"] for key in rotated}


# --- login and launch -------------------------------------------------------------------


def test_login_sends_the_browser_to_the_platform_with_state_and_nonce(client, platform):
    response = platform.login(client)
    assert response.status_code == 302
    assert response["Location"].startswith(ISSUER)
    for parameter in ("state=", "nonce=", "client_id=" + CLIENT_ID, "response_mode=form_post"):
        assert parameter in response["Location"]


def test_login_from_an_unregistered_platform_is_refused(client, platform):
    response = platform.login(client, iss="https://stranger.example")
    assert response.status_code == 403
    assert 'class="error-page"' in response.content.decode()


def test_launch_signs_the_student_in_enrols_them_and_opens_the_unit(client, platform):
    response = platform.launch(client, custom=READING)
    assert response.status_code == 200
    user = account()
    assert not user.has_usable_password() and user.first_name == "Student student-1"
    link = LtiClass.objects.select_related("school_class", "context").get()
    assert link.context.id_on_platform == "course-2"
    assert link.school_class.name == "越南外交 2026"
    assert Enrollment.objects.in_class(link.school_class).filter(student=user).exists()
    # Opened in a new tab (first-party): signs in once and goes to the unit.
    browser = client_class()
    opened = browser.get(continue_url(response))
    assert opened.status_code == 302 and opened["Location"] == "/units/introduction/"
    page = browser.get(opened["Location"])
    assert page.status_code == 200 and page.wsgi_request.user == user
    assert client_class().get(continue_url(response)).status_code == 403  # used once


def client_class():
    from django.test import Client

    return Client()


def test_a_second_launch_reuses_the_account_and_the_class(client, platform):
    platform.launch(client, custom=READING)
    platform.launch(client_class(), custom=QUIZ, resource_link="link-2")
    assert get_user_model().objects.filter(username__regex=r"^lti-[0-9]+-").count() == 1
    assert LtiClass.objects.count() == 1
    assert Enrollment.objects.count() == 1
    assert LtiActivity.objects.count() == 2


def test_a_launch_in_a_window_goes_straight_to_the_units_quiz(client, platform):
    response = platform.launch(client, custom=QUIZ, document_target="window")
    assert response.status_code == 302
    assert response["Location"] == "/units/introduction/#quiz-panel-heading"
    assert client.get("/units/introduction/").wsgi_request.user == account()


def test_an_instructor_launch_makes_them_the_classes_instructor(client, platform):
    platform.launch(client, custom=READING)  # a student first: a placeholder teaches
    platform.launch(client_class(), sub="teacher-9", roles=[INSTRUCTOR], custom=READING)
    teacher = account("teacher-9")
    school_class = LtiClass.objects.get().school_class
    assert is_instructor(teacher) and school_class.instructor == teacher
    assert not Enrollment.objects.filter(student=teacher).exists()


def test_a_replayed_id_token_is_refused(client, platform):
    first = platform.launch(client, custom=READING)
    assert first.status_code == 200
    again = client.post("/lti/launch/", {"id_token": first.id_token, "state": first.state})
    assert again.status_code == 403
    assert 'class="error-page"' in again.content.decode()


def test_a_token_signed_with_another_key_is_refused(client, platform):
    response = platform.launch(client, custom=READING, sign_with=platform.other_key)
    assert response.status_code == 403
    assert not LtiUser.objects.exists() and not Enrollment.objects.exists()


def test_a_launch_from_an_unregistered_platform_is_refused(client, platform):
    response = platform.launch(client, custom=READING, extra={"iss": "https://stranger.example"})
    assert response.status_code == 403
    assert not Enrollment.objects.exists()


def test_a_launch_without_a_token_or_to_an_unknown_unit_is_refused(client, platform):
    assert client.post("/lti/launch/", {}).status_code == 403
    response = platform.launch(client, custom={"unit": "no-such-unit"})
    assert response.status_code == 404


# --- frames and cookies -----------------------------------------------------------------


def test_only_lti_routes_may_be_framed_and_only_by_registered_platforms(client, platform):
    response = platform.launch(client, custom=READING)
    policy = response["Content-Security-Policy"]
    assert f"frame-ancestors {ISSUER}" in policy
    assert "X-Frame-Options" not in response
    unit_page = client.get("/units/introduction/")
    assert "frame-ancestors 'none'" in unit_page["Content-Security-Policy"]
    assert unit_page["X-Frame-Options"] == "DENY"


def test_launch_cookies_work_cross_site_and_the_session_cookie_does_not_change(client, platform):
    login = platform.login(client, secure=True)
    state_cookies = [c for name, c in login.cookies.items() if name.startswith("lti1p3-")]
    assert state_cookies
    for cookie in state_cookies:
        assert cookie["samesite"] == "None" and cookie["secure"]
    response = platform.launch(client_class(), custom=READING, secure=True)
    assert response.status_code == 200
    session = response.cookies["sessionid"]
    assert session["samesite"] == "Lax"


# --- deep linking -----------------------------------------------------------------------


def test_deep_linking_lets_an_instructor_pick_a_units_quiz(client, platform):
    picker = platform.launch(
        client, sub="teacher-9", roles=[INSTRUCTOR], message_type="LtiDeepLinkingRequest"
    )
    assert picker.status_code == 200
    page = picker.content.decode()
    assert 'value="introduction:quiz"' in page and 'value="phase-one:reading"' in page
    token = re.search(r'name="token" value="([^"]+)"', page)[1]
    response = client_class().post(
        reverse("lti:deep_link"), {"token": token, "choice": "introduction:quiz"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="{DEEP_LINK_RETURN}"' in html
    assert f"form-action 'self' {ISSUER}" in response["Content-Security-Policy"]
    signed = unescape(re.search(r'name="JWT" value="([^"]+)"', html)[1])
    tool_key = JWK(**Key.objects.as_jwks()["keys"][0]).export_to_pem()
    claims = jwt.decode(signed, tool_key, algorithms=["RS256"], audience=ISSUER)
    (item,) = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["custom"] == {"unit": "introduction", "activity": "quiz"}
    assert item["lineItem"]["scoreMaximum"] == 1
    assert item["url"] == "http://testserver/lti/launch/"
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "platform-data"


def test_students_cannot_deep_link_and_forged_tokens_are_refused(client, platform):
    picker = platform.launch(client, message_type="LtiDeepLinkingRequest")
    assert picker.status_code == 403
    forged = client.post(reverse("lti:deep_link"), {"token": "x", "choice": "introduction:quiz"})
    assert forged.status_code == 403


# --- grades (AGS) -----------------------------------------------------------------------


def test_a_finished_graded_attempt_sends_the_units_grade_to_the_line_item(
    client, platform, mini_course, finish_attempt
):
    platform.launch(client, custom=QUIZ, lineitem=LINEITEM)
    user, unit = account(), Unit.objects.get(slug="introduction")
    finish_attempt(user, unit, wrong_answer)
    finish_attempt(user, unit, right_answer)
    assert [s["url"] for s in platform.scores] == [f"{LINEITEM}/scores"] * 2
    first, second = (s["score"] for s in platform.scores)
    assert first["userId"] == second["userId"] == "student-1"
    assert first["scoreGiven"] < 1 and second["scoreGiven"] == 1
    assert second["scoreMaximum"] == 1 and second["gradingProgress"] == "FullyGraded"
    assert platform.token_requests[0]["claims"]["iss"] == CLIENT_ID
    # A worse attempt leaves the best grade as it is: nothing is sent again.
    finish_attempt(user, unit, wrong_answer)
    assert len(platform.scores) == 2
    assert LtiScore.objects.get().score == 1


def test_a_corrected_key_sends_the_regraded_grade_again(
    client, platform, mini_course, finish_attempt, django_capture_on_commit_callbacks
):
    platform.launch(client, custom=QUIZ, lineitem=LINEITEM)
    user, unit = account(), Unit.objects.get(slug="introduction")
    finish_attempt(user, unit, right_answer)
    assert [s["score"]["scoreGiven"] for s in platform.scores] == [1]
    # The course file is corrected: the key of a single-choice item moves to another choice,
    # so the student's answer to it is now wrong.
    item = Item.objects.for_unit(unit).filter(kind=Item.Kind.SINGLE).first()
    right = item.choices.get(is_correct=True)
    other = item.choices.exclude(pk=right.pk).first()
    right.is_correct, other.is_correct = False, True
    right.save(update_fields=["is_correct"])
    other.save(update_fields=["is_correct"])
    with django_capture_on_commit_callbacks(execute=True):
        answers, attempts = services.regrade_item(
            Item.objects.prefetch_related("choices").get(pk=item.pk)
        )
    assert answers == 1 and len(attempts) == 1
    assert len(platform.scores) == 2
    assert platform.scores[1]["score"]["scoreGiven"] < 1
    assert LtiScore.objects.get().score < 1


def test_practice_rounds_send_nothing_and_reading_links_send_mastery(
    client, platform, mini_course, finish_attempt, django_capture_on_commit_callbacks
):
    platform.launch(client, custom=READING, lineitem=LINEITEM)
    user, unit = account(), Unit.objects.get(slug="introduction")
    finish_attempt(user, unit, wrong_answer)
    assert platform.scores == []  # not mastered: a reading link has nothing to report
    with django_capture_on_commit_callbacks(execute=True):
        practice = services.start_practice_attempt(user, unit)
        for item_id in practice.item_ids:
            item = Item.objects.prefetch_related("choices").get(pk=item_id)
            services.record_answer(attempt=practice, item=item, answer=right_answer(item))
    practice.refresh_from_db()
    assert practice.is_finished and platform.scores == []  # practice never counts
    finish_attempt(user, unit, right_answer)
    assert [s["score"]["scoreGiven"] for s in platform.scores] == [1]


def test_a_grade_the_platform_did_not_take_is_sent_again_by_the_command(
    client, platform, mini_course, finish_attempt
):
    platform.launch(client, custom=QUIZ, lineitem=LINEITEM)
    platform.reachable = False
    finish_attempt(account(), Unit.objects.get(slug="introduction"), right_answer)
    record = LtiScore.objects.get()
    assert record.sent_at is None and "platform down" in record.error
    platform.reachable = True
    call_command("lti_send_grades", stdout=io.StringIO())
    assert [s["score"]["scoreGiven"] for s in platform.scores] == [1]
    assert LtiScore.objects.get().sent_at is not None


# --- roster (NRPS) ----------------------------------------------------------------------


def test_the_instructor_syncs_the_roster_from_the_platform(client, platform):
    launched = platform.launch(client, sub="teacher-9", roles=[INSTRUCTOR], custom=READING)
    teacher_browser = client_class()
    teacher_browser.get(continue_url(launched))
    school_class = LtiClass.objects.get().school_class
    platform.members = [
        {"user_id": "s-1", "name": "甲同學", "roles": [LEARNER], "status": "Active"},
        {"user_id": "s-2", "name": "Student Two", "roles": ["Learner"], "status": "Active"},
        {"user_id": "s-3", "name": "Gone", "roles": [LEARNER], "status": "Inactive"},
        {"user_id": "teacher-9", "roles": [INSTRUCTOR], "status": "Active"},
    ]
    url = reverse("lti:sync_roster", args=[school_class.pk])
    response = teacher_browser.post(url)
    assert response.status_code == 302
    enrolled = Enrollment.objects.in_class(school_class).values_list(
        "student__first_name", flat=True
    )
    assert sorted(enrolled) == ["Student Two", "甲同學"]
    assert MEMBERSHIPS_URL
    # A student may not sync.
    student_browser = client_class()
    student_browser.force_login(account("s-1"))
    assert student_browser.post(url).status_code == 403


def test_the_roster_page_offers_the_sync_only_for_lms_classes(client, platform):
    launched = platform.launch(client, sub="teacher-9", roles=[INSTRUCTOR], custom=READING)
    browser = client_class()
    browser.get(continue_url(launched))
    school_class = LtiClass.objects.get().school_class
    page = browser.get(reverse("classroom:roster", args=[school_class.pk])).content.decode()
    assert reverse("lti:sync_roster", args=[school_class.pk]) in page
    own = school_class.__class__.objects.create(
        name="Plain", term="2026", instructor=school_class.instructor
    )
    page = browser.get(reverse("classroom:roster", args=[own.pk])).content.decode()
    assert "roster-sync" not in page
    response = browser.post(reverse("lti:sync_roster", args=[own.pk]))
    assert response.status_code == 302  # told the class has no LMS course


def test_an_account_without_a_name_claim_keeps_the_email_to_show(client, platform):
    """Platforms may send only an e-mail address: that is the name people see, never the
    generated username."""
    platform.launch(client, custom=READING, extra={"name": "", "email": "kim@school.example"})
    user = account()
    assert user.username.startswith("lti-")
    assert (user.first_name, user.email) == ("", "kim@school.example")
    assert display_name(user) == "kim@school.example"
