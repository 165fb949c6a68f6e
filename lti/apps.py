from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    name = "lti"
    verbose_name = _("LTI 1.3 (learning platforms)")

    def ready(self):
        from quizzes.signals import graded_attempt_finished

        from . import grades

        graded_attempt_finished.connect(grades.on_graded_attempt_finished, dispatch_uid="lti")
