"""Round-trip reading and writing of a SAM template, YAML or JSON.

YAML goes through ruamel.yaml's round-trip mode so comments, key order, quotes and short
tags survive; JSON stays JSON with its indent and trailing newline. Both expose the same
mapping interface, and intrinsic functions are built through :meth:`TemplateDocument.ref`
and friends so callers never care which syntax the file uses.

The template is the user's: what strangler does not change is written back byte for byte
(``textmerge``), with the file's BOM and line endings. SAM reads templates as YAML 1.1
(``yes`` is a boolean, ``12:30`` a number), ruamel.yaml as 1.2: a string strangler writes
is quoted whenever YAML 1.1 would read it as anything but that string, while a plain
scalar copied from the template stays plain and keeps the meaning it had.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import json
import operator
import posixpath
import re
import secrets
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import Comment, CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import YAMLError
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import PlainScalarString
from ruamel.yaml.tag import Tag

from strangler.errors import StranglerError
from strangler.template import textmerge, yaml11

TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")


class SourcePlain(PlainScalarString):
    """A string written plain in the template: written plain again wherever it is copied,
    so it keeps the meaning YAML 1.1 gives it (a plain ``yes`` stays a boolean for SAM)."""

    __slots__ = ()

    # Immutable like any str: copies share it (a deep copy through __reduce_ex__ would
    # cost a template with thousands of routes seconds).
    def __copy__(self) -> "SourcePlain":
        return self

    def __deepcopy__(self, memo: Any) -> "SourcePlain":
        return self


class _Constructor(RoundTripConstructor):
    def construct_yaml_str(self, node: Any) -> Any:
        value = super().construct_yaml_str(node)
        if type(value) is str and node.style is None and not node.ctag.handle:
            return SourcePlain(value)
        return value


    def check_mapping_key(self, node: Any, key_node: Any, mapping: Any, key: Any, value: Any) -> bool:
        if key in mapping:
            first = next((k for k, _ in node.value if k is not key_node and getattr(k, "value", None) == key_node.value), key_node)
            raise _DuplicateYamlKey(str(key), first.start_mark.line + 1, key_node.start_mark.line + 1)
        return True


class _DuplicateYamlKey(Exception):
    def __init__(self, key: str, first: int, second: int) -> None:
        super().__init__(key)
        self.key, self.first, self.second = key, first, second


_Constructor.add_constructor("tag:yaml.org,2002:str", _Constructor.construct_yaml_str)


# Line breaks YAML folds in plain and single-quoted scalars (NEL, LS, PS), and what a
# YAML 1.1 reader refuses unescaped.
_NEEDS_ESCAPES = re.compile("[\x85\u2028\u2029\ufeff]|[^\x09\x0a\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class _Representer(RoundTripRepresenter):
    quote = "'"  # set per template: the quote the template itself uses most

    def represent_str(self, data: Any) -> Any:
        """A string strangler made: quoted when YAML 1.1 would read it plain as
        something else (``yes``, ``~``, ``12:30``, ``=``, ``<<``)."""
        if _NEEDS_ESCAPES.search(data):
            style: str | None = '"'  # only double quotes keep these characters as they are
        else:
            style = self.quote if not yaml11.reads_as_string(data) else None
        return self.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Representer.add_representer(str, _Representer.represent_str)
_Representer.add_representer(SourcePlain, RoundTripRepresenter.represent_plain_scalarstring)


def _yaml(text: str) -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.Representer = type("_TemplateRepresenter", (_Representer,), {"quote": _preferred_quote(text)})
    yaml.preserve_quotes = True
    yaml.width = 4096
    # [{prefix: a}] as written: ruamel would drop the braces of a one-entry mapping in a
    # flow list, changing patterns strangler does not own (and filters it writes).
    yaml.brace_single_entry_mapping_in_flow_sequence = True
    yaml.explicit_start = text.lstrip().startswith("---")
    mapping, sequence, offset = _detect_indent(text)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _preferred_quote(text: str) -> str:
    return '"' if len(re.findall(r'[:\-\[,] "', text)) > len(re.findall(r"[:\-\[,] '", text)) else "'"


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
    """A parsed template plus what it takes to write it back the same way.

    ``text`` is the file's content as it is on disk (BOM and line endings included)."""

    path: Path
    text: str
    data: Any
    is_json: bool
    json_indent: int = 2
    # Other files of the application as this run has changed them so far (an
    # ``AWS::Include``d definition), by path relative to the template's folder: a later
    # action reads them here, not from the disk.
    files: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "TemplateDocument":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise StranglerError(
                f"the template is not UTF-8 (byte 0x{raw[exc.start]:02x})", where=f"{path.name}:{line}",
                hint="save it as UTF-8",
            ) from None
        return cls.parse(path, text)

    @classmethod
    def parse(cls, path: Path, text: str) -> "TemplateDocument":
        """A document of ``text``, the content of ``path`` (a template, or a file it includes)."""
        source = textmerge.SourceText.of(text)
        if path.suffix == ".json":
            return cls(path, text, _load_json(source.text, path.name), True, _json_indent(source.text))
        data = _load_yaml(source.text, path.name)
        if not isinstance(data, dict):
            raise StranglerError("the template is not a mapping", where=path.name)
        return cls(path, text, data, False)

    def read_file(self, relative: str) -> str | None:
        """A file beside the template (``./openapi.yaml``) as this run has it: changed by an
        earlier action, or on disk; None when it is not a readable UTF-8 file inside the
        template's folder."""
        name = posixpath.normpath(relative.replace("\\", "/"))
        if name in self.files:
            return self.files[name]
        if name.startswith("../") or name == ".." or posixpath.isabs(name):
            return None
        try:
            return (self.path.parent / name).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def dump(self) -> "RenderedTemplate":
        """The file's new content: the serializer's text where strangler changed the
        document, the file's own bytes everywhere else."""
        source = _source(self.text)
        edited = _serialize(self.data, source.text, self.is_json, self.json_indent)
        merged = textmerge.merge(source, _base(self.text, self.is_json, self.json_indent), edited)
        rendered = RenderedTemplate(merged)
        rendered.meant = intended(self.data)
        return rendered

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


