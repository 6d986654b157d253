"""Which files of a retired monolith's folder may go, and which stay because something left
in the template still reaches them.

Keep when in doubt: a file goes only when no function, layer or folder of the new template
can reach it. What reaches a file of the monolith's folder:

- a folder inside it that is a code folder of its own: a function made by an earlier run
  (``--functions-dir src/functions``), one made by this run, a folder setting, another
  function or layer whose CodeUri/ContentUri is under it;
- a function whose code folder holds the monolith's (``CodeUri: .`` above ``src/``): its
  package contains those files, and its handler may import them;
- a function with the same CodeUri: then nothing of the folder goes (decided by the caller).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from strangler.analyse.localmods import LocalModules
from strangler.errors import StranglerError
from strangler.load.project import Project
from strangler.model import FunctionRef

# Local artifact paths SAM and ``cloudformation package`` upload, by resource type.
_ARTIFACTS = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
    "AWS::Serverless::Api": "DefinitionUri",
    "AWS::Serverless::HttpApi": "DefinitionUri",
    "AWS::Serverless::StateMachine": "DefinitionUri",
    "AWS::Lambda::Function": "Code",
    "AWS::Lambda::LayerVersion": "Content",
}
_DYNAMIC_IMPORT = re.compile(r"\bimportlib\b|\b__import__\s*\(|\bpkgutil\b|\bpkg_resources\b|\bimport_module\b")


@dataclass(frozen=True)
class Removal:
    files: tuple[Path, ...]  # the monolith's files that go
    kept: tuple[str, ...]  # what stays of its folder and why, for the report


def monolith_removal(project: Project, monolith: FunctionRef, new_folders: Iterable[str], functions_dir: str) -> Removal:
    """The files of ``monolith``'s folder nothing left in the template reaches.

    ``new_folders`` are the folders this run creates (relative to the project),
    ``functions_dir`` where new functions go by default.
    """
    if monolith.code_dir == project.root:
        candidates = [monolith.module_path] if monolith.module_path in project.sources else []
    else:
        candidates = sorted(p for p in project.sources if monolith.code_dir in p.parents)
    guards = _code_folders(project, monolith, new_folders, functions_dir)
    importers = still_imported(project, monolith, candidates)
    doomed: list[Path] = []
    kept: dict[str, None] = {}
    for path in candidates:
        guard = next(((folder, why) for folder, why in guards if path == folder or folder in path.parents), None)
        if guard is not None:
            kept[f"{_shown(project, guard[0])}/ left in place: {guard[1]}"] = None
        elif path in importers:
            kept[f"{project.relative(path)} left in place: {importers[path]}"] = None
        else:
            doomed.append(path)
    return Removal(tuple(doomed), tuple(kept))


def still_imported(project: Project, monolith: FunctionRef, paths: Iterable[Path]) -> dict[Path, str]:
    """Those of ``paths`` (files of the monolith's folder) that another function's code
    imports, or may import: its code folder holds them and it imports modules by computed
    names (``importlib``), or its handler cannot be read."""
    wanted = set(paths)
    found: dict[Path, str] = {}
    if not wanted:
        return found
    for function in project.functions:
        if function.logical_id == monolith.logical_id or function.code_dir == monolith.code_dir:
            continue
        if function.code_dir not in monolith.code_dir.parents:
            continue  # its package does not hold the monolith's files
        reached = _reached_by(project, function)
        if reached is None:
            reason = (f"{function.logical_id}'s code folder holds it and strangler cannot tell what that "
                      "function imports (modules imported by computed names, or a handler it cannot read)")
            found.update({path: reason for path in wanted if path not in found})
            continue
        for path in wanted & reached:
            found.setdefault(path, f"{function.logical_id} imports it")
    return found


def _reached_by(project: Project, function: FunctionRef) -> set[Path] | None:
    """The local files ``function``'s handler imports, transitively; None when unknowable."""
    source = project.sources.get(function.module_path)
    if source is None:
        return None
    modules = LocalModules(function.code_dir, project.sources, project.relative)
    try:
        files = set(modules.files(modules.facts_of(function.module_path).imports, function.package))
    except StranglerError:  # a module strangler cannot parse: keep when in doubt
        return None
    files.add(function.module_path)
    if any(_DYNAMIC_IMPORT.search(project.sources.get(path, "")) for path in files):
        return None
    return files


def _code_folders(
    project: Project, monolith: FunctionRef, new_folders: Iterable[str], functions_dir: str
) -> list[tuple[Path, str]]:
    """Folders inside the monolith's that are (or hold) code of what stays in the template."""
    inside: list[tuple[Path, str]] = []

    def add(folder: Path, why: str) -> None:
        if monolith.code_dir in folder.parents:
            inside.append((folder, why))

    for function in project.functions:
        if function.logical_id != monolith.logical_id:
            add(function.code_dir, f"the code of {function.logical_id}")
    base = project.template.path.parent
    for logical_id, uri in _artifact_paths(project.resources):
        if logical_id != monolith.logical_id:
            add((base / uri).resolve(), f"the code of {logical_id}")
    for folder in new_folders:
        add((project.root / folder).resolve(), "the code of a function this run creates")
    add((project.root / functions_dir).resolve(), "the --functions-dir folder, where new functions go")
    for key, settings in project.settings.actions.items():
        if settings.folder:
            add((project.root / settings.folder).resolve(), f"the folder setting of {key!r}")
    # The innermost reason first: a function's own folder says more than the folder holding it.
    return sorted(inside, key=lambda item: len(item[0].parts), reverse=True)


def _artifact_paths(resources: Mapping[str, Any]) -> list[tuple[str, str]]:
    found = []
    for logical_id, resource in resources.items():
        if not isinstance(resource, Mapping):
            continue
        name = _ARTIFACTS.get(str(resource.get("Type")))
        value = (resource.get("Properties") or {}).get(name) if name else None
        if isinstance(value, str) and value and "://" not in value:
            found.append((logical_id, value))
    return found


def _shown(project: Project, folder: Path) -> str:
    try:
        return project.relative(folder)
    except ValueError:
        return folder.as_posix()
