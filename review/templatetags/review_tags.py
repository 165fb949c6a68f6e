from django import template

from courseware.simplified import displayed

register = template.Library()


@register.filter
def chinese(text: str) -> str:
    """A saved word (kept in Traditional) as the page shows Chinese: Simplified on zh-hans."""
    return displayed(text or "")
