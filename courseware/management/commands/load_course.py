from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from courseware.command_line import in_terminal_language
from courseware.course_file import DEFAULT_COURSE_FILE, CourseFileError, load, read_course_file


class Command(BaseCommand):
    help = "Validate the course file, then load it in one transaction (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_COURSE_FILE))
        parser.add_argument(
            "--force",
            action="store_true",
            help="Archive units, passages and items that the file drops but students answered.",
        )

    @in_terminal_language
    def handle(self, *args, path, force, **options):
        try:
            stats = load(read_course_file(path), force=force)
        except CourseFileError as exc:
            raise CommandError(
                _("%(path)s: not loaded, the database is unchanged.") % {"path": path}
                + "\n"
                + "\n".join(exc.errors)
            ) from None
        if stats:
            summary = ", ".join(f"{count} {what}" for what, count in sorted(stats.items()))
            self.stdout.write(self.style.SUCCESS(f"Loaded {path}: {summary}."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Loaded {path}: nothing changed."))
