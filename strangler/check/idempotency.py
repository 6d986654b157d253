"""STR2xx: handlers behind at-least-once sources that write without a guard.

SQS, SNS, EventBridge, S3, streams and asynchronous invokes may deliver an event more than
once. A handler behind one that creates an item without a condition, adds to a counter,
sends a new message, writes an object under a generated key or calls an external API
repeats that effect on every redelivery. ``fix`` guards a creating ``put_item`` with
``attribute_not_exists(<hash key>)``, and the rest with the Powertools idempotency utility.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import libcst as cst

from strangler.check.app import CheckedApp
from strangler.check.edits import Edits
from strangler.check.idempotency_actions import actions_of
from strangler.check.idempotency_find import HandlerReader, Modules, Write
from strangler.check.idempotency_fix import add_conditions, make_idempotent
from strangler.check.idempotency_plan import Plan, describe, plan, table_label
from strangler.check.idempotency_sources import at_least_once, repeating
from strangler.check.idempotency_template import (
    add_persistence_table,
    grant,
    has_powertools_layer,
    persistence_table,
    ungrantable,
    with_requirement,
)
from strangler.check.model import Finding, Location, RuleInfo
from strangler.errors import StranglerError
from strangler.model import FunctionRef

_POWERTOOLS = ("The Powertools idempotency utility stores each event's key and result in a DynamoDB table: a "
               "repeat within the expiry (one hour by default) returns the first result without running again. "
               "@idempotent needs the handler's Lambda context (handler(event, context)).")
INFOS = (
    RuleInfo("STR201", "unconditional-put-item", "put_item without a ConditionExpression behind an at-least-once source",
             "A redelivered event writes the item again, overwriting what happened since. The fix adds "
             "ConditionExpression attribute_not_exists(<hash key>) and treats the ConditionalCheckFailedException of "
             "a repeat as success (only a put_item that creates an item should get it)."),
    RuleInfo("STR202", "counter-update", "update_item that adds to a counter or appends to a list behind an "
             "at-least-once source", f"A redelivered event counts twice. {_POWERTOOLS}"),
    RuleInfo("STR203", "new-message", "send_message, publish or put_events of a new message behind an at-least-once "
             "source", f"A redelivered event sends the message again. {_POWERTOOLS}"),
    RuleInfo("STR204", "generated-s3-key", "S3 object written under a generated key (uuid, time, random) behind an "
             "at-least-once source", f"A redelivered event writes a second object. {_POWERTOOLS}"),
    RuleInfo("STR205", "external-call", "external HTTP call (requests, httpx, urllib) behind an at-least-once source",
             f"A redelivered event calls the external API again. {_POWERTOOLS}"),
)
CODES = {info.code: info for info in INFOS}


class IdempotencyRule:
    """Non-idempotent handlers (STR201-STR205)."""

    @property
    def infos(self) -> tuple[RuleInfo, ...]:
        return INFOS

    def find(self, app: CheckedApp) -> Iterable[Finding]:
        plans = _plans(app, app.module, lambda function: True)
        findings = [finding for found in plans for finding in _findings(app, found)]
        return sorted(findings, key=lambda f: (f.location.path, f.location.line, f.location.col, f.code))

    def fix(self, app: CheckedApp, findings: Sequence[Finding], edits: Edits) -> None:
        chosen: dict[str, set[str]] = defaultdict(set)
        for finding in findings:
            if finding.fixable and finding.code in CODES and finding.function_id:
                chosen[finding.function_id].add(finding.code)
        if not chosen:
            return
        decorate = _fix_conditions(app, edits, chosen)
        _fix_powertools(app, edits, decorate)


RULE = IdempotencyRule()


def _plans(app: CheckedApp, modules: Modules, per_action: Callable[[FunctionRef], bool]) -> list[Plan]:
    """Each function's plan; a monolith's per action when ``per_action`` says its code is as
    the dispatch analysis reads it."""
    found = []
    for function in app.functions:
        result = _plan(app, function, HandlerReader(function.code_dir, modules), per_action(function))
        if result is not None:
            found.append(result)
    return found


def _plan(app: CheckedApp, function: FunctionRef, reader: HandlerReader, per_action: bool) -> Plan | None:
    sources = at_least_once(app, function.logical_id)
    if not sources:
        return None  # a function no repeating source reaches needs no dispatch analysis
    actions = actions_of(app, function, reader) if per_action else None
    kinds = {(source.service if source else "synchronous")
             for source in (repeating(app, function.logical_id, d) for d in app.deliveries(function.logical_id))}
    return plan(app.template, function, sources, reader, _sharing(app, function), actions, len(kinds) == 1)


def _findings(app: CheckedApp, found: Plan) -> list[Finding]:
    template = Location(app.template_path, _template_line(app, found.function.logical_id))
    return [_finding(app, found, write, template) for write in found.writes]


def _finding(app: CheckedApp, found: Plan, write: Write, template: Location) -> Finding:
    origin = found.origins[write]
    source = origin.sources[0].describe()
    if len(origin.sources) > 1:
        source += f" (and {len(origin.sources) - 1} more)"
    what = write.what.replace("{table}", table_label(app.template, found.function.logical_id, write))
    if origin.actions:
        what += f" (action {', '.join(repr(key) for key in origin.actions)})"
    fix = found.fix_of(write)
    advice = "" if fix else (found.refusal or "make the write conditional, or use the Powertools idempotency utility")
    return Finding(
        write.code, f"{source} can deliver the same event twice; {what}",
        Location(app.relative(write.path), write.line, write.col), found.function.logical_id,
        explanation=CODES[write.code].explanation, fix=fix, advice=advice, related=(template,),
    )


def _template_line(app: CheckedApp, logical_id: str) -> int:
    resources = app.template.get("Resources")
    try:
        return int(resources.lc.key(logical_id)[0]) + 1  # type: ignore[union-attr]
    except (AttributeError, KeyError, TypeError):
        return 1


# --- fixing ----------------------------------------------------------------------------
class _EditedModules:
    """Modules parsed from the text the fixes have so far (each file once per step)."""

    def __init__(self, app: CheckedApp, edits: Edits) -> None:
        self.app, self.edits = app, edits
        self._parsed: dict[Path, cst.Module | None] = {}

    def __call__(self, path: Path) -> cst.Module | None:
        if path not in self._parsed:
            text = self.edits.text(self.app.relative(path))
            try:
                self._parsed[path] = None if text is None else cst.parse_module(text)
            except cst.ParserSyntaxError:
                self._parsed[path] = None
        return self._parsed[path]


def _fix_conditions(app: CheckedApp, edits: Edits, chosen: dict[str, set[str]]) -> set[str]:
    """Guard the put_items a condition fixes; the functions that still need Powertools."""
    modules = _EditedModules(app, edits)
    by_path: dict[Path, dict[tuple[int, int], str]] = defaultdict(dict)
    decorate: set[str] = set()
    for found in _plans(app, modules, lambda function: _as_on_disk(app, edits, function)):
        codes = chosen.get(found.function.logical_id, set())
        if "STR201" in codes:
            for write, key in found.conditions.items():
                by_path[write.path][(write.line, write.col)] = key
        needed = {write.code for write in found.writes if write not in found.conditions}
        if found.decoration is not None and not found.refusal and codes & needed:
            decorate.add(found.function.logical_id)
    for path, keys in by_path.items():
        module = modules(path)
        if module is not None:
            edits.replace(app.relative(path), add_conditions(module, keys).code)
            edits.say("changed", f"{app.relative(path)}: put_item guarded by a ConditionExpression")
    return decorate


def _as_on_disk(app: CheckedApp, edits: Edits, function: FunctionRef) -> bool:
    """The handler module is as the dispatch analysis reads it (no earlier rule changed it)."""
    relative = app.relative(function.module_path)
    return edits.text(relative) == app.text(function.module_path)


def _fix_powertools(app: CheckedApp, edits: Edits, decorate: set[str]) -> None:
    table, exists = persistence_table(edits.template)
    used = False
    for function in app.functions:
        if function.logical_id not in decorate:
            continue
        # Parsed afresh: the conditions, or an earlier function sharing the module, changed it.
        reader = HandlerReader(function.code_dir, _EditedModules(app, edits))
        found = _plan(app, function, reader, per_action=False)
        scope = reader.scope(function.module_path)
        if found is None or found.decoration is None or found.refusal or scope is None:
            continue
        _grant_all(app, edits, found, table)
        used = True
        relative = app.relative(function.module_path)
        edits.replace(relative, make_idempotent(scope[0].module, scope[0], found.decoration).code)
        edits.say("changed", f"{relative}: {describe(found.decoration)}")
    if used and not exists:
        add_persistence_table(edits.template, table)
        edits.say("created", f"{table}: the DynamoDB table the Powertools idempotency utility keeps its records in")


def _sharing(app: CheckedApp, function: FunctionRef) -> tuple[str, ...]:
    """Every function that loads the same handler module: each reads IDEMPOTENCY_TABLE once
    the module creates the persistence layer."""
    return tuple(other.logical_id for other in app.functions if other.module_path == function.module_path)


def _grant_all(app: CheckedApp, edits: Edits, found: Plan, table: str) -> None:
    for other in app.functions:
        if other.module_path != found.function.module_path:
            continue
        refused = ungrantable(edits.template.data, other.logical_id, table)
        if refused:  # an earlier rule of this run changed the function since it was found
            raise StranglerError(refused, where=f"{app.template_path}: {other.logical_id}",
                                 hint="fix it by hand, or leave its finding out with --select")
        grant(edits.template, other.logical_id, table)
        _require(app, edits, other)
    edits.touch_template()


def _require(app: CheckedApp, edits: Edits, function: FunctionRef) -> None:
    if has_powertools_layer(app.template, function.logical_id):
        return  # the layer provides the package at run time
    relative = app.relative(function.code_dir / "requirements.txt")
    before = edits.text(relative)
    after = with_requirement(before)
    if after != before:
        edits.replace(relative, after)
