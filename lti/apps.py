from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    name = "lti"
    verbose_name = _("LTI 1.3 (learning platforms)")

    def ready(self):
        from quizzes.signals import graded_attempt_finished, graded_attempts_regraded

        from . import grades

        graded_attempt_finished.connect(grades.on_graded_attempt_finished, dispatch_uid="lti")
        graded_attempts_regraded.connect(
            grades.on_graded_attempts_regraded, dispatch_uid="lti-regrade"
        )
