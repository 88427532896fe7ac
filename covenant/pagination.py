"""Keyset ("load more") pagination: page 400 costs what page 1 costs.

OFFSET pagination makes the database walk past every earlier row, and a COUNT(*) per page
grows with the data. Here the next page starts after the last row shown, located by its
sort key and id through an index. The cursor is signed, so it can only be one we issued.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.db.models import Q, QuerySet

_SALT = "covenant.pagination"


@dataclass(frozen=True)
class KeysetPage:
    items: list
    next_cursor: str | None
    is_first: bool

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def _read_cursor(cursor: str | None, ordering: tuple[str, str]):
    if not cursor:
        return None
    try:
        data = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("o") != list(ordering):
        return None
    return data.get("v")


def keyset_paginate(
    queryset: QuerySet,
    *,
    ordering: tuple[str, str],
    cursor: str | None,
    per_page: int,
) -> KeysetPage:
    """One page of `queryset` ordered by `ordering`: a sort field and a unique tie-breaker
    ("-support_count", "-id"), both in the same direction."""
    key, tie = ordering
    descending = key.startswith("-")
    key_name, tie_name = key.lstrip("-"), tie.lstrip("-")
    queryset = queryset.order_by(key, tie)
    after = _read_cursor(cursor, ordering)
    if after is not None:
        key_value, tie_value = after
        beyond = "lt" if descending else "gt"
        queryset = queryset.filter(
            # The plain range lets the database start the index scan at the cursor;
            # the OR alone would be checked row by row from the first page on.
            Q(**{f"{key_name}__{beyond}e": key_value}),
            Q(**{f"{key_name}__{beyond}": key_value})
            | Q(**{key_name: key_value, f"{tie_name}__{beyond}": tie_value}),
        )
    rows = list(queryset[: per_page + 1])
    next_cursor = None
    if len(rows) > per_page:
        rows = rows[:per_page]
        last = rows[-1]
        values = [_jsonable(getattr(last, key_name)), _jsonable(getattr(last, tie_name))]
        next_cursor = signing.dumps({"o": list(ordering), "v": values}, salt=_SALT, compress=True)
    return KeysetPage(items=rows, next_cursor=next_cursor, is_first=after is None)


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value
