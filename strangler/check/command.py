"""``strangler check``: run the selected rules over an application and, with ``--fix``,
write their fixes as one change.

The findings after a fix are found again on the changed application (on disk after a
write, in a scratch copy for ``--dry-run``), so what is said to remain is what a second
run would report, not what the rules hoped to fix.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from strangler import deep
from strangler.apply import changeset, sink
from strangler.apply.sink import WriteOptions
from strangler.check import registry
from strangler.check.app import CheckedApp
from strangler.check.base import Rule
from strangler.check.edits import Edits
from strangler.check.model import Finding, Location, RuleInfo
from strangler.errors import StranglerError, did_you_mean
from strangler.load.project import Project, load
from strangler.model import ChangeSet, FileChange, Report


@dataclass(frozen=True)
class CheckOptions:
    select: tuple[str, ...] = ()  # code prefixes (``STR1``, ``STR101``); empty: every rule
    fix: bool = False
    dry_run: bool = False
    allow_dirty: bool = False


@dataclass(frozen=True)
class Checked:
    """One application checked: what was found first, what remains, and the change made."""

    found: tuple[Finding, ...]  # before any fix
    remaining: tuple[Finding, ...]  # after the fix (== found without --fix)
    changes: ChangeSet | None = None  # the fix, written or (dry run) only shown
    written: bool = False
    unread: tuple[str, ...] = ()  # handler modules that could not be read or parsed: not checked

    @property
    def fixed(self) -> int:
        return max(0, len(self.found) - len(self.remaining)) if self.changes is not None else 0


def every_info(rules: Iterable[Rule] | None = None) -> tuple[RuleInfo, ...]:
    """Every code the registered rules report, in code order."""
    return tuple(sorted((info for rule in (registry.RULES if rules is None else rules) for info in rule.infos),
                        key=lambda info: info.code))


def selected_codes(select: Sequence[str], infos: Sequence[RuleInfo]) -> frozenset[str]:
    """The codes ``--select`` names (prefixes, ``ALL``); an unknown one is an error."""
    codes = [info.code for info in infos]
    if not select:
        return frozenset(codes)
    chosen: set[str] = set()
    for raw in select:
        for word in (part.strip().upper() for part in raw.split(",")):
            if not word:
                continue
            matched = codes if word == "ALL" else [code for code in codes if code.startswith(word)]
            if not matched:
                raise StranglerError(f"--select {word}: no rule has this code (the codes are {', '.join(codes) or 'none'})",
                                     hint=did_you_mean(word, codes) or "see strangler check --help")
            chosen.update(matched)
    return frozenset(chosen)


def check(directory: Path, template: Path | None, options: CheckOptions,
          say: Callable[[str], None] = lambda line: None, rules: Sequence[Rule] | None = None) -> Checked:
    """Check (and with ``options.fix`` fix) the application in ``directory``."""
    return deep.call(_check, directory, template, options, say, list(registry.RULES if rules is None else rules))


def _check(directory: Path, template: Path | None, options: CheckOptions, say: Callable[[str], None],
           rules: list[Rule]) -> Checked:
    codes = selected_codes(options.select, every_info(rules))
    project = load(directory, template)
    app = CheckedApp(project)
    found = find(app, rules, codes)
    unread = unreadable(app)
    if not options.fix or not any(finding.fixable for finding in found):
        return Checked(found, found, unread=unread)
    changes, remaining = _fixed_point(project, rules, codes, found)
    if not changes.changes:
        return Checked(found, found, changes, unread=unread)
    if options.dry_run:
        return Checked(found, remaining, changes, unread=unread)
    sink.write_changes(project, changes, WriteOptions(allow_dirty=options.allow_dirty), say)
    again = find(CheckedApp(load(directory, template)), rules, codes)
    return Checked(found, again, changes, written=True, unread=unread)


def unreadable(app: CheckedApp) -> tuple[str, ...]:
    """The functions' handler modules that are there but cannot be read or parsed: the rules
    skip them, so "All checks passed" must not be said of them without a word."""
    return tuple(sorted({app.relative(f.module_path) for f in app.functions
                         if f.module_path.is_file() and app.module(f.module_path) is None}))


def find(app: CheckedApp, rules: Sequence[Rule], codes: frozenset[str]) -> tuple[Finding, ...]:
    """Every selected rule's findings, in path, line, column and code order."""
    found: list[Finding] = []
    for rule in rules:
        if any(info.code in codes for info in rule.infos):
            found += [finding for finding in rule.find(app) if finding.code in codes]
    return tuple(sorted(set(found), key=_order))


