import getpass
import os
import sys

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from classroom.services import do_make_instructor

DEFAULT_PASSWORD_VARIABLE = "INSTRUCTOR_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create an instructor account (a user in the Instructors group), or make an existing "
        "user an instructor. Asks for the password on a terminal; in a script, give it with "
        f"--password-from-env (reads ${DEFAULT_PASSWORD_VARIABLE}) and --no-input."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?")
        parser.add_argument("--username", dest="username_option", metavar="USERNAME")
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="", help="Display name, for example 王老師.")
        parser.add_argument(
            "--password-from-env",
            nargs="?",
            const=DEFAULT_PASSWORD_VARIABLE,
            metavar="VARIABLE",
            help=f"Read the password from this environment variable "
            f"(default {DEFAULT_PASSWORD_VARIABLE}): it stays out of the shell's history.",
        )
        parser.add_argument("--password", help="Avoid on shared machines: it stays in history.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Never ask: fail instead, as in a deployment script.",
        )

    def handle(self, *args, username, username_option, email, name, **options):
        username = username_option or username
        if not username:
            raise CommandError("Give the username (createinstructor NAME or --username NAME).")
        password = self._given_password(options)
        exists = get_user_model().objects.filter(username=username).exists()
        if password is None and not exists:
            password = self._ask_password(options["interactive"])
        if password is not None:
            candidate = get_user_model()(username=username, email=email, first_name=name)
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from None
        _user, created = do_make_instructor(
            username=username, password=password, email=email, display_name=name
        )
        verb = "Created instructor" if created else "Made instructor"
        self.stdout.write(self.style.SUCCESS(f"{verb} {username}."))

    def _given_password(self, options) -> str | None:
        variable = options["password_from_env"]
        if variable is None:
            return options["password"]
        password = os.environ.get(variable, "")
        if not password:
            raise CommandError(f"--password-from-env: ${variable} is not set or empty.")
        return password

    def _ask_password(self, interactive: bool) -> str:
        if not interactive or not sys.stdin.isatty():
            raise CommandError(
                "A new instructor needs a password and there is no terminal to ask on: "
                f"set ${DEFAULT_PASSWORD_VARIABLE} and pass --password-from-env."
            )
        for _try in range(3):
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password (again): ")
            if first and first == second:
                return first
            self.stderr.write("The passwords are empty or differ. Try again.")
        raise CommandError("No password given.")
