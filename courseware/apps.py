from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursewareConfig(AppConfig):
    name = "courseware"
    verbose_name = _("Course content")
