"""The project's URLs and error handlers, plus views that fail in each way (test_errors.py)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import DatabaseError
from django.http import Http404
from django.urls import path

from config import urls as project

# Text that must never reach the page: it stands for whatever an exception may carry.
SECRET = "secret-detail-8c1f"


def bad_request(request):
    raise SuspiciousOperation(f"{SECRET} suspicious")


def denied(request):
    raise PermissionDenied(f"{SECRET} denied")


def missing(request):
    raise Http404(f"{SECRET} missing")


def crash(request):
    raise RuntimeError(f"{SECRET} crash with settings.SECRET_KEY")


def database_down(request):
    raise DatabaseError(f"{SECRET} connection refused")


urlpatterns = [
    path("boom/400/", bad_request),
    path("boom/403/", denied),
    path("boom/404/", missing),
    path("boom/500/", crash),
    path("boom/db/", database_down),
    *project.urlpatterns,
]

handler400 = project.handler400
handler403 = project.handler403
handler404 = project.handler404
handler500 = project.handler500
