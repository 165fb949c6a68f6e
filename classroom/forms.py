from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courseware.models import Unit
from quizzes.models import QuizPolicy

from .limits import JoinCodeGuard
from .models import (
    FIRST_YEAR,
    LAST_YEAR,
    Assignment,
    Enrollment,
    SchoolClass,
    normalise_join_code,
    validate_course_date,
)
from .services import save_assignment

WRONG_JOIN_CODE = _(
    "No class has this join code. Check the code with your instructor and try again."
)
# Deliberately says nothing about whether an account with this name exists.
USERNAME_UNAVAILABLE = _("This username cannot be used. Please choose another one.")
TOO_MANY_WRONG_CODES = _(
    "Too many wrong join codes have been tried from your account or network in the last "
    "hour. Please check the code with your instructor and try again later."
)
REMOVED_FROM_CLASS = _(
    "Your instructor removed you from this class. Ask them to re-admit you; your earlier "
    "answers are kept."
)
TOO_MANY_SIGN_UPS = _(
    "Too many accounts have been created from your network in the last hour. Please try "
    "again later, or ask your instructor for help."
)


class JoinCodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Class join code"))
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "help_text", _("The code your instructor gave you, for example K7QX3MPA.")
        )
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "autocapitalize": "characters"})

    def to_python(self, value):
        return normalise_join_code(super().to_python(value))


def class_with_code(code: str, guard: JoinCodeGuard) -> SchoolClass:
    """The class this code opens. Wrong codes count against ``guard``'s hourly limits, and
    once they are used up no code is even looked up."""
    if guard.exhausted():
        raise ValidationError(TOO_MANY_WRONG_CODES, code="too_many_wrong_codes")
    school_class = SchoolClass.objects.filter(join_code=code).first()
    if school_class is None:
        guard.record_wrong_code()
        raise ValidationError(WRONG_JOIN_CODE, code="wrong_join_code")
    return school_class


class SignUpForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("You sign in with it. Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=150,
        help_text=_("The name your instructor sees, for example 陳怡君."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    join_code = JoinCodeField()

    def __init__(self, *args, guard: JoinCodeGuard, **kwargs):
        super().__init__(*args, **kwargs)
        self.guard = guard
        self.school_class: SchoolClass | None = None
        # Built per request, in the reader's language.
        self.fields[
            "password1"
        ].help_text = password_validation.password_validators_help_text_html()

    def clean_username(self):
        return get_user_model().normalize_username(self.cleaned_data["username"])

    def clean_join_code(self):
        self.school_class = class_with_code(self.cleaned_data["join_code"], self.guard)
        return self.cleaned_data["join_code"]

    def clean(self):
        cleaned = super().clean()
        username = cleaned.get("username")
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            user = get_user_model()(
                username=username or "", first_name=cleaned.get("display_name", "")
            )
            try:
                password_validation.validate_password(password1, user)
            except ValidationError as error:
                self.add_error("password1", error)
        # Only someone holding a valid join code learns that a username is taken.
        if (
            self.school_class is not None
            and username
            and get_user_model().objects.filter(username__iexact=username).exists()
        ):
            self.add_error("username", USERNAME_UNAVAILABLE)
        return cleaned


class JoinForm(forms.Form):
    join_code = JoinCodeField()

    def __init__(self, *args, student, guard: JoinCodeGuard, **kwargs):
        super().__init__(*args, **kwargs)
        self.student = student
        self.guard = guard
        self.school_class: SchoolClass | None = None

    def clean_join_code(self):
        school_class = class_with_code(self.cleaned_data["join_code"], self.guard)
        enrollment = Enrollment.objects.filter(
            school_class=school_class, student=self.student
        ).first()
        if enrollment is not None and enrollment.removed_at is not None:
            raise ValidationError(REMOVED_FROM_CLASS, code="removed")
        if enrollment is not None:
            raise ValidationError(_("You are already in this class."), code="already_joined")
        self.school_class = school_class
        return self.cleaned_data["join_code"]


class SchoolClassForm(forms.ModelForm):
    class Meta:
        model = SchoolClass
        fields = ["name", "term"]
        help_texts = {"term": _("For example 2026 Spring or 114-2.")}


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        # The browser's picker keeps to the years the model accepts.
        attrs = {
            "min": f"{FIRST_YEAR}-01-01T00:00",
            "max": f"{LAST_YEAR}-12-31T23:59",
            **(attrs or {}),
        }
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


PAST_DUE = _(
    "This due date is in the past: students will see the unit as overdue at once. "
    "Tick the box below to assign it anyway."
)


class AssignmentForm(forms.ModelForm):
    """The assignment and its quiz's rules: practice, or graded under a ``QuizPolicy``."""

    quiz_kind = forms.ChoiceField(
        label=_("Quiz"),
        choices=[
            ("practice", _("Practice: instant feedback with the answers, unlimited attempts")),
            ("graded", _("Graded: limited attempts, answers shown when you choose")),
        ],
        initial="practice",
        # Left out (an older form, a script): practice, today's behaviour.
        required=False,
        widget=forms.RadioSelect,
    )
    attempts_allowed = forms.IntegerField(
        label=_("Attempts allowed (graded)"),
        min_value=QuizPolicy.MIN_ATTEMPTS,
        max_value=QuizPolicy.MAX_ATTEMPTS,
        initial=2,
        required=False,
    )
    grading_method = forms.ChoiceField(
        label=_("Grade (graded)"),
        choices=QuizPolicy.GradingMethod.choices,
        initial=QuizPolicy.GradingMethod.HIGHEST,
        required=False,
    )
    review_moment = forms.ChoiceField(
        label=_("Right answers and explanations shown (graded)"),
        choices=QuizPolicy.ReviewMoment.choices,
        initial=QuizPolicy.ReviewMoment.AFTER_DUE,
        required=False,
    )
    show_correctness = forms.BooleanField(
        label=_("Before then, show whether each answer was right (graded)"),
        initial=True,
        required=False,
    )
    POLICY_FIELDS = ("attempts_allowed", "grading_method", "review_moment", "show_correctness")
    # Asked only when a due date in the past is entered (a slip of the year, often); hidden
    # until then, so an ordinary assignment takes one step.
    confirm_past_due = forms.BooleanField(
        label=_("Yes, the due date is in the past"),
        required=False,
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Assignment
        fields = ["unit", "due_at", "visible_from", "note"]
        widgets = {
            "due_at": LocalDateTimeInput(),
            "visible_from": LocalDateTimeInput(),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        # The model's field has no verbose name of its own: its label was English everywhere.
        labels = {"unit": _("Unit")}
        help_texts = {
            "visible_from": _("Leave empty to show it to students at once."),
            "note": _("Optional. Students see it beside the unit."),
        }

    def __init__(self, *args, school_class: SchoolClass, **kwargs):
        super().__init__(*args, **kwargs)
        self.school_class = school_class
        taken = Assignment.objects.filter(school_class=school_class)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        units = Unit.objects.current()
        if self.instance.pk:
            units = Unit.objects.filter(Q(archived=False) | Q(pk=self.instance.unit_id))
        self.fields["unit"].queryset = units.order_by("order").exclude(
            pk__in=taken.values("unit_id")
        )
        self.fields["unit"].empty_label = _("Choose a unit")
        policy = self.instance.policy if self.instance.pk else None
        if policy is not None:
            self.initial.setdefault("quiz_kind", "graded")
            for name in self.POLICY_FIELDS:
                self.initial.setdefault(name, getattr(policy, name))

    def clean_due_at(self):
        validate_course_date(self.cleaned_data["due_at"])
        return self.cleaned_data["due_at"]

    def clean_visible_from(self):
        validate_course_date(self.cleaned_data["visible_from"])
        return self.cleaned_data["visible_from"]

    def clean(self):
        cleaned = super().clean()
        due_at, visible_from = cleaned.get("due_at"), cleaned.get("visible_from")
        if due_at and visible_from and visible_from > due_at:
            self.add_error("visible_from", _("The unit must become visible before it is due."))
        if self._past_due_entered(due_at) and not cleaned.get("confirm_past_due"):
            self.add_error("due_at", PAST_DUE)
            self.fields["confirm_past_due"].widget = forms.CheckboxInput()
        if cleaned.get("quiz_kind") == "graded":
            if cleaned.get("attempts_allowed") is None and "attempts_allowed" not in self.errors:
                self.add_error("attempts_allowed", _("Give the number of attempts, 1 to 10."))
            for name in ("grading_method", "review_moment"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, _("Choose one."))
        return cleaned

    def policy_values(self) -> dict | None:
        """The graded quiz's rules as entered, or None for a practice quiz."""
        if self.cleaned_data["quiz_kind"] != "graded":
            return None
        return {name: self.cleaned_data[name] for name in self.POLICY_FIELDS}

    def _past_due_entered(self, due_at) -> bool:
        """A due date in the past that the instructor typed now, not one the assignment
        already had (the form shows minutes, so a date within a minute of it is unchanged)."""
        if not due_at or due_at >= timezone.now():
            return False
        before = self.instance.due_at if self.instance.pk else None
        return before is None or abs((due_at - before).total_seconds()) >= 60

    def save(self, commit=True):
        # The policy and the attempts' due dates change with the assignment: one service.
        self.instance.school_class = self.school_class
        return save_assignment(assignment=super().save(commit=False), policy=self.policy_values())


class ExtensionForm(forms.Form):
    """One student's own terms on an assignment."""

    due_at = forms.DateTimeField(
        label=_("Own due date"),
        required=False,
        widget=LocalDateTimeInput(),
        help_text=_("Leave empty to keep the class's due date."),
    )
    extra_attempts = forms.IntegerField(
        label=_("Extra attempts (graded quiz)"),
        min_value=0,
        max_value=QuizPolicy.MAX_ATTEMPTS,
        initial=0,
        required=False,
    )

    def clean_extra_attempts(self):
        return self.cleaned_data.get("extra_attempts") or 0


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing over-long usernames before they reach django-axes.

    AuthenticationForm authenticates even when the username field failed validation, and axes
    then stores the attempted name in a 255-character column: on PostgreSQL that is a 500.
    """

    def clean(self):
        username = self.data.get("username", "")
        if len(str(username)) > get_user_model()._meta.get_field("username").max_length:
            raise self.get_invalid_login_error()
        return super().clean()
