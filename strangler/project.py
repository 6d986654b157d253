"""Load: the template, its Python functions, and the source files behind them.

This is the only stage that reads the disk.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from strangler.errors import StranglerError
from strangler.model import FunctionRef
from strangler.sam.document import TEMPLATE_NAMES, TemplateDocument, find_template
from strangler.settings import Settings, load_settings

FUNCTION_TYPE = "AWS::Serverless::Function"
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
        known = ", ".join(f.logical_id for f in self.functions) or "none"
        raise StranglerError(
            f"no AWS::Serverless::Function {logical_id} in the template (functions: {known})",
            where=self.template.path.name,
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
                    f"{name} of {function.logical_id} is {_shape(value)}; strangler splits it only when it is a mapping",
                    where=f"{template}: {where}.{name}",
                    hint="write it as a mapping (an intrinsic function inside each value is fine)",
                )
        for name, event in (properties.get("Events") or {}).items():
            kind = event.get("Type") if _is_mapping(event) else None
            if not isinstance(kind, str) or _intrinsic_name(kind) or not _is_mapping(event.get("Properties", {})):
                raise StranglerError(
                    f"event {name} of {function.logical_id} is not a mapping with a Type and Properties",
                    where=f"{template}: {own}.Events.{name}",
                )


def _environment(where: str, properties: Mapping[str, Any]) -> list[tuple[str, str, Any]]:
    environment = properties.get("Environment")
    found = [(where, "Environment", environment)]
    if _is_mapping(environment):
        found.append((where, "Environment.Variables", environment.get("Variables")))
    return found


def _is_mapping(value: Any) -> bool:
    return isinstance(value, dict) and not _intrinsic_name(value)


def load(directory: Path, template: Path | None = None) -> Project:
    """Read the application whose template is in ``directory`` or is ``template``.

    Like ``git -C``, a relative ``template`` is relative to ``directory``. The application
    is the template's folder: SAM resolves every CodeUri against it, and the new function
    folders go there too.
    """
    start = directory.resolve()
    if not start.is_dir():
        raise StranglerError("not a directory", where=str(directory))
    document = TemplateDocument.load(_template_path(start, directory, template))
    root = document.path.parent
    name = document.path.name
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
        _check_resource(name, logical_id, resource)
    globals_ = _function_globals(document.data, name)
    functions: list[FunctionRef] = []
    skipped: dict[str, str] = {}
    for logical_id, resource in resources.items():
        if resource.get("Type") != FUNCTION_TYPE:
            continue
        found = _function(root, logical_id, resource, globals_)
        if isinstance(found, str):
            skipped[logical_id] = found
        else:
            functions.append(found)
    sources: dict[Path, str] = {}
    for code_dir in {f.code_dir for f in functions}:
        sources.update(_read_sources(code_dir))
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
                if not template.is_absolute() and beside.is_file() else None)
        raise StranglerError(f"template {template} not found in {start}", where=str(directory), hint=hint)
    return path


def _check_resource(template: str, logical_id: str, resource: Any) -> None:
    """What CloudFormation itself refuses: a resource that is not a mapping with a Type;
    a function whose Properties or Metadata are not mappings (SAM cannot translate it)."""
    where = f"{template}: Resources.{logical_id}"
    if len(logical_id) > MAX_LOGICAL_ID:
        raise StranglerError(
            f"the logical id is {len(logical_id)} characters long; CloudFormation allows {MAX_LOGICAL_ID}",
            where=f"{template}: Resources.{logical_id[:40]}...",
        )
    if not isinstance(resource, dict) or _intrinsic_name(resource):
        raise StranglerError("the resource is not a mapping", where=where, hint="every resource needs a Type and its Properties")
    kind = resource.get("Type")
    if not isinstance(kind, str) or not kind or _intrinsic_name(kind):
        shown = "no Type" if kind is None else f"a Type that is {_shape(kind)}"
        raise StranglerError(f"the resource has {shown}", where=where)
    depends = resource.get("DependsOn", [])
    if not isinstance(depends, (str, list)) or not all(isinstance(d, str) for d in ([depends] if isinstance(depends, str) else depends)):
        raise StranglerError("DependsOn must be a logical id or a list of them", where=f"{where}.DependsOn")
    if not isinstance(resource.get("Condition", ""), str):
        raise StranglerError("Condition must be the name of a condition", where=f"{where}.Condition")
    if kind != FUNCTION_TYPE:
        return
    for part, absent in (("Properties", None), ("Metadata", {})):
        value = resource.get(part, absent)
        if not isinstance(value, dict) or _intrinsic_name(value):
            shown = "missing or empty" if value is None else _shape(value)
            raise StranglerError(f"{part} is {shown}; a function's {part} must be a mapping", where=f"{where}.{part}")
    marker = resource.get("Metadata", {}).get("Strangler")
    names = isinstance(marker, dict) and all(isinstance(marker.get(k, ""), str) for k in ("Action", "ExtractedFrom"))
    if marker is not None and not names:
        raise StranglerError(
            f"Metadata.Strangler is {_shape(marker)}; strangler writes it as a mapping of Action and ExtractedFrom to names",
            where=f"{where}.Metadata.Strangler",
            hint="restore it, or delete it if this function was not made by strangler",
        )


def _function_globals(data: Mapping[str, Any], template: str) -> Mapping[str, Any]:
    """``Globals.Function``; SAM refuses a Globals section that is not a plain mapping."""
    globals_ = data.get("Globals")
    if globals_ is None:
        return {}
    if not isinstance(globals_, dict) or _intrinsic_name(globals_):
        raise StranglerError(f"Globals is {_shape(globals_)}; SAM expects a mapping of sections", where=f"{template}: Globals")
    function = globals_.get("Function")
    if function is None:
        return {}
    if not isinstance(function, dict) or _intrinsic_name(function):
        raise StranglerError(
            f"Globals.Function is {_shape(function)}; SAM expects a mapping of properties (intrinsic functions go inside it)",
            where=f"{template}: Globals.Function",
        )
    return function


def _intrinsic_name(value: Any) -> str | None:
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


def _shape(value: Any) -> str:
    name = _intrinsic_name(value)
    if name:
        written = f"!{name}" if getattr(value, "tag", None) is not None else next(iter(value))
        return f"an intrinsic function ({written})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    kind = type(value).__name__
    return f"{'an' if kind[0] in 'aeiouAEIOU' else 'a'} {kind} ({str(value)[:40]!r})"


def _function(base: Path, logical_id: str, resource: dict, globals_: Mapping[str, Any]) -> FunctionRef | str:
    """The function's local Python code, or why it has none strangler can work on.

    ``base`` is the template's folder: SAM resolves CodeUri against it.
    """
    properties = resource.get("Properties") or {}

    def setting(name: str) -> Any:
        return properties[name] if name in properties else globals_.get(name)

    if "InlineCode" in properties:
        return "its code is InlineCode in the template, not a folder"
    if setting("PackageType") == "Image" or "ImageUri" in properties:
        return "it is a container image (PackageType: Image)"
    runtime = setting("Runtime")
    if _intrinsic_name(runtime):
        return f"its Runtime is {_shape(runtime)}: strangler cannot tell that it is Python"
    if not isinstance(runtime, str) or not runtime.startswith("python"):
        return "it has no Runtime" if runtime is None else f"its Runtime {runtime} is not Python"
    handler = setting("Handler")
    if not isinstance(handler, str) or _intrinsic_name(handler):
        return "it has no Handler" if handler is None else f"its Handler is {_shape(handler)}, not module.function"
    code_uri = setting("CodeUri")
    if code_uri is None:
        code_uri = "."
    if not isinstance(code_uri, str) or _intrinsic_name(code_uri):
        return f"its CodeUri is {_shape(code_uri)}, not a local folder (S3 or an intrinsic function)"
    if code_uri.startswith("s3://"):
        return f"its code is in S3 ({code_uri}), not a local folder"
    code_dir = (base / code_uri).resolve()
    if not code_dir.exists():
        return f"its CodeUri {code_uri} does not exist (resolved against the template's folder: {code_dir})"
    if not code_dir.is_dir():
        return f"its CodeUri {code_uri} is a file (an archive?), not a folder of Python code"
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


def _read_sources(code_dir: Path) -> dict[Path, str]:
    found: dict[Path, str] = {}
    if not code_dir.is_dir():
        return found
    for path in sorted(code_dir.rglob("*")):
        if any(part in _SKIP_DIRS for part in path.relative_to(code_dir).parts):
            continue
        if path.is_file() and (path.suffix == ".py" or path.name == "requirements.txt"):
            found[path] = path.read_text(encoding="utf-8")
    return found
