"""LootLocker's page pagination (`page` from 1, `per_page`), shared by the lists that use it."""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


def page_of(items: list[T], page: int, per_page: int) -> tuple[list[T], dict[str, Any]]:
    """(the items of that page, LootLocker's `pagination` object)."""
    total = len(items)
    last_page = max(1, -(-total // per_page))
    offset = (page - 1) * per_page
    return items[offset : offset + per_page], {
        "total": total,
        "offset": offset,
        "per_page": per_page,
        "last_page": last_page,
        "current_page": page,
        "next_page": page + 1 if page < last_page else None,
        "prev_page": page - 1 if page > 1 else None,
    }
