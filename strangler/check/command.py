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
from strangler.model import ChangeSet, Report


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
    changes = fixes(project, rules, codes, found)
    if not changes.changes:
        return Checked(found, found, changes, unread=unread)
    if options.dry_run:
        return Checked(found, _found_after(project, changes, rules, codes), changes, unread=unread)
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


def _found_after(project: Project, changes: ChangeSet, rules: Sequence[Rule], codes: frozenset[str]) -> tuple[Finding, ...]:
    """What a run would find after ``changes``: the files the rules read, changed, in a
    scratch folder (so a dry run reports what would remain without writing a byte here)."""
    with tempfile.TemporaryDirectory(prefix="strangler-check-") as scratch:
        root = Path(scratch)
        for path in [project.template.path, *project.sources]:
            relative = project.relative(Path(path))
            if relative.startswith("../"):
                continue
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        changeset.apply(root, changes.changes)
        template = project.relative(project.template.path)
        return find(CheckedApp(load(root, Path(template))), rules, codes)


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
    kinds: dict[str, list[str]] = {"created": [], "changed": [], "manual": []}
    for result in results:
        if result.changes is not None:
            for kind in kinds:
                kinds[kind] += getattr(result.changes.report, kind)
    return Report(created=tuple(kinds["created"]), changed=tuple(kinds["changed"]), manual=tuple(kinds["manual"]))
