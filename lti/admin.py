from django.contrib import admin

from .models import LtiActivity, LtiClass, LtiScore


@admin.register(LtiClass)
class LtiClassAdmin(admin.ModelAdmin):
    list_display = ["school_class", "context"]
    list_select_related = ["school_class", "context"]
    raw_id_fields = ["school_class", "context"]


@admin.register(LtiActivity)
class LtiActivityAdmin(admin.ModelAdmin):
    list_display = ["unit", "activity", "school_class", "lineitem_url"]
    list_select_related = ["unit", "school_class"]
    raw_id_fields = ["resource_link", "school_class"]


@admin.register(LtiScore)
class LtiScoreAdmin(admin.ModelAdmin):
    list_display = ["student", "activity", "score", "sent_at", "error"]
    list_select_related = ["student", "activity__unit"]
    raw_id_fields = ["activity", "student"]
