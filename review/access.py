"""The one way views fetch a student's saved words and cards: someone else's is 404."""

from django.shortcuts import get_object_or_404

from config.ids import id_or_404

from .models import Card, SavedWord


def get_saved_word_for_student(user, word_id) -> SavedWord:
    return get_object_or_404(SavedWord.objects.for_student(user), pk=id_or_404(word_id))


def get_card_for_student(user, card_id) -> Card:
    return get_object_or_404(
        Card.objects.for_student(user).select_related("saved_word"), pk=id_or_404(card_id)
    )
