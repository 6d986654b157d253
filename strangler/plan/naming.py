"""Names derived from dispatch keys: folders, logical ids."""

from __future__ import annotations

import hashlib
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


# CloudFormation allows 255 characters in a logical id, and SAM derives ids from a
# function's (``<Id>Role``, ``<Id><Event>Permission``, ``<Id><Event>Queue``...): a new id
# stays short enough for the longest event name the monolith may hand it.
MAX_LOGICAL_ID = 100
# Most file systems allow 255 bytes per path component; a folder name stays well below.
MAX_FOLDER_NAME = 100
_HASH = 8


def shorten(name: str, limit: int, separator: str = "") -> str:
    """``name`` when it fits in ``limit`` characters (and bytes), else its start and a
    stable hash of the whole: two long names that share a start still differ."""
    if len(name) <= limit and len(name.encode("utf-8")) <= limit:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:_HASH]
    keep = limit - _HASH - len(separator)
    start = name[:keep]
    while len(start.encode("utf-8")) > keep:
        start = start[:-1]
    return f"{start.rstrip('_')}{separator}{digest}"


def logical_id(key: str) -> str:
    """The logical id of the function for action ``key``: ``OrderPlacedFunction``."""
    base = pascal(key)
    if not base or not base[0].isalpha():
        base = "Action" + base
    return shorten(base, MAX_LOGICAL_ID - len("Function")) + "Function"


def folder_name(key: str) -> str:
    """The folder of the function for action ``key``: ``order_placed``."""
    return shorten(snake(key) or "action", MAX_FOLDER_NAME, "_")
