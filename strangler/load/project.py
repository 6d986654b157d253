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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from strangler.errors import StranglerError, did_you_mean
from strangler.load.files import Link, SourceFiles, Unusable
from strangler.load.settings import Settings, load_settings
from strangler.model import FunctionRef
from strangler.template.dialect import Dialect, dialect_of
from strangler.template.document import TEMPLATE_NAMES, TemplateDocument, find_template
from strangler.template.intrinsics import intrinsic_name, shape

MAX_LOGICAL_ID = 255  # CloudFormation's limit
_SKIP_DIRS = {"__pycache__", ".aws-sam", ".git", ".venv", "venv", "node_modules", ".pytest_cache"}


@dataclass(frozen=True)
class Project:
    root: Path
    template: TemplateDocument
    functions: tuple[FunctionRef, ...]
    sources: Mapping[Path, str]
    settings: Settings = Settings()
    # Functions that are not local Python code strangler can work on, and why.
    skipped: Mapping[str, str] = field(default_factory=dict)

    @property
    def resources(self) -> Mapping[str, Any]:
        return self.template.data.get("Resources") or {}

    def relative(self, path: Path) -> str:
        """``path`` relative to the application; ``../src/app.py`` for code that a CodeUri
        outside the template's folder names (SAM allows it)."""
        return Path(os.path.relpath(path, self.root)).as_posix()

    def function(self, logical_id: str) -> FunctionRef:
        for function in self.functions:
            if function.logical_id == logical_id:
                return function
        if logical_id in self.skipped:
            raise StranglerError(
                f"{logical_id} is not a Python function with local code strangler can take apart: {self.skipped[logical_id]}",
                where=f"{self.template.path.name}: Resources.{logical_id}",
            )
        names = [f.logical_id for f in self.functions]
        known = ", ".join(names) or "none"
        raise StranglerError(
            f"no {dialect_of(self.template.data).FUNCTION_TYPE} {logical_id} in the template (functions: {known})",
            where=self.template.path.name,
            hint=did_you_mean(logical_id, [*names, *self.skipped]),
        )

    def check_editable(self, function: FunctionRef) -> None:
        """Refuse a monolith whose Events or Environment strangler cannot take apart: an
        intrinsic function (``Environment: !If [...]``) chooses between values that only
        CloudFormation knows. Intrinsics inside the values (``A: !If [...]``) are fine."""
        template = self.template.path.name
        properties = self.resources[function.logical_id].get("Properties") or {}
        own = f"Resources.{function.logical_id}.Properties"
        globals_ = (self.template.data.get("Globals") or {}).get("Function") or {}
        for where, name, value in [(own, "Events", properties.get("Events")),
                                   *_environment(own, properties), *_environment("Globals.Function", globals_)]:
            if value is not None and not _is_mapping(value):
                raise StranglerError(
                    f"{name} of {function.logical_id} is {shape(value)}; strangler splits it only when it is a mapping",
                    where=f"{template}: {where}.{name}",
                    hint="write it as a mapping (an intrinsic function inside each value is fine)",
                )
        for name, event in (properties.get("Events") or {}).items():
            kind = event.get("Type") if _is_mapping(event) else None
            if not isinstance(kind, str) or intrinsic_name(kind) or not _is_mapping(event.get("Properties", {})):
                raise StranglerError(
                    f"event {name} of {function.logical_id} is not a mapping with a Type and Properties",
                    where=f"{template}: {own}.Events.{name}",
                )


def extracted_by_earlier_runs(project: Project, monolith_id: str) -> dict[str, FunctionRef]:
    """Functions a previous run made from ``monolith_id``, by action key (from Metadata).

    An action taken out of a group's function again is found in the function made from
    the group's (a group's function lists only the actions it still serves)."""
    found: dict[str, FunctionRef] = {}
    seen = {monolith_id}
    sources = [monolith_id]
    while sources:
        source = sources.pop(0)
        for f in project.functions:
            if f.extracted_from == source and f.logical_id not in seen:
                seen.add(f.logical_id)
                sources.append(f.logical_id)
                found.update((key, f) for key in f.actions)
    return found


def _environment(where: str, properties: Mapping[str, Any]) -> list[tuple[str, str, Any]]:
    environment = properties.get("Environment")
    found = [(where, "Environment", environment)]
    if _is_mapping(environment):
        found.append((where, "Environment.Variables", environment.get("Variables")))
    return found


def _is_mapping(value: Any) -> bool:
    return isinstance(value, dict) and not intrinsic_name(value)


