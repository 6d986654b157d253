"""Load: the template, its Python functions, and the source files behind them.

This is the only stage that reads the disk.
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import re
import tokenize
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from strangler.errors import StranglerError
from strangler.model import FunctionRef
from strangler.sam.document import TemplateDocument, find_template
from strangler.settings import Settings, load_settings
from strangler.sources import Link, SourceFiles, Unusable

FUNCTION_TYPE = "AWS::Serverless::Function"
_SKIP_DIRS = {"__pycache__", ".aws-sam", ".git", ".venv", "venv", "node_modules", ".pytest_cache"}


@dataclass(frozen=True)
class Project:
    root: Path
    template: TemplateDocument
    functions: tuple[FunctionRef, ...]
    sources: Mapping[Path, str]
    settings: Settings = Settings()

    @property
    def resources(self) -> Mapping[str, Any]:
        return self.template.data.get("Resources") or {}

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def function(self, logical_id: str) -> FunctionRef:
        for function in self.functions:
            if function.logical_id == logical_id:
                return function
        known = ", ".join(f.logical_id for f in self.functions) or "none"
        raise StranglerError(
            f"no AWS::Serverless::Function {logical_id} in the template (functions: {known})",
            where=self.template.path.name,
        )


def load(directory: Path, template: Path | None = None) -> Project:
    """Read the application in ``directory``."""
    root = directory.resolve()
    if not root.is_dir():
        raise StranglerError("not a directory", where=str(directory))
    document = TemplateDocument.load(find_template(root, template))
    resources = document.data.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise StranglerError("the template has no Resources", where=document.path.name)
    globals_ = (document.data.get("Globals") or {}).get("Function") or {}
    functions = tuple(
        _function(root, logical_id, resource, globals_)
        for logical_id, resource in resources.items()
        if isinstance(resource, dict) and resource.get("Type") == FUNCTION_TYPE
    )
    functions = tuple(f for f in functions if f is not None)
    sources = read_sources(root, {f.code_dir for f in functions})
    return Project(root, document, functions, sources, load_settings(document.path.parent))


def _function(root: Path, logical_id: str, resource: dict, globals_: dict) -> FunctionRef | None:
    properties = resource.get("Properties") or {}
    runtime = str(properties.get("Runtime") or globals_.get("Runtime") or "python")
    code_uri = properties.get("CodeUri", globals_.get("CodeUri"))
    handler = properties.get("Handler", globals_.get("Handler"))
    if not runtime.startswith("python") or not isinstance(handler, str):
        return None
    if code_uri is None:
        code_uri = "."
    if not isinstance(code_uri, str) or code_uri.startswith("s3://"):
        return None
    metadata = (resource.get("Metadata") or {}).get("Strangler") or {}
    code_dir = (root / code_uri).resolve()
    module_path, function_name = _split_handler(code_dir, handler)
    return FunctionRef(
        logical_id=logical_id,
        code_uri=code_uri,
        code_dir=code_dir,
        handler=handler,
        module_path=module_path,
        function_name=function_name,
        is_strangler=bool(metadata),
        strangler_action=_text(metadata.get("Action")),
        extracted_from=_text(metadata.get("ExtractedFrom")),
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _split_handler(code_dir: Path, handler: str) -> tuple[Path, str]:
    """``pkg/mod.func`` and ``pkg.mod.func`` both name ``<CodeUri>/pkg/mod.py``."""
    module, _, function_name = handler.rpartition(".")
    module = module.replace("/", ".")
    return code_dir.joinpath(*module.split(".")).with_suffix(".py"), function_name


# --- reading the code folders ---------------------------------------------------------------
def read_sources(root: Path, code_dirs: Iterable[Path]) -> SourceFiles:
    """Every Python file and requirements.txt under ``code_dirs``, byte-exact (see sources.py).

    Symlinked files and folders are followed, as ``sam build`` copies what they point at;
    each file reached through one remembers the link, so the run can say so. A folder that
    links back to one it is in is not entered twice.
    """
    texts: dict[Path, str | Unusable] = {}
    bom: set[Path] = set()
    links: dict[Path, Link] = {}
    for code_dir in sorted(set(code_dirs)):
        if not code_dir.is_dir():
            continue
        for path, link in _candidates(root, code_dir):
            if path in texts:
                continue
            if link is not None:
                links[path] = link
            texts[path], has_bom = _read(path, _display(root, path), link, root)
            if has_bom:
                bom.add(path)
    return SourceFiles({path: texts[path] for path in sorted(texts)}, frozenset(bom), links)


def _candidates(root: Path, code_dir: Path) -> Iterator[tuple[Path, Link | None]]:
    """Python files and requirements.txt under ``code_dir``, following symlinks, skipping
    folders named in ``_SKIP_DIRS`` and folders that loop back."""
    stack: list[tuple[Path, frozenset[Path], Link | None]] = [(code_dir, frozenset({Path(os.path.realpath(code_dir))}), None)]
    while stack:
        folder, ancestors, through = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue  # an unreadable folder: what it holds is not found, as for sam build
        for entry in entries:
            if entry.name in _SKIP_DIRS:
                continue
            path = Path(entry.path)
            link = through
            if link is None and entry.is_symlink():
                target = Path(os.path.realpath(path))
                link = Link(path, target, target == root or root in target.parents)
            if _is_dir(entry):
                real = Path(os.path.realpath(path))
                # A folder that holds one it is in (``up -> ..``) would be walked forever.
                if not any(seen == real or seen.is_relative_to(real) for seen in ancestors):
                    stack.append((path, ancestors | {real}, link))
            elif path.suffix == ".py" or entry.name == "requirements.txt":
                # Regular files, and links that lead nowhere (named when needed); never a
                # pipe or a device, which would block or never end.
                if _is_file(entry) or (entry.is_symlink() and not os.path.exists(path)):
                    yield path, link


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a symlink loop
        return False


def _is_file(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_CONVERT = "convert the file to UTF-8 (iconv -f {encoding} -t utf-8 FILE > FILE.new && mv FILE.new FILE), then run again"
_CONVERT_UNKNOWN = (
    "convert the file to UTF-8 from the encoding it was written in (for latin-1: "
    "iconv -f latin1 -t utf-8 FILE > FILE.new && mv FILE.new FILE), then run again"
)


def _read(path: Path, display: str, link: Link | None, root: Path) -> tuple[str | Unusable, bool]:
    """The file's text and whether it starts with a BOM, or why it cannot be used."""
    if link is not None and not path.exists():
        target = os.readlink(path) if path.is_symlink() else _display(root, link.target)
        dangling = "a symlink that loops" if _loops(path) else f"a symlink to {target}, which does not exist"
        return Unusable(dangling, display, "point the link at an existing file, or remove it"), False
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Unusable(f"cannot be read: {exc.strerror or exc}", display, "make the file readable and run again"), False
    try:
        return _decode(data, display, python=path.suffix == ".py")
    except StranglerError as exc:
        return Unusable(exc.message, exc.where or display, exc.hint or ""), False


