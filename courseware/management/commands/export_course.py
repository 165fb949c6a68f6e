from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courseware.course_file import dumps, export
from courseware.models import Course


class Command(BaseCommand):
    help = "Write the course as JSON, in the shape of the course file."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="File to write (default: standard output).")
        parser.add_argument("--course", help="Course slug (default: the only course).")

    def handle(self, *args, output, course, **options):
        courses = Course.objects.all()
        if course:
            courses = courses.filter(slug=course)
        if courses.count() != 1:
            raise CommandError("No course loaded, or several: name one with --course.")
        text = dumps(export(courses.get()))
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"Wrote {output}."))
        else:
            self.stdout.write(text, ending="")