# --- --code: the folder of a function whose code is not a local folder ----------------------
_LOGICAL_ID = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True)
class CodeDirs:
    """``--code``: folders holding the source of functions whose CodeUri/Code is in S3 (or an
    intrinsic function), as given (relative to ``-C``, like ``--template``)."""

    # As written: a trailing slash is kept in the new functions' CodeUri, as for a local one.
    named: tuple[tuple[str, str], ...] = ()  # --code LOGICAL_ID=DIR
    single: str | None = None  # --code DIR: the one function whose code is elsewhere

    def __bool__(self) -> bool:
        return bool(self.named) or self.single is not None


def code_dirs(values: Iterable[str]) -> CodeDirs:
    """``--code`` values: ``LOGICAL_ID=DIR`` (a logical id is alphanumeric) or a plain ``DIR``
    (at most one). A folder whose name has ``=`` is written ``./a=b``."""
    named: dict[str, str] = {}
    single: str | None = None
    for value in values:
        logical_id, equals, folder = value.partition("=")
        if not equals or not _LOGICAL_ID.fullmatch(logical_id):
            logical_id, folder = "", value
        if not folder:
            raise StranglerError(f"--code {value!r} names no folder", hint="write --code DIR or --code LOGICAL_ID=DIR")
        if not logical_id and single is not None:
            raise StranglerError(f"--code is given two folders without a logical id ({single}, {folder})",
                                 hint="say which function each is for: --code LOGICAL_ID=DIR")
        if logical_id in named:
            raise StranglerError(f"--code names {logical_id} twice ({named[logical_id]}, {folder})")
        if logical_id:
            named[logical_id] = folder
        else:
            single = folder
    return CodeDirs(tuple(named.items()), single)


NO_CODE_DIRS = CodeDirs()


def _code_overrides(start: Path, template: str, resources: Mapping[str, Any], function_types: tuple[str, ...],
                    globals_: Mapping[str, Any], dialect: Dialect, code: CodeDirs) -> dict[str, tuple[Path, str]]:
    """The folder ``--code`` gives each function whose code is elsewhere, checked: it exists
    and holds the handler's module. Anything ``--code`` cannot be for is refused."""
    functions = {i: r for i, r in resources.items() if r.get("Type") in function_types}
    elsewhere = {i: where for i, r in functions.items() if (where := dialect.code_elsewhere(r, globals_))}
    # A monolith an earlier migrate retired: --code for it has nothing left to do (a rerun).
    retired = {str(m.get("ExtractedFrom")) for r in functions.values()
               if isinstance(m := (r.get("Metadata") or {}).get("Strangler"), dict) and m.get("ExtractedFrom")} - set(resources)
    listed = ", ".join(elsewhere) or "none"
    chosen: dict[str, str] = {}
    for logical_id, folder in code.named:
        if logical_id in retired:
            continue
        if logical_id not in functions:
            raise StranglerError(
                f"--code {logical_id}={folder}: no {' or '.join(function_types)} {logical_id} in the template "
                f"(functions whose code is in S3: {listed})", where=template)
        _check_wanted(template, logical_id, functions[logical_id], globals_, dialect, elsewhere)
        chosen[logical_id] = folder
    if code.single is not None:
        left = [i for i in elsewhere if i not in chosen]
        if len(left) > 1:
            raise StranglerError(
                f"--code {code.single}: several functions have their code in S3 ({', '.join(left)})", where=template,
                hint=f"say which folder is whose: --code {left[0]}=DIR for each")
        if left:
            chosen[left[0]] = code.single
        elif not retired:
            raise StranglerError(
                f"--code {code.single} is not needed: every function's code is a local folder (or already named by --code)",
                where=template, hint="leave --code out; it is for a function whose CodeUri/Code is in S3")
    return {logical_id: (_code_folder(start, template, logical_id, folder, functions[logical_id], globals_, dialect), folder)
            for logical_id, folder in chosen.items()}


def _check_wanted(template: str, logical_id: str, resource: Any, globals_: Mapping[str, Any], dialect: Dialect,
                  elsewhere: Mapping[str, str]) -> None:
    """``--code`` is for a function whose code is in S3: refuse it for any other."""
    if logical_id in elsewhere:
        return
    declared = dialect.declared_code(resource, globals_)
    where = f"{template}: Resources.{logical_id}"
    written = "Code" if resource.get("Type") == "AWS::Lambda::Function" else "CodeUri"
    if isinstance(declared, tuple):
        raise StranglerError(f"--code is not needed for {logical_id}: its {written} {declared[0]} is a local folder already",
                             where=where, hint=f"leave --code {logical_id}=... out")
    raise StranglerError(f"--code cannot help {logical_id}: {declared}", where=where,
                         hint="--code is for a Python function whose code is in S3")


