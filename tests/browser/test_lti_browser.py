"""The LTI tool in Chromium, with a learning platform served on loopback: its page frames the
launch, its login step posts a signed id_token back, and it receives the deep-linking answer.
The launched page and the unit picker show in the platform's frame (and pass axe); the unit
opens in a new tab with the student signed in; the picker's answer reaches the platform."""

from __future__ import annotations

import html
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from django.core.management import call_command
from jwcrypto.jwk import JWK

from tests.browser.conftest import serious_violations

pytestmark = pytest.mark.browser

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


class LocalPlatform:
    """A platform on localhost (same site as the live server, so plain-HTTP cookies pass)."""

    def __init__(self):
        self.key = JWK.generate(kty="RSA", size=2048, kid="browser-platform")
        self.received = []
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/jwks":
                    public = {**json.loads(platform.key.export_public()), "alg": "RS256"}
                    self._send("application/json", json.dumps({"keys": [public]}))
                elif url.path == "/auth":
                    self._send("text/html", platform.auth_page(query))
                elif url.path == "/course":
                    self._send(
                        "text/html",
                        f'<!doctype html><title>LMS</title><iframe id="tool" width="380" '
                        f'height="700" src="{html.escape(query["src"])}"></iframe>',
                    )
                else:
                    self.send_error(404)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                platform.received.append(parse_qs(body))
                self._send("text/html", "<!doctype html><title>LMS</title><p>received</p>")

            def _send(self, content_type, text):
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.end_headers()
                self.wfile.write(text.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("localhost", 0), Handler)
        self.url = f"http://localhost:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def auth_page(self, query):
        hint = query["login_hint"]
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": query["client_id"],
            "sub": hint,
            "exp": now + 300,
            "iat": now,
            "nonce": query["nonce"],
            "name": "陳小明",
            CLAIM + "deployment_id": "1",
            CLAIM + "version": "1.3.0",
            CLAIM + "roles": [ROLE + ("Instructor" if hint.startswith("teacher") else "Learner")],
            CLAIM + "context": {"id": "c1", "title": "越南外交 2026", "label": "POL201"},
            CLAIM + "launch_presentation": {"document_target": "iframe"},
        }
        if hint.startswith("teacher"):
            claims[CLAIM + "message_type"] = "LtiDeepLinkingRequest"
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": self.url + "/return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe"],
            }
        else:
            claims[CLAIM + "message_type"] = "LtiResourceLinkRequest"
            claims[CLAIM + "resource_link"] = {"id": "r1"}
            claims[CLAIM + "custom"] = {"unit": "introduction", "activity": "quiz"}
        pem = self.key.export_to_pem(private_key=True, password=None)
        token = jwt.encode(claims, pem, algorithm="RS256", headers={"kid": "browser-platform"})
        # The platform's own page: its inline script is its business, not our policy's.
        return (
            f'<form method="post" action="{html.escape(query["redirect_uri"])}">'
            f'<input type="hidden" name="id_token" value="{token}">'
            f'<input type="hidden" name="state" value="{html.escape(query["state"])}"></form>'
            "<script>document.forms[0].submit()</script>"
        )


@pytest.fixture
def platform(live_course, live_server):
    local = LocalPlatform()
    call_command(
        "lti_platform",
        "--name=Browser LMS",
        f"--issuer={local.url}",
        "--client-id=browser-client",
        f"--auth-url={local.url}/auth",
        f"--token-url={local.url}/token",
        f"--keyset-url={local.url}/jwks",
        "--deployment=1",
        stdout=io.StringIO(),
    )
    yield local
    local.server.shutdown()


def login_url(live_server, platform, hint):
    return f"{live_server.url}/lti/login/?" + urlencode(
        {
            "iss": platform.url,
            "login_hint": hint,
            "client_id": "browser-client",
            "target_link_uri": f"{live_server.url}/lti/launch/",
            "lti_deployment_id": "1",
        }
    )


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_a_student_launches_from_the_platforms_frame_and_opens_the_unit(
    browser, live_server, platform, language
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    course = f"{platform.url}/course?" + urlencode(
        {"src": login_url(live_server, platform, f"student-{language}")}
    )
    page.goto(course)
    frame = page.frame_locator("#tool")
    opener = frame.locator("a.button[target=_blank]")
    opener.wait_for()
    tool = next(f for f in page.frames if f.url.startswith(live_server.url))
    assert tool.url == f"{live_server.url}/lti/launch/"
    with context.expect_page() as tab:
        opener.click()
    unit = tab.value
    unit.wait_for_load_state()
    assert unit.url == f"{live_server.url}/units/introduction/#quiz-panel-heading"
    assert unit.locator("body").get_attribute("data-signed-in") == "true"
    launched = context.new_page()
    launched.goto(login_url(live_server, platform, f"student-{language}-2"))
    launched.locator("a.button[target=_blank]").wait_for()
    assert serious_violations(launched) == []
    context.close()


def test_an_instructor_picks_a_units_quiz_and_the_answer_reaches_the_platform(
    browser, live_server, platform
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(login_url(live_server, platform, "teacher-1"))
    page.locator("input[value='introduction:quiz']").wait_for()
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.check("input[value='introduction:quiz']")
    page.locator("form button[type=submit]:not([name])").click()
    page.wait_for_url(f"{platform.url}/return")
    (answer,) = platform.received
    claims = jwt.decode(answer["JWT"][0], options={"verify_signature": False})
    (item,) = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["custom"] == {"unit": "introduction", "activity": "quiz"}
    context.close()
