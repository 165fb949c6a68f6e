from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from classroom.class_file import ClassFileError, read_class_file, restore_class
from courseware.command_line import in_terminal_language


class Command(BaseCommand):
    help = (
        "Restore a class written by export_class into this database (the course must be "
        "loaded; its join code must be free). Users already here are matched by username "
        "and their reading and attempts merged."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The JSON file export_class wrote.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, changing nothing.",
        )

    @in_terminal_language
    def handle(self, *args, path, dry_run, **options):
        try:
            report = restore_class(read_class_file(path), dry_run=dry_run)
        except ClassFileError as error:
            raise CommandError(
                _("%(path)s: not imported, the database is unchanged.") % {"path": path}
                + "\n"
                + "\n".join(error.errors)
            ) from None
        summary = ", ".join(f"{count} {what}" for what, count in report.counts.items())
        if dry_run:
            message = _("%(path)s would import: %(summary)s. Nothing was changed.")
        else:
            message = _("Imported %(path)s: %(summary)s.")
        self.stdout.write(self.style.SUCCESS(message % {"path": path, "summary": summary}))
        if report.matched_users:
            self.stdout.write(
                _("Matched by username (left as they are): %(names)s")
                % {"names": ", ".join(report.matched_users)}
            )
