from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("", views.my_words, name="my_words"),
    path("save/", views.save_word, name="save"),
    path("<int:word_id>/remove/", views.remove_word, name="remove"),
    path("review/", views.review_session, name="session"),
    path("review/<int:card_id>/", views.grade_card, name="grade"),
]
