from functools import partial

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from config.htmx import wants_partial

from .extensions import unit_includes, unit_panels
from .layout import can_fill_layout, render_unit_page
from .models import Unit
from .reading import (
    READING_MODES,
    bibliography,
    column_languages,
    glossary_terms,
    mark_unit_read,
    open_unit,
    reading_mode,
    reading_state,
    the_course,
    unit_body,
    unit_in_reading_order,
)
from .readings import COOKIE, READINGS, reading_style


@require_safe
def course(request):
    units = list(Unit.objects.in_reading_order())
    state = reading_state(request.user, units)
    return render(
        request,
        "courseware/course.html",
        {
            "course": the_course(),
            "units": [(unit, state.progress.get(unit.pk)) for unit in units],
            "read_count": state.read_count,
            "unit_count": state.unit_count,
        },
    )


UNIT_TEMPLATE = "courseware/unit.html"


@require_safe
def unit(request, slug):
    return _render_unit(request, slug, UNIT_TEMPLATE)


@require_safe
def unit_print(request, slug):
    return _render_unit(request, slug, "courseware/unit_print.html")


def _render_unit(request, slug, template):
    found = unit_in_reading_order(slug)
    if found is None:
        raise Http404
    unit, units = found
    position = next(i for i, other in enumerate(units) if other.pk == unit.pk)
    progress, state = None, None
    if request.user.is_authenticated:
        progress, state = open_unit(request.user, unit, units)
    readings = reading_style(request)
    context = {
        "unit": unit,
        "course": unit.course,
        "previous_unit": units[position - 1] if position > 0 else None,
        "next_unit": units[position + 1] if position + 1 < len(units) else None,
        "progress": progress,
        "read_count": state.read_count if state else 0,
        "unit_count": len(units),
        "mode": reading_mode(request),
        "modes": READING_MODES,
        "columns": column_languages(get_language()),
        # A function, not its result: the template calls it only when its {% cache %}
        # block misses, so a cached unit page runs none of the content's queries.
        "unit_body": partial(unit_body, unit, readings),
        "readings": readings,
        "reading_styles": READINGS,
        # Called by the template only where it shows them: the print page does not.
        "panels": partial(unit_panels, request, unit),
        "unit_includes": unit_includes(),
    }
    if template == UNIT_TEMPLATE and can_fill_layout(request, context["mode"]):
        response = HttpResponse(render_unit_page(request, template, context))
    else:
        response = render(request, template, context)
    if COOKIE in request.GET:  # remembered for the next unit, as the layout is
        response.set_cookie(
            COOKIE,
            readings,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=True,
        )
    return response


@require_POST
@login_required
@vary_on_headers("HX-Request")
def mark_read(request, slug):
    found = unit_in_reading_order(slug)
    if found is None:
        raise Http404
    unit, units = found
    progress = mark_unit_read(request.user, unit, read=request.POST.get("read", "1") != "0")
    if not wants_partial(request):
        return HttpResponseRedirect(unit.get_absolute_url())
    state = reading_state(request.user, units)
    return render(
        request,
        "courseware/unit.html#read-status",
        {
            "unit": unit,
            "progress": progress,
            "read_count": state.read_count,
            "unit_count": state.unit_count,
            "announce": True,
        },
    )


@require_safe
def glossary(request):
    # The filter box works without JavaScript as this GET; with it, glossary.js filters as
    # the reader types, on the same fields.
    query = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "courseware/glossary.html",
        {
            # Called only when the cached list misses, or for a filtered list (never cached).
            "terms": partial(glossary_terms, language=get_language(), query=query),
            "q": query,
            "course": the_course(),
        },
    )


@require_safe
def references(request):
    course = the_course()
    return render(
        request,
        "courseware/references.html",
        {"references": bibliography(course), "course": course},
    )