class StaleDump(Exception):
    """A stepwise dump that no longer matches a whole dump of the document (see ``StepDump.verify``)."""


_RESOURCES_AT = "__strangler_resources__"  # stands for the Resources while the rest is dumped


class StepDump:
    """The text of one document after each step of a run, each step serializing again only
    the resources it changed.

    A run that commits each action dumps the template after every action; a whole dump
    costs as much as the template is long, so the run would grow with the square of its
    length. The serializer's text of a block mapping is the text of its entries one after
    the other, so the dump is kept in pieces: one per resource, and the rest of the document
    (every other section, with a one-line stand-in for the resources). A step names the
    resources it edited; those, the ones added, replaced or moved, and their neighbours (an
    insertion or deletion can move a comment between them) are dumped again, the others
    keep their text. The pieces are checked against a whole dump when they are first made;
    ``verify`` checks them again where the run can afford it.
    """

    def __init__(self, doc: TemplateDocument, stepwise: bool = True) -> None:
        self.doc = doc
        self._text = _source(doc.text).text
        self._pieces: dict[str, tuple[int, str]] = {}  # resource id -> (id of its node, its text)
        self._order: list[str] = []
        self._unverified: str | None = None  # the last stepwise dump, not yet compared with a whole one
        resources = doc.data.get("Resources") if isinstance(doc.data, dict) else None
        self.enabled = (stepwise and not doc.is_json and isinstance(doc.data, CommentedMap) and isinstance(resources, CommentedMap)
                        and bool(resources) and not resources.fa.flow_style())
        if self.enabled:
            self._yaml = _yaml(self._text)
            self._piece_yaml = _yaml(self._text)
            self._piece_yaml.explicit_start = False
            self._lists = _FlowLists(self._text)
            self._piece_yaml.Representer = self._lists.representer(self._piece_yaml.Representer)
            self.enabled = self._assemble(None) == _base(doc.text, doc.is_json, doc.json_indent)
            self._unverified = None

    def dump(self, changed: Collection[str] | None, meant: bool = True) -> "RenderedTemplate":
        """Like ``TemplateDocument.dump``; ``changed``: the resources edited since the last
        dump (None: anything may have changed). ``meant`` is costly and only the last step's
        text is checked with it."""
        doc = self.doc
        if self.enabled and changed is not None:
            edited = self._assemble(changed)
            self._unverified = edited
        else:
            # As clean as a first dump: a comment an earlier dump wrote is not left out.
            _reset_comments(doc.data)
            edited = _serialize(doc.data, self._text, doc.is_json, doc.json_indent)
            self._pieces.clear()  # anything may have changed: the next stepwise dump starts over
            self._unverified = None
        merged = textmerge.merge(_source(doc.text), _base(doc.text, doc.is_json, doc.json_indent), edited)
        rendered = RenderedTemplate(merged)
        if meant:
            rendered.meant = intended(doc.data)
        return rendered

    def verify(self) -> None:
        """Raise ``StaleDump`` when the last stepwise dump is not what a whole dump of the
        document (unchanged since) gives: some step edited a resource it did not name."""
        if self._unverified is None:
            return
        _reset_comments(self.doc.data)
        whole = _serialize(self.doc.data, self._text, self.doc.is_json, self.doc.json_indent)
        if whole != self._unverified:
            raise StaleDump(self.doc.path.name)
        self._unverified = None

    def _assemble(self, changed: Collection[str] | None) -> str:
        resources = self.doc.data["Resources"]
        order = list(resources)
        again = set(order) if changed is None else self._again(order, changed)
        for key in again:
            if key in resources:
                self._pieces[key] = (id(resources[key]), self._piece(resources, key))
        for key in set(self._pieces) - set(order):
            del self._pieces[key]
        self._order = order
        rest = self._rest(resources)
        start = rest.rindex("\n", 0, rest.index(_RESOURCES_AT)) + 1
        end = rest.index("\n", start) + 1
        return rest[:start] + "".join(self._pieces[key][1] for key in order) + rest[end:]

    def _again(self, order: list[str], changed: Collection[str]) -> set[str]:
        """The resources whose text must be made again: those named, those whose neighbours
        changed, and those new or replaced with their neighbours (and the neighbours of
        those that went), in the old order and the new: an insertion or a deletion can move
        a comment or a blank line between them."""
        resources = self.doc.data["Resources"]
        old = self._order
        fresh = {k for k in order if k not in self._pieces or self._pieces[k][0] != id(resources[k])}
        fresh |= set(old) ^ set(order)
        again = set(changed) | fresh
        if old != order:
            # A key inserted or deleted next to them changes what surrounds them.
            around_old = {k: (old[i - 1] if i else None, old[i + 1] if i + 1 < len(old) else None) for i, k in enumerate(old)}
            again |= {k for i, k in enumerate(order)
                      if around_old.get(k) != (order[i - 1] if i else None, order[i + 1] if i + 1 < len(order) else None)}
        for sequence in (old, order):
            for i, key in enumerate(sequence):
                if key in fresh:
                    again.update(sequence[max(i - 1, 0): i + 2])
        return again

    def _piece(self, resources: CommentedMap, key: str) -> str:
        wrapper, inner = CommentedMap(), CommentedMap()
        inner[key] = resources[key]
        if key in resources.ca.items:
            inner.ca.items[key] = resources.ca.items[key]
        _reset_comments(inner)
        wrapper["Resources"] = inner
        stream = io.StringIO()
        self._piece_yaml.dump(wrapper, stream)
        dumped = self._lists.fill(stream.getvalue())
        if dumped is None:  # a list's text depends on where it stands: dump the piece as it is
            stream = io.StringIO()
            with self._lists.in_place():
                self._piece_yaml.dump(wrapper, stream)
            dumped = stream.getvalue()
        first, _, text = dumped.partition("\n")
        if first != "Resources:":
            raise StaleDump(self.doc.path.name)
        return text

    def _rest(self, resources: CommentedMap) -> str:
        """Everything but the resources, which a one-line stand-in keeps the place of (with
        the comments the Resources mapping itself carries)."""
        data = self.doc.data
        top = CommentedMap()
        for key, value in data.items():
            top[key] = value
        top._yaml_comment = data.ca  # shared, not copied: nothing here edits it
        holder = CommentedMap()
        holder[_RESOURCES_AT] = "x"
        holder._yaml_comment = Comment()
        holder.ca.comment = resources.ca.comment
        holder.ca.end = resources.ca.end
        top["Resources"] = holder
        stream = io.StringIO()
        self._yaml.dump(top, stream)
        return stream.getvalue()


