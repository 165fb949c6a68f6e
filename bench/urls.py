"""The benchmark's URLconf (``bench.settings`` only): the floors first, then the app's own.

The floors come first so that (b) and (c) pay one failed prefix match more than in
production, not the floors one full walk of the app's URLs: if anything, the floors look a
little faster than they would, and the ratios of the goals a little worse.
"""

from django.urls import include, path

from . import floors

urlpatterns = [
    path("_bench/page/", floors.signed_in_page, name="bench_floor_page"),
    path("_bench/insert/", floors.signed_in_insert, name="bench_floor_insert"),
    path("", include("config.urls")),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
