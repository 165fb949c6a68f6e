from modeltranslation.translator import TranslationOptions, register

from .models import Citation, Course, Footnote, Passage, PassageNote, Reference, Term, Unit


@register(Course)
class CourseTranslation(TranslationOptions):
    fields = ("title", "description", "source")


@register(Unit)
class UnitTranslation(TranslationOptions):
    fields = ("label", "title", "period", "summary", "objectives")


@register(Passage)
class PassageTranslation(TranslationOptions):
    fields = ("text", "html")


@register(PassageNote)
class PassageNoteTranslation(TranslationOptions):
    fields = ("text",)


@register(Footnote)
class FootnoteTranslation(TranslationOptions):
    fields = ("text",)


@register(Term)
class TermTranslation(TranslationOptions):
    fields = ("term", "definition", "literal", "forms")


@register(Reference)
class ReferenceTranslation(TranslationOptions):
    fields = ("entry",)


@register(Citation)
class CitationTranslation(TranslationOptions):
    fields = ("text",)
