import time

from django.conf import settings
from django.db import models
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from config.prepared import PreparedQuery


def content_clock() -> int:
    """Milliseconds since 1970: where content versions come from."""
    return time.time_ns() // 1_000_000


class CourseQuerySet(models.QuerySet):
    def mark_content_changed(self) -> None:
        """Retire every cached rendering of the content (unit bodies, reading order, item data).

        The new version is the clock's, or one more than the last if that is later: versions
        never repeat, not even after a database restored from a backup (which brings an older
        version back) or recreated. A counter would give the next change the version of a
        change the restore undid, and every running process would serve that change's pages
        from its content cache (tests/courseware/test_reading.py).
        """
        self.update(
            content_version=Greatest(
                models.F("content_version") + 1,
                models.Value(content_clock()),
                output_field=models.PositiveBigIntegerField(),
            )
        )

    def content_stamp(self) -> str:
        """Every course's content version in a short string, for keys of content shared
        across courses: it changes whenever any course's content does."""
        rows = _every_content_version.rows()
        return ",".join(f"{pk}.{version}" for pk, version in rows)


# Asked on nearly every request (the keys of the content cache): compiled once. A plain
# QuerySet: modeltranslation's values_list() adds fallbacks these columns do not need.
_every_content_version = PreparedQuery(
    lambda: models.QuerySet(Course).order_by("pk").values_list("pk", "content_version")
)


class Course(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=300)
    author = models.CharField(_("author"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.TextField(_("source"), blank=True)
    # Changed on every content load and admin edit so that cached renderings of the old text
    # are never served: from the clock, so a version never repeats (mark_content_changed).
    content_version = models.PositiveBigIntegerField(default=content_clock, editable=False)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self):
        return self.title


class UnitQuerySet(models.QuerySet):
    def current(self):
        """Units students can read: archived units keep their answers but leave the course."""
        return self.filter(archived=False)

    def in_reading_order(self):
        return self.current().order_by("order")


class Unit(models.Model):
    class Kind(models.TextChoices):
        ABSTRACT = "abstract", _("Abstract")
        SECTION = "section", _("Section")
        PHASE = "phase", _("Phase")
        CONCLUSION = "conclusion", _("Conclusion")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="units")
    slug = models.SlugField(_("slug"), unique=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("section label"), max_length=40, help_text=_("For example 壹 / I"))
    title = models.CharField(_("title"), max_length=300)
    period = models.CharField(_("period"), max_length=60, blank=True)
    summary = models.TextField(_("summary"))
    # One learning objective per line.
    objectives = models.TextField(
        _("learning objectives"), help_text=_("One learning objective per line")
    )
    archived = models.BooleanField(_("archived"), default=False)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["order"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self):
        return self.heading

    def get_absolute_url(self):
        return reverse("courseware:unit", kwargs={"slug": self.slug})

    @property
    def heading(self) -> str:
        """Label and title ("壹 前言"); the abstract's label is its title, so not doubled."""
        if self.label == self.title:
            return self.title
        return f"{self.label} {self.title}"

    @property
    def objective_list(self) -> list[str]:
        return [line for line in (self.objectives or "").splitlines() if line.strip()]


class PassageQuerySet(models.QuerySet):
    def current(self):
        return self.filter(archived=False)


