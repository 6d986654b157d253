"""Write a template back as the user wrote it, except where strangler changed it.

A serializer (ruamel.yaml, json) cannot promise to write an untouched line byte for byte:
``True`` becomes ``true``, trailing spaces go, a block scalar moves to the mapping's indent,
``[ a,b ]`` becomes ``[a, b]``. So the template is written as a three-way merge:

- ``original``: the file's text (line endings normalised, no BOM),
- ``base``: the serializer's dump of the unmodified document,
- ``edited``: its dump after strangler's edits.

``base -> edited`` is what strangler changed, in the serializer's form; ``base ->
original`` is what the serializer normalises. Lines strangler did not change come from
``original``; a normalised region that strangler's change touches comes from ``edited``
(strangler owns what it rewrites). Both diffs are computed once per merge, so the cost is
that of two line diffs.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

BOM = "\ufeff"


@dataclass(frozen=True)
class SourceText:
    """A file's text split into what a parser reads and how the file spells it."""

    text: str  # BOM removed, CRLF as LF: what parsers and diffs see
    raw_lines: tuple[str, ...]  # the file's own lines, each with its own line ending
    bom: bool
    newline: str  # for lines strangler writes: the file's dominant line ending

    @classmethod
    def of(cls, content: str) -> "SourceText":
        bom = content.startswith(BOM)
        if bom:
            content = content[len(BOM):]
        raw = split_lines(content)
        crlf = sum(1 for line in raw if line.endswith("\r\n"))
        newline = "\r\n" if crlf and crlf * 2 >= sum(1 for line in raw if line.endswith("\n")) else "\n"
        return cls(content.replace("\r\n", "\n"), tuple(raw), bom, newline)

    def render(self, lines: list[str]) -> str:
        """``lines`` (LF-ended, as the merge made them) in the file's BOM and line ending."""
        text = "".join(lines)
        return (BOM if self.bom else "") + text


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split on LF only (a U+2028 in a scalar is no line break)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def merge(source: SourceText, base: str, edited: str) -> str:
    """The file's new content: ``edited``, with the file's own bytes wherever strangler
    changed nothing (see the module docstring)."""
    if edited == base:
        return (BOM if source.bom else "") + "".join(source.raw_lines)
    edited_lines = split_lines(edited)
    new_lines = _with_newline(edited_lines, source.newline)
    if source.text == base:
        return _fast(source, split_lines(base), edited_lines, new_lines)
    original = split_lines(source.text)
    return source.render(_merge_lines(list(source.raw_lines), original, split_lines(base), edited_lines, new_lines))


def _with_newline(lines: list[str], newline: str) -> list[str]:
    if newline == "\n":
        return lines
    return [line[:-1] + newline if line.endswith("\n") else line for line in lines]


def _fast(source: SourceText, base: list[str], edited: list[str], new_lines: list[str]) -> str:
    """The file is what the serializer writes: only line endings can differ from it."""
    crlf = source.newline == "\r\n"
    if all(line.endswith("\r\n") == crlf for line in source.raw_lines if line.endswith("\n")):
        return source.render(new_lines)
    raw = list(source.raw_lines)
    out: list[str] = []
    for tag, j1, j2, k1, k2 in _opcodes(base, edited):
        out.extend(raw[j1:j2] if tag == "equal" else new_lines[k1:k2])
    return source.render(out)


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    return SequenceMatcher(None, a, b, autojunk=len(a) + len(b) > 4000).get_opcodes()


