from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courseware.models import Course, Unit
from quizzes.exchange import FORMATS, export_items


class Command(BaseCommand):
    help = (
        "Write the item bank (or one unit's items) as Moodle XML, GIFT or a QTI 2.1 package, "
        "for another learning platform to import."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=sorted(FORMATS), dest="fmt")
        parser.add_argument("--unit", help="Unit slug (default: every unit).")
        parser.add_argument("--output", help="File to write (default: standard output).")
        parser.add_argument("--course", help="Course slug (default: the only course).")

    def handle(self, *args, fmt, unit, output, course, **options):
        courses = Course.objects.all()
        if course:
            courses = courses.filter(slug=course)
        if courses.count() != 1:
            raise CommandError("No course loaded, or several: name one with --course.")
        course = courses.get()
        if unit:
            found = Unit.objects.current().filter(course=course, slug=unit).first()
            if found is None:
                raise CommandError(f"No unit “{unit}” in this course.")
            unit = found
        if fmt == "qti21" and not output:
            raise CommandError("A QTI package is a zip file: name it with --output.")
        exported = export_items(fmt, course=course, unit=unit)
        if output:
            Path(output).write_bytes(exported.content)
            self.stderr.write(f"Wrote {exported.item_count} items to {output}.")
        else:
            self.stdout.write(exported.content.decode("utf-8"), ending="")
