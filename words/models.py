from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from courseware.models import Course, Term


class WordQuerySet(models.QuerySet):
    def spelled(self, headword: str):
        """The word written ``headword``, in the Traditional original or in Simplified."""
        return self.filter(Q(headword=headword) | Q(simplified=headword))


class Word(models.Model):
    """A word of the course's Chinese text, as the loader segmented it, with what the word card
    shows; rebuilt by every course load (``words.services.refresh_course_words``)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="dictionary_words")
    # Traditional, as the course writes it.
    headword = models.CharField(_("word"), max_length=60)
    simplified = models.CharField(_("simplified"), max_length=60, db_index=True)
    # As the word reads in the course (polyphones in context), one syllable per character.
    pinyin = models.CharField(_("pinyin"), max_length=300)
    zhuyin = models.CharField(_("zhuyin"), max_length=300)
    # CC-CEDICT's entries for the word: [{traditional, simplified, pinyin, senses: […]}]; for a
    # word it does not list, the entries of its characters (``by_character``).
    entries = models.JSONField(_("dictionary entries"), default=list, blank=True)
    by_character = models.BooleanField(default=False)
    # The glossary term this word is a form of, if any: its card puts the course's own
    # definition first.
    term = models.ForeignKey(
        Term, on_delete=models.SET_NULL, null=True, blank=True, related_name="words"
    )

    objects = WordQuerySet.as_manager()

    class Meta:
        ordering = ["headword"]
        constraints = [
            models.UniqueConstraint(fields=["course", "headword"], name="one_word_per_course")
        ]
        verbose_name = _("word")
        verbose_name_plural = _("words")

    def __str__(self):
        return self.headword