def _code_folder(start: Path, template: str, logical_id: str, folder: str, resource: Any,
                 globals_: Mapping[str, Any], dialect: Dialect) -> Path:
    """``folder`` (relative to -C) resolved, once it holds the module of the function's Handler."""
    path = (start / folder).resolve()
    said = f"--code {folder}"
    where = f"{template}: Resources.{logical_id}"
    if not path.exists():
        raise StranglerError(f"{said}: the folder does not exist (resolved against the -C folder: {path})", where=where,
                             hint=f"give the folder that holds {logical_id}'s source, as its package is built from it")
    if not path.is_dir():
        raise StranglerError(f"{said} is a file, not a folder of Python code (an archive? unpack it)", where=where)
    declared = dialect.declared_code(resource, globals_, folder)
    if isinstance(declared, str):
        raise StranglerError(f"--code cannot help {logical_id}: {declared}", where=where)
    split = _split_handler(path, declared[1])
    if isinstance(split, str):
        raise StranglerError(f"{logical_id}: {split}", where=where)
    if not split[0].is_file():
        raise StranglerError(
            f"{said} has no {split[0].relative_to(path).as_posix()}, the module of {logical_id}'s Handler {declared[1]}",
            where=where, hint="give the folder its package is built from (the one that holds the handler's module)")
    return path


def load(directory: Path, template: Path | None = None, code: CodeDirs = NO_CODE_DIRS) -> Project:
    """Read the application whose template is in ``directory`` or is ``template``.

    Like ``git -C``, a relative ``template`` is relative to ``directory``. The application
    is the template's folder: SAM resolves every CodeUri against it, and the new function
    folders go there too. ``code`` (``--code``) says where the source of a function whose
    code is in S3 is; relative folders are relative to ``directory`` too.
    """
    start = directory.resolve()
    if not start.is_dir():
        raise StranglerError("not a directory", where=str(directory))
    document = TemplateDocument.load(_template_path(start, directory, template))
    root = document.path.parent
    name = document.path.name
    dialect = dialect_of(document.data)
    # The Types of the functions it takes apart: a SAM template may declare plain ones too.
    function_types = getattr(dialect, "FUNCTION_TYPES", (dialect.FUNCTION_TYPE,))
    resources = document.data.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise StranglerError("the template has no Resources", where=name)
    for logical_id, resource in resources.items():
        if not isinstance(logical_id, str):
            raise StranglerError(
                f"the logical id {logical_id!r} reads as a {type(logical_id).__name__}, not a name",
                where=f"{name}: Resources.{logical_id}",
                hint="quote it, or give it a name that starts with a letter",
            )
        _check_resource(name, logical_id, resource, function_types)
    globals_ = dialect.function_globals(document.data, name)
    overrides = _code_overrides(start, name, resources, function_types, globals_, dialect, code) if code else {}
    functions: list[FunctionRef] = []
    skipped: dict[str, str] = {}
    for logical_id, resource in resources.items():
        if resource.get("Type") not in function_types:
            continue
        found = _function(root, logical_id, resource, globals_, dialect, overrides.get(logical_id))
        if isinstance(found, str):
            skipped[logical_id] = found
        else:
            functions.append(found)
    sources = read_sources(root, {f.code_dir for f in functions})
    return Project(root, document, tuple(functions), sources, load_settings(root), skipped)


def _template_path(start: Path, directory: Path, template: Path | None) -> Path:
    if template is None:
        folders = [name for name in TEMPLATE_NAMES if (start / name).is_dir()]
        if folders and not any((start / name).is_file() for name in TEMPLATE_NAMES):
            raise StranglerError(f"{folders[0]} is a directory, not a template", where=str(directory))
        return find_template(start, None)
    path = (start / template).resolve()
    if path.is_dir():
        raise StranglerError(f"template {template} is a directory, not a file", where=str(directory))
    if not path.is_file():
        beside = Path.cwd() / template
        hint = (f"a relative --template is read from the -C folder, as git -C does: try --template {beside.resolve()}"
                if not template.is_absolute() and beside.is_file() else _similar_template(path))
        raise StranglerError(f"template {template} not found in {start}", where=str(directory), hint=hint)
    return path


def _similar_template(path: Path) -> str | None:
    """A did-you-mean for a --template that is not there: the templates beside where it was
    looked for (a .yaml, .yml or .json file) whose names are close to it."""
    try:
        beside = [p.name for p in path.parent.iterdir() if p.suffix in (".yaml", ".yml", ".json") and p.is_file()]
    except OSError:
        return None
    return did_you_mean(path.name, sorted(beside))


