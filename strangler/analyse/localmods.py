"""Local modules: which files of the monolith's code folder an action's code imports.

A module ``a.b`` of a code folder is ``a/b.py`` or ``a/b/__init__.py``, and importing it
also runs ``a/__init__.py``, so those come along. Each local module is parsed once per run
to follow its own imports.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from strangler.analyse.facts import Facts, Import, facts_of
from strangler.errors import StranglerError


class LocalModules:
    def __init__(self, code_dir: Path, sources: Mapping[Path, str], display: Callable[[Path], str]):
        self.code_dir = code_dir
        self.display = display
        self.sources = sources
        self._facts: dict[Path, Facts] = {}

    def files(
        self, imports: Iterable[Import], package: str, overrides: Mapping[Path, Facts] | None = None
    ) -> tuple[Path, ...]:
        """The local files ``imports`` (made in ``package``) need, transitively, sorted.

        ``overrides`` are the facts of modules that will be written trimmed: their imports
        are followed, not the original's.
        """
        overrides = overrides or {}
        found: set[Path] = set()
        pending = [(item, package) for item in imports]
        while pending:
            item, from_package = pending.pop()
            for path in self._resolve(item, from_package):
                if path in found:
                    continue
                found.add(path)
                module_package = self._package_of(path)
                facts = overrides.get(path) or self.facts_of(path)
                pending.extend((sub, module_package) for sub in facts.imports)
        return tuple(sorted(found))

    def facts_of(self, path: Path) -> Facts:
        """Imports, environment reads and services of the local module at ``path``."""
        found = self._facts.get(path)
        if found is None:
            found = self._facts[path] = facts_of(self._parse(path))
        return found

    def _resolve(self, item: Import, package: str) -> list[Path]:
        if item.level:
            base = package.split(".") if package else []
            base = base[: len(base) - (item.level - 1)] if item.level > 1 else base
            module = ".".join([*base, *([item.module] if item.module else [])])
        else:
            module = item.module
        paths = self._module_files(module)
        for name in item.names:
            paths += self._module_files(f"{module}.{name}" if module else name)
        return paths

    def _module_files(self, module: str) -> list[Path]:
        if not module:
            return []
        parts = module.split(".")
        target = self.code_dir.joinpath(*parts)
        leaf = [p for p in (target.with_suffix(".py"), target / "__init__.py") if p in self.sources]
        if not leaf:
            return []
        inits = [self.code_dir.joinpath(*parts[:i], "__init__.py") for i in range(1, len(parts))]
        return leaf + [p for p in inits if p in self.sources]

    def _package_of(self, path: Path) -> str:
        parts = list(path.relative_to(self.code_dir).with_suffix("").parts)
        if parts[-1] == "__init__":
            return ".".join(parts[:-1])
        return ".".join(parts[:-1])

    def _parse(self, path: Path) -> ast.Module:
        """The module's ``ast``: only its imports and environment reads matter, it is copied as is."""
        try:
            return ast.parse(self.sources[path], str(path))
        except SyntaxError as exc:
            raise StranglerError(
                f"syntax error: {exc.msg}", where=f"{self.display(path)}:{exc.lineno}",
                hint="fix the module (python -m py_compile) and run again",
            ) from None
