from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("quiz/", include("quizzes.urls")),
    path("my-words/", include("review.urls")),
    path("", include("classroom.urls")),
    path("", include("lti.urls")),
    path("", include("words.urls")),
    path("", include("courseware.urls")),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
