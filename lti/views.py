"""The LTI 1.3 tool: OIDC login, launch, deep linking, JWKS, and the setup page.

django-lti (lti_tool) validates launches through pylti1p3: the platform's signature on the
id_token (its JWKS), the nonce and state issued by our login step, the registration and the
deployment. On top of it: a replayed id_token is refused, pages shown in the LMS's iframe
carry frame headers for the registered platforms only (framing.py), and nothing here needs
our session cookie inside the iframe (tokens.py).
"""

from __future__ import annotations

import re
import secrets

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from lti_tool.models import Key, LtiRegistration
from lti_tool.services.nrps import fetch_member_data
from lti_tool.utils import DjangoToolConfig, get_launch_from_request
from lti_tool.views import LtiLaunchBaseView, OIDCLoginInitView
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoOIDCLogin
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.lineitem import LineItem
from requests import RequestException

from classroom.access import get_class_for_instructor, instructor_required
from courseware.models import Unit
from quizzes.models import Item

from . import services, tokens
from .framing import framed_by_platforms, origin
from .models import Activity, LtiClass

BACKEND = "django.contrib.auth.backends.ModelBackend"
STATE = re.compile(r"state-[0-9a-f-]{36}")
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


class Login(OIDCLoginInitView):
    """Step 1: the platform asks us to start the login; we send the browser back to it."""

    http_method_names = ["get", "head", "post"]

    def get_oidc_response(self, request, registration_uuid, params):
        target = params.get("target_link_uri")
        if not target or not params.get("iss") or not params.get("login_hint"):
            raise PermissionDenied
        # The launch must come back here, whatever the platform was told.
        if origin(target) != origin(request.build_absolute_uri("/")):
            raise PermissionDenied
        login = DjangoOIDCLogin(
            request,
            DjangoToolConfig(registration_uuid),
            launch_data_storage=DjangoCacheDataStorage(),
        )
        try:
            # No cookie-check page: it needs inline script, which our policy forbids.
            return login.redirect(target)
        except (LtiException, OIDCException) as error:
            raise PermissionDenied from error