class _FlowLists:
    """The text of long one-line lists (``detail-type: [A, B, ...]``), kept from one step's
    dump to the next.

    A nested dispatch split pair by pair leaves the monolith's rule a list of detail-types
    per source, the same list objects step after step but for the one that changed (see
    ``sources.eventbridge.written_branches``): dumping every item of every list again was
    most of a ``--commit`` run. A piece is dumped with a placeholder for each such list,
    which is then replaced by the list's text: kept per list, and written from its items'
    texts, each made once (a list one item shorter is new, its items are not). Only lists
    whose text does not depend on where they stand qualify: flow style, strings, no
    comment, anchor or tag, on one line that still ends within the dump's width where it
    stands. ``StepDump.verify`` still compares the pieces with a whole dump."""

    SHORTEST = 8  # items: below that, a placeholder saves nothing
    WIDTH = 4096  # the dump's width (``_yaml``): a list written past it is wrapped

    def __init__(self, text: str) -> None:
        self._yaml = _yaml(text)
        self._yaml.explicit_start = False
        self._mark = f"strangler{secrets.token_hex(8)}list"
        self._texts: dict[int, tuple[CommentedSeq, tuple[str, ...], str]] = {}  # id -> (list, its items, its text)
        self._placed: dict[str, str] = {}  # placeholder -> text, for the dump under way
        self._items: dict[tuple[type, str], str | None] = {}  # (type, value) -> its text in a list
        self._paused = False

    def representer(self, base: type) -> type:
        lists = self

        def represent_list(representer: Any, data: Any) -> Any:
            text = None if lists._paused else lists._text(data)
            if text is None:
                return base.represent_list(representer, data)
            placeholder = f"{lists._mark}{len(lists._placed)}"
            lists._placed[placeholder] = text
            return representer.represent_scalar("tag:yaml.org,2002:str", placeholder)

        cls = type("_PieceRepresenter", (base,), {})
        cls.add_representer(CommentedSeq, represent_list)
        return cls

    def fill(self, dumped: str) -> str | None:
        """``dumped`` with each placeholder replaced by its list's text; None when a list
        would have ended past the width where it stands (the emitter wraps it there), or
        does not end its line (what follows it, a comment or the next item of a flow
        collection, was placed after a placeholder of another length)."""
        placed, self._placed = self._placed, {}
        if not placed:
            return dumped
        pieces, end = [], 0
        for match in re.finditer(re.escape(self._mark) + r"\d+", dumped):
            text = placed[match.group(0)]
            column = match.start() - (dumped.rfind("\n", 0, match.start()) + 1)
            if column + len(text) > self.WIDTH or dumped[match.end():match.end() + 1] not in ("\n", ""):
                return None
            pieces += [dumped[end:match.start()], text]
            end = match.end()
        return "".join([*pieces, dumped[end:]])

    @contextlib.contextmanager
    def in_place(self) -> Iterator[None]:
        """Dumps inside write every list where it stands."""
        self._paused = True
        try:
            yield
        finally:
            self._paused = False

    def _text(self, data: Any) -> str | None:
        if type(data) is not CommentedSeq or len(data) < self.SHORTEST or not data.fa.flow_style() \
                or data.ca.comment or data.ca.items or data.ca.end or _anchored(data) or data.tag.trval:
            return None
        items = tuple(list.__iter__(data))
        known = self._texts.get(id(data))
        # The same item objects, not equal ones: a string's type says how it is quoted.
        if known is not None and known[0] is data and len(known[1]) == len(items) and all(map(operator.is_, known[1], items)):
            return known[2]
        if not all(isinstance(item, str) and not _anchored(item) for item in items):
            return None
        parts = [self._item(item) for item in items]
        if any(part is None for part in parts):
            return None
        text = "[" + ", ".join(parts) + "]"  # type: ignore[arg-type]
        if len(self._texts) >= 100_000:
            self._texts.clear()
        self._texts[id(data)] = (data, items, text)
        return text

    def _item(self, item: str) -> str | None:
        """How the dump writes ``item`` in a flow list, the same wherever the list stands
        (plain or quoted as its text and style ask); None if not on one line. Kept by
        value: a list one item shorter than the last step's is written from the same items."""
        key = (type(item), item)
        if key not in self._items:
            seq = CommentedSeq([item])
            seq.fa.set_flow_style()
            stream = io.StringIO()
            self._yaml.dump(seq, stream)
            text = stream.getvalue().rstrip("\n")
            ok = "\n" not in text and text.startswith("[") and text.endswith("]")
            self._items[key] = text[1:-1] if ok else None
        return self._items[key]


