"""What people read on every page of the URL table, its htmx fragments and the CSVs: no
internal key (``intro-q1``, ``p1-1``), and in Chinese no ASCII space between a sentence's
full-width end and the next Han character (a template line break between two translated
sentences renders as one).

The text checked is what a reader meets: the text nodes outside <script> and <style>, and the
attributes read aloud or shown (aria-label, title, alt, placeholder, hx-confirm).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from quizzes.models import QuizPolicy

from .access_table import ADMIN_ROW, concrete_url, read_table, url_values
from .conftest import ROLES

pytestmark = pytest.mark.django_db

# Item keys ("intro-q1", "phase-one-q12"), passage keys ("p1-1", "p12-3"), footnote keys, and
# the course file's footnote markers ("[^1]").
INTERNAL_KEY = re.compile(
    r"(?<![\w/#-])(?:[a-z]+(?:-[a-z]+)*-q\d+|p\d+-\d+|fn-?\d+)(?![\w-])|\[\^[\w-]+\]"
)
SPACE_AFTER_SENTENCE = re.compile(r"[。！？；][ \t\n\r]+(?=[\u3400-\u9fff「『（])")
# Text in different block boxes never shares a line: a line break between them is no space.
BLOCKS = set(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "button",
        "caption",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "input",
        "label",
        "legend",
        "li",
        "main",
        "nav",
        "ol",
        "option",
        "p",
        "pre",
        "section",
        "select",
        "summary",
        "table",
        "tbody",
        "td",
        "textarea",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
BREAK = "\x00"
READ_ATTRIBUTES = {"aria-label", "title", "alt", "placeholder", "hx-confirm", "content"}
# Downloads for other learning platforms, read by their importers: keys are their names.
NOT_FOR_READERS = ("/items/export/<slug:fmt>/", "/lti/")


class _Visible(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        if tag in BLOCKS:
            self.parts.append(BREAK)
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value and (tag != "meta" or name == "content"):
                self.parts.append(f"{BREAK}{value}{BREAK}")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1
        if tag in BLOCKS:
            self.parts.append(BREAK)

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(content: str, content_type: str) -> str:
    if "html" not in content_type:
        return content
    parser = _Visible()
    parser.feed(content)
    return "".join(parser.parts)


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def pages(world):
    """(where, text) for every GET the table gives a role 200 on, full page and fragment."""
    values = url_values(world)
    extra = [("student", f"/units/{world.other_unit.slug}/")]  # a graded quiz's rules
    for row in read_table():
        if row.method != "GET" or row.route == ADMIN_ROW:
            continue
        if any(row.route.startswith(prefix) for prefix in NOT_FOR_READERS):
            continue
        for role in ROLES:
            if row.outcomes[role] == "200":
                extra.append((role, concrete_url(row.route, values)))
    return extra


@pytest.fixture
def graded_world(world):
    """The world, with the second assigned unit graded (its panel states the rules)."""
    assignment = world.school_class.assignments.get(unit=world.other_unit)
    assignment.policy = QuizPolicy.objects.create(attempts_allowed=2)
    assignment.save(update_fields=["policy"])
    return world


def _texts(world, language):
    for role, url in pages(world):
        client = world.client_for(role, HTTP_ACCEPT_LANGUAGE=language)
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(url, **headers)
            if response.status_code != 200:
                continue
            kind = response.get("Content-Type", "")
            if "html" not in kind and "csv" not in kind:
                continue
            yield f"{url} as {role} {headers}", visible_text(_body(response), kind)


@pytest.mark.parametrize("language", ["zh-hant", "en", "zh-hans"])
def test_no_page_fragment_or_csv_shows_an_internal_key(graded_world, language):
    texts = dict(_texts(graded_world, language))
    assert len(texts) > 40
    found = {where: INTERNAL_KEY.findall(text) for where, text in texts.items()}
    bad = {where: keys for where, keys in found.items() if keys}
    assert not bad, "\n".join(f"{where}: {keys}" for where, keys in bad.items())


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans"])
def test_chinese_pages_keep_no_ascii_space_between_sentences(graded_world, language):
    texts = dict(_texts(graded_world, language))
    assert len(texts) > 40
    found = {
        where: [
            text[max(0, m.start() - 12) : m.end() + 6] for m in SPACE_AFTER_SENTENCE.finditer(text)
        ]
        for where, text in texts.items()
    }
    bad = {where: gaps for where, gaps in found.items() if gaps}
    assert not bad, "\n".join(f"{where}: {gaps}" for where, gaps in bad.items())


def test_the_checks_catch_what_they_look_for():
    html = '<p title="見 intro-q1">第 1 題。 下一句[^2]</p><script>var k = "p1-1";</script>'
    text = visible_text(html, "text/html")
    assert INTERNAL_KEY.findall(text) == ["intro-q1", "[^2]"]
    assert SPACE_AFTER_SENTENCE.search(text)
    assert not INTERNAL_KEY.search(
        visible_text('<a href="/units/x/#p1-1">第 1 段</a>', "text/html")
    )
    assert not SPACE_AFTER_SENTENCE.search("Done. Next 第")
