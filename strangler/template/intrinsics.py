"""Reading intrinsic functions the same way whether they came from YAML tags or JSON."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ruamel.yaml.comments import TaggedScalar

_LONG = {"Ref": "Ref", "Fn::GetAtt": "GetAtt", "Fn::Sub": "Sub", "Condition": "Condition"}


def intrinsic(value: Any) -> tuple[str, Any] | None:
    """``!Ref X`` / ``{"Ref": "X"}`` -> ``("Ref", "X")``; ``!GetAtt X.Arn`` -> ``("GetAtt", "X.Arn")``."""
    tag = getattr(value, "tag", None)
    tag_text = getattr(tag, "value", tag)
    if isinstance(tag_text, str) and tag_text.startswith("!"):
        name = tag_text[1:]
        if isinstance(value, TaggedScalar):
            return name, value.value
        return name, value
    if isinstance(value, dict) and len(value) == 1:
        (key, arg), = value.items()
        if key in _LONG:
            name = _LONG[key]
            if name == "GetAtt" and isinstance(arg, list):
                arg = ".".join(str(a) for a in arg)
            return name, arg
    return None


def referenced_ids(value: Any) -> Iterator[str]:
    """Every logical id that ``value`` refers to through Ref, GetAtt or Sub."""
    found = intrinsic(value)
    if found is None:
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        for item in children:
            yield from referenced_ids(item)
        return
    name, arg = found
    if name == "Ref" and isinstance(arg, str):
        yield arg
    elif name == "GetAtt":
        target = arg.split(".", 1)[0] if isinstance(arg, str) else (arg[0] if isinstance(arg, list) and arg else None)
        if isinstance(target, str):
            yield target
    elif name == "Sub":
        yield from _sub_references(arg)
    elif arg is not value:
        yield from referenced_ids(arg)
    elif isinstance(value, (dict, list)):
        # A tagged sequence or mapping (!If [..], !Join [..]): its items are the arguments.
        children = value.values() if isinstance(value, dict) else value
        for item in children:
            yield from referenced_ids(item)


def _sub_references(arg: Any) -> Iterator[str]:
    """``!Sub "${A}"`` or ``!Sub ["${A}-${B}", {B: !Ref C}]``: A and C, not B."""
    if isinstance(arg, str):
        yield from _sub_ids(arg)
        return
    if isinstance(arg, list) and arg:
        local = set(arg[1]) if len(arg) > 1 and isinstance(arg[1], dict) else set()
        yield from (name for name in _sub_ids(str(arg[0])) if name not in local)
        if len(arg) > 1:
            yield from referenced_ids(arg[1])


def _sub_ids(text: str) -> Iterator[str]:
    index = 0
    while (start := text.find("${", index)) != -1:
        end = text.find("}", start)
        if end == -1:
            return
        name = text[start + 2 : end]
        if not name.startswith("!"):
            yield name.split(".", 1)[0]
        index = end + 1


def intrinsic_name(value: Any) -> str | None:
    """``!If [...]`` / ``{"Fn::If": [...]}`` -> ``If``; None for plain values."""
    tag = getattr(value, "tag", None)
    tag_text = getattr(tag, "value", tag)
    if isinstance(tag_text, str) and tag_text.startswith("!"):
        return tag_text[1:]
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
            return key.removeprefix("Fn::")
    return None


def shape(value: Any) -> str:
    name = intrinsic_name(value)
    if name:
        written = f"!{name}" if getattr(value, "tag", None) is not None else next(iter(value))
        return f"an intrinsic function ({written})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    # By the YAML kind, not the Python class: ruamel and the document subclass str and int.
    kind = next((name for base, name in SCALAR_KINDS if isinstance(value, base)), type(value).__name__)
    return f"{'an' if kind[0] in 'aeiouAEIOU' else 'a'} {kind} ({str(value)[:40]!r})"


SCALAR_KINDS = ((bool, "boolean"), (str, "string"), (int, "number"), (float, "number"))
