from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("Quizzes")

    def ready(self):
        from courseware.course_file import register_section
        from courseware.extensions import register_unit_panel

        from .bank import ITEM_BANK
        from .panels import UNIT_PANEL

        register_section(ITEM_BANK)
        register_unit_panel(UNIT_PANEL)
