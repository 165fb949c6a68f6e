from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Exists, F, FloatField, Max, OuterRef, Q, Value, When
from django.db.models.functions import Cast
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courseware.models import Footnote, Passage, Unit

from . import grading

# Re-exported: the classroom app reads the threshold here.
MASTERY_THRESHOLD = grading.MASTERY_THRESHOLD


class Tag(models.Model):
    """The quiz taxonomy: the three phases, the strategies, the concepts and methods."""

    class Group(models.TextChoices):
        PHASE = "phase", _("Phase")
        STRATEGY = "strategy", _("Strategy")
        CONCEPT = "concept", _("Concept")
        METHOD = "method", _("Policy method")

    key = models.SlugField(_("key"), max_length=60, unique=True)
    group = models.CharField(_("group"), max_length=20, choices=Group.choices)
    label = models.CharField(_("label"), max_length=200)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.label


class ItemQuerySet(models.QuerySet):
    def current(self):
        return self.filter(archived=False)

    def for_unit(self, unit):
        return self.current().filter(unit=unit).order_by("order")

    def count_by_unit(self) -> dict[int, int]:
        """``{unit_id: number of items}`` in one query."""
        rows = self.order_by().values("unit_id").annotate(count=models.Count("pk"))
        return {row["unit_id"]: row["count"] for row in rows}

    def missed_by(self, student):
        """Items the student answered less than fully right in a graded attempt, ever."""
        missed = Response.objects.graded().for_student(student).missed().filter(item=OuterRef("pk"))
        return self.filter(Exists(missed))


class Item(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple response")
        TRUE_FALSE = "true_false", _("True or false")
        ORDERING = "ordering", _("Ordering")
        MATCHING = "matching", _("Matching")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="items")
    key = models.SlugField(_("key"), max_length=60, unique=True)
    order = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    stem = models.TextField(_("stem"))
    explanation = models.TextField(_("explanation"))
    passages = models.ManyToManyField(Passage, related_name="items", verbose_name=_("passages"))
    # For an answer that only a footnote holds (the Geneva terms of footnote 1).
    footnotes = models.ManyToManyField(
        Footnote, related_name="items", blank=True, verbose_name=_("footnotes")
    )
    tags = models.ManyToManyField(Tag, related_name="items", blank=True, verbose_name=_("tags"))
    archived = models.BooleanField(_("archived"), default=False)

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["unit__order", "order"]
        verbose_name = _("quiz item")
        verbose_name_plural = _("quiz items")

    def __str__(self):
        return self.key


class Choice(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="choices")
    key = models.SlugField(_("key"), max_length=30)
    # For ordering items this is the correct position; the attempt shows a shuffled order.
    order = models.PositiveIntegerField(default=0)
    text = models.TextField(_("text"))
    # Matching items only: the right-hand side this choice pairs with.
    match = models.TextField(_("match"), blank=True)
    is_correct = models.BooleanField(_("correct"), default=False)
    feedback = models.TextField(_("feedback"), blank=True)
    # Dropped from the course file (``load_course --force``) while stored answers name it:
    # kept so that those answers still show its text, but never offered nor graded again.
    archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["item", "key"], name="unique_choice_key")]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self):
        return f"{self.item.key}:{self.key}"


# When an attempt counts as finished, in SQL; ``Attempt.is_finished`` says the same in Python.
FINISHED = Q(finished_at__isnull=False)
OPEN = Q(finished_at__isnull=True)


class QuizPolicy(models.Model):
    """The rules of a graded quiz, set by the instructor on an assignment.

    A quiz without a policy is practice (instant feedback with the key, unlimited attempts).
    Attempts taken under a policy keep a link to it, so editing the policy applies at once to
    every attempt taken under it.
    """

    MIN_ATTEMPTS = 1
    MAX_ATTEMPTS = 10

    class GradingMethod(models.TextChoices):
        HIGHEST = "highest", _("Highest attempt")
        FIRST = "first", _("First attempt")
        LAST = "last", _("Last attempt")
        AVERAGE = "average", _("Average of the attempts")

    class ReviewMoment(models.TextChoices):
        AFTER_ANSWER = "answer", _("After each answer")
        AFTER_ATTEMPT = "attempt", _("After the attempt is handed in")
        AFTER_DUE = "due", _("After the due date")
        NEVER = "never", _("Never")

    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"),
        default=2,
        validators=[MinValueValidator(MIN_ATTEMPTS), MaxValueValidator(MAX_ATTEMPTS)],
    )
    grading_method = models.CharField(
        _("grading method"),
        max_length=10,
        choices=GradingMethod.choices,
        default=GradingMethod.HIGHEST,
    )
    review_moment = models.CharField(
        _("right answers and explanations shown"),
        max_length=10,
        choices=ReviewMoment.choices,
        default=ReviewMoment.AFTER_DUE,
    )
    # Before the review moment: whether each answer is marked right or wrong (True), or the
    # student sees only that the answer was recorded (False).
    show_correctness = models.BooleanField(_("show right or wrong before then"), default=True)

    class Meta:
        verbose_name = _("quiz policy")
        verbose_name_plural = _("quiz policies")

    def __str__(self):
        return f"{self.attempts_allowed} · {self.grading_method} · {self.review_moment}"


