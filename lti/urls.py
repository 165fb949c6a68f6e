from django.urls import path

from . import views

app_name = "lti"

urlpatterns = [
    path("lti/login/", views.Login.as_view(), name="login"),
    path("lti/login/<uuid:registration_uuid>/", views.Login.as_view(), name="login_for"),
    path("lti/launch/", views.Launch.as_view(), name="launch"),
    path("lti/deep-link/", views.deep_link, name="deep_link"),
    path("lti/continue/<str:token>/", views.continue_launch, name="continue"),
    path("lti/jwks/", views.jwks, name="jwks"),
    path("lti/setup/", views.setup, name="setup"),
    path("lti/classes/<int:class_id>/roster-sync/", views.sync_roster, name="sync_roster"),
]
