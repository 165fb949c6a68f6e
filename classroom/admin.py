from django.contrib import admin

from .models import Assignment, Enrollment, SchoolClass


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    autocomplete_fields = ["student"]
    fields = ["student", "joined_at", "removed_at"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["unit", "visible_from", "due_at", "note"]


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ["name", "term", "instructor", "join_code", "created_at"]
    list_filter = ["term"]
    search_fields = ["name", "term", "join_code", "instructor__username"]
    autocomplete_fields = ["instructor"]
    inlines = [AssignmentInline, EnrollmentInline]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["student", "school_class", "joined_at", "removed_at"]
    list_filter = ["school_class", ("removed_at", admin.EmptyFieldListFilter)]
    search_fields = ["student__username", "student__first_name", "school_class__name"]
    autocomplete_fields = ["student", "school_class"]
    list_select_related = ["student", "school_class"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["unit", "school_class", "visible_from", "due_at"]
    list_filter = ["school_class"]
    list_select_related = ["unit", "school_class"]
