"""Rendered page fragments kept until the data changes (issue 20).

The homes and the dashboards spend most of their time counting, grouping and rendering what
is the same for everyone who shares a scope (the city, one department) until somebody
writes. Each such fragment is kept under a key of

    (name, data generation, today, locale, viewer scope, the page's own arguments)

The data generation is a random token in the one-row table `data_generation`
(tracker/models/cache.py), replaced by every transaction that writes anything a page reads:
a Session event below, just before the commit, in the writing transaction itself. So a
write in one gunicorn worker, in the scheduler process or in a CLI command retires every
fragment everywhere on the next request, and a rolled-back transaction retires nothing.
A token, not a counter: a database emptied or restored from a backup can never meet a
fragment kept for other data under the same number.

Reading the token is one primary-key SELECT per request (kept in `g`). Writes that bypass
the Session (psql by hand) are covered only by the expiry, `CACHE_DEFAULT_TIMEOUT`. The
backend is Flask-Caching: `SimpleCache` (per process) by default, `RedisCache` to share the
fragments between workers, `NullCache` to render every time.

What may go into a fragment: what the scope, locale and day decide — never a form token or
anything of the one user (the guard in `cached` refuses a fragment holding a form token).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from flask import current_app, g
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import TextClause, event, inspect, select
from sqlalchemy.orm import Session

from tracker import clock
from tracker.extensions import cache, db, upsert_insert
from tracker.models.cache import GENERATION_ROW, DataGeneration
from tracker.workflow import can_see_all

logger = logging.getLogger(__name__)

# Bookkeeping no fragment shows: writing only these does not retire the fragments (the
# scheduler writes its runs and the outbox every minute; every request may log an audit or
# security row; the notices live in the navigation, which is never cached).
UNSHOWN_TABLES = frozenset(
    {"outbox_message", "scheduler_run", "login_throttle", "audit_event", "notice", "digest_light"}
)
# Columns no fragment shows: an UPDATE that changes only these is bookkeeping too (every
# log-in stamps its user; a morning's log-ins would otherwise retire the cache each time).
UNSHOWN_COLUMNS = {"user_account": frozenset({"last_login_at"})}
_WROTE = "fragments_data_written"
_FORM_TOKEN = 'name="csrf_token"'  # noqa: S105 (the form field's name, not a secret)


class FragmentError(RuntimeError):
    """A fragment that must not be shared (it holds a form token)."""


# ---------------------------------------------------------------- the generation


def current_generation() -> str:
    """This request's data generation (read once per request)."""
    if "_data_generation" not in g:
        query = select(DataGeneration.token).where(DataGeneration.id == GENERATION_ROW)
        token = db.session.scalar(query)
        if token is None:
            # Data loaded or restored around the app (or a new database): start a generation
            # in a transaction of its own, and read back whichever one won.
            with db.engine.begin() as connection:
                new_generation(connection, replace=False)
            token = db.session.scalar(query)
        g._data_generation = token
    return g._data_generation


def new_generation(connection, *, replace: bool = True) -> str:
    """Replace the token (or make the row): one statement, in the caller's transaction."""
    token = secrets.token_hex(16)
    statement = upsert_insert(DataGeneration, "the data generation").values(
        id=GENERATION_ROW, token=token
    )
    if replace:
        statement = statement.on_conflict_do_update(index_elements=["id"], set_={"token": token})
    else:
        statement = statement.on_conflict_do_nothing(index_elements=["id"])
    connection.execute(statement)
    return token


def _shown(table_name: str | None) -> bool:
    return table_name not in UNSHOWN_TABLES


def _shown_update(obj, table: str | None) -> bool:
    hidden = UNSHOWN_COLUMNS.get(table)
    if not hidden:
        return True
    changed = {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}
    return bool(changed - hidden)


@event.listens_for(Session, "after_flush")
def _note_flush(session, _flush_context) -> None:
    # after_flush still sees the flushed objects and their attribute history.
    if session.info.get(_WROTE):
        return
    changed = [(obj, False) for obj in (*session.new, *session.deleted)]
    changed += [(obj, True) for obj in session.dirty]
    for obj, updated in changed:
        table = getattr(type(obj), "__tablename__", None)
        if table == DataGeneration.__tablename__ or not _shown(table):
            continue
        if not updated or _shown_update(obj, table):
            session.info[_WROTE] = True
            return


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state) -> None:
    if state.is_select or state.session.info.get(_WROTE):
        return
    statement = state.statement
    if isinstance(statement, TextClause):
        # Hand-written SQL: any statement but a SELECT counts as a write.
        if not statement.text.lstrip()[:6].upper().startswith(("SELECT", "WITH")):
            state.session.info[_WROTE] = True
        return
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(getattr(statement, "table", None), "name", None)
        if _shown(table):
            state.session.info[_WROTE] = True


@event.listens_for(Session, "before_commit")
def _retire_fragments(session) -> None:
    # The commit flushes after this hook, so what is still pending counts as written; the
    # token is replaced last, so its row lock (PostgreSQL) is held only until the commit.
    if session.new or session.dirty or session.deleted:
        session.flush()
    if session.info.pop(_WROTE, False):
        new_generation(session.connection())


@event.listens_for(Session, "after_transaction_end")
def _forget_writes(session, transaction) -> None:
    # A rolled-back transaction wrote nothing that stays (a savepoint's end changes nothing).
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_WROTE, None)


# ---------------------------------------------------------------- the fragments


def viewer_scope(user) -> tuple:
    """Who sees the same fragment: every office user of one role alike, a department's users
    of one role alike (pages branch on the role, and liaisons see their department)."""
    if can_see_all(user):
        return ("all", user.role)
    return (user.department_id, user.role)


def cached(name: str, scope: tuple, render: Callable[[], str], *arguments) -> Markup:
    """The fragment `name` for this scope and arguments, rendered by `render` when the data,
    the day or the language changed since it was last kept."""
    if not current_app.config.get("FRAGMENT_CACHE", True):
        return Markup(render())  # noqa: S704 (a rendered, autoescaped template)
    generation = current_generation()
    key = ":".join(
        str(part)
        for part in (
            "fragment",
            name,
            generation,
            clock.today().isoformat(),
            get_locale(),
            *scope,
            *arguments,
        )
    )
    found = cache.get(key)
    if found is None:
        found = str(render())
        if _FORM_TOKEN in found:
            raise FragmentError(f"fragment {name!r} holds a form token and must not be shared")
        cache.set(key, found)
    return Markup(found)  # noqa: S704 (a rendered, autoescaped template)
