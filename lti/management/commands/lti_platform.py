from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from lti_tool.models import Key, LtiDeployment, LtiRegistration


class Command(BaseCommand):
    help = (
        "Register a learning platform (Moodle, Canvas, …) for LTI 1.3, or update it: its "
        "issuer, the client id it gave the tool, its endpoints and deployment ids."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--issuer", required=True, help="The platform's iss, e.g. its URL.")
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--auth-url", required=True, help="OIDC authentication URL.")
        parser.add_argument("--token-url", required=True, help="OAuth2 access token URL.")
        parser.add_argument("--keyset-url", required=True, help="The platform's JWKS URL.")
        parser.add_argument("--audience", default="", help="Token audience, if not the URL.")
        parser.add_argument(
            "--deployment", action="append", default=[], help="Deployment id (repeatable)."
        )

    @transaction.atomic
    def handle(self, *args, **options):
        for name in ("auth_url", "token_url", "keyset_url"):
            if not options[name].startswith(("https://", "http://")):
                raise CommandError(f"--{name.replace('_', '-')} must be an http(s) URL.")
        registration, created = LtiRegistration.objects.update_or_create(
            issuer=options["issuer"],
            client_id=options["client_id"],
            defaults={
                "name": options["name"],
                "auth_url": options["auth_url"],
                "token_url": options["token_url"],
                "keyset_url": options["keyset_url"],
                "audience": options["audience"],
                "is_active": True,
            },
        )
        for deployment_id in options["deployment"]:
            LtiDeployment.objects.update_or_create(
                registration=registration,
                deployment_id=deployment_id,
                defaults={"is_active": True},
            )
        if not Key.objects.active().exists():
            Key.objects.generate()
            self.stdout.write("Made the tool's first key pair (rotate it with rotate_keys).")
        verb = "Registered" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {registration.name} ({registration.uuid})."))