def _regions(original: list[str], base: list[str]) -> list[tuple[str, int, int, int, int]]:
    """The diff of the file and the serializer's dump, a replaced run of as many lines
    as it replaces split line by line: the serializer rewrites lines one by one (``True``,
    trailing spaces), so a change next to one of them need not take its neighbours."""
    if len(original) == len(base):
        # The serializer rewrote lines without adding or dropping any (the usual case):
        # line n is line n, whatever a diff could match across similar resources.
        opcodes = []
        for i, (a, b) in enumerate(zip(original, base)):
            tag = "equal" if a == b else "replace"
            if opcodes and opcodes[-1][0] == tag:
                opcodes[-1] = (tag, opcodes[-1][1], i + 1, opcodes[-1][3], i + 1)
            else:
                opcodes.append((tag, i, i + 1, i, i + 1))
    else:
        opcodes = _opcodes([line.rstrip() for line in original], [line.rstrip() for line in base])
    regions = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal" and original[i1:i2] != base[j1:j2]:
            tag = "replace"  # equal but for trailing spaces: line by line below
        if tag != "replace" or i2 - i1 != j2 - j1:
            regions.append((tag, i1, i2, j1, j2))
            continue
        # Lines whose indent moved (a block scalar's text, a comment) go together.
        start = i1
        for i in range(i1, i2):
            a, b = original[i], base[j1 + i - i1]
            if _indent(a) == _indent(b) or not a.strip() or not b.strip() or i + 1 == i2:
                regions.append(("replace", start, i + 1, j1 + start - i1, j1 + i + 1 - i1))
                start = i + 1
    return regions


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _merge_lines(raw: list[str], original: list[str], base: list[str], edited: list[str], new_lines: list[str]) -> list[str]:
    # Where each base line comes from in the original: ("eq", index) or the normalised
    # region ("seg", index into segments) it belongs to.
    where: list[tuple[str, int]] = [("eq", 0)] * len(base)
    segments: list[tuple[int, int, int, int]] = []  # (i1, i2, j1, j2) of original/base
    only_original: dict[int, list[int]] = {}  # base position -> segments with no base line
    for tag, i1, i2, j1, j2 in _regions(original, base):
        if tag == "equal":
            for offset in range(j2 - j1):
                where[j1 + offset] = ("eq", i1 + offset)
            continue
        segments.append((i1, i2, j1, j2))
        if j1 == j2:
            only_original.setdefault(j1, []).append(len(segments) - 1)
        for j in range(j1, j2):
            where[j] = ("seg", len(segments) - 1)
    opcodes = _opcodes(base, edited)
    changes = [op for op in opcodes if op[0] != "equal"]
    changed = [False] * (len(base) + 1)  # base line j is replaced or deleted by strangler
    inside = [False] * (len(base) + 1)  # base position j lies strictly inside a change
    inserted = [False] * (len(base) + 1)  # strangler inserts lines before base line j
    for _, j1, j2, _, _ in changes:
        for j in range(j1, j2):
            changed[j] = True
        for j in range(j1 + 1, j2):
            inside[j] = True
        if j1 == j2:
            inserted[j1] = True

    def region_touched(j1: int, j2: int) -> bool:
        if j1 == j2:
            return inside[j1]
        return any(changed[j1:j2]) or any(inserted[j1 + 1:j2])

    touched_segments = [region_touched(j1, j2) for _, _, j1, j2 in segments]
    touched = touched_segments.__getitem__

    out: list[str] = []

    def original_only(j: int) -> None:
        for segment in only_original.get(j, ()):
            if not touched(segment):
                i1, i2, _, _ = segments[segment]
                out.extend(raw[i1:i2])

    def keep(j1: int, j2: int, k1: int) -> None:
        j = j1
        while j < j2:
            original_only(j)
            kind, index = where[j]
            if kind == "eq":
                out.append(raw[index])
                j += 1
            elif touched(index):
                out.append(new_lines[k1 + j - j1])
                j += 1
            else:
                i1, i2, _, s2 = segments[index]
                out.extend(raw[i1:i2])
                # An untouched region lies wholly inside this unchanged run.
                for inner in range(j + 1, s2):
                    original_only(inner)
                j = s2

    for tag, j1, j2, k1, k2 in opcodes:
        if tag == "equal":
            keep(j1, j2, k1)
        else:
            original_only(j1)
            out.extend(new_lines[k1:k2])
    original_only(len(base))
    return out