def _anchored(node: Any) -> bool:
    """``&name`` on a ruamel node or ScalarString (a plain str has none)."""
    read = getattr(node, "yaml_anchor", None)
    anchor = read() if read is not None else None
    return anchor is not None and getattr(anchor, "value", None) is not None


def _reset_comments(node: Any) -> None:
    """Clear the mark the emitter leaves on a comment it wrote before a mapping or a list
    (``pre_done``: written already, skip it). A whole dump represents every node again,
    which clears the marks of most comments first; a piece must start as clean, or a
    comment written by an earlier dump would be left out of it."""
    stack = [node]
    while stack:
        current = stack.pop()
        ca = getattr(current, "ca", None)
        if ca is not None:
            tokens: list[Any] = [ca.comment, getattr(ca, "end", None), *ca.items.values()]
            while tokens:
                token = tokens.pop()
                if isinstance(token, list):
                    tokens.extend(token)
                elif hasattr(token, "reset"):
                    token.reset()
        # Strings carry no comments: a rule's long lists of them are not walked item by item
        # (list.__iter__ reads a CommentedSeq at C speed, its own __iter__ does not).
        if isinstance(current, dict):
            stack.extend(value for value in current.values() if not isinstance(value, str))
        elif isinstance(current, list):
            stack.extend(item for item in list.__iter__(current) if not isinstance(item, str))


