"""The instructor's pages at a glance: the join code with its link, copy button and QR code."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.security.conftest import PASSWORD, build_world, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def world(live_course, student):
    return build_world(student)


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-US"}


def test_the_join_link_fills_in_the_code_and_can_be_copied(browser, page, live_server, world):
    code = world.school_class.join_code
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    sign_in(page, live_server, "teacher", PASSWORD)
    page.goto(f"{live_server.url}/classes/{world.school_class.pk}/")
    link = page.get_by_label("Or they open this link, which fills in the code:")
    assert link.input_value() == f"{live_server.url}/join/?code={code}"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator(".copy-status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == link.input_value()
    qr = page.get_by_role("img", name="QR code of the join link")
    expect(qr).to_be_visible()
    assert qr.evaluate("svg => svg.tagName") == "svg"

    # A new student (signed in, in no class yet) opens the link: the code is filled in.
    other = browser.new_context(locale="en-US")
    student_page = other.new_page()
    make_user("newcomer")
    sign_in(student_page, live_server, "newcomer", PASSWORD)
    student_page.goto(link.input_value())
    field = student_page.locator("#join-form input[name=join_code]")
    expect(field).to_have_value(code)
    student_page.locator("#join-form button[type=submit]").click()
    expect(student_page.locator("main")).to_contain_text(world.school_class.name)
    other.close()


def test_the_join_link_opened_signed_out_fills_in_the_code_at_sign_up(page, live_server, world):
    """A student without an account opens the join link: sign-in offers sign-up with the code
    filled in, and the new account is in the class."""
    code = world.school_class.join_code
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/join/?code={code}")
    expect(page.locator("main")).to_contain_text(f"join the class with the code {code}")
    page.get_by_role("link", name="Create your account").click()
    expect(page.get_by_label("Join code")).to_have_value(code)
    page.get_by_label("Username").fill("newcomer2")
    page.get_by_label("Display name").fill("新同學")
    page.locator("input[name=password1]").fill("a-Long-pass-phrase-9")
    page.locator("input[name=password2]").fill("a-Long-pass-phrase-9")
    page.get_by_role("button", name="Create my account").click()
    expect(page.locator("main")).to_contain_text(world.school_class.name)
    expect(page.locator("h1")).to_contain_text("新同學")
