"""Two scripts on one page: each in its own face whatever the interface language, and
reading lines of a readable length."""

import pytest

pytestmark = pytest.mark.browser

LATIN = "system-ui"
CJK = '"Noto Sans CJK TC"'


def open_unit(page, live_server, language, mode="side"):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/units/phase-one/?mode={mode}")


def face(locator) -> str:
    return locator.evaluate("e => getComputedStyle(e).fontFamily")


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_each_column_and_card_is_set_in_its_own_script_face(
    page, live_server, live_course, language
):
    open_unit(page, live_server, language)
    row = page.locator("#p-phase-one-1")
    assert face(row.locator(".col-en p")).startswith(LATIN)
    assert face(row.locator(".col-zh-hant p")).startswith(CJK)
    page.locator("#reading a.term").first.focus()
    card = page.locator("#term-tooltip")
    assert face(card.locator("[lang=en]").first).startswith(LATIN)
    assert face(card.locator("[lang=zh-Hant]").first).startswith(CJK)


# A CJK character is one em wide, a Latin one about half an em: 41 em holds about 40
# characters of Chinese, 38 em about 75 of English.
@pytest.mark.parametrize(("mode", "column", "most_ems"), [("zh", "zh-hant", 41), ("en", "en", 38)])
@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_single_language_lines_stay_readable(
    page, live_server, live_course, language, mode, column, most_ems
):
    open_unit(page, live_server, language, mode)
    paragraph = page.locator(f"#p-phase-one-1 .col-{column} p")
    ems = paragraph.evaluate(
        "p => p.getBoundingClientRect().width / parseFloat(getComputedStyle(p).fontSize)"
    )
    assert 20 < ems <= most_ems
