from django.urls import path

from . import views

app_name = "courseware"

urlpatterns = [
    path("", views.course, name="course"),
    path("glossary/", views.glossary, name="glossary"),
    path("references/", views.references, name="references"),
    path("units/<slug:slug>/", views.unit, name="unit"),
    path("units/<slug:slug>/print/", views.unit_print, name="unit_print"),
    path("units/<slug:slug>/read/", views.mark_read, name="mark_read"),
]
