"""Per-action settings for new functions, from ``strangler.toml`` or ``[tool.strangler]``.

::

    # strangler.toml beside the template (or [tool.strangler...] in pyproject.toml)
    [defaults]
    Timeout = 10

    [actions.OrderPlaced]
    MemorySize = 1024
    folder = "functions/placing"
    FunctionName = "orders-placed"
    ReservedConcurrentExecutions = 5

    [groups.Orders]          # one function, OrdersFunction, for these actions
    actions = ["OrderPlaced", "OrderCancelled"]

Unset values come from the monolith.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from strangler.errors import StranglerError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


@dataclass(frozen=True)
class ActionSettings:
    MemorySize: int | None = None
    Timeout: int | None = None
    FunctionName: str | None = None
    ReservedConcurrentExecutions: int | None = None
    folder: str | None = None

    def properties(self) -> dict[str, Any]:
        """The template properties these settings set, in a stable order."""
        names = ("MemorySize", "Timeout", "FunctionName", "ReservedConcurrentExecutions")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}

    def over(self, base: "ActionSettings") -> "ActionSettings":
        return replace(base, **{f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None})


@dataclass(frozen=True)
class Settings:
    source: str | None = None
    defaults: ActionSettings = field(default_factory=ActionSettings)
    actions: Mapping[str, ActionSettings] = field(default_factory=dict)
    # Where each [actions.<key>] table is written, ``strangler.toml:7``, for messages.
    places: Mapping[str, str] = field(default_factory=dict)
    # ``[verify] ignore``: fields verify leaves out of results and side effects.
    verify_ignore: tuple[str, ...] = ()
    # ``[groups.<name>] actions = [...]``: actions that share one new function.
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def place(self, key: str) -> str:
        return self.places.get(key) or self.source or "strangler.toml"

    def group_place(self, name: str) -> str:
        return self.places.get(f"groups.{name}") or self.source or "strangler.toml"

    def group_of(self, key: str) -> str | None:
        """The group an action is in, if any (an action is in one group at most)."""
        return next((name for name, keys in self.groups.items() if key in keys), None)

    def for_action(self, key: str) -> ActionSettings:
        return self.actions.get(key, ActionSettings()).over(self.defaults)


def _int_between(low: int, high: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return f"a whole number from {low} to {high}"
        return None

    return check


def _function_name(value: Any) -> str | None:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", value):
        return "1 to 64 letters, digits, hyphens or underscores"
    return None


_NOT_FOR_FUNCTIONS = {".aws-sam", ".git", "__pycache__", ".venv", "venv", "node_modules", ".pytest_cache"}
_MAX_NAME_BYTES = 100


def _folder(value: Any) -> str | None:
    parts = Path(value).parts if isinstance(value, str) else ()
    if not isinstance(value, str) or not value.strip() or value.startswith("/") or ".." in parts or not set(parts) - {"."}:
        return "a folder path relative to the template, inside the application"
    if set(parts) & _NOT_FOR_FUNCTIONS:
        return "a folder outside .aws-sam, .git and other build or tool folders"
    if any(len(part.encode("utf-8")) > _MAX_NAME_BYTES for part in parts):
        return f"folder names of at most {_MAX_NAME_BYTES} bytes"
    return None


_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "MemorySize": _int_between(128, 10240),
    "Timeout": _int_between(1, 900),
    "FunctionName": _function_name,
    "ReservedConcurrentExecutions": _int_between(0, 100000),
    "folder": _folder,
}


def load_settings(directory: Path) -> Settings:
    """Settings from ``strangler.toml``, else ``pyproject.toml``'s ``[tool.strangler]``."""
    own = directory / "strangler.toml"
    if own.is_file():
        text = _text(own)
        return _with_places(_parse(_read(text, own.name), own.name, ""), text, "")
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        text = _text(pyproject)
        tool = _read(text, pyproject.name).get("tool", {})
        table = tool.get("strangler") if isinstance(tool, dict) else None
        if table is not None:
            if not isinstance(table, dict):
                raise StranglerError("tool.strangler must be a table", where=pyproject.name)
            return _with_places(_parse(table, pyproject.name, "tool.strangler."), text, "tool.strangler.")
    return Settings()


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise StranglerError(f"not UTF-8 (byte {exc.start})", where=path.name) from None