@method_decorator(framed_by_platforms, name="dispatch")
class Launch(LtiLaunchBaseView):
    """Step 2: the platform posts the signed id_token; resource links and deep linking."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        # pylti1p3 makes cache keys of the state: only the shape our login step issues.
        if not request.POST.get("id_token") or not STATE.fullmatch(request.POST.get("state", "")):
            raise PermissionDenied
        try:
            return super().post(request, *args, **kwargs)
        except LtiException as error:
            raise PermissionDenied from error

    def launch_setup(self, request, lti_launch):
        if not tokens.first_use_of_launch_nonce(
            lti_launch.get_claim("iss"), lti_launch.get_claim("nonce")
        ):
            raise PermissionDenied  # a replayed id_token

    def handle_resource_launch(self, request, lti_launch):
        slug = lti_launch.get_custom_claim("unit")
        unit = Unit.objects.current().filter(slug=slug).first() if slug else None
        if unit is None:
            raise Http404
        activity = lti_launch.get_custom_claim("activity") or Activity.READING
        user, school_class = services.do_lti_sign_in(launch=lti_launch)
        services.do_record_activity(
            launch=lti_launch, school_class=school_class, unit=unit, activity=activity
        )
        target = unit.get_absolute_url()
        if activity == Activity.QUIZ:
            target += "#quiz-panel-heading"
        # Signed in here too, for a platform that opens the tool in a window of its own.
        auth_login(request, user, backend=BACKEND)
        if lti_launch.document_target == "window":
            return redirect(target)
        token = tokens.continue_token(
            user_id=user.pk, next_url=target, nonce=secrets.token_urlsafe(16)
        )
        return render(
            request,
            "lti/launched.html",
            {
                "unit": unit,
                "activity": activity,
                "continue_url": reverse("lti:continue", kwargs={"token": token}),
            },
        )

    def handle_deep_linking_launch(self, request, lti_launch):
        if not services.is_teaching(lti_launch.roles_claim):
            raise PermissionDenied
        units = list(Unit.objects.in_reading_order())
        counts = Item.objects.current().filter(unit__in=units).count_by_unit()
        return render(
            request,
            "lti/deep_link.html",
            {
                "units": [(unit, counts.get(unit.pk, 0)) for unit in units],
                "token": tokens.deep_link_token(lti_launch.get_launch_id()),
            },
        )


@csrf_exempt  # framed in the LMS: the signed launch token stands in for the CSRF token
@require_POST
@framed_by_platforms
def deep_link(request):
    """Step 3 of deep linking: the chosen unit goes back to the platform as a signed link."""
    launch_id = tokens.read_deep_link_token(request.POST.get("token", ""))
    choice = request.POST.get("choice", "")
    slug, _sep, activity = choice.rpartition(":")
    unit = Unit.objects.current().filter(slug=slug).first() if slug else None
    if launch_id is None or unit is None or activity not in Activity.values:
        raise PermissionDenied
    try:
        lti_launch = get_launch_from_request(request, launch_id)
        deep_link_service = lti_launch.get_message_launch().get_deep_link()
    except LtiException as error:
        raise PermissionDenied from error
    if not lti_launch.is_deep_link_launch or not services.is_teaching(lti_launch.roles_claim):
        raise PermissionDenied
    title = unit.heading
    if activity == Activity.QUIZ:
        title = _("%(unit)s: quiz") % {"unit": title}
    resource = (
        DeepLinkResource()
        .set_url(request.build_absolute_uri(reverse("lti:launch")))
        .set_title(title)
        .set_custom_params({"unit": unit.slug, "activity": activity})
    )
    if activity == Activity.QUIZ:
        # A gradebook column of its own, scored 0 to 1 like our attempts.
        resource.set_lineitem(
            LineItem().set_score_maximum(1).set_label(title).set_resource_id(unit.slug)
        )
    settings_claim = lti_launch.get_claim(DEEP_LINKING_SETTINGS) or {}
    return_url = settings_claim.get("deep_link_return_url", "")
    if origin(return_url) is None:
        raise PermissionDenied
    response = render(
        request,
        "lti/deep_link_return.html",
        {
            "return_url": return_url,
            "jwt": deep_link_service.get_response_jwt([resource]),
            "title": title,
        },
    )
    response.lti_form_targets = [origin(return_url)]
    return response


@require_safe
def continue_launch(request, token):
    """Opened in a new tab (first-party, our own cookies): sign in once, open the unit."""
    data = tokens.use_continue_token(token)
    if data is None:
        raise PermissionDenied
    user = get_user_model().objects.filter(pk=data["user"], is_active=True).first()
    if user is None or not data["next"].startswith("/") or data["next"].startswith("//"):
        raise PermissionDenied
    auth_login(request, user, backend=BACKEND)
    return HttpResponseRedirect(data["next"])


@require_safe
def jwks(request):
    return JsonResponse(Key.objects.as_jwks())


@require_POST
@instructor_required
def sync_roster(request, class_id):
    """Names and Role Provisioning Services: enrol the LMS course's learners now."""
    school_class = get_class_for_instructor(request.user, class_id)
    link = LtiClass.objects.filter(school_class=school_class).select_related("context").first()
    if link is None or not link.context.memberships_url:
        messages.error(request, _("This class is not tied to a course in an LMS."))
        return redirect("classroom:roster", class_id=school_class.pk)
    try:
        members = fetch_member_data(link.context)
    except (LtiException, RequestException, ValueError):
        messages.error(request, _("The LMS did not send its roster. Try again later."))
    else:
        counts = services.do_sync_roster(school_class=school_class, members=members)
        messages.success(
            request,
            _("Roster synchronised: %(learners)s learners in the LMS, %(enrolled)s newly enrolled.")
            % counts,
        )
    return redirect("classroom:roster", class_id=school_class.pk)


@require_safe
@staff_member_required
def setup(request):
    """What a platform's administrator types in to register the tool."""
    absolute = request.build_absolute_uri
    registrations = LtiRegistration.objects.prefetch_related("deployments").order_by("name")
    return render(
        request,
        "lti/setup.html",
        {
            "launch_url": absolute(reverse("lti:launch")),
            "login_url": absolute(reverse("lti:login")),
            "jwks_url": absolute(reverse("lti:jwks")),
            "registrations": [
                (
                    registration,
                    absolute(reverse("lti:login_for", args=[registration.uuid])),
                )
                for registration in registrations
            ],
            "has_key": Key.objects.active().exists(),
        },
    )
