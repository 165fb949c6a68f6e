from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    """The review deck (issue #16): words and glossary terms a student saved, reviewed with
    FSRS. Sits on courseware (passages, terms); classroom reads it for the instructor's
    most-saved words; courseware and quizzes never import it."""

    name = "review"
    verbose_name = _("Review deck")
