from urllib.parse import urlencode

import segno
from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from classroom.models import display_name, shown_username
from classroom.progress import percent

register = template.Library()


@register.filter
def pct(value) -> str:
    """A share from 0 to 1 as "85%"; a dash when there is none."""
    whole = percent(value)
    return "–" if whole is None else f"{whole}%"


@register.filter
def person(user) -> str:
    """The name to show for an account (never a username made by an LMS launch)."""
    return display_name(user)


@register.filter
def login_name(user) -> str:
    """The username beside a name; empty for an account made by an LMS launch."""
    return shown_username(user.username)


READING_ICONS = {"read": "✓", "reading": "◐", "unread": "○"}
STAR = '<i aria-hidden="true">★</i> '
HELP_ROW = ' class="h"'


@register.simple_tag
def progress_rows(rows, class_id) -> str:
    """The body of the progress grid, one <tr> per student.

    Built with string formatting rather than template tags on purpose: 300 students × 8 units
    is 2,400 cells, which the template engine renders in about 60 ms and this in about 6.
    The markup is the same a template would give: text and an icon in every cell, never
    colour alone, one link per cell to the student's drill-down.
    """
    words = {
        "read": escape(gettext("read")),
        "reading": escape(gettext("reading")),
        "unread": escape(gettext("not opened")),
        "overdue": escape(gettext("overdue")),
        "help": escape(gettext("Needs help")),
    }
    attempt_words: dict[int, str] = {}
    out = []
    for row in rows:
        url = reverse("classroom:student_detail", args=[class_id, row.student_id])
        help_cell = (
            f'<span class="flag"><i aria-hidden="true">⚑</i> {words["help"]}</span>'
            if row.needs_help
            else "–"
        )
        cells = []
        for slug, cell, optional in row.linked_cells:
            reading = "read" if cell.read else "reading" if cell.opened else "unread"
            attempts = attempt_words.get(cell.attempts)
            if attempts is None:
                attempts = attempt_words[cell.attempts] = escape(
                    ngettext("%(count)s attempt", "%(count)s attempts", cell.attempts)
                    % {"count": cell.attempts}
                )
            # The drill-down lists assigned units only: an optional cell opens its top.
            kind, anchor = (" opt", "") if optional else ("", f"#u-{slug}")
            cells.append(
                f'<td class="s-{cell.status}{kind}"><a href="{url}{anchor}">'
                f'<i aria-hidden="true">{READING_ICONS[reading]}</i> {words[reading]}<br>'
                f"{STAR if cell.mastered else ''}"
                f"<b>{pct(cell.best)}</b> · {attempts}"
                f"{_overdue(words) if cell.overdue else ''}</a></td>"
            )
        username = f" <small>{escape(row.username)}</small>" if row.username else ""
        out.append(
            f'<tr{HELP_ROW if row.needs_help else ""}><th scope="row">'
            f'<a href="{url}">{escape(row.name)}</a>{username}</th>'
            f"<td>{help_cell}</td><td>{pct(row.mean)}</td>{''.join(cells)}</tr>"
        )
    return mark_safe("\n".join(out))


def _overdue(words) -> str:
    return f'<br><span class="od"><i aria-hidden="true">⚠</i> {words["overdue"]}</span>'


@register.filter
def points(value) -> str:
    """Points with at most two decimals and no trailing zeros: 3.5, 4, 2.33."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


@register.simple_tag
def heat_cells(cells) -> str:
    """A row of the mastery heat map: the share as text, the counts below it, the level as a
    class for the shading. Built in Python for the same reason as `progress_rows`."""
    out = []
    for share in cells:
        if share.total:
            out.append(
                f'<td class="l{share.level}">{pct(share.value)}<br>'
                f"<small>{share.correct}/{share.total}</small></td>"
            )
        else:
            out.append('<td class="ln">–</td>')
    return mark_safe("".join(out))


@register.simple_tag(takes_context=True)
def join_link(context, school_class) -> str:
    """The address that opens the join form with this class's code filled in."""
    path = f"{reverse('classroom:join')}?{urlencode({'code': school_class.join_code})}"
    return context["request"].build_absolute_uri(path)


@register.simple_tag
def qr_svg(text: str, title: str = "") -> str:
    """``text`` as a QR code, drawn here as inline SVG (no image request, no third party):
    dark modules on white with the quiet zone, scaled by CSS to fit a projector or a phone."""
    code = segno.make(text, error="m")
    svg = code.svg_inline(scale=1, border=4, dark="#000", light="#fff", omitsize=True)
    if title:
        svg = svg.replace(">", f' role="img" aria-label="{escape(title)}">', 1)
    return mark_safe(svg)  # segno's own markup; the title is escaped
