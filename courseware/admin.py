from django.contrib import admin
from django.db.models import F
from modeltranslation.admin import TabbedDjangoJqueryTranslationAdmin, TranslationStackedInline

from .loading import render_passage_html
from .models import Course, Footnote, Passage, PassageNote, Reference, Term, Unit


class PassageInline(TranslationStackedInline):
    model = Passage
    fields = ("key", "order", "kind", "text", "archived")
    extra = 0
    show_change_link = True


class FootnoteInline(TranslationStackedInline):
    model = Footnote
    extra = 0


@admin.register(Course)
class CourseAdmin(TabbedDjangoJqueryTranslationAdmin):
    list_display = ("title", "slug", "content_version")


@admin.register(Unit)
class UnitAdmin(TabbedDjangoJqueryTranslationAdmin):
    list_display = ("order", "label", "title", "kind", "period", "archived")
    list_display_links = ("label", "title")
    list_filter = ("kind", "archived")
    inlines = [PassageInline, FootnoteInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _rerender(Passage.objects.filter(unit=form.instance))


class PassageNoteInline(TranslationStackedInline):
    model = PassageNote
    extra = 0


@admin.register(Passage)
class PassageAdmin(TabbedDjangoJqueryTranslationAdmin):
    list_display = ("key", "unit", "order", "kind", "archived")
    list_filter = ("unit", "kind")
    search_fields = ("key", "text_zh_hant", "text_en")
    filter_horizontal = ("terms",)
    inlines = [PassageNoteInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _rerender(Passage.objects.filter(pk=form.instance.pk))


@admin.register(Term)
class TermAdmin(TabbedDjangoJqueryTranslationAdmin):
    list_display = ("key", "term")
    search_fields = ("key", "term_zh_hant", "term_en")


@admin.register(Reference)
class ReferenceAdmin(TabbedDjangoJqueryTranslationAdmin):
    list_display = ("label", "key")
    search_fields = ("label", "key")


def _rerender(passages):
    """An admin edit may change text or notes: rebuild the HTML and retire cached pages."""
    for passage in passages.prefetch_related("terms", "citations__reference"):
        render_passage_html(passage)
    Course.objects.update(content_version=F("content_version") + 1)
