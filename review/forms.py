from django import forms
from django.utils.translation import gettext_lazy as _

from courseware.models import Passage, Term
from courseware.simplified import stored_script

from .headwords import word_in_passage
from .models import Review

NOT_IN_PASSAGE = _("That word is not in this passage, so it was not saved.")
NOTHING_TO_SAVE = _("Nothing to save: choose a word in the text or a glossary term.")


class SaveWordForm(forms.Form):
    """A word as tapped in a passage (either script), or a glossary term by its key."""

    headword = forms.CharField(max_length=80, required=False)
    # The passage's key (stable across content loads, as the word card is cached).
    passage = forms.SlugField(max_length=60, required=False)
    term = forms.SlugField(max_length=80, required=False)

    def clean(self):
        data = super().clean()
        passage = None
        if data.get("passage"):
            passage = Passage.objects.current().select_related("unit").filter(key=data["passage"])
            passage = passage.first()
            if passage is None:
                raise forms.ValidationError(NOTHING_TO_SAVE)
        data["passage"] = passage
        term = Term.objects.filter(key=data["term"]).first() if data.get("term") else None
        data["term"] = term
        if term is not None:
            with stored_script():  # the Traditional headword, on a Simplified page too
                data["headword"] = term.term_zh_hant
            return data
        if passage is None or not data.get("headword"):
            raise forms.ValidationError(NOTHING_TO_SAVE)
        found = word_in_passage(data["headword"], passage)
        if found is None:
            raise forms.ValidationError(NOT_IN_PASSAGE)
        # A word that is a glossary term keeps the course's definition.
        data["headword"], data["term"] = found
        return data


class GradeForm(forms.Form):
    # The card's review_count when it was shown (see Card.review_count).
    showing = forms.IntegerField(min_value=0, max_value=2**31 - 1)
    rating = forms.TypedChoiceField(choices=Review.Rating.choices, coerce=int)