def _order(finding: Finding) -> tuple[str, int, int, str, str]:
    where = finding.location
    return (where.path, where.line, where.col, finding.code, finding.message)


def fixes(project: Project, rules: Sequence[Rule], codes: frozenset[str], found: Sequence[Finding]) -> ChangeSet:
    """The fixes of every fixable finding, gathered into one ChangeSet (nothing written)."""
    app = CheckedApp(project)
    edits = Edits(project)
    for rule in rules:
        own = {info.code for info in rule.infos} & codes
        mine = [finding for finding in found if finding.code in own]
        if any(finding.fixable for finding in mine):
            rule.fix(app, mine, edits)
    return edits.change_set()


# A fix can make a finding of another rule (a queue put in front of a callee makes it
# at-least-once): fixes are made again on the fixed copy until none is left, so that a
# second ``check --fix`` changes nothing. Each rule's fix is final on its own findings, so
# the rounds end; the bound only guards against a rule that undoes another's fix.
_ROUNDS = 4


def _fixed_point(project: Project, rules: Sequence[Rule], codes: frozenset[str],
                 found: Sequence[Finding]) -> tuple[ChangeSet, tuple[Finding, ...]]:
    """Every round of fixes as one ChangeSet against the files as they are, and what a run
    would find after it; the rounds run in a scratch copy, so nothing here is written."""
    with tempfile.TemporaryDirectory(prefix="strangler-check-") as scratch:
        root = _scratch_copy(project, Path(scratch))
        template = Path(project.relative(project.template.path))
        current, remaining, reports, touched = project, tuple(found), [], set()
        for _ in range(_ROUNDS):
            step = fixes(current, rules, codes, remaining)
            if not step.changes:
                break
            changeset.apply(root, step.changes)
            reports.append(step.report)
            touched.update(change.path for change in step.changes)
            current = load(root, template)
            remaining = find(CheckedApp(current), rules, codes)
            if not any(finding.fixable for finding in remaining):
                break
        changes = tuple(FileChange(path, _text(project.root / path), _text(root / path)) for path in sorted(touched))
        return ChangeSet(tuple(c for c in changes if c.old != c.new), _joined(reports)), remaining


def _scratch_copy(project: Project, root: Path) -> Path:
    """The files the rules read (the template and the functions' code), under ``root``."""
    for path in [project.template.path, *project.sources]:
        relative = project.relative(Path(path))
        if relative.startswith("../"):
            continue
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return root


def _text(path: Path) -> str | None:
    return path.read_bytes().decode("utf-8") if path.is_file() else None


def _joined(reports: Sequence[Report]) -> Report:
    return Report(**{kind: tuple(line for report in reports for line in getattr(report, kind))
                     for kind in ("created", "changed", "manual")})


def under(prefix: str, findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """``findings`` with their paths under ``prefix`` (a PATH given on the command line),
    so that several applications checked in one run name their files apart."""
    if prefix in ("", "."):
        return tuple(findings)

    def moved(where: Location) -> Location:
        return replace(where, path=f"{prefix.rstrip('/')}/{where.path}")

    return tuple(replace(f, location=moved(f.location), related=tuple(map(moved, f.related))) for f in findings)


def merged_report(results: Iterable[Checked]) -> Report:
    """The report lines of every application's fix, in one Report."""
    return _joined([result.changes.report for result in results if result.changes is not None])