_TAG_SLOT = Tag.attrib


class RenderedTemplate(str):
    """A template's text, carrying what SAM must read from it (see ``intended``), so the
    last check before writing can compare the two."""

    meant: Any = None


@functools.lru_cache(maxsize=4)
def _source(text: str) -> textmerge.SourceText:
    return textmerge.SourceText.of(text)


@functools.lru_cache(maxsize=4)
def _base(text: str, is_json: bool, json_indent: int) -> str:
    """The serializer's dump of the file as loaded: what the merge compares edits with."""
    source = _source(text)
    data = json.loads(source.text) if is_json else _yaml(source.text).load(source.text)
    return _serialize(data, source.text, is_json, json_indent)


def _serialize(data: Any, text: str, is_json: bool, json_indent: int) -> str:
    if is_json:
        out = json.dumps(data, indent=json_indent, ensure_ascii=False)
        return out + ("\n" if text.endswith("\n") else "")
    stream = io.StringIO()
    _yaml(text).dump(data, stream)
    return stream.getvalue()


def _load_yaml(text: str, name: str) -> Any:
    try:
        return _yaml(text).load(text)
    except _DuplicateYamlKey as exc:
        raise StranglerError(
            f"not valid YAML: found duplicate key {json.dumps(exc.key, ensure_ascii=False)} at lines {exc.first} and {exc.second}",
            where=f"{name}:{exc.second}",
            hint="a key may appear once in a mapping: keep one of them",
        ) from None
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = str(getattr(exc, "problem", None) or exc)
        # The parser names its tokens (<block end>, <block mapping start>): words instead.
        said = _PARSER_TOKEN.sub(lambda m: _PARSER_WORDS.get(m.group(1), "something else"), problem)
        hint = next((hint for found, hint in _YAML_HINTS if found in problem), None)
        raise StranglerError(f"not valid YAML: {said}", where=f"{name}{line}", hint=hint) from None


