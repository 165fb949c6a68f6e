"""Places where other apps add to courseware's pages without courseware importing them.

The quiz app, for example, adds a "take the quiz" panel to every unit page. A panel's
context function must run a fixed number of queries, whatever the size of the course.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

from .models import Unit


@dataclass(frozen=True)
class UnitPanel:
    template: str
    context: Callable[[HttpRequest, Unit], dict | None]
    # Optional, for a panel every signed-in reader sees (courseware.layout): what of a
    # context the template shows, as a key (everything it reads but the holes), and the
    # context's entries shown as they are (numbers), which become holes. The panel is then
    # rendered once per key and language, each reader's holes filled in.
    shape: Callable[[dict], tuple] | None = None
    holes: tuple[str, ...] = ()


_unit_panels: list[UnitPanel] = []


def register_unit_panel(panel: UnitPanel) -> None:
    if panel not in _unit_panels:
        _unit_panels.append(panel)


def panel_of(template: str) -> UnitPanel:
    return next(panel for panel in _unit_panels if panel.template == template)


def unit_panels(request: HttpRequest, unit: Unit) -> list[tuple[str, dict]]:
    panels = []
    for panel in _unit_panels:
        context = panel.context(request, unit)
        if context is not None:
            panels.append((panel.template, context))
    return panels


# Templates included once at the end of every unit page (inside its content), for example the
# word card's container and script. Each receives the unit page's context, and is kept with
# the page's content (per unit, language and content version): it must not depend on the reader.
_unit_includes: list[str] = []


def register_unit_include(template: str) -> None:
    if template not in _unit_includes:
        _unit_includes.append(template)


def unit_includes() -> list[str]:
    return list(_unit_includes)
