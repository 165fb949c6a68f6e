from django.urls import path

from . import views

app_name = "words"

urlpatterns = [
    path("words/<str:headword>/", views.word, name="word"),
    path("words/at/<slug:key>/<int:position>/", views.word_at_position, name="at"),
    path("units/<slug:slug>/words/", views.unit_word_list, name="unit_words"),
]