def _check_resource(template: str, logical_id: str, resource: Any, function_types: tuple[str, ...]) -> None:
    """What CloudFormation itself refuses: a resource that is not a mapping with a Type;
    a function whose Properties or Metadata are not mappings (SAM cannot translate it)."""
    where = f"{template}: Resources.{logical_id}"
    if len(logical_id) > MAX_LOGICAL_ID:
        raise StranglerError(
            f"the logical id is {len(logical_id)} characters long; CloudFormation allows {MAX_LOGICAL_ID}",
            where=f"{template}: Resources.{logical_id[:40]}...",
        )
    if not isinstance(resource, dict) or intrinsic_name(resource):
        raise StranglerError("the resource is not a mapping", where=where, hint="every resource needs a Type and its Properties")
    kind = resource.get("Type")
    if not isinstance(kind, str) or not kind or intrinsic_name(kind):
        shown = "no Type" if kind is None else f"a Type that is {shape(kind)}"
        raise StranglerError(f"the resource has {shown}", where=where)
    depends = resource.get("DependsOn", [])
    if not isinstance(depends, (str, list)) or not all(isinstance(d, str) for d in ([depends] if isinstance(depends, str) else depends)):
        raise StranglerError("DependsOn must be a logical id or a list of them", where=f"{where}.DependsOn")
    if not isinstance(resource.get("Condition", ""), str):
        raise StranglerError("Condition must be the name of a condition", where=f"{where}.Condition")
    if kind not in function_types:
        return
    for part, absent in (("Properties", None), ("Metadata", {})):
        value = resource.get(part, absent)
        if not isinstance(value, dict) or intrinsic_name(value):
            shown = "missing or empty" if value is None else shape(value)
            raise StranglerError(f"{part} is {shown}; a function's {part} must be a mapping", where=f"{where}.{part}")
    marker = resource.get("Metadata", {}).get("Strangler")
    names = isinstance(marker, dict) and all(isinstance(marker.get(k, ""), str) for k in ("Action", "ExtractedFrom"))
    listed = marker.get("Actions", []) if isinstance(marker, dict) else []
    names = names and isinstance(listed, list) and all(isinstance(k, str) for k in listed)
    if marker is not None and not names:
        raise StranglerError(
            f"Metadata.Strangler is {shape(marker)}; strangler writes it as a mapping of Action and ExtractedFrom to "
            "names (and Actions to a list of names for a group's function)",
            where=f"{where}.Metadata.Strangler",
            hint="restore it, or delete it if this function was not made by strangler",
        )


def _function(base: Path, logical_id: str, resource: dict, globals_: Mapping[str, Any], dialect: Dialect,
              code: tuple[Path, str] | None = None) -> FunctionRef | str:
    """The function's local Python code, or why it has none strangler can work on.

    ``base`` is the template's folder: SAM resolves CodeUri against it. ``code`` is the
    folder ``--code`` gave (checked) for a function whose code is in S3.
    """
    # The folder as the template's folder sees it, as a CodeUri would name it.
    given = None if code is None else Path(os.path.relpath(code[0], base)).as_posix() + ("/" if code[1].endswith("/") else "")
    declared = dialect.declared_code(resource, globals_, given)
    if isinstance(declared, str):
        return declared
    code_uri, handler = declared
    code_dir = (base / code_uri).resolve()
    # CodeUri for SAM, Code for plain CloudFormation: the message names the property written.
    written = "Code" if resource.get("Type") == "AWS::Lambda::Function" else "CodeUri"
    if not code_dir.exists():
        return f"its {written} {code_uri} does not exist (resolved against the template's folder: {code_dir})"
    if not code_dir.is_dir():
        return f"its {written} {code_uri} is a file (an archive?), not a folder of Python code"
    split = _split_handler(code_dir, handler)
    if isinstance(split, str):
        return split
    module_path, function_name = split
    metadata = resource.get("Metadata", {}).get("Strangler") or {}
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
        strangler_actions=tuple(str(k) for k in metadata.get("Actions") or ()),
        code_elsewhere=dialect.code_elsewhere(resource, globals_) if code is not None else None,
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _split_handler(code_dir: Path, handler: str) -> tuple[Path, str] | str:
    """``pkg/mod.func`` and ``pkg.mod.func`` both name ``<CodeUri>/pkg/mod.py``; a string
    says why ``handler`` names no module file."""
    module, _, function_name = handler.strip().rpartition(".")
    module = module.replace("/", ".")
    parts = module.split(".")
    if not module or not function_name or not function_name.isidentifier() or not all(p.isidentifier() for p in parts):
        return f"its Handler {handler!r} is not module.function (e.g. app.lambda_handler)"
    module_path = code_dir.joinpath(*parts).with_suffix(".py")
    if not module_path.is_file() and code_dir.joinpath(*parts, "__init__.py").is_file():
        return (f"its Handler {handler} names the package {'/'.join(parts)}/ (its __init__.py); "
                "strangler works on a handler module file (move the handler into a module)")
    return module_path, function_name


# --- reading the code folders ---------------------------------------------------------------
def read_sources(root: Path, code_dirs: Iterable[Path]) -> SourceFiles:
    """Every Python file and requirements.txt under ``code_dirs``, byte-exact (see files.py).

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
