"""A simulated learning platform: its own RSA keys, signed id_tokens, and its token, score
and roster endpoints served by a stub in place of the network (requests.Session.request)."""

from __future__ import annotations

import io
import json
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from django.core.management import call_command
from jwcrypto.jwk import JWK
from lti_tool.models import Key, LtiRegistration

ISSUER = "https://lms.example.edu"
CLIENT_ID = "tool-client-1"
DEPLOYMENT_ID = "deployment-1"
AUTH_URL = f"{ISSUER}/mod/lti/auth.php"
TOKEN_URL = f"{ISSUER}/mod/lti/token.php"
KEYSET_URL = f"{ISSUER}/mod/lti/certs.php"
LINEITEMS_URL = f"{ISSUER}/mod/lti/services.php/2/lineitems"
MEMBERSHIPS_URL = f"{ISSUER}/mod/lti/services.php/CourseSection/2/bindings/1/memberships"
DEEP_LINK_RETURN = f"{ISSUER}/mod/lti/contentitem_return.php"

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


class FakeResponse:
    def __init__(self, status: int, body):
        self.status_code = status
        self.ok = status < 400
        self._body = body
        self.text = json.dumps(body)
        self.headers = {"Content-Type": "application/json"}
        self.content = self.text.encode()

    def json(self):
        return self._body


@dataclass
class Platform:
    key: JWK
    other_key: JWK  # a key the platform does not publish: tokens signed with it are forged
    scores: list = field(default_factory=list)
    token_requests: list = field(default_factory=list)
    members: list = field(default_factory=list)
    reachable: bool = True

    @property
    def jwks(self):
        public = json.loads(self.key.export_public())
        return {"keys": [{**public, "alg": "RS256", "use": "sig"}]}

    # -- the stub standing in for the network --------------------------------------------
    def serve(self, method, url, **kwargs):
        if not self.reachable:
            raise requests.ConnectionError("platform down")
        if method.upper() == "GET" and url == KEYSET_URL:
            return FakeResponse(200, self.jwks)
        if method.upper() == "POST" and url == TOKEN_URL:
            assertion = kwargs["data"]["client_assertion"]
            tool_keys = {k["kid"]: k for k in Key.objects.as_jwks()["keys"]}
            header = jwt.get_unverified_header(assertion)
            public = JWK(**tool_keys[header["kid"]]).export_to_pem()
            claims = jwt.decode(assertion, public, algorithms=["RS256"], audience=TOKEN_URL)
            self.token_requests.append({"claims": claims, "scope": kwargs["data"]["scope"]})
            return FakeResponse(
                200, {"access_token": "platform-token", "expires_in": 3600, "token_type": "Bearer"}
            )
        if method.upper() == "POST" and url.endswith("/scores"):
            assert kwargs["headers"]["Authorization"] == "Bearer platform-token"
            self.scores.append({"url": url, "score": json.loads(kwargs["data"])})
            return FakeResponse(200, {})
        if method.upper() == "GET" and url.startswith(MEMBERSHIPS_URL):
            return FakeResponse(200, {"id": url, "members": self.members})
        raise AssertionError(f"unexpected request {method} {url}")

    # -- what the platform sends ---------------------------------------------------------
    def id_token(
        self,
        *,
        nonce,
        sub,
        roles,
        message_type="LtiResourceLinkRequest",
        custom=None,
        resource_link="link-1",
        lineitem=None,
        document_target="iframe",
        sign_with=None,
        extra=None,
        context_id="course-2",
    ):
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": sub,
            "exp": now + 300,
            "iat": now,
            "nonce": nonce,
            "name": f"Student {sub}",
            CLAIM + "deployment_id": DEPLOYMENT_ID,
            CLAIM + "message_type": message_type,
            CLAIM + "version": "1.3.0",
            CLAIM + "roles": roles,
            CLAIM + "target_link_uri": "http://testserver/lti/launch/",
            CLAIM + "context": {
                "id": context_id,
                "label": "POL201",
                "title": "越南外交 2026",
                "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            },
            CLAIM + "launch_presentation": {
                "document_target": document_target,
                "return_url": f"{ISSUER}/course/view.php?id=2",
            },
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": MEMBERSHIPS_URL,
                "service_versions": ["2.0"],
            },
        }
        if message_type == "LtiResourceLinkRequest":
            claims[CLAIM + "resource_link"] = {"id": resource_link, "title": "A unit"}
            claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = {
                "scope": [
                    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                ],
                "lineitems": LINEITEMS_URL,
                **({"lineitem": lineitem} if lineitem else {}),
            }
        else:
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": DEEP_LINK_RETURN,
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "platform-data",
            }
        if custom is not None:
            claims[CLAIM + "custom"] = custom
        claims.update(extra or {})
        key = sign_with or self.key
        pem = key.export_to_pem(private_key=True, password=None)
        return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": self.key["kid"]})

    def login(self, client, *, login_hint="student-1", secure=False, iss=ISSUER):
        response = client.post(
            "/lti/login/",
            {
                "iss": iss,
                "login_hint": login_hint,
                "client_id": CLIENT_ID,
                "target_link_uri": f"{'https' if secure else 'http'}://testserver/lti/launch/",
                "lti_message_hint": "hint",
                "lti_deployment_id": DEPLOYMENT_ID,
            },
            secure=secure,
        )
        return response

    def launch(self, client, *, sub="student-1", roles=(LEARNER,), secure=False, **token_args):
        login = self.login(client, login_hint=sub, secure=secure)
        assert login.status_code == 302, login
        query = parse_qs(urlsplit(login["Location"]).query)
        token = self.id_token(nonce=query["nonce"][0], sub=sub, roles=list(roles), **token_args)
        response = client.post(
            "/lti/launch/", {"id_token": token, "state": query["state"][0]}, secure=secure
        )
        response.id_token, response.state = token, query["state"][0]
        return response


@pytest.fixture
def platform(mini_course, monkeypatch):
    key = JWK.generate(kty="RSA", size=2048, kid=f"platform-{uuid.uuid4().hex[:8]}")
    other = JWK.generate(kty="RSA", size=2048, kid="forger")
    simulated = Platform(key=key, other_key=other)

    def request(session, method, url, **kwargs):
        return simulated.serve(method, url, **kwargs)

    monkeypatch.setattr(requests.Session, "request", request)
    call_command(
        "lti_platform",
        "--name",
        "Moodle test",
        "--issuer",
        ISSUER,
        "--client-id",
        CLIENT_ID,
        "--auth-url",
        AUTH_URL,
        "--token-url",
        TOKEN_URL,
        "--keyset-url",
        KEYSET_URL,
        "--deployment",
        DEPLOYMENT_ID,
        stdout=io.StringIO(),
    )
    assert LtiRegistration.objects.count() == 1
    return simulated