def current_choices(item) -> list:
    """The item's choices that are offered and graded, in order (prefetched or not)."""
    return sorted(
        (choice for choice in item.choices.all() if not choice.archived),
        key=lambda choice: choice.order,
    )


def attempt_score_expression():
    """The attempt's score in SQL: points / item_count, as ``Attempt.score`` computes it."""
    return Case(
        When(item_count__gt=0, then=F("points") / Cast("item_count", FloatField())),
        default=Value(0.0),
        output_field=FloatField(),
    )


def counted_under(policies, *, through: str = "") -> Q:
    """What a class counts (attempts, or with ``through="attempt__"`` their responses):
    practice, and what was taken under ``policies``, the class's own graded rules (ids or a
    values queryset). An attempt under another class's graded rules is that class's grade,
    never this one's."""
    return Q(**{f"{through}policy__isnull": True}) | Q(**{f"{through}policy__in": policies})


def best_score_expression():
    """The best score of the finished attempts aggregated over, in SQL (None if none)."""
    return Max(attempt_score_expression(), filter=FINISHED)


class AttemptQuerySet(models.QuerySet):
    def for_student(self, user):
        return self.filter(student=user)

    def for_unit(self, unit):
        return self.filter(unit=unit)

    def graded(self):
        """Full unit quizzes; "practise my mistakes" rounds do not count towards scores."""
        return self.filter(is_practice=False)

    def under(self, policy):
        """Attempts taken under a graded assignment's policy: they count towards its grade."""
        return self.filter(policy=policy)

    def counted_under(self, policies):
        """Practice, and attempts under ``policies`` (see ``counted_under``)."""
        return self.filter(counted_under(policies))

    def open(self):
        return self.filter(OPEN)

    def finished(self):
        return self.filter(FINISHED)


class Attempt(models.Model):
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="attempts")
    is_practice = models.BooleanField(_("practice"), default=False)
    # The item ids of this attempt, in the order shown; fixed when the attempt starts so that
    # later content changes do not reshuffle an attempt in progress.
    item_ids = models.JSONField(default=list)
    # Seeds the per-attempt shuffle of choices: stable within the attempt, different across.
    seed = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    item_count = models.PositiveIntegerField(default=0)
    answered_count = models.PositiveIntegerField(default=0)
    # Sum of the response scores; the attempt's score is points / item_count.
    points = models.FloatField(default=0)
    # Set when the attempt is taken under a graded assignment's rules; None is practice.
    policy = models.ForeignKey(
        QuizPolicy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attempts",
        verbose_name=_("quiz policy"),
    )
    # The student's own due date for the assignment (extensions included), when taken under a
    # policy: the moment "after the due date" is read from it. The classroom keeps it in step
    # when a due date or an extension changes.
    due_at = models.DateTimeField(_("due"), null=True, blank=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["started_at"]
        indexes = [models.Index(fields=["unit", "student", "started_at"])]
        constraints = [
            # One open graded attempt per student and unit: "start" resumes it.
            models.UniqueConstraint(
                fields=["student", "unit"],
                condition=Q(finished_at__isnull=True, is_practice=False),
                name="one_open_attempt_per_unit",
            )
        ]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")

    def __str__(self):
        return f"{self.student} · {self.unit.slug} · {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("quizzes:attempt", kwargs={"attempt_id": self.pk})

    @property
    def score(self) -> float:
        """From 0 to 1: the mean of the item scores, unanswered items counting 0
        (``attempt_score_expression`` is the same in SQL)."""
        return self.points / self.item_count if self.item_count else 0.0

    @property
    def shown_points(self) -> str:
        """The points as the quiz shows them: up to two decimals, none for a whole number
        (a separate value so that the kept answer fragment can leave a hole for it)."""
        return floatformat(self.points, "-2")

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def is_mastery(self) -> bool:
        return grading.is_mastery(self.score)

    @property
    def duration(self):
        """From start to hand-in; None while open."""
        return self.finished_at - self.started_at if self.finished_at else None

    @property
    def unanswered_count(self) -> int:
        return max(0, self.item_count - self.answered_count)

    @property
    def is_mostly_unanswered(self) -> bool:
        """Handed in with under half its items answered: a sign of trouble for the teacher."""
        return self.is_finished and self.answered_count * 2 < self.item_count


class ResponseQuerySet(models.QuerySet):
    def for_student(self, user):
        return self.filter(attempt__student=user)

    def graded(self):
        return self.filter(attempt__is_practice=False)

    def for_unit(self, unit):
        return self.filter(item__unit=unit)

    def missed(self):
        """Answers that earned less than full credit."""
        return self.filter(is_correct=False)


class Response(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="responses")
    # Choice keys: [key] for single/true-false, [keys…] for multiple, keys in the student's
    # order for ordering, {left key: right key} for matching.
    answer = models.JSONField()
    # How correct the answer was, from 0 to 1; partial credit for multiple/ordering/matching.
    score = models.FloatField()
    is_correct = models.BooleanField()
    answered_at = models.DateTimeField(default=timezone.now)
    # The score first given, kept when a corrected key regraded the answer (``load_course``).
    score_before_regrade = models.FloatField(_("score before regrading"), null=True, blank=True)
    regraded_at = models.DateTimeField(_("regraded"), null=True, blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["answered_at"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "item"], name="one_response_per_item")
        ]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self):
        return f"{self.attempt_id}:{self.item.key}"
