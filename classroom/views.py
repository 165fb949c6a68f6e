from operator import itemgetter
from urllib.parse import parse_qs, urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from config.addresses import client_address
from config.htmx import redirect_after_post, render_page_or_partial, wants_partial
from courseware.models import Course, Unit
from quizzes import services as quiz_services
from quizzes.exchange import FORMATS as EXPORT_FORMATS
from quizzes.exchange import export_items
from quizzes.models import Item
from review.faces import with_entries
from review.models import SavedWord
from review.selectors import deck_counts

from . import exports
from .access import (
    get_any_enrollment_for_instructor,
    get_assignment_in_class,
    get_class_for_instructor,
    get_enrollment_for_instructor,
    instructor_required,
)
from .analysis import cached_item_analysis, unit_for_analysis
from .analysis import tag_mastery as tags_for_class
from .drilldown import student_record
from .forms import (
    TOO_MANY_SIGN_UPS,
    USERNAME_UNAVAILABLE,
    AssignmentForm,
    ExtensionForm,
    JoinForm,
    SchoolClassForm,
    SignInForm,
    SignUpForm,
)
from .limits import JoinCodeGuard
from .models import (
    JOIN_CODE_LENGTH,
    Assignment,
    Enrollment,
    SchoolClass,
    display_name,
    is_instructor,
)
from .progress import (
    DEFAULT_SORT,
    SORTS,
    STRUGGLE_SCORE,
    class_progress,
    student_assignments,
)
from .services import (
    claim_sign_up,
    do_join_class,
    do_readmit_student,
    do_regenerate_join_code,
    do_remove_student,
    do_reopen_last_attempt,
    do_set_extension,
    do_sign_up,
)
from .throttling import try_again_at

# Students per page of the class progress grid.
PROGRESS_PAGE_SIZE = 100

MOST_SAVED_SHOWN = 40

# ---------------------------------------------------------------------------------------
# Accounts


def join_code_in(request) -> str:
    """The join code a signed-out student brings from the instructor's join link: ``?code=``,
    or inside ``?next=/join/?code=…`` where sign-in sent them. Only filled into a form."""
    code = request.GET.get("code", "")
    if not code:
        target = urlsplit(request.GET.get("next", ""))
        if target.path == reverse("classroom:join"):
            code = parse_qs(target.query).get("code", [""])[0]
    return code[: JOIN_CODE_LENGTH * 2]


def _with_code(url: str, code: str, name: str = "code") -> str:
    return f"{url}?{urlencode({name: code})}" if code else url


class SignInView(auth_views.LoginView):
    template_name = "classroom/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        # Opened from a join link: sign-up carries the code on, filled in.
        code = join_code_in(self.request)
        return super().get_context_data(
            join_code=code,
            signup_url=_with_code(reverse("classroom:signup"), code),
            **kwargs,
        )


login = SignInView.as_view()
logout = auth_views.LogoutView.as_view()


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "classroom/password_change.html"
    success_url = reverse_lazy("classroom:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        if self.request.htmx:
            return redirect_after_post(self.request, self.get_success_url())
        return response

    def form_invalid(self, form):
        if wants_partial(self.request):
            context = self.get_context_data(form=form)
            return render(self.request, f"{self.template_name}#password-form", context)
        return super().form_invalid(form)


password_change = PasswordChangeView.as_view()
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="classroom/password_change_done.html"
)


