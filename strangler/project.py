"""Load: the template, its Python functions, and the source files behind them.

This is the only stage that reads the disk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from strangler.errors import StranglerError
from strangler.model import FunctionRef
from strangler.sam.document import TemplateDocument, find_template
from strangler.settings import Settings, load_settings

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
    sources: dict[Path, str] = {}
    for code_dir in {f.code_dir for f in functions}:
        sources.update(_read_sources(code_dir))
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