class Passage(models.Model):
    class Kind(models.TextChoices):
        PARAGRAPH = "paragraph", _("Paragraph")
        ITEM = "item", _("List item")
        KEYWORDS = "keywords", _("Keywords")
        AUTHOR_ABSTRACT = "author-abstract", _("Author's English abstract")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="passages")
    # Stable across content corrections: URLs (#p-<key>) and quiz items point at it.
    key = models.SlugField(_("key"), max_length=60, unique=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PARAGRAPH)
    text = models.TextField(_("text"))
    # `text` with footnote markers, citations and glossary terms turned into links; derived,
    # rebuilt by courseware.rendering whenever the text or its annotations change.
    html = models.TextField(_("rendered text"), blank=True, editable=False)
    # The Chinese text's words with their readings, ``{"zh-hant": [[word, pinyin, zhuyin], …],
    # "zh-hans": […]}`` in text order; derived with the HTML (courseware.segmenting), so that
    # pages read them without loading a segmenter.
    words = models.JSONField(_("words"), default=dict, blank=True, editable=False)
    archived = models.BooleanField(_("archived"), default=False)
    terms = models.ManyToManyField("Term", related_name="passages", blank=True)

    objects = PassageQuerySet.as_manager()

    class Meta:
        ordering = ["unit__order", "order"]
        verbose_name = _("passage")
        verbose_name_plural = _("passages")

    def __str__(self):
        return self.key

    def get_absolute_url(self):
        return f"{self.unit.get_absolute_url()}#p-{self.key}"


class PassageNote(models.Model):
    class Kind(models.TextChoices):
        REPAIR = "repair", _("Repair")
        EDITORIAL = "editorial", _("Editor's note")
        TRANSLATION = "translation", _("Translator's note")

    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="notes")
    order = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["order"]
        verbose_name = _("passage note")
        verbose_name_plural = _("passage notes")

    def __str__(self):
        return f"{self.passage.key} · {self.get_kind_display()}"


class Footnote(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="footnotes")
    key = models.CharField(_("key"), max_length=20, unique=True)
    text = models.TextField(_("text"), help_text=_("Separate paragraphs with a blank line"))

    class Meta:
        ordering = ["unit__order", "key"]
        verbose_name = _("footnote")
        verbose_name_plural = _("footnotes")

    def __str__(self):
        return self.key

    def get_absolute_url(self):
        return f"{self.unit.get_absolute_url()}#fn-{self.key}"


class Term(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="terms")
    key = models.SlugField(_("key"), max_length=80, unique=True)
    term = models.CharField(pgettext_lazy("glossary", "term"), max_length=200)
    definition = models.TextField(_("definition"))
    literal = models.TextField(_("literal sense"), blank=True)
    # The exact strings, one per line, that mark this term in passage texts.
    forms = models.TextField(_("forms in the text"), help_text=_("One form per line"))
    # Where the Chinese headword files in a Chinese glossary, by its readings syllable by
    # syllable: zhuyin order (ㄅㄆㄇㄈ, then the tone) for Traditional readers, pinyin order for
    # Simplified ones. Computed when the content is loaded (courseware.segmenting); pages
    # only sort by them.
    zhuyin_key = models.CharField(_("zhuyin order"), max_length=600, blank=True, editable=False)
    pinyin_key = models.CharField(_("pinyin order"), max_length=600, blank=True, editable=False)

    class Meta:
        ordering = ["key"]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")

    def __str__(self):
        return self.term


class Reference(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="references")
    key = models.SlugField(_("key"), max_length=80, unique=True)
    label = models.CharField(_("label"), max_length=200)
    entry = models.TextField(_("bibliography entry"))

    class Meta:
        ordering = ["label"]
        verbose_name = _("reference")
        verbose_name_plural = _("references")

    def __str__(self):
        return self.label


class Citation(models.Model):
    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="citations")
    reference = models.ForeignKey(Reference, on_delete=models.PROTECT, related_name="citations")
    order = models.PositiveIntegerField(default=0)
    # The exact words of the passage (in each language) that link to the reference.
    text = models.CharField(_("text"), max_length=200)

    class Meta:
        ordering = ["order"]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")

    def __str__(self):
        return self.text


# When a unit counts as read, in SQL; ``ReadingProgress.is_read`` says the same in Python.
READ = models.Q(read_at__isnull=False)


class ReadingProgressQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def read(self):
        return self.filter(READ)


class ReadingProgress(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_progress"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="reading_progress")
    opened_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = ReadingProgressQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="one_reading_progress_per_unit")
        ]
        verbose_name = _("reading progress")
        verbose_name_plural = _("reading progress")

    def __str__(self):
        return f"{self.user} · {self.unit.slug}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