def locked_out(request, original_response=None, credentials=None):
    """django-axes calls this once a sign-in is refused: say when to try again."""
    retry_at = try_again_at(request, credentials)
    seconds = max(0, int((retry_at - timezone.now()).total_seconds()))
    response = render(
        request,
        "classroom/locked_out.html",
        {"retry_at": retry_at, "minutes": max(1, -(-seconds // 60))},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def signup(request):
    if request.user.is_authenticated:
        return redirect("classroom:home")
    code = join_code_in(request)
    form = SignUpForm(
        request.POST or None,
        # From the join link (through sign-in or not): the code is filled in.
        initial={"join_code": code},
        guard=JoinCodeGuard(address=client_address(request)),
    )
    if request.method == "POST" and form.is_valid():
        # Checked on a sound form only: mistakes do not use up a class's sign-ups.
        if not claim_sign_up(address=client_address(request)):
            form.add_error(None, TOO_MANY_SIGN_UPS)
            return _signup_page(request, form)
        try:
            user = do_sign_up(
                username=form.cleaned_data["username"],
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password1"],
                school_class=form.school_class,
            )
        except IntegrityError:
            form.add_error("username", USERNAME_UNAVAILABLE)
        else:
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome! You have joined %(class)s.") % {"class": form.school_class.name},
            )
            return redirect_after_post(request, reverse("classroom:home"))
    return _signup_page(request, form)


def _signup_page(request, form):
    code = join_code_in(request)
    join_url = _with_code(reverse("classroom:join"), code)
    context = {
        "form": form,
        # Signing in instead goes on to the join form, the code filled in.
        "login_url": _with_code(reverse("classroom:login"), join_url if code else "", "next"),
    }
    return render_page_or_partial(request, "classroom/signup.html", "signup-form", context)


@require_safe
@login_required
def home(request):
    if is_instructor(request.user):
        return _instructor_home(request, SchoolClassForm())
    return _student_home(request, JoinForm(student=request.user, guard=_join_guard(request)))


def _instructor_home(request, form):
    classes = SchoolClass.objects.taught_by(request.user).with_student_count()
    return render(request, "classroom/instructor_home.html", {"classes": classes, "form": form})


def _student_home(request, form):
    return render(
        request,
        "classroom/student_home.html",
        {
            "classes": student_assignments(request.user),
            "form": form,
            "deck": deck_counts(request.user),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@vary_on_headers("HX-Request")
def join(request):
    if is_instructor(request.user):
        raise PermissionDenied
    form = JoinForm(
        request.POST or None,
        # The instructor's join link (/join/?code=…) fills the code in; joining is still a POST.
        initial={"join_code": request.GET.get("code", "")[: JOIN_CODE_LENGTH * 2]},
        student=request.user,
        guard=_join_guard(request),
    )
    if request.method == "POST" and form.is_valid():
        do_join_class(student=request.user, school_class=form.school_class)
        messages.success(
            request, _("You have joined %(class)s.") % {"class": form.school_class.name}
        )
        return redirect_after_post(request, reverse("classroom:home"))
    if wants_partial(request):
        return render(request, "classroom/student_home.html#join-form", {"form": form})
    return _student_home(request, form)


def _join_guard(request) -> JoinCodeGuard:
    return JoinCodeGuard(address=client_address(request), account=request.user.get_username())


# ---------------------------------------------------------------------------------------
# Classes and roster


@require_http_methods(["GET", "HEAD", "POST"])
@instructor_required
@vary_on_headers("HX-Request")
def class_create(request):
    form = SchoolClassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.instructor = request.user
        school_class = form.save()
        messages.success(
            request,
            _("Class created. Give your students the join code %(code)s.")
            % {"code": school_class.join_code},
        )
        url = reverse("classroom:class_detail", args=[school_class.pk])
        return redirect_after_post(request, url)
    if wants_partial(request):
        return render(request, "classroom/instructor_home.html#class-form", {"form": form})
    return _instructor_home(request, form)


def _class_page(request, school_class, *, form=None, editing=None, edit_form=None, notice=""):
    """The class page: its join code and its assignments (one of them maybe being edited)."""
    context = {
        "school_class": school_class,
        "tab": "class",
        "assignments": Assignment.objects.for_class(school_class),
        "form": form or AssignmentForm(school_class=school_class),
        "editing": editing,
        "edit_form": edit_form,
        "notice": notice,
        "now": timezone.now(),
    }
    return render_page_or_partial(request, "classroom/class_detail.html", "assignments", context)


@require_safe
@instructor_required
@vary_on_headers("HX-Request")
def class_detail(request, class_id):
    return _class_page(request, get_class_for_instructor(request.user, class_id))


@require_POST
@instructor_required
@vary_on_headers("HX-Request")
def regenerate_code(request, class_id):
    school_class = get_class_for_instructor(request.user, class_id)
    do_regenerate_join_code(school_class=school_class)
    notice = _("New join code: %(code)s. The old code no longer works.") % {
        "code": school_class.join_code
    }
    if wants_partial(request):
        return render(
            request,
            "classroom/class_detail.html#join-code",
            {"school_class": school_class, "notice": notice},
        )
    messages.success(request, notice)
    return redirect("classroom:class_detail", class_id=school_class.pk)


@require_safe
@instructor_required
def saved_words(request, class_id):
    """The words the class's students saved most: a hint of what they find hard."""
    school_class = get_class_for_instructor(request.user, class_id)
    students = Enrollment.objects.in_class(school_class).values("student")
    return render(
        request,
        "classroom/saved_words.html",
        {
            "school_class": school_class,
            "tab": "words",
            "words": with_entries(
                SavedWord.objects.most_saved_by(students)[:MOST_SAVED_SHOWN],
                headword=itemgetter("headword"),
            ),
            "class_size": students.count(),
        },
    )


@require_safe
@instructor_required
def roster(request, class_id):
    school_class = get_class_for_instructor(request.user, class_id)
    enrollments = Enrollment.objects.in_class(school_class).select_related("student").by_name()
    removed = (
        Enrollment.objects.removed()
        .filter(school_class=school_class)
        .select_related("student")
        .by_name()
    )
    return render(
        request,
        "classroom/roster.html",
        {
            "school_class": school_class,
            "tab": "roster",
            "enrollments": enrollments,
            "removed": removed,
        },
    )


@require_POST
@instructor_required
def readmit_student(request, class_id, student_id):
    enrollment = get_any_enrollment_for_instructor(request.user, class_id, student_id)
    if enrollment.removed_at is not None:  # a second click changes nothing
        do_readmit_student(enrollment=enrollment)
    messages.success(
        request,
        _("%(name)s is back in the class, with their earlier answers.")
        % {"name": display_name(enrollment.student)},
    )
    return redirect("classroom:roster", class_id=enrollment.school_class_id)


@require_POST
@instructor_required
@vary_on_headers("HX-Request")
def remove_student(request, class_id, student_id):
    enrollment = get_enrollment_for_instructor(request.user, class_id, student_id)
    school_class = enrollment.school_class
    do_remove_student(enrollment=enrollment)
    notice = _("%(name)s was removed from the class. Their answers are kept.") % {
        "name": display_name(enrollment.student)
    }
    if wants_partial(request):
        return render(
            request,
            "classroom/roster.html#removed-row",
            {"enrollment": enrollment, "notice": notice},
        )
    messages.success(request, notice)
    return redirect("classroom:roster", class_id=school_class.pk)


# ---------------------------------------------------------------------------------------
# Assignments: every action answers with the assignments section (htmx) or the class page.


@require_http_methods(["GET", "HEAD", "POST"])
@instructor_required
@vary_on_headers("HX-Request")
def assignment_create(request, class_id):
    school_class = get_class_for_instructor(request.user, class_id)
    if request.method == "GET":
        return _class_page(request, school_class)
    form = AssignmentForm(request.POST, school_class=school_class)
    if not form.is_valid():
        return _class_page(request, school_class, form=form)
    assignment = form.save()
    notice = _("%(unit)s assigned.") % {"unit": assignment.unit}
    return _assignment_saved(request, school_class, notice)


def _assignment_saved(request, school_class, notice):
    if wants_partial(request):
        return _class_page(request, school_class, notice=notice)
    messages.success(request, notice)
    return redirect("classroom:class_detail", class_id=school_class.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@instructor_required
@vary_on_headers("HX-Request")
def assignment_edit(request, class_id, assignment_id):
    school_class = get_class_for_instructor(request.user, class_id)
    assignment = get_assignment_in_class(school_class, assignment_id)
    edit_form = AssignmentForm(
        request.POST or None, instance=assignment, school_class=school_class, prefix="edit"
    )
    if request.method == "POST" and edit_form.is_valid():
        edit_form.save()
        return _assignment_saved(
            request, school_class, _("%(unit)s updated.") % {"unit": assignment.unit}
        )
    return _class_page(request, school_class, editing=assignment, edit_form=edit_form)


@require_POST
@instructor_required
@vary_on_headers("HX-Request")
def assignment_delete(request, class_id, assignment_id):
    school_class = get_class_for_instructor(request.user, class_id)
    assignment = get_assignment_in_class(school_class, assignment_id)
    unit = assignment.unit
    assignment.delete()
    notice = _("%(unit)s is no longer assigned. Students' answers are kept.") % {"unit": unit}
    return _assignment_saved(request, school_class, notice)


# ---------------------------------------------------------------------------------------
# Progress, drill-down, statistics, exports
#
# The grids and exports are large (the progress page of 300 students is ~500 KB of HTML, 25 KB
# gzipped); config.middleware.GZipMiddleware compresses them like every page, at GZIP_LEVEL,
# and not at all with GZIP_LEVEL=0 (a proxy compresses). BREACH needs many cross-site
# requests carrying the session cookie: SameSite=Lax cookies are not sent on those, and the
# CSRF token in the page is masked afresh on every response.


@require_safe
@instructor_required
@vary_on_headers("HX-Request")
def progress(request, class_id):
    school_class = get_class_for_instructor(request.user, class_id)
    grid = class_progress(school_class)
    sort = request.GET.get("sort", DEFAULT_SORT)
    if sort not in SORTS:
        sort = DEFAULT_SORT
    query = request.GET.get("q", "")[:100]
    help_only = request.GET.get("help") == "1"
    rows = grid.view(sort=sort, query=query, help_only=help_only)
    # A page of rows at a time: a large class's whole grid is hundreds of kilobytes to send
    # and lay out. The summary row, the sorting and the search still cover every student,
    # and the gradebook CSV has them all.
    page = Paginator(rows, PROGRESS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "school_class": school_class,
        "tab": "progress",
        "grid": grid,
        "rows": page.object_list,
        "page": page,
        "shown": len(rows),
        "sort": sort,
        "q": query,
        "help_only": help_only,
        "struggle_percent": int(STRUGGLE_SCORE * 100),
    }
    return render_page_or_partial(request, "classroom/progress.html", "grid-update", context)


@require_safe
@instructor_required
def student_detail(request, class_id, student_id):
    enrollment = get_enrollment_for_instructor(request.user, class_id, student_id)
    return _student_page(request, enrollment)


def _student_page(request, enrollment, *, errors=None, status=200):
    school_class = enrollment.school_class
    units = student_record(school_class, enrollment.student)
    errors = errors or {}
    for entry in units:
        assignment = entry.assignment
        entry.extension_form = errors.get(assignment.pk) or ExtensionForm(
            initial={
                "due_at": assignment.own_due_at,
                "extra_attempts": assignment.extra_attempts or 0,
            },
            auto_id=f"ext{assignment.pk}-%s",
        )
    return render(
        request,
        "classroom/student_detail.html",
        {
            "school_class": school_class,
            "tab": "progress",
            "enrollment": enrollment,
            "student": enrollment.student,
            "units": units,
        },
        status=status,
    )


def _back_to_student(request, enrollment, notice: str = ""):
    if notice:
        messages.success(request, notice)
    return redirect_after_post(
        request,
        reverse(
            "classroom:student_detail",
            kwargs={
                "class_id": enrollment.school_class_id,
                "student_id": enrollment.student_id,
            },
        ),
    )


@require_POST
@instructor_required
@vary_on_headers("HX-Request")
def extension(request, class_id, student_id, assignment_id):
    """One student's own due date and extra attempts on an assignment."""
    enrollment = get_enrollment_for_instructor(request.user, class_id, student_id)
    assignment = get_assignment_in_class(enrollment.school_class, assignment_id)
    form = ExtensionForm(request.POST, auto_id=f"ext{assignment.pk}-%s")
    if not form.is_valid():
        return _student_page(request, enrollment, errors={assignment.pk: form})
    do_set_extension(
        assignment=assignment,
        student=enrollment.student,
        due_at=form.cleaned_data["due_at"],
        extra_attempts=form.cleaned_data["extra_attempts"],
    )
    notice = _("%(student)s's terms on %(unit)s saved.") % {
        "student": display_name(enrollment.student),
        "unit": assignment.unit,
    }
    return _back_to_student(request, enrollment, notice)


@require_POST
@instructor_required
@vary_on_headers("HX-Request")
def reopen_attempt(request, class_id, student_id, assignment_id):
    """Open the student's last finished attempt on the assignment again, answers kept."""
    enrollment = get_enrollment_for_instructor(request.user, class_id, student_id)
    assignment = get_assignment_in_class(enrollment.school_class, assignment_id)
    try:
        do_reopen_last_attempt(assignment=assignment, student=enrollment.student)
    except quiz_services.NothingToReopen:
        messages.error(
            request,
            _("There is no finished attempt to reopen, or an attempt is open already."),
        )
        return _back_to_student(request, enrollment)
    notice = _("The last attempt of %(student)s on %(unit)s is open again.") % {
        "student": display_name(enrollment.student),
        "unit": assignment.unit,
    }
    return _back_to_student(request, enrollment, notice)


@require_safe
@instructor_required
@vary_on_headers("HX-Request")
def item_analysis(request, class_id, slug):
    school_class = get_class_for_instructor(request.user, class_id)
    unit = unit_for_analysis(school_class, slug)
    all_attempts = request.GET.get("attempts") == "all"
    context = {
        "school_class": school_class,
        "tab": "analysis",
        "unit": unit,
        "assignments": Assignment.objects.for_class(school_class),
        "analysis": cached_item_analysis(school_class, unit, all_attempts=all_attempts),
    }
    return render_page_or_partial(request, "classroom/item_analysis.html", "analysis", context)


@require_safe
@instructor_required
def tag_mastery(request, class_id):
    school_class = get_class_for_instructor(request.user, class_id)
    return render(
        request,
        "classroom/tag_mastery.html",
        {"school_class": school_class, "tab": "tags", "mastery": tags_for_class(school_class)},
    )


@require_safe
@instructor_required
def gradebook_csv(request, class_id):
    school_class = get_class_for_instructor(request.user, class_id)
    grid = class_progress(school_class)
    return exports.csv_response(
        f"gradebook-class-{school_class.pk}.csv",
        exports.gradebook_header(grid),
        exports.gradebook_rows(grid),
    )


@require_safe
@instructor_required
def responses_csv(request, class_id):
    school_class = get_class_for_instructor(request.user, class_id)
    return exports.csv_response(
        f"responses-class-{school_class.pk}.csv",
        exports.response_header(),
        exports.response_rows(school_class),
    )


# ---------------------------------------------------------------------------------------
# The item bank for other learning platforms (Moodle XML, GIFT, QTI 2.1)


def _course() -> Course:
    return get_object_or_404(Course.objects.order_by("pk")[:1])


@require_safe
@instructor_required
def item_bank(request):
    course = _course()
    counts = Item.objects.current().filter(unit__course=course).count_by_unit()
    units = [
        (unit, counts.get(unit.pk, 0))
        for unit in Unit.objects.in_reading_order().filter(course=course)
    ]
    return render(
        request,
        "classroom/item_bank.html",
        {
            "formats": EXPORT_FORMATS.values(),
            "units": [(unit, count) for unit, count in units if count],
            "item_count": sum(count for _unit, count in units),
        },
    )


@require_safe
@instructor_required
def item_bank_download(request, fmt, slug=None):
    if fmt not in EXPORT_FORMATS:
        raise Http404
    course = _course()
    unit = None
    if slug is not None:
        unit = get_object_or_404(Unit.objects.current().filter(course=course), slug=slug)
    exported = export_items(fmt, course=course, unit=unit)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response
