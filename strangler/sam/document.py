"""Round-trip reading and writing of a SAM template, YAML or JSON.

YAML goes through ruamel.yaml's round-trip mode so comments, key order, quotes and short
tags survive; JSON stays JSON with its indent and trailing newline. Both expose the same
mapping interface, and intrinsic functions are built through :meth:`TemplateDocument.ref`
and friends so callers never care which syntax the file uses.
"""

from __future__ import annotations

import copy
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import YAMLError

from strangler.errors import StranglerError

TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")


def _yaml(text: str) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    # [{prefix: a}] as written: ruamel would drop the braces of a one-entry mapping in a
    # flow list, changing patterns strangler does not own (and filters it writes).
    yaml.brace_single_entry_mapping_in_flow_sequence = True
    yaml.explicit_start = text.lstrip().startswith("---")
    mapping, sequence, offset = _detect_indent(text)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _detect_indent(text: str) -> tuple[int, int, int]:
    """Guess the source's indentation so an untouched template dumps byte for byte.

    Read from the parser's events, so the text of block scalars (a ``Description: |``
    indented by four, a ``- `` line inside it) is never taken for structure; the events
    are read only until a nested mapping and a sequence under a key were seen. Sequences
    are either indented under their key (``key:\n  - x``: sequence=4, offset=2) or flush
    with it (``key:\n- x``: sequence=2, offset=0).
    """
    mapping: int | None = None
    offset: int | None = None
    try:
        for kind, column, key_column in _block_children(text):
            if kind == "mapping" and mapping is None and column > key_column:
                mapping = column - key_column
            elif kind == "sequence" and offset is None:
                offset = column - key_column
            if mapping is not None and offset is not None:
                break
    except YAMLError:
        pass  # loading reports it, with the line
    mapping = mapping or 2
    offset = mapping if offset is None else offset
    return mapping, offset + 2, offset


def _block_children(text: str):
    """(kind, column, key column) for each block mapping or sequence that is the value of
    a key of a block mapping: the column of its first key, or of its first dash."""
    from ruamel.yaml.events import (
        AliasEvent, CollectionEndEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent,
    )

    # Frames: [is_mapping, expecting_key, last key column, flow depth, waiting parent key column]
    stack: list[list] = []
    for event in YAML(typ="rt").parse(text):
        top = stack[-1] if stack else None
        if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            in_value = top is not None and top[0] and not top[1]
            flow = bool(event.flow_style) or (top is not None and top[3] > 0)
            if in_value and not flow and isinstance(event, SequenceStartEvent):
                yield "sequence", event.start_mark.column, top[2]
            waiting = top[2] if in_value and not flow and isinstance(event, MappingStartEvent) else None
            stack.append([isinstance(event, MappingStartEvent), True, 0, (top[3] if top else 0) + flow, waiting])
        elif isinstance(event, CollectionEndEvent):
            stack.pop()
            _value_done(stack)
        elif isinstance(event, (ScalarEvent, AliasEvent)) and top is not None:
            if top[0] and top[1]:
                top[1], top[2] = False, event.start_mark.column
                if top[4] is not None:
                    yield "mapping", event.start_mark.column, top[4]
                    top[4] = None
            else:
                _value_done(stack)


def _value_done(stack: list[list]) -> None:
    if stack and stack[-1][0]:
        stack[-1][1] = True


@dataclass
class TemplateDocument:
    """A parsed template plus what it takes to write it back the same way."""

    path: Path
    text: str
    data: Any
    is_json: bool
    json_indent: int = 2

    @classmethod
    def load(cls, path: Path) -> "TemplateDocument":
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise StranglerError(
                    f"not valid JSON: {exc.msg}", where=f"{path.name}:{exc.lineno}"
                ) from None
            return cls(path, text, data, True, _json_indent(text))
        try:
            data = _yaml(text).load(text)
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark else ""
            raise StranglerError(
                f"not valid YAML: {getattr(exc, 'problem', None) or exc}", where=f"{path.name}{line}"
            ) from None
        if not isinstance(data, dict):
            raise StranglerError("the template is not a mapping", where=path.name)
        return cls(path, text, data, False)

    def dump(self) -> str:
        if self.is_json:
            out = json.dumps(self.data, indent=self.json_indent, ensure_ascii=False)
            return out + ("\n" if self.text.endswith("\n") else "")
        stream = io.StringIO()
        _yaml(self.text).dump(self.data, stream)
        return stream.getvalue()

    # --- building values in the template's own syntax -------------------------------
    def new_map(self, items: dict[str, Any] | None = None) -> Any:
        mapping: Any = {} if self.is_json else CommentedMap()
        for key, value in (items or {}).items():
            mapping[key] = value
        return mapping

    def ref(self, logical_id: str) -> Any:
        if self.is_json:
            return {"Ref": logical_id}
        return TaggedScalar(value=logical_id, tag="!Ref")

    def get_att(self, logical_id: str, attribute: str) -> Any:
        if self.is_json:
            return {"Fn::GetAtt": [logical_id, attribute]}
        return TaggedScalar(value=f"{logical_id}.{attribute}", tag="!GetAtt")


def _json_indent(text: str) -> int:
    match = re.search(r"^( +)\"", text, re.MULTILINE)
    return len(match.group(1)) if match else 2


