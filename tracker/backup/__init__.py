"""Backups: one archive holds the database, every evidence file and a manifest to check both.

`database.py` dumps and restores each kind of database, `archive.py` writes and reads the
archive, `restore.py` puts one back, `jobs.py` is the nightly job, `cli.py` the commands.
"""

from flask_babel import gettext as _

# The product release the archive was written by (the OpenAPI document's info.version).
PRODUCT_VERSION = "1.0.0"
ARCHIVE_FORMAT = 1
ARCHIVE_PREFIX = "tracker-backup-"
ARCHIVE_SUFFIX = ".tar"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in the user's language."""


def no_space_message(where) -> str:
    return _(
        "No space left on the disk holding %(where)s; nothing was written there. Free some "
        "space or choose another folder.",
        where=where,
    )
