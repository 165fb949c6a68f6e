from django.urls import path

from . import views

app_name = "classroom"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("signup/", views.signup, name="signup"),
    path("home/", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/password/done/", views.password_change_done, name="password_change_done"),
    path("classes/new/", views.class_create, name="class_create"),
    path("classes/<int:class_id>/", views.class_detail, name="class_detail"),
    path("classes/<int:class_id>/join-code/", views.regenerate_code, name="regenerate_code"),
    path("classes/<int:class_id>/roster/", views.roster, name="roster"),
    path(
        "classes/<int:class_id>/students/<int:student_id>/",
        views.student_detail,
        name="student_detail",
    ),
    path(
        "classes/<int:class_id>/students/<int:student_id>/remove/",
        views.remove_student,
        name="remove_student",
    ),
    path(
        "classes/<int:class_id>/students/<int:student_id>/readmit/",
        views.readmit_student,
        name="readmit_student",
    ),
    path(
        "classes/<int:class_id>/students/<int:student_id>/assignments/<int:assignment_id>/"
        "extension/",
        views.extension,
        name="extension",
    ),
    path(
        "classes/<int:class_id>/students/<int:student_id>/assignments/<int:assignment_id>/reopen/",
        views.reopen_attempt,
        name="reopen_attempt",
    ),
    path(
        "classes/<int:class_id>/assignments/new/",
        views.assignment_create,
        name="assignment_create",
    ),
    path(
        "classes/<int:class_id>/assignments/<int:assignment_id>/edit/",
        views.assignment_edit,
        name="assignment_edit",
    ),
    path(
        "classes/<int:class_id>/assignments/<int:assignment_id>/delete/",
        views.assignment_delete,
        name="assignment_delete",
    ),
    path("classes/<int:class_id>/progress/", views.progress, name="progress"),
    path(
        "classes/<int:class_id>/units/<slug:slug>/analysis/",
        views.item_analysis,
        name="item_analysis",
    ),
    path("classes/<int:class_id>/tags/", views.tag_mastery, name="tag_mastery"),
    path("classes/<int:class_id>/words/", views.saved_words, name="saved_words"),
    path("classes/<int:class_id>/gradebook.csv", views.gradebook_csv, name="gradebook_csv"),
    path("classes/<int:class_id>/responses.csv", views.responses_csv, name="responses_csv"),
    path("items/export/", views.item_bank, name="item_bank"),
    path("items/export/<slug:fmt>/", views.item_bank_download, name="item_bank_download"),
    path(
        "items/export/<slug:fmt>/<slug:slug>/",
        views.item_bank_download,
        name="item_bank_unit_download",
    ),
]
