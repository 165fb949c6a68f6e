"""The URL table of docs/security.md, read as data: the tests check the app against it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.urls import URLResolver, get_resolver

from .conftest import ROLE_TITLES, ROLES

SECURITY_DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
ADMIN_ROW = "/admin/…"
CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Row:
    route: str  # as in the table: "/classes/<int:class_id>/"
    method: str
    who: str
    outcomes: dict[str, str]  # role → "200", "302", "sign-in", "admin sign-in", "403", "404"

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}"


def read_table(path: Path = SECURITY_DOC) -> list[Row]:
    """Rows of the table whose header starts with "| URL | method |"; one Row per method."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| URL | method |"))
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    expected_header = ["URL", "method", "who may use it"] + [ROLE_TITLES[r] for r in ROLES]
    if header != expected_header:
        raise AssertionError(f"docs/security.md: table header {header} != {expected_header}")
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        route, methods, who, *outcomes = cells
        if len(outcomes) != len(ROLES):
            raise AssertionError(f"docs/security.md: wrong number of cells in {line!r}")
        for method in methods.split(","):
            rows.append(
                Row(
                    route=route.strip("`"),
                    method=method.strip(),
                    who=who,
                    outcomes=dict(zip(ROLES, outcomes, strict=True)),
                )
            )
    return rows


def walk_patterns(patterns=None, prefix: str = ""):
    """(full route, URLPattern) for every pattern of the project, includes followed."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def project_routes() -> set[str]:
    """Every route as the table writes it, the admin's many URLs as one ADMIN_ROW."""
    routes = set()
    for route, _pattern in walk_patterns():
        routes.add(ADMIN_ROW if route.startswith("admin/") else "/" + route)
    return routes


def concrete_url(route: str, values: dict[str, object]) -> str:
    """Fill a route's converters from ``values`` (keyed by the parameter name)."""
    return CONVERTER.sub(lambda match: str(values[match["name"]]), route)


def url_values(world) -> dict[str, object]:
    """Parameter values that point at the student's and the instructor's own objects."""
    return {
        "slug": world.unit.slug,
        "attempt_id": world.attempt.pk,
        "item_id": world.item.pk,
        "class_id": world.school_class.pk,
        "student_id": world.student.pk,
        "assignment_id": world.assignment.pk,
        "fmt": "moodle-xml",
        "registration_uuid": "00000000-0000-4000-8000-000000000000",
        "token": "not-a-signed-token",
        "word_id": world.saved_word.pk,
        "card_id": world.card.pk,
        # Word cards: a word and a tap of the mini course's text.
        "headword": "權力平衡",
        "key": "introduction-1",
        "position": 8,
    }