def find_template(directory: Path, explicit: Path | None = None) -> Path:
    """The template to work on: ``--template`` if given, else the one in ``directory``."""
    if explicit is not None:
        path = explicit if explicit.is_absolute() else directory / explicit
        if not path.is_file():
            raise StranglerError(f"template {explicit} not found", where=str(directory))
        return path
    found = [directory / name for name in TEMPLATE_NAMES if (directory / name).is_file()]
    if not found:
        raise StranglerError(
            f"no {', '.join(TEMPLATE_NAMES)} here",
            where=str(directory),
            hint="run inside the SAM application folder or pass -C/--project DIR",
        )
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise StranglerError(f"several templates ({names})", where=str(directory), hint="choose one with --template FILE")
    return found[0]


# --- comments that trail a node (ruamel hangs them on the deepest last value) -----------
def _last_slot(node: Any) -> tuple[Any, Any, int] | None:
    """The container, key and comment slot that hold what is printed after ``node``."""
    found = None
    # A flow collection ([a, b]) is printed on its key's line: what follows hangs on that key.
    while isinstance(node, (CommentedMap, CommentedSeq)) and len(node) and not node.fa.flow_style():
        last = list(node)[-1] if isinstance(node, CommentedMap) else len(node) - 1
        found = (node, last, 2 if isinstance(node, CommentedMap) else 0)
        node = node[last]
    return found


def trailing_comment(node: Any) -> Any:
    slot = _last_slot(node)
    if slot is None:
        return None
    container, key, index = slot
    entry = container.ca.items.get(key)
    return entry[index] if entry and len(entry) > index else None


def set_trailing_comment(node: Any, token: Any) -> None:
    slot = _last_slot(node)
    if slot is None:
        return
    container, key, index = slot
    entry = container.ca.items.setdefault(key, [None, None, None, None])
    entry[index] = token


def blank_line_token() -> Any:
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    return CommentToken("\n\n", CommentMark(0), None)


def without_comment_lines(token: Any) -> Any:
    """Keep only the line break and blank lines that open ``token``, dropping its comments."""
    if token is None:
        return None
    value = token.value
    token.value = value[: len(value) - len(value.lstrip("\n"))] or "\n"
    return token


def after_first_line(token: Any) -> Any:
    """A copy of ``token`` without its first line (an inline comment of the item it followed)."""
    if token is None:
        return None
    first, newline, rest = token.value.partition("\n")
    if not newline or not rest.strip():
        return None
    clone = copy.copy(token)
    clone.value = "\n" + rest
    return clone


def _slot_after(container: Any, key: Any) -> tuple[Any, Any, int]:
    value = container[key]
    # A flow collection ([a, b], !If [...]) prints on its key's line: what follows hangs on the key.
    found = _last_slot(value) if isinstance(value, (CommentedMap, CommentedSeq)) and len(value) else None
    if found is not None:
        return found
    return container, key, 2 if isinstance(container, CommentedMap) else 0


def _get_token(slot: tuple[Any, Any, int]) -> Any:
    container, key, index = slot
    entry = container.ca.items.get(key)
    return entry[index] if entry and len(entry) > index else None


def _set_token(slot: tuple[Any, Any, int], token: Any) -> None:
    container, key, index = slot
    entry = container.ca.items.setdefault(key, [None, None, None, None])
    while len(entry) <= index:
        entry.append(None)
    entry[index] = token


def _replace_leading_comment(container: Any, after_first: Any, parent: tuple[Any, Any] | None) -> None:
    """The comment above a container's first item was that item's: it becomes the one that
    introduced the second item (ruamel shares the token with the parent's slot)."""
    leading = container.ca.comment[1] if container.ca.comment and len(container.ca.comment) > 1 else None
    if not leading:
        return
    following = after_first.value.partition("\n")[2] if after_first is not None else ""
    if following.strip():
        leading[0].value = following.lstrip(" ")
        del leading[1:]
        return
    container.ca.comment = None
    if parent is not None and hasattr(parent[0], "ca"):
        entry = parent[0].ca.items.get(parent[1])
        if entry and len(entry) > 3:
            entry[3] = None


def delete_item(container: Any, key: Any, parent: tuple[Any, Any] | None = None) -> None:
    """Delete a key or index, taking its own comments along and keeping its neighbours'.

    ruamel hangs the comment lines above an item on the item before it; deleting naively
    leaves the removed item's comment behind and drops the next item's. ``parent`` is the
    mapping and key holding ``container``, where ruamel also keeps the comment above its
    first item.
    """
    if not hasattr(container, "ca"):
        del container[key]
        return
    keys = list(container) if isinstance(container, CommentedMap) else list(range(len(container)))
    position = keys.index(key)
    after_this = _get_token(_slot_after(container, key))
    if position == 0:
        _replace_leading_comment(container, after_this, parent)
    if position > 0:
        previous = _slot_after(container, keys[position - 1])
        before = _get_token(previous)
        inline = before.value.partition("\n")[0] if before is not None else ""
        following = after_this.value.partition("\n")[2] if after_this is not None else ""
        if before is not None or after_this is not None:
            token = copy.copy(before if before is not None else after_this)
            token.value = inline + "\n" + following
            _set_token(previous, token)
    if isinstance(container, CommentedSeq):
        # ruamel does not shift sequence comments on delete: do it by hand.
        items = container.ca.items
        shifted = {i - 1 if i > key else i: v for i, v in items.items() if i != key}
        items.clear()
        items.update(shifted)
    del container[key]
