"""Pagination that costs two queries whatever the table size (a count and a page)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select, func, select

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
    count_query: Select | None = None,
) -> Page:
    """`count_query`: the same rows, cheaper to count (no joins that only add columns)."""
    default_page, default_size = page_args(per_page)
    page, size = page or default_page, size or default_size
    counted = count_query if count_query is not None else query
    total = db.session.scalar(select(func.count()).select_from(counted.order_by(None).subquery()))
    rows = db.session.execute(query.limit(size).offset((page - 1) * size))
    items = list(rows.scalars().unique() if scalars else rows.all())
    return Page(items=items, page=page, per_page=size, total=total or 0)
