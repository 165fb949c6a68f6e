from django import template
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def sentence_gap() -> str:
    """What goes between two translated sentences: a space in English, nothing in Chinese
    (full-width punctuation carries its own spacing; a space there shows as a gap)."""
    return "" if (get_language() or "").startswith("zh") else " "
