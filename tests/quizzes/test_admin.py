"""The quiz admin: items with their choices in both languages; attempts and responses read-only."""

import pytest
from django.http import Http404
from django.urls import reverse

from quizzes import services

from .conftest import item

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", password="pw-Admin-123")
    client.force_login(admin)
    return client


def test_item_admin_lists_and_edits_items_with_their_choices(admin_client, mini_course):
    assert admin_client.get(reverse("admin:quizzes_item_changelist")).status_code == 200
    q5 = item("intro-q5")
    response = admin_client.get(reverse("admin:quizzes_item_change", args=[q5.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="stem_zh_hant"' in html and 'name="stem_en"' in html
    assert 'name="choices-0-match_en"' in html
    assert "tabbed_translation_fields.js" in html
    assert "//code.jquery.com" not in html  # no CDN


def test_tag_admin_lists_tags(admin_client, mini_course):
    assert admin_client.get(reverse("admin:quizzes_tag_changelist")).status_code == 200


def test_attempts_and_responses_are_read_only(admin_client, attempt):
    services.record_answer(attempt=attempt, item=item("intro-q1"), answer=["a"])
    for model in ("attempt", "response"):
        assert admin_client.get(reverse(f"admin:quizzes_{model}_changelist")).status_code == 200
        assert admin_client.get(reverse(f"admin:quizzes_{model}_add")).status_code == 403
    response = admin_client.get(reverse("admin:quizzes_attempt_change", args=[attempt.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="points"' not in html  # shown, not editable
    assert "intro-q1" in html
    post = admin_client.post(reverse("admin:quizzes_attempt_change", args=[attempt.pk]), {})
    assert post.status_code == 403


def test_deleting_items_in_the_admin_retires_their_cached_content(admin_client, attempt):
    from courseware.models import Course
    from quizzes.selectors import item_of_attempt

    q1 = item_of_attempt(attempt, item("intro-q1").pk)  # cached, as an answer would
    version = Course.objects.get().content_version
    admin_client.post(
        reverse("admin:quizzes_item_changelist"),
        {"action": "delete_selected", "_selected_action": [q1.pk], "post": "yes"},
    )
    attempt.unit.course.refresh_from_db()
    assert attempt.unit.course.content_version > version
    with pytest.raises(Http404):
        item_of_attempt(attempt, q1.pk)
