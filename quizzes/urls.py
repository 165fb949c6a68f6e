from django.urls import path

from . import views

app_name = "quizzes"

urlpatterns = [
    path("units/<slug:slug>/start/", views.start, name="start"),
    path("units/<slug:slug>/practice/", views.practice, name="practice"),
    path("units/<slug:slug>/attempts/", views.history, name="history"),
    path("attempts/<int:attempt_id>/", views.attempt, name="attempt"),
    path("attempts/<int:attempt_id>/items/<int:item_id>/", views.answer, name="answer"),
    path("attempts/<int:attempt_id>/finish/", views.finish, name="finish"),
]