_YAML_HINTS = (
    ("<block", "a line is indented deeper or shallower than the keys or items it belongs with: line it up"),
    ("'\\t'", "YAML indents with spaces only: replace the tab"),
    ("mapping values are not allowed here", "a value holds ': ' where a key cannot start: quote the value"),
)
_PARSER_TOKEN = re.compile(r"'?(<[a-z ]+>)'?")
_PARSER_WORDS = {
    "<block end>": "the end of the indented block",
    "<block mapping start>": "a key indented as if it began a new mapping",
    "<block sequence start>": "a list item indented as if it began a new list",
    "<stream end>": "the end of the file",
    "<document start>": "a new document (---)",
    "<document end>": "the end of the document (...)",
    "<scalar>": "a value",
}


class _DuplicateJsonKey(Exception):
    pass


def _load_json(text: str, name: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        mapping = dict(items)
        if len(mapping) != len(items):
            raise _DuplicateJsonKey()
        return mapping

    try:
        return json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise StranglerError(f"not valid JSON: {exc.msg}", where=f"{name}:{exc.lineno}") from None
    except _DuplicateJsonKey:
        key, first, second = _json_duplicate(text)
        raise StranglerError(
            f"not valid JSON: found duplicate key {json.dumps(key, ensure_ascii=False)} at lines {first} and {second}",
            where=f"{name}:{second}",
            hint="a key may appear once in an object (JSON parsers keep only the last): keep one of them",
        ) from None


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:]')


def _json_duplicate(text: str) -> tuple[str, int, int]:
    """The first key that appears twice in one object, with the lines of both."""
    objects: list[dict[str, int] | None] = []  # None: an array
    tokens = list(_JSON_TOKEN.finditer(text))
    for index, token in enumerate(tokens):
        value = token.group()
        if value in "{[":
            objects.append({} if value == "{" else None)
        elif value in "}]":
            objects.pop()
        elif value.startswith('"') and objects and objects[-1] is not None:
            if index + 1 < len(tokens) and tokens[index + 1].group() == ":":
                key = json.loads(value)
                line = text.count("\n", 0, token.start()) + 1
                if key in objects[-1]:
                    return key, objects[-1][key], line
                objects[-1][key] = line
    return "?", 0, 0


def intended(node: Any) -> Any:
    """What SAM must read from ``node`` once written: its strings as strings, a plain
    scalar of the template with its YAML 1.1 meaning, intrinsic tags in their long form.

    Numbers and dates ruamel.yaml read are :data:`UNCHECKED`: their text is written as it
    was, and YAML 1.1 may read some of them (``0o17``, ``1e3``) otherwise than 1.2 does.
    """
    kind = type(node)
    if kind is str:
        return node
    if kind is SourcePlain:
        return _intended_scalar(node)
    # The tag is read from its slot: ruamel's ``.tag`` property creates one on every node.
    tag = getattr(getattr(node, _TAG_SLOT, None), "value", None)
    if isinstance(tag, str) and tag.startswith("!"):
        name = tag[1:]
        long_name = name if name in ("Ref", "Condition") else f"Fn::{name}"
        if isinstance(node, TaggedScalar):
            value: Any = str(node.value)
            if name == "GetAtt":
                value = value.split(".", 1)
            return {long_name: value}
        return {long_name: _intended_collection(node)}
    if isinstance(node, (dict, list)):
        return _intended_collection(node)
    return _intended_scalar(node)


def _intended_collection(node: Any) -> Any:
    if isinstance(node, dict):
        return {_key(key): intended(value) for key, value in node.items()}
    return [intended(item) for item in node]


def _key(key: Any) -> Any:
    value = _intended_scalar(key)
    return key if value is UNCHECKED else value


class _Unchecked:
    def __repr__(self) -> str:
        return "UNCHECKED"


UNCHECKED: Any = _Unchecked()


