"""The application as ``strangler check`` reads it: the template, each function's code and
what delivers events to it, each file parsed at most once per run."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import libcst as cst

from strangler.errors import StranglerError
from strangler.load.project import Project
from strangler.model import FunctionRef
from strangler.template.dialect import dialect_of
from strangler.template.invokers import Invoker


@dataclass(frozen=True)
class Delivery:
    """One way events reach a function: an entry of its ``Events`` or a resource outside them."""

    kind: str  # the SAM event Type ("SQS", "Api") or the resource Type ("AWS::Events::Rule")
    name: str  # the Events entry's name, or the resource's logical id
    outside_events: bool = False


class CheckedApp:
    """Read-only view of one application for the rules; parses lazily and caches."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._modules: dict[Path, cst.Module | None] = {}
        self._trees: dict[Path, ast.Module | None] = {}

    @property
    def root(self) -> Path:
        return self.project.root

    @property
    def template(self) -> Mapping[str, Any]:
        return self.project.template.data

    @property
    def template_path(self) -> str:
        return self.project.relative(self.project.template.path)

    @property
    def functions(self) -> tuple[FunctionRef, ...]:
        return self.project.functions

    def resource(self, logical_id: str) -> Mapping[str, Any]:
        found = self.project.resources.get(logical_id)
        return found if isinstance(found, Mapping) else {}

    def relative(self, path: Path) -> str:
        return self.project.relative(path)

    def text(self, path: Path) -> str | None:
        """The source of a file under a function's code folder, None if it is not readable."""
        try:
            return self.project.sources[path]
        except (KeyError, StranglerError):
            return None

    def module(self, path: Path) -> cst.Module | None:
        """The parsed file, once per run; None when it cannot be read or parsed."""
        if path not in self._modules:
            text = self.text(path)
            try:
                self._modules[path] = None if text is None else cst.parse_module(text)
            except (cst.ParserSyntaxError, RecursionError):
                self._modules[path] = None
        return self._modules[path]

    def tree(self, path: Path) -> ast.Module | None:
        """The file's ``ast``, once per run (for rules that only read); None when it cannot be
        read or parsed. Several functions may share a code folder, and so its files."""
        if path not in self._trees:
            text = self.text(path)
            try:
                self._trees[path] = None if text is None else ast.parse(text)
            except (SyntaxError, ValueError, RecursionError):
                self._trees[path] = None
        return self._trees[path]

    def deliveries(self, function_id: str) -> tuple[Delivery, ...]:
        """Everything that delivers events to the function: its Events, then outside them."""
        return self._deliveries.get(function_id, ())

    @cached_property
    def _deliveries(self) -> dict[str, tuple[Delivery, ...]]:
        dialect = dialect_of(self.template)
        found: dict[str, tuple[Delivery, ...]] = {}
        for function in self.functions:
            own = dialect.events_of(self.resource(function.logical_id)) or {}
            events = [Delivery(str((entry or {}).get("Type")), str(name)) for name, entry in own.items()
                      if isinstance(entry, Mapping)]
            outside = [Delivery(invoker.kind, invoker.logical_id, outside_events=True)
                       for invoker in self._invokers(function.logical_id)]
            found[function.logical_id] = (*events, *outside)
        return found

    def _invokers(self, function_id: str) -> tuple[Invoker, ...]:
        dialect = dialect_of(self.template)
        try:
            return tuple(dialect.invokers_of(self.template, function_id, self.project.template.read_file))
        except StranglerError:
            return ()
