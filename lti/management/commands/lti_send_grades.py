from django.core.management.base import BaseCommand

from lti.grades import resend_failed


class Command(BaseCommand):
    help = "Send again the LMS grades whose last send failed (the platform was unreachable)."

    def handle(self, *args, **options):
        self.stdout.write(f"Sent {resend_failed()} grades.")
