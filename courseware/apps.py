from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursewareConfig(AppConfig):
    name = "courseware"
    verbose_name = _("Course content")

    def ready(self):
        # After modeltranslation (listed first in INSTALLED_APPS) has added the *_zh_hant
        # fields: Simplified Chinese is a reading of them, not columns of its own.
        from . import simplified

        simplified.install()
