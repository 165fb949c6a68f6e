from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassroomConfig(AppConfig):
    name = "classroom"
    verbose_name = _("Classes")

    def ready(self):
        from quizzes.policies import register_policy_source

        from .policies import assigned_policy

        register_policy_source(assigned_policy)
