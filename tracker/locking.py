"""Optimistic locking by conditional UPDATE, so two writers can never both win.

`claim` runs ``UPDATE … SET version = version + 1 WHERE id = :id AND version = :v [AND …]``
before anything else changes. On PostgreSQL the second of two concurrent writers waits for
the first to commit, then finds its condition false; on SQLite writers are serialised. The
caller learns who lost from the row count, before it has written anything.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, update

from tracker.errors import InvalidTransition, StaleVersion
from tracker.extensions import db
from tracker.numbers import UNREADABLE_VERSION, read_version


def check_readable(expected_version: int | None, obj=None) -> None:
    """A form whose version was missing or not a number (`tracker.numbers.read_version`) is
    a stale form. Called only after the permission check, so a stranger sees 404/403."""
    if expected_version == UNREADABLE_VERSION:
        raise StaleVersion(
            _("This form does not say which version it was loaded from. Reload the page."),
            current_version=getattr(obj, "version", None),
        )


def version_expected(expected_version, current: int) -> int:
    """The version a raw form or API value says it was loaded at (None: `current`). Anything
    that is not a number, or one no column could hold, is a stale form (409), not a 500: the
    scanner sent `version=http://…\r\n…` and got tracebacks, the outside probe
    99999999999999999999. Callers check permission before they get here."""
    if expected_version is None:
        return current
    version = read_version(expected_version)
    if version == UNREADABLE_VERSION:
        raise StaleVersion(current_version=current)
    return version


def claim(model, obj, expected_version: int | None, *conditions, values: dict | None = None):
    """Bump `obj`'s version if it is still at `expected_version` (and `conditions` hold).

    `expected_version=None` means "the version this session loaded". Raises StaleVersion
    when the version moved, InvalidTransition when only the extra conditions failed.
    """
    check_readable(expected_version, obj)
    expected = obj.version if expected_version is None else int(expected_version)
    values = dict(values or {})
    result = db.session.execute(
        update(model)
        .where(model.id == obj.id, model.version == expected, *conditions)
        .values(version=model.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise lost_claim(model, obj, expected, guarded=bool(conditions))
    db.session.refresh(obj, attribute_names=["version", *values])
    return obj


def lost_claim(model, obj, expected: int, *, guarded: bool):
    """Why a conditional UPDATE matched no row: StaleVersion when the version moved (or the
    row is gone), InvalidTransition when only the `guarded` extra conditions failed."""
    current = db.session.scalar(select(model.version).where(model.id == obj.id))
    if current is not None and current == expected and guarded:
        return InvalidTransition(_("The report is no longer in a state that allows this."))
    return StaleVersion(
        _(
            "Someone else saved a newer version (%(current)s) since you loaded version %(loaded)s.",
            current=current,
            loaded=expected,
        ),
        current_version=current,
    )
