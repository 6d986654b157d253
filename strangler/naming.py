"""Names derived from dispatch keys: folders, logical ids."""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")


def words(key: str) -> list[str]:
    """Split ``OrderPlaced``, ``order_placed``, ``GET /orders/{id}`` into words."""
    return [w.lower() for w in _WORD.findall(key)]


def snake(key: str) -> str:
    """``OrderPlaced`` -> ``order_placed``; ``GET /orders/{id}`` -> ``get_orders_id``."""
    return "_".join(words(key))


def pascal(key: str) -> str:
    """``order_placed`` -> ``OrderPlaced``; ``GET /orders/{id}`` -> ``GetOrdersId``."""
    return "".join(w[:1].upper() + w[1:] for w in words(key))
