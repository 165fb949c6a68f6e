"""CSV exports that spreadsheet programs open correctly, Chinese included.

UTF-8 with a byte-order mark: Excel otherwise reads the file in the system's legacy code
page and garbles every Chinese character.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from courseware.models import Unit
from courseware.simplified import in_request_script
from quizzes.models import Item, Response, counted_under

from .drilldown import describe_answer
from .models import Assignment, Enrollment, SchoolClass, person_name, shown_username
from .progress import ProgressGrid, UnitStatus, percent

BOM = "\ufeff"
# Text starting with = + - @ tab or CR is a formula to a spreadsheet, and names and answers
# are typed by students (OWASP "CSV injection"). A cell can also start inside the text:
# wherever a spreadsheet in some locale ends a cell or a row ("," or ";", the separator where
# the decimal mark is a comma, tab, a line break), ignoring our quotes if it splits on the
# other separator. So every text is quoted, and an apostrophe (which makes the rest text)
# goes before each such start, spaces and quotes in between included.
FORMULA_START = re.compile(r"(^|[,;\t\r\n])([ \"]*)(?=[=+\-@\t\r])")


def safe(value):
    if isinstance(value, str):
        return FORMULA_START.sub(r"\1\2'", value)
    return value


class _Echo:
    def write(self, value):
        return value


def csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    """Rows may be produced lazily, while streaming: they are, in the request's language and
    script (a zh-hans reader's course text in Simplified, as on the pages)."""
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_NONNUMERIC)  # numbers stay numbers

    def lines() -> Iterator[str]:
        yield BOM + writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe(value) for value in row])

    response = StreamingHttpResponse(
        in_request_script(lines()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def gradebook_rows(grid: ProgressGrid) -> list[list]:
    labels = {status: str(status.label) for status in UnitStatus}
    rows = []
    for row in grid.rows:
        line = [row.username, row.name]
        for cell in row.cells + row.optional_cells:
            score = percent(cell.best)
            line += ["" if score is None else score, labels[cell.status]]
        rows.append(line)
    return rows


def gradebook_header(grid: ProgressGrid) -> list[str]:
    header = [_("Username"), _("Name")]
    for column in grid.columns:
        unit = column.unit.heading
        if column.optional:
            unit = _("%(unit)s (optional, not assigned)") % {"unit": unit}
        header += [
            _("%(unit)s: best score (%%)") % {"unit": unit},
            _("%(unit)s: status") % {"unit": unit},
        ]
    return header


def answer_text(answer) -> str:
    """Choice keys as a spreadsheet reader wants them: "b", "a, c", "a → b, c → c"."""
    if isinstance(answer, dict):
        return ", ".join(f"{left} → {right}" for left, right in answer.items())
    if isinstance(answer, list):
        return ", ".join(str(key) for key in answer)
    return "" if answer is None else str(answer)


def response_rows(school_class: SchoolClass):
    """Every answer by the class's current students on its assigned units, in the words the
    student saw (unit heading, question number and stem, chosen answers beside their choice
    keys): the answers in one query streamed in chunks, plus the assigned units and every
    item of their courses with its choices (three queries, whatever the class).

    Every item of the course, not only the assigned units' ones: a course file corrected
    mid-term may have moved an answered item to another unit. The unit shown is the one the
    attempt was taken in.
    """
    units = {unit.pk: unit for unit in Unit.objects.filter(assignments__school_class=school_class)}
    items = {
        item.pk: item
        for item in Item.objects.filter(
            unit__course__in={unit.course_id for unit in units.values()}
        ).prefetch_related("choices")
    }
    responses = (
        Response.objects.filter(
            counted_under(Assignment.objects.graded_rules_of(school_class), through="attempt__"),
            attempt__student__in=Enrollment.objects.in_class(school_class).values("student_id"),
            attempt__unit__in=list(units),
        )
        .order_by("attempt__student__username", "attempt__started_at", "attempt_id", "item__order")
        .values_list(
            "attempt__student__username",
            "attempt__student__first_name",
            "attempt__student__email",
            "attempt_id",
            "attempt__unit_id",
            "attempt__is_practice",
            "attempt__item_ids",
            "item_id",
            "answer",
            "is_correct",
            "score",
            "answered_at",
        )
    )
    # Translated now, in the request's language: the rows are produced while streaming.
    yes, no = _("yes"), _("no")
    return _response_lines(responses, units, items, yes, no, timezone.get_current_timezone())


def _response_lines(responses, units: dict, items: dict[int, Item], yes: str, no: str, zone):
    for (
        username,
        first_name,
        email,
        attempt_id,
        unit_id,
        is_practice,
        item_ids,
        item_id,
        answer,
        is_correct,
        score,
        answered_at,
    ) in responses.iterator(chunk_size=2000):
        item = items[item_id]
        yield [
            shown_username(username),
            person_name(first_name, email, username),
            units[unit_id].heading,
            attempt_id,
            yes if is_practice else no,
            # The number the student saw: the item's place in that attempt.
            item_ids.index(item_id) + 1 if item_id in item_ids else "",
            item.stem,
            "; ".join(describe_answer(item, answer)),
            answer_text(answer),
            yes if is_correct else no,
            round(score, 4),
            answered_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
        ]


def response_header() -> list[str]:
    return [
        _("Username"),
        _("Name"),
        _("Unit"),
        _("Attempt"),
        _("Practice"),
        _("Question number"),
        _("Question"),
        _("Answer"),
        _("Choice keys"),
        _("Correct"),
        _("Score"),
        _("Time"),
    ]
