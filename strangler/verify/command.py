"""``strangler verify``: the two versions, the events, the replay, in that order."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from strangler.analyse.dispatch import Analysis
from strangler.errors import StranglerError
from strangler.load.project import NO_CODE_DIRS, CodeDirs, Project, load
from strangler.model import EventPath
from strangler.pipeline import survey
from strangler.template.dialect import dialect_of
from strangler.verify import events as event_files
from strangler.verify.events import Event
from strangler.verify.replay import Side, Verdict, replay
from strangler.verify.trees import Versions, versions

INSTALL = 'pip install "strangler[verify]"'


@dataclass(frozen=True)
class Verification:
    versions: Versions
    events: tuple[Event, ...]
    verdicts: tuple[Verdict, ...]
    notes: tuple[str, ...]


def verify(project_dir: Path, template: Path | None, before_ref: str | None, given: Sequence[Path],
           ignore: Sequence[str], code: CodeDirs = NO_CODE_DIRS) -> Verification:
    """Replay the events against both versions. ``code`` (``--code``) is relative to the
    application folder, so it names the same folder in both."""
    _check_installed()
    relative_template = _relative_template(project_dir, template)
    with tempfile.TemporaryDirectory(prefix="strangler-verify-") as scratch:
        found = versions(project_dir, before_ref, Path(scratch) / "before")
        project = load(found.before, relative_template, code)
        monoliths = survey(project, None).monoliths  # analysed once: direct routes and samples
        before = _side("before", project, _direct_monoliths(project, monoliths))
        # Direct invokes after the split are routed by the monoliths' keys as they were.
        after = _side("after", load(found.after, relative_template, code), before.direct)
        notes: list[str] = []
        chosen = event_files.gather(found.after, given)
        if not chosen:
            chosen, missing = _samples(project, monoliths)
            notes.append(f"no events/ folder and no --events: {len(chosen)} sample event"
                         f"{'s' if len(chosen) != 1 else ''} written from the dispatch, one per action")
            notes += [f"no sample for {key}: add one to events/" for key in missing]
        verdicts, unresolved = replay(before, after, chosen, ignore)
        notes += [f"not resolved, {item}" for item in unresolved]
        return Verification(found, tuple(chosen), tuple(verdicts), tuple(notes))


def _check_installed() -> None:
    missing = [name for name in ("moto", "boto3", "freezegun", "flask") if not _importable(name)]
    if missing:
        raise StranglerError(f"verify needs {', '.join(missing)}, which are not installed",
                             hint=f"install them with: {INSTALL}")


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _relative_template(project_dir: Path, template: Path | None) -> Path | None:
    """The template as a path inside the application, which both versions have."""
    if template is None or not template.is_absolute():
        return template
    try:
        return template.resolve().relative_to(project_dir.resolve())
    except ValueError:
        raise StranglerError(
            f"the template {template} is not inside the application folder {project_dir}",
            where=str(template),
            hint="verify compares the application folder at two versions: give a template inside it",
        ) from None


def _side(name: str, project: Project, direct: dict[str, EventPath]) -> Side:
    from strangler.verify.translate import translate

    try:
        cfn = translate(project.template.path, require_paths=False)
    except AssertionError as exc:
        raise StranglerError(f"the {name} template does not translate: {exc}", where=project.relative(project.template.path),
                             hint="fix the template (sam validate --lint shows the same) and run verify again") from None
    return Side(name, project, cfn, direct)


def _direct_monoliths(project: Project, monoliths: Sequence[Analysis]) -> dict[str, EventPath]:
    """Monoliths with no route at all: their events are direct invokes, routed by key."""
    dialect = dialect_of(project.template.data)
    found = {}
    for analysis in monoliths:
        function = analysis.function.logical_id
        if not dialect.events_of(project.resources[function]):
            found[function] = analysis.dispatch.event_path
    return found


def _samples(project: Project, monoliths: Sequence[Analysis]) -> tuple[list[Event], list[str]]:
    dialect = dialect_of(project.template.data)
    made, missing = [], []
    for analysis in monoliths:
        events = dialect.events_of(project.resources[analysis.function.logical_id]) or {}
        kinds = [str((e or {}).get("Type")) for e in events.values()]
        hints = _hints(events)
        for action in analysis.dispatch.actions:
            sample = event_files.sample(action.key, analysis.dispatch.event_path, kinds, hints)
            if sample is None:
                missing.append(action.key)
            else:
                made.append(sample)
    return made, missing


def _hints(events: Any) -> dict[str, Any]:
    """What the monolith's routes require of its events (a rule's pattern, a topic)."""
    hints: dict[str, Any] = {}
    for event in (events or {}).values():
        properties = (event or {}).get("Properties") or {}
        if isinstance(properties.get("Pattern"), dict):
            hints.setdefault("pattern", json.loads(json.dumps(properties["Pattern"], default=str)))
    return hints
