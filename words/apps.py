from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WordsConfig(AppConfig):
    """Word cards and the dictionary page: the course's words with their readings and CC-CEDICT
    senses. Built on courseware (which never imports it); the review deck may build on it."""

    name = "words"
    verbose_name = _("Words")

    def ready(self):
        from courseware.extensions import register_unit_include
        from courseware.signals import course_content_loaded

        course_content_loaded.connect(_refresh, dispatch_uid="words-refresh-course-words")
        register_unit_include("words/_unit_word_card.html")


def _refresh(sender, course, **kwargs):
    from .services import refresh_course_words

    refresh_course_words(course=course)
