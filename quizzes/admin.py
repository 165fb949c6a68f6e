from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from courseware.admin import RetiresCachedContent

from .models import Attempt, Choice, Item, Response, Tag


@admin.register(Tag)
class TagAdmin(RetiresCachedContent, TabbedTranslationAdmin):
    list_display = ("key", "label", "group", "order")
    list_filter = ("group",)
    search_fields = ("key", "label_zh_hant", "label_en")


class ChoiceInline(TranslationTabularInline):
    model = Choice
    fields = ("key", "order", "text", "match", "is_correct", "feedback")
    extra = 0


@admin.register(Item)
class ItemAdmin(RetiresCachedContent, TabbedTranslationAdmin):
    list_display = ("key", "unit", "order", "kind", "archived")
    list_filter = ("unit", "kind", "archived", "tags")
    list_select_related = ("unit",)
    search_fields = ("key", "stem_zh_hant", "stem_en")
    filter_horizontal = ("passages", "footnotes", "tags")
    inlines = [ChoiceInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Students' answers are evidence: the admin may read and delete them, never edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ResponseInline(admin.TabularInline):
    model = Response
    fields = ("item", "answer", "score", "is_correct", "answered_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item")


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = (
        "student",
        "unit",
        "is_practice",
        "started_at",
        "finished_at",
        "answered_count",
        "item_count",
        "score_percent",
    )
    list_filter = ("is_practice", "unit", ("finished_at", admin.EmptyFieldListFilter))
    list_select_related = ("student", "unit")
    search_fields = ("student__username",)
    date_hierarchy = "started_at"
    inlines = [ResponseInline]

    @admin.display(description=_("score"))
    def score_percent(self, obj):
        return f"{obj.score:.0%}"


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ("attempt", "item", "score", "is_correct", "answered_at")
    list_filter = ("is_correct", "item__unit", "item__kind")
    list_select_related = ("attempt__student", "attempt__unit", "item")
    search_fields = ("attempt__student__username", "item__key")
    date_hierarchy = "answered_at"
