from django.contrib import admin
from modeltranslation.admin import TabbedDjangoJqueryTranslationAdmin, TranslationStackedInline

from .course_file import render_passage_html
from .course_file.loading import teach_glossary
from .models import Course, Footnote, Passage, PassageNote, Reference, Term, Unit
from .signals import course_content_loaded


class RetiresCachedContent:
    """Pages cache content per content version: every admin edit must start a new version."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.content_saved(form.instance)
        Course.objects.mark_content_changed()

    def content_saved(self, obj):
        """Derived data to rebuild before the new version is served."""

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        Course.objects.mark_content_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        Course.objects.mark_content_changed()


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
class UnitAdmin(RetiresCachedContent, TabbedDjangoJqueryTranslationAdmin):
    list_display = ("order", "label", "title", "kind", "period", "archived")
    list_display_links = ("label", "title")
    list_filter = ("kind", "archived")
    inlines = [PassageInline, FootnoteInline]

    def content_saved(self, obj):
        _rerender(Passage.objects.filter(unit=obj))


class PassageNoteInline(TranslationStackedInline):
    model = PassageNote
    extra = 0


@admin.register(Passage)
class PassageAdmin(RetiresCachedContent, TabbedDjangoJqueryTranslationAdmin):
    list_display = ("key", "unit", "order", "kind", "archived")
    list_filter = ("unit", "kind")
    search_fields = ("key", "text_zh_hant", "text_en")
    filter_horizontal = ("terms",)
    inlines = [PassageNoteInline]

    def content_saved(self, obj):
        _rerender(Passage.objects.filter(pk=obj.pk))


@admin.register(Term)
class TermAdmin(RetiresCachedContent, TabbedDjangoJqueryTranslationAdmin):
    list_display = ("key", "term")
    search_fields = ("key", "term_zh_hant", "term_en")


@admin.register(Reference)
class ReferenceAdmin(RetiresCachedContent, TabbedDjangoJqueryTranslationAdmin):
    list_display = ("label", "key")
    search_fields = ("label", "key")


def _rerender(passages):
    """An admin edit may change text or notes: rebuild the HTML and the words (this loads the
    segmenter into this one process, as the course loader does)."""
    teach_glossary(Term.objects.all())
    courses = set()
    for passage in passages.prefetch_related("terms", "citations__reference").select_related(
        "unit__course"
    ):
        render_passage_html(passage)
        courses.add(passage.unit.course)
    for course in courses:
        course_content_loaded.send(sender=Course, course=course)
