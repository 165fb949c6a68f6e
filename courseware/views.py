from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from .extensions import unit_panels
from .models import Course, Passage, PassageNote, ReadingProgress, Term, Unit
from .reading import (
    READING_MODES,
    column_languages,
    mark_unit_read,
    open_unit,
    reading_mode,
    unit_in_reading_order,
)


def _course():
    return get_object_or_404(Course.objects.all()[:1])


@require_GET
def course(request):
    units = list(Unit.objects.in_reading_order())
    progress = {}
    if request.user.is_authenticated:
        progress = {
            row.unit_id: row
            for row in ReadingProgress.objects.for_user(request.user).filter(unit__in=units)
        }
    read_count = sum(1 for row in progress.values() if row.is_read)
    return render(
        request,
        "courseware/course.html",
        {
            "course": _course(),
            "units": [(unit, progress.get(unit.pk)) for unit in units],
            "read_count": read_count,
            "unit_count": len(units),
        },
    )


@require_GET
def unit(request, slug):
    return _render_unit(request, slug, "courseware/unit.html")


@require_GET
def unit_print(request, slug):
    return _render_unit(request, slug, "courseware/unit_print.html")


def _render_unit(request, slug, template):
    found = unit_in_reading_order(slug)
    if found is None:
        raise Http404
    unit, units = found
    position = next(i for i, other in enumerate(units) if other.pk == unit.pk)
    state = open_unit(request.user, unit, units) if request.user.is_authenticated else None
    return render(
        request,
        template,
        {
            "unit": unit,
            "course": unit.course,
            "previous_unit": units[position - 1] if position > 0 else None,
            "next_unit": units[position + 1] if position + 1 < len(units) else None,
            "progress": state and state.progress,
            "read_count": state.read_count if state else 0,
            "unit_count": len(units),
            "mode": reading_mode(request),
            "modes": READING_MODES,
            "columns": column_languages(get_language()),
            "unit_body": lambda: unit_body(unit),
            "panels": unit_panels(request, unit),
        },
    )


def unit_body(unit):
    """Everything of the unit page that depends only on the content; cached per language."""
    passages = (
        Passage.objects.current()
        .filter(unit=unit)
        .order_by("order")
        .prefetch_related(Prefetch("notes", PassageNote.objects.order_by("order")))
    )
    terms = Term.objects.filter(passages__unit=unit).distinct().order_by("key")
    references = (
        unit.course.references.filter(citations__passage__unit=unit).distinct().order_by("label")
    )
    return {
        "passages": list(passages),
        "footnotes": list(unit.footnotes.all()),
        "terms": list(terms),
        "references": list(references),
    }


@require_POST
@login_required
@vary_on_headers("HX-Request")
def mark_read(request, slug):
    unit = get_object_or_404(Unit.objects.current(), slug=slug)
    progress = mark_unit_read(request.user, unit, read=request.POST.get("read", "1") != "0")
    if not request.htmx:
        return HttpResponseRedirect(unit.get_absolute_url())
    read_count = (
        ReadingProgress.objects.for_user(request.user).read().filter(unit__archived=False).count()
    )
    return render(
        request,
        "courseware/unit.html#read-status",
        {
            "unit": unit,
            "progress": progress,
            "read_count": read_count,
            "unit_count": Unit.objects.current().count(),
            "announce": True,
        },
    )


@require_GET
def glossary(request):
    terms = Term.objects.order_by("key").prefetch_related(
        Prefetch(
            "passages",
            Passage.objects.current().select_related("unit").order_by("unit__order", "order"),
        )
    )
    return render(request, "courseware/glossary.html", {"terms": terms, "course": _course()})


@require_GET
def references(request):
    course = _course()
    references = course.references.order_by("label").prefetch_related(
        Prefetch("citations__passage", Passage.objects.select_related("unit"))
    )
    return render(
        request, "courseware/references.html", {"references": references, "course": course}
    )