def _loops(path: Path) -> bool:
    try:
        path.resolve(strict=True)
    except RuntimeError:
        return True
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def _decode(data: bytes, display: str, *, python: bool) -> tuple[str, bool]:
    """The text of a UTF-8 file (a BOM and an encoding line for UTF-8 allowed); anything
    else is refused: strangler writes UTF-8, and a file it copies or trims must stay what it
    was."""
    has_bom = data.startswith(codecs.BOM_UTF8)
    if python:
        _check_declared(data, display)
    body = data[len(codecs.BOM_UTF8):] if has_bom else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        position = exc.start + (len(codecs.BOM_UTF8) if has_bom else 0)
        line = data.count(b"\n", 0, position) + 1
        raise StranglerError(
            f"not a UTF-8 file: byte 0x{data[position]:02x} on line {line} is not UTF-8",
            where=f"{display}:{line}",
            hint=_CONVERT_UNKNOWN,
        ) from None
    return text, has_bom


def _check_declared(data: bytes, display: str) -> None:
    """The encoding Python reads the file in (PEP 263: a BOM, an encoding line) must be
    UTF-8: strangler could not write the file back in another encoding, nor copy it next
    to modules it writes in UTF-8. What Python itself refuses is refused too."""
    lines = data.removeprefix(codecs.BOM_UTF8).splitlines(keepends=True)[:2]
    cookie = next(((n, m.group(1).decode("ascii", "replace")) for n, line in enumerate(lines, 1)
                   if (m := _COOKIE.match(line))), (1, ""))
    number, written = cookie
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "invalid or missing encoding declaration" in str(exc.msg):
            return  # bytes that are not UTF-8: the decoding names their line
        reason = str(exc.msg)
        if reason.startswith("encoding problem") and data.startswith(codecs.BOM_UTF8):
            reason = f"it starts with a UTF-8 BOM but its encoding line says {written!r}, not 'utf-8'"
        raise StranglerError(
            f"Python cannot read this file: {reason}", where=f"{display}:{number}",
            hint="save the file as UTF-8 with an encoding line that says utf-8 (or none), then run again",
        ) from None
    if codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig"):
        raise StranglerError(
            f"declares the encoding {written or encoding!r} on its encoding line; strangler reads and writes Python files as UTF-8 only",
            where=f"{display}:{number}",
            hint=_CONVERT.format(encoding=written or encoding) + "; make the line say utf-8 (or remove it)",
        )


def _display(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
