"""A class file: one class moved between databases (``export_class`` / ``import_class``).

- ``export``: the class as JSON, everything named by a stable key (users by username, units
  by slug, items by key), written readable by its owner only (it holds password hashes).
- ``checking``: the whole file checked against itself and this database, every fault named.
- ``restore``: one transaction that writes it, merging users, reading and attempts this
  database already has; a dry run reports what would change.
"""

from .checking import FORMAT, ClassFileError, check_class_file, read_class_file
from .export import dumps, export_class, find_class, write_private
from .restore import RestoreReport, restore_class

__all__ = [
    "FORMAT",
    "ClassFileError",
    "RestoreReport",
    "check_class_file",
    "dumps",
    "export_class",
    "find_class",
    "read_class_file",
    "restore_class",
    "write_private",
]
