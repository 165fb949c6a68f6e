from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from classroom.class_file import ClassFileError, dumps, export_class, find_class, write_private
from courseware.command_line import in_terminal_language


class Command(BaseCommand):
    help = (
        "Write a class (by id or join code) as JSON: instructor, roster, assignments with their "
        "quiz rules, students' extensions, reading progress, attempts and every response. "
        "Holds password hashes: keep it private."
    )

    def add_arguments(self, parser):
        parser.add_argument("school_class", metavar="CLASS", help="Class id or join code.")
        parser.add_argument("--output", help="File to write (default: standard output).")

    @in_terminal_language
    def handle(self, *args, school_class, output, **options):
        try:
            found = find_class(school_class.strip())
        except ClassFileError as error:
            raise CommandError("\n".join(error.errors)) from None
        data = export_class(found)
        if not output:
            self.stdout.write(dumps(data), ending="")
            return
        write_private(Path(output), dumps(data))
        answered = sum(len(attempt["responses"]) for attempt in data["attempts"])
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Wrote %(path)s: %(name)s (%(term)s), %(students)s students, "
                    "%(assignments)s assignments, %(attempts)s attempts, %(responses)s responses."
                )
                % {
                    "path": output,
                    "name": found.name,
                    "term": found.term,
                    "students": len(data["enrollments"]),
                    "assignments": len(data["assignments"]),
                    "attempts": len(data["attempts"]),
                    "responses": answered,
                }
            )
        )
