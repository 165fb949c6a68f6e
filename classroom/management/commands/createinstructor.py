import getpass

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from classroom.models import INSTRUCTORS_GROUP


class Command(BaseCommand):
    help = (
        "Create an instructor account (a user in the Instructors group), or make an existing "
        "user an instructor. Without --password, asks for one."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="Avoid on shared machines: it stays in history.")
        parser.add_argument("--name", default="", help="Display name, for example 王老師.")

    def handle(self, *args, username, email, password, name, **options):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if password is None and user is None:
            password = self._ask_password()
        if password is not None:
            candidate = user or User(username=username, email=email, first_name=name)
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from None
        with transaction.atomic():
            created = user is None
            if created:
                user = User.objects.create_user(
                    username=username, email=email, password=password, first_name=name
                )
            else:
                if email:
                    user.email = email
                if name:
                    user.first_name = name
                if password is not None:
                    user.set_password(password)
                user.save()
            group, _created = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
            user.groups.add(group)
        verb = "Created instructor" if created else "Made instructor"
        self.stdout.write(self.style.SUCCESS(f"{verb} {username}."))

    def _ask_password(self) -> str:
        for _try in range(3):
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password (again): ")
            if first and first == second:
                return first
            self.stderr.write("The passwords are empty or differ. Try again.")
        raise CommandError("No password given.")