def _read(text: str, name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib puts the position only in the message: "... (at line 3, column 9)".
        line = re.search(r"at line (\d+)", str(exc))
        where = f"{name}:{line.group(1)}" if line else name
        raise StranglerError(f"not valid TOML: {exc}", where=where) from None


def _with_places(settings: Settings, text: str, prefix: str) -> Settings:
    """The line of each ``[actions.<key>]`` header, found in the text (tomllib keeps none)."""
    places: dict[str, str] = {}
    header = re.compile(r"^\s*\[\s*" + re.escape(prefix) + r"(actions|groups)\s*\.\s*(.+?)\s*\]\s*(#.*)?$")
    for number, line in enumerate(text.splitlines(), start=1):
        match = header.match(line)
        if match:
            name = match.group(2)
            try:
                name = next(iter(tomllib.loads(f"{name} = 0")))
            except (tomllib.TOMLDecodeError, StopIteration):
                continue
            table = "groups." if match.group(1) == "groups" else ""
            places.setdefault(f"{table}{name}", f"{settings.source}:{number}")
    return replace(settings, places=places)


def _parse(table: Mapping[str, Any], source: str, prefix: str) -> Settings:
    unknown = {str(k) for k in table} - {"defaults", "actions", "verify", "groups"}
    if unknown:
        raise StranglerError(f"unknown setting {prefix}{sorted(unknown)[0]}; expected [defaults], [actions.<key>], "
                             "[groups.<name>] and [verify]", where=source)
    defaults = _action(table.get("defaults", {}), source, f"{prefix}defaults")
    if defaults.folder is not None or defaults.FunctionName is not None:
        raise StranglerError(f"{prefix}defaults cannot set folder or FunctionName: they must differ per action", where=source)
    listed = table.get("actions") or {}
    if not isinstance(listed, dict):
        raise StranglerError(f"{prefix}actions must be a table of [actions.<key>] tables", where=source)
    actions = {
        str(key): _action(value, source, f'{prefix}actions."{key}"')
        for key, value in listed.items()
    }
    return Settings(source, defaults, actions, verify_ignore=_verify(table.get("verify", {}), source, f"{prefix}verify"),
                    groups=_groups(table.get("groups", {}), source, f"{prefix}groups"))


# A group's name becomes its function's logical id and folder, as an action's key does:
# letters and digits first, then also ``_`` and ``-`` (``Orders`` -> OrdersFunction, orders/).
_GROUP_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")


def group_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a group's function; None when it can."""
    if not _GROUP_NAME.fullmatch(name):
        return ("a group name is 1 to 64 letters, digits, _ or -, starting with a letter "
                "(it becomes the function's logical id and folder)")
    return None


def _groups(table: Any, source: str, where: str) -> dict[str, tuple[str, ...]]:
    """Each ``[groups.<name>] actions = [...]``: a valid name, a non-empty list of action
    keys, and no action in two groups (the action's function would be ambiguous)."""
    if not isinstance(table, dict):
        raise StranglerError(f"{where} must be a table of [groups.<name>] tables", where=source)
    groups: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for name, group in table.items():
        here = f'{where}."{name}"'
        problem = group_name_problem(str(name))
        if problem:
            raise StranglerError(f"{here}: {problem}", where=source)
        if not isinstance(group, dict) or set(group) != {"actions"}:
            raise StranglerError(f"{here} must be a table with one setting, actions = [\"Key\", ...]", where=source)
        keys = group["actions"]
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) and k for k in keys):
            raise StranglerError(f"{here}.actions = {keys!r}: expected a list of action keys, at least one", where=source)
        for key in keys:
            if key in owner and owner[key] != name:
                raise StranglerError(f"action {key!r} is in two groups, {owner[key]} and {name}", where=source,
                                     hint="an action goes to one function: keep it in one group")
            owner[key] = str(name)
        groups[str(name)] = tuple(dict.fromkeys(keys))
    return groups


def _verify(table: Any, source: str, where: str) -> tuple[str, ...]:
    if not isinstance(table, dict) or set(table) - {"ignore"}:
        raise StranglerError(f"{where} must be a table with one setting, ignore = [\"field.path\", ...]", where=source)
    ignore = table.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(item, str) and item for item in ignore):
        raise StranglerError(f"{where}.ignore = {ignore!r}: expected a list of field paths (\"detail.timestamp\")", where=source)
    return tuple(ignore)


def verify_ignores(directory: Path) -> tuple[str, ...]:
    """The fields ``strangler verify`` ignores, from the settings in ``directory``."""
    return load_settings(directory).verify_ignore


def _action(table: Any, source: str, where: str) -> ActionSettings:
    if not isinstance(table, dict):
        raise StranglerError(f"{where} must be a table", where=source)
    values = {}
    for key, value in table.items():
        check = _CHECKS.get(key)
        if check is None:
            raise StranglerError(f"unknown setting {where}.{key}; known: {', '.join(_CHECKS)}", where=source)
        problem = check(value)
        if problem:
            raise StranglerError(f"{where}.{key} = {value!r}: expected {problem}", where=source)
        values[key] = value
    return ActionSettings(**values)
