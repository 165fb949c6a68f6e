"""Simplified Chinese (zh-hans): the third interface language, with the course's Traditional
text converted for display, once per content version, and never written back."""

import pytest
from django.test import Client
from django.urls import reverse

from courseware import simplified
from courseware.models import Course, Passage, Term, Unit
from quizzes import services
from quizzes.models import Response
from tests.quizzes.conftest import item, post_answer

pytestmark = pytest.mark.django_db


def unit_url(slug="introduction"):
    return reverse("courseware:unit", kwargs={"slug": slug})


@pytest.mark.parametrize("accept", ["zh-CN", "zh-SG", "zh-Hans", "zh-CN,zh;q=0.9,en;q=0.8"])
def test_a_mainland_or_singapore_browser_gets_simplified_chinese(client, mini_course, accept):
    html = client.get(unit_url(), HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "这是前言第1段，谈越南的" in html and ">权力平衡</a>" in html  # the passage
    assert "学习目标" in html  # an interface string ("Learning objectives")
    assert "權" not in html and "這是" not in html
    assert 'lang="zh-Hans"' in html and 'lang="zh-Hant"' not in html.split("</header>", 1)[1]


@pytest.mark.parametrize("accept", ["zh-TW", "zh-HK", "zh", ""])
def test_traditional_chinese_stays_the_default(client, mini_course, accept):
    html = client.get(unit_url(), HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert '<html lang="zh-Hant">' in html
    assert "這是前言第1段，談越南的" in html and ">權力平衡</a>" in html
    assert "权力" not in html


def test_the_whole_bundled_course_shows_no_traditional_form_of_power(client, full_course):
    """權力 (power), the paper's key word, appears nowhere once converted: passages, titles,
    glossary and the interface (the footer names the paper)."""
    pages = [reverse("courseware:course"), reverse("courseware:glossary")]
    pages += [unit.get_absolute_url() for unit in Unit.objects.all()]
    for url in pages:
        html = Client(HTTP_ACCEPT_LANGUAGE="zh-CN").get(url).content.decode()
        assert "權力" not in html, url
        assert "权力" in html, url


def test_the_language_switch_offers_all_three_languages_and_switches(client, mini_course):
    html = client.get(unit_url()).content.decode()
    for code, name in [("zh-hant", "繁體中文"), ("zh-hans", "简体中文"), ("en", "English")]:
        assert f'name="language" value="{code}"' in html and name in html
    client.post(reverse("set_language"), {"language": "zh-hans", "next": unit_url()})
    assert '<html lang="zh-Hans">' in client.get(unit_url()).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": unit_url()})
    assert '<html lang="en">' in client.get(unit_url()).content.decode()
    client.post(reverse("set_language"), {"language": "zh-hant", "next": unit_url()})
    assert '<html lang="zh-Hant">' in client.get(unit_url()).content.decode()


def test_simplified_pages_say_they_are_converted_with_the_original_one_click_away(
    client, mini_course
):
    html = client.get(unit_url(), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "本页的中文课程内容由繁体原文自动转换而成。" in html
    assert '<button type="submit" name="language" value="zh-hant"' in html
    traditional = client.get(unit_url(), HTTP_ACCEPT_LANGUAGE="zh-TW").content.decode()
    assert "script-note" not in traditional


def test_glossary_links_citations_and_footnotes_stay_linked_in_simplified(client, mini_course):
    html = client.get(unit_url("phase-one"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    term = Term.objects.get(key="balance-of-power")
    assert f'href="#term-{term.key}" data-term="{term.key}">权力平衡</a>' in html
    assert f'id="term-{term.key}"' in html
    assert 'href="#ref-waltz-1979"' in html and 'id="ref-waltz-1979"' in html
    assert 'data-footnote="1"' in html and 'id="fn-1"' in html


def test_answers_are_the_same_answers_in_either_script(client, student, mini_course):
    """Answers are stored as choice keys: one given in Traditional shows, and grades, the same
    in Simplified; one given in Simplified is graded like one in Traditional."""
    client.force_login(student)
    attempt = services.start_or_resume_attempt(student, Unit.objects.get(slug="introduction"))
    post_answer(client, attempt, item("intro-q1"), ["a"], HTTP_ACCEPT_LANGUAGE="zh-TW")
    html = client.get(attempt.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "苏联" in html and "回馈：苏联" in html and "蘇聯" not in html
    feedback = post_answer(
        client, attempt, item("intro-q3"), ["true"], HTTP_ACCEPT_LANGUAGE="zh-CN"
    ).content.decode()
    assert "quiz-feedback" in feedback and "權" not in feedback
    assert dict(Response.objects.values_list("item__key", "score")) == {
        "intro-q1": 1,
        "intro-q3": 1,
    }


def test_the_traditional_original_is_never_overwritten(client, mini_course):
    client.get(unit_url(), HTTP_ACCEPT_LANGUAGE="zh-CN")
    passage = Passage.objects.get(key="introduction-1")
    assert passage.text_zh_hant.startswith("這是前言第1段")
    with simplified.simplified_display():
        assert passage.text_zh_hant.startswith("这是前言第1段")
        assert passage.text.startswith("这是前言第1段")  # modeltranslation's fallback too
    assert passage.__dict__["text_zh_hant"].startswith("這是前言第1段")


def test_the_admin_edits_the_traditional_original(admin_client, mini_course):
    passage = Passage.objects.get(key="introduction-1")
    url = reverse("admin:courseware_passage_change", args=[passage.pk])
    html = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "這是前言第1段" in html and "这是前言第1段" not in html


def test_a_unit_page_is_converted_once_per_content_version(client, mini_course, monkeypatch):
    calls = []
    converter = simplified._converter()

    class Counting:
        def convert(self, text):
            calls.append(text)
            return converter.convert(text)

    monkeypatch.setattr(simplified, "_converter", lambda: Counting())
    simplified.to_simplified.cache_clear()
    client.get(unit_url(), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert any("前言第1段" in text for text in calls)
    calls.clear()
    client.get(unit_url(), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert calls == []
    # A new content version renders (and converts) the changed text again.
    Passage.objects.filter(key="introduction-1").update(
        text_zh_hant="這是前言第1段，修訂過。", html_zh_hant="這是前言第1段，修訂過。"
    )
    Course.objects.mark_content_changed()
    html = client.get(unit_url(), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "这是前言第1段，修订过。" in html
    assert any("修訂過" in text for text in calls)


def test_reviewed_regional_terms_replace_taiwanese_forms_outside_quotes():
    assert simplified.to_simplified("東南亞國協與柯林頓") == "东盟与克林顿"
    # A quoted word is the paper discussing it: converted by character, not replaced.
    assert simplified.to_simplified("臺灣通譯「柯林頓」") == "台湾通译「柯林顿」"
    # Character conversion only, no phrase rewriting: 支援 and 資料 keep their meaning.
    assert simplified.to_simplified("支援與資料") == "支援与资料"


def test_every_reviewed_term_is_a_real_change():
    for source, target in simplified.regional_terms():
        assert source != target


def test_the_simplified_glossary_is_in_chinese_order_and_found_in_either_script(
    client, mini_course
):
    url = reverse("courseware:glossary")
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "权力平衡" in html and "權力平衡" not in html
    for query in ("权力", "權力"):
        found = client.get(url, {"q": query}, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
        assert 'id="term-balance-of-power"' in found, query
