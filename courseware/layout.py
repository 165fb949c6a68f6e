"""The unit page for a signed-in reader: its layout rendered once, the reader's parts per request.

Rendering the layout around the unit's cached body (navigation, language switch, reading
tools, pager) costs Django's template engine more CPU than everything else the page does
(``bench/RESULTS.md``), and all of it is the same for every signed-in reader of the unit in a
language, layout and readings style, but four things: the CSRF token, the page's own address
(where the language switch returns), the reader's read status and the panels (the quiz's
start button and grade). The layout is rendered once per content version with *holes* in
those places (``config.holes``; ``tests/courseware/test_layout.py`` checks no page carries
a marker). Each request fills the holes with its own parts, themselves kept with holes: the
read status per unit and state (read or not), a panel per shape (``UnitPanel.shape``). The
result is the same bytes as rendering the whole page, but for the CSRF token's random mask.

Visitors, a page with messages to show (they belong to one reader) and the layouts other than
side by side are rendered whole.
"""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.core.cache import caches
from django.middleware.csrf import get_token
from django.template.loader import get_template, render_to_string
from django.utils.html import escape
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

from config.holes import as_shown, fragment_key, fragments_cache, render_filled

from .caching import CONTENT_TIMEOUT
from .extensions import panel_of
from .reading import DEFAULT_MODE

LAYOUT_CACHE = "unit-layouts"
_HOLES = ("csrf", "path", "read-status", "panels")


def can_fill_layout(request, mode: str) -> bool:
    """Whether ``render_unit_page`` serves this request. Only the default layout (side by
    side) is kept: the others are the no-JavaScript fallback of the layout switch, and each
    would keep another copy of every unit's body in every process."""
    return mode == DEFAULT_MODE and request.user.is_authenticated and not len(get_messages(request))


def render_unit_page(request, template: str, context: dict) -> str:
    """The page ``template`` renders with ``context`` (the unit view's), for a signed-in
    reader with no messages waiting (``can_fill_layout``)."""
    unit = context["unit"]
    key = ":".join(
        str(part)
        for part in (
            "unit-layout",
            template,
            unit.pk,
            unit.course.content_version,
            get_language(),
            context["mode"],
            context["readings"],
        )
    )

    def render_layout(holes: dict[str, str]) -> str:
        return render_to_string(
            template,
            {
                **context,
                "csrf_token": holes["csrf"],
                "current_path": holes["path"],
                "layout_holes": {name.replace("-", "_"): text for name, text in holes.items()},
            },
            request,
        )

    token = get_token(request)
    # The reader's parts read only these besides the view's context: rendered without the
    # context processors, which would otherwise run again for each part.
    own = {"request": request, "user": request.user, "csrf_token": token}
    values = {
        "csrf": token,
        "path": escape(request.get_full_path()),
        "read-status": _read_status(template, context, own),
        "panels": "".join(
            _panel(panel_template, panel, own, context)
            for panel_template, panel in context["panels"]()
        ),
    }
    return render_filled(
        caches[LAYOUT_CACHE], key, _HOLES, render_layout, values, timeout=CONTENT_TIMEOUT
    )


def _read_status(template: str, context: dict, own: dict) -> str:
    """The reader's read status: the same for every reader of the unit who has (or has not)
    read it, but for the count of units read and the CSRF token, which are holes."""
    unit, progress = context["unit"], context["progress"]
    key = fragment_key(
        "read-status",
        (
            template,
            unit.pk,
            unit.course.content_version,
            get_language(),
            bool(progress and progress.is_read),
            context["unit_count"],
        ),
    )

    def render_status(holes: dict[str, str]) -> str:
        return get_template(f"{template}#read-status").render(
            {**context, **own, "csrf_token": holes["csrf"], "read_count": holes["read-count"]}
        )

    values = {"csrf": own["csrf_token"], "read-count": as_shown(context["read_count"])}
    return render_filled(
        fragments_cache(),
        key,
        ("csrf", "read-count"),
        render_status,
        values,
        timeout=CONTENT_TIMEOUT,
    )


def _panel(template: str, panel: dict, own: dict, context: dict) -> str:
    """A panel (``courseware.extensions``): rendered once per shape when it has one, its holes
    and the CSRF token filled in; otherwise rendered for this reader."""
    kind = panel_of(template)
    if kind.shape is None:
        return get_template(template).render({"panel": panel, **own})
    unit = context["unit"]
    key = fragment_key(
        "panel",
        (
            template,
            unit.pk,
            unit.course.content_version,
            get_language(),
            get_current_timezone_name(),  # dates are shown in it
            kind.shape(panel),
        ),
    )
    names = ("csrf", *kind.holes)

    def render_panel(holes: dict[str, str]) -> str:
        with_holes = {**panel, **{name: holes[name] for name in kind.holes}}
        return get_template(template).render(
            {"panel": with_holes, **own, "csrf_token": holes["csrf"]}
        )

    values = {"csrf": own["csrf_token"], **{name: as_shown(panel.get(name)) for name in kind.holes}}
    return render_filled(
        fragments_cache(), key, names, render_panel, values, timeout=CONTENT_TIMEOUT
    )
