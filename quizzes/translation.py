from modeltranslation.translator import TranslationOptions, register

from .models import Choice, Item, Tag


@register(Tag)
class TagTranslation(TranslationOptions):
    fields = ("label",)


@register(Item)
class ItemTranslation(TranslationOptions):
    fields = ("stem", "explanation")


@register(Choice)
class ChoiceTranslation(TranslationOptions):
    fields = ("text", "match", "feedback")
