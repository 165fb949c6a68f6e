"""Helpers for tests that compare unit pages rendered from kept pieces with whole renders
(tests/courseware/test_layout.py, tests/classroom/test_kept_panel.py)."""

import re

from django.urls import reverse

TOKEN = re.compile(r'((?:name="csrfmiddlewaretoken" value=|"X-CSRFToken": )")[A-Za-z0-9]{32,64}"')


def unit_url(slug="introduction", **query):
    url = reverse("courseware:unit", args=[slug])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def same_but_tokens(html: str) -> str:
    """The page with its CSRF tokens (masked afresh on every response) made equal."""
    return TOKEN.sub(r'\1TOKEN"', html)