class UnreadablePlain:
    """A plain scalar SAM's loader cannot read (``=``, or ``<<`` outside a merge)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"unreadable plain scalar {self.text!r}"

    def __hash__(self) -> int:
        return hash(("UnreadablePlain", self.text))


def _intended_scalar(node: Any) -> Any:
    if isinstance(node, SourcePlain):
        if yaml11.plain_tag(node) == yaml11.MERGE:
            return MERGE_KEY
        try:
            return yaml11.plain_value(str(node))
        except yaml11.Unreadable:
            return UnreadablePlain(str(node))
    if isinstance(node, str):
        return str(node)
    if node is None or type(node) in (bool, int, float):
        return node
    return UNCHECKED


class _MergeKey:
    def __repr__(self) -> str:
        return "<<"


MERGE_KEY: Any = _MergeKey()


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


def inline_and_rest(token: Any) -> tuple[Any, Any]:
    """``token`` (what follows a node's last value) split in two: the comment on that value's
    own line (``true  # why``), which stays there when something is added after the node,
    and the blank lines and comments below it, which move after what is added; either is
    None when there is nothing."""
    if token is None:
        return None, None
    first, newline, rest = token.value.partition("\n")
    if not first.strip():
        return None, token
    inline = copy.copy(token)
    inline.value = first + newline
    if not rest:
        return inline, None
    below = copy.copy(token)
    below.value = "\n" + rest
    return inline, below


def _slot_after(container: Any, key: Any) -> tuple[Any, Any, int]:
    value = container[key]
    # A flow collection ([a, b], !If [...]) prints on its key's line: what follows hangs on the key.
    found = _last_slot(value) if isinstance(value, (CommentedMap, CommentedSeq)) and len(value) else None
    if found is not None:
        return found
    return container, key, 2 if isinstance(container, CommentedMap) else 0


def _is_block_scalar(slot: tuple[Any, Any, int]) -> bool:
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

    container, key, _ = slot
    return isinstance(container[key], (LiteralScalarString, FoldedScalarString))


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
            # A block scalar prints its own last newline: a token after it starts on the next
            # line, with nothing of the scalar's line to keep.
            ends_line = "" if _is_block_scalar(previous) else "\n"
            inline = "" if ends_line == "" else inline
            token.value = inline + ends_line + following
            _set_token(previous, token)
    if isinstance(container, CommentedSeq):
        # ruamel does not shift sequence comments on delete: do it by hand.
        items = container.ca.items
        shifted = {i - 1 if i > key else i: v for i, v in items.items() if i != key}
        items.clear()
        items.update(shifted)
    del container[key]


def copy_node(value: Any) -> Any:
    """A deep copy of a template node for another resource, without the comment after its
    last line (it introduced whatever followed the node, not the copy)."""
    copied = copy.deepcopy(value)
    _drop_trailing_comment(copied)
    return copied


def _drop_trailing_comment(value: Any) -> None:
    """A comment after a value's last line belongs to whatever followed it, not to a copy."""
    while True:
        ca = getattr(value, "ca", None)
        if ca is None or not isinstance(value, (dict, list)) or not value:
            return
        last = list(value)[-1] if isinstance(value, dict) else len(value) - 1
        entry = ca.items.get(last)
        if entry:
            slot = 2 if isinstance(value, dict) else 0
            if len(entry) > slot and entry[slot] is not None:
                entry[slot] = None
        value = value[last]


def list_copies(node: Any, memo: dict[int, Any] | None = None) -> dict[int, Any]:
    """Copies of the YAML lists under ``node``, by id: a memo for ``copy.deepcopy``, which
    then uses them. ruamel's own ``CommentedSeq.__deepcopy__`` copies the list's comments
    and line numbers (one entry per item) again after every item, so copying a rule that
    lists N detail-types costs N^2, once per action. These are the same copies, made once."""
    from ruamel.yaml.comments import CommentedSeq

    memo = {} if memo is None else memo
    if id(node) in memo:
        return memo
    if isinstance(node, dict):
        for value in node.values():
            list_copies(value, memo)
    elif isinstance(node, list):
        for item in node:
            list_copies(item, memo)
        if isinstance(node, CommentedSeq):
            copied = node.__class__()
            for item in node:
                copied.append(copy.deepcopy(item, memo))
            if len(node):  # as ruamel's copy: attributes come with the first item
                node.copy_attributes(copied, memo=memo)
            memo[id(node)] = copied
    return memo


def deep_copy(node: Any) -> Any:
    """``copy.deepcopy`` of a template node in time linear in its size (see ``list_copies``)."""
    return copy.deepcopy(node, list_copies(node))
