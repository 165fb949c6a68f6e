from django.conf import settings
from django.db import models
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from courseware.models import Passage, Term


class SavedWordQuerySet(models.QuerySet):
    def for_student(self, student):
        return self.filter(student=student)

    def with_places(self):
        """Where each word was met and when its next card is due, in the one query."""
        return self.select_related("passage__unit", "term").annotate(next_due=Min("cards__due"))

    def most_saved_by(self, students):
        """Headwords with how many of ``students`` (a queryset of user ids) saved them, most
        saved first: one query, whatever the number of students."""
        return (
            self.filter(student__in=students)
            .values("headword")
            .annotate(savers=Count("student", distinct=True), english=Max("term__term_en"))
            .order_by("-savers", "headword")
        )


class SavedWord(models.Model):
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_words"
    )
    # The word in Traditional characters, as the course is written: the identity of the
    # word, so 权力 saved from a Simplified page is the same word as 權力.
    # As long as a glossary term (a term is saved by its Traditional name).
    headword = models.CharField(_("word"), max_length=200)
    # Where the student met it: a passage (and so a unit), or none when saved from the
    # glossary. A passage dropped from the course leaves the word saved.
    passage = models.ForeignKey(
        Passage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when the word is a glossary term: the course's own bilingual definition.
    term = models.ForeignKey(
        Term, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    saved_at = models.DateTimeField(_("saved"), default=timezone.now)

    objects = SavedWordQuerySet.as_manager()

    class Meta:
        ordering = ["-saved_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["student", "headword"], name="one_saved_word")
        ]
        verbose_name = _("saved word")
        verbose_name_plural = _("saved words")

    def __str__(self):
        return self.headword


class CardQuerySet(models.QuerySet):
    def for_student(self, student):
        return self.filter(saved_word__student=student)

    def due(self, now=None):
        return self.filter(due__lte=now or timezone.now())

    def in_review_order(self):
        """Most overdue first; the two directions of one word apart by their due times."""
        return self.order_by("due", "pk")

    def deck_counts(self, now=None) -> dict:
        """{"words": saved words, "due": cards due now}, in one query."""
        return self.aggregate(
            words=Count("saved_word", distinct=True),
            due=Count("pk", filter=Q(due__lte=now or timezone.now())),
        )


class Card(models.Model):
    """One direction of one saved word, with the memory state FSRS keeps for it (the fields of
    ``fsrs.Card``; review/scheduling.py turns one into the other)."""

    class Direction(models.TextChoices):
        ZH_EN = "zh-en", _("Chinese → English")
        EN_ZH = "en-zh", _("English → Chinese")

    class State(models.IntegerChoices):
        # fsrs.State's values.
        LEARNING = 1, _("Learning")
        REVIEW = 2, pgettext_lazy("card state", "Review")
        RELEARNING = 3, _("Relearning")

    saved_word = models.ForeignKey(SavedWord, on_delete=models.CASCADE, related_name="cards")
    direction = models.CharField(max_length=5, choices=Direction.choices)
    due = models.DateTimeField(default=timezone.now, db_index=True)
    state = models.PositiveSmallIntegerField(choices=State.choices, default=State.LEARNING)
    # The learning or relearning step the card is on; None once in review.
    step = models.PositiveSmallIntegerField(null=True, blank=True, default=0)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    last_review = models.DateTimeField(null=True, blank=True)
    # How many times it has been graded. The grade form sends it back, so a second POST of
    # the same showing (a double tap, a retry) is recognised and stores nothing.
    review_count = models.PositiveIntegerField(default=0)

    objects = CardQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["saved_word", "direction"], name="one_card_per_direction"
            )
        ]
        verbose_name = _("review card")
        verbose_name_plural = _("review cards")

    def __str__(self):
        return f"{self.saved_word} · {self.direction}"


class Review(models.Model):
    class Rating(models.IntegerChoices):
        # fsrs.Rating's values.
        AGAIN = 1, _("Again")
        HARD = 2, _("Hard")
        GOOD = 3, _("Good")
        EASY = 4, _("Easy")

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="reviews")
    # The card's review_count when it was shown: one review per showing.
    showing = models.PositiveIntegerField()
    direction = models.CharField(max_length=5, choices=Card.Direction.choices)
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["reviewed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["card", "showing"], name="one_review_per_showing")
        ]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self):
        return f"{self.card} · {self.get_rating_display()}"
