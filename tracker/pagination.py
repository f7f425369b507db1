"""Pagination that costs two queries whatever the table size (a count and a page)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Integer, Select, bindparam, func, select

from tracker.extensions import db

MAX_PER_PAGE = 200


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_args(per_page: int = 25) -> tuple[int, int]:
    """Page number and size from the query string, clamped to sane bounds."""
    page = request.args.get("page", 1, type=int) or 1
    size = request.args.get("per_page", per_page, type=int) or per_page
    return max(1, page), min(max(1, size), MAX_PER_PAGE)


def paginate(
    query: Select,
    per_page: int = 25,
    *,
    scalars: bool = True,
    page: int | None = None,
    size: int | None = None,
) -> Page:
    default_page, default_size = page_args(per_page)
    page, size = page or default_page, size or default_size
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.execute(query.limit(size).offset((page - 1) * size))
    items = list(rows.scalars().unique() if scalars else rows.all())
    return Page(items=items, page=page, per_page=size, total=total or 0)


def paginate_ids(
    ids_query: Select,
    rows_for,
    per_page: int = 25,
    *,
    scalars: bool = False,
    page: int | None = None,
    size: int | None = None,
) -> Page:
    """Pagination in two steps: the page's ids from `ids_query` (ordered; cheap when indexes
    answer it), then `rows_for(ids)` loads only those rows with their joins. The count is
    of `ids_query` too. Use it when the page's rows join other tables: ordering the joined
    rows makes the database sort them all before the LIMIT."""
    default_page, default_size = page_args(per_page)
    page, size = page or default_page, size or default_size
    total = db.session.scalar(select(func.count()).select_from(ids_query.order_by(None).subquery()))
    window = ids_query.limit(size).offset((page - 1) * size).scalar_subquery()
    rows = db.session.execute(rows_for(window))
    items = list(rows.scalars().unique() if scalars else rows.all())
    return Page(items=items, page=page, per_page=size, total=total or 0)


@dataclass(frozen=True)
class PagedQuery:
    """A query's count and page statements, built once to be kept by the caller: SQLAlchemy
    memoises a statement's cache key on the statement object, so a kept pair is neither
    rebuilt nor walked again on each request. The page's size and offset are parameters."""

    count: Select
    page: Select


def paged(query: Select) -> PagedQuery:
    return PagedQuery(
        count=select(func.count()).select_from(query.order_by(None).subquery()),
        page=query.limit(bindparam("page_size", type_=Integer)).offset(
            bindparam("page_offset", type_=Integer)
        ),
    )


def paginate_kept(statements: PagedQuery, per_page: int = 25) -> Page:
    """`paginate` for kept statements: the page's scalars (ids) and the count, two queries."""
    page, size = page_args(per_page)
    total = db.session.scalar(statements.count)
    window = {"page_size": size, "page_offset": (page - 1) * size}
    items = list(db.session.scalars(statements.page, window))
    return Page(items=items, page=page, per_page=size, total=total or 0)
