"""Per function: what repeats its events, what it writes unguarded, and how each write can
be fixed (a ConditionExpression, the Powertools utility, or advice only)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import libcst as cst

from strangler.check.idempotency_actions import ActionWrites
from strangler.check.idempotency_find import STR201, HandlerReader, Write
from strangler.check.idempotency_fix import Decoration, condition_arguments
from strangler.check.idempotency_guard import calls_under
from strangler.check.idempotency_scope import Env, ModuleScope
from strangler.check.idempotency_sources import AtLeastOnce
from strangler.check.idempotency_template import (
    TABLE_ID,
    existing_persistence_table,
    hash_key,
    table_id,
    ungrantable,
)
from strangler.model import FunctionRef


@dataclass(frozen=True)
class Origin:
    """What makes one write a pitfall: the repeating sources that reach it, and in a
    monolith the actions it belongs to."""

    sources: tuple[AtLeastOnce, ...]
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    function: FunctionRef
    sources: tuple[AtLeastOnce, ...]
    writes: tuple[Write, ...]
    origins: Mapping[Write, Origin]
    conditions: Mapping[Write, str] = field(default_factory=dict)  # write -> the table's hash key
    decoration: Decoration | None = None  # for the writes a condition does not guard
    refusal: str | None = None  # why the Powertools fix cannot be made

    def fix_of(self, write: Write) -> str | None:
        if write in self.conditions:
            expression, names = condition_arguments(self.conditions[write])
            extra = f" (ExpressionAttributeNames {names})" if names else ""
            return (f'add ConditionExpression="{expression}"{extra} and treat the ConditionalCheckFailedException '
                    "of a repeat as success")
        if self.refusal is not None or self.decoration is None:
            return None
        return describe(self.decoration)


def describe(decoration: Decoration) -> str:
    key = f'event_key_jmespath="{decoration.event_key}"' if decoration.event_key else "the whole event as key"
    where = f"@idempotent_function on {decoration.record_function} (per record)" if decoration.record_function \
        else f"@idempotent on {decoration.handler}"
    return (f"Powertools idempotency: {where}, {key}; a DynamoDB persistence table, IDEMPOTENCY_TABLE, "
            "DynamoDBCrudPolicy and aws-lambda-powertools in requirements.txt")


def plan(template: Mapping[str, Any], function: FunctionRef, sources: tuple[AtLeastOnce, ...],
         reader: HandlerReader, sharing: tuple[str, ...] = (), actions: tuple[ActionWrites, ...] | None = None,
         uniform: bool = True) -> Plan | None:
    """None when nothing needs fixing (no repeating source, a guarded handler, no write).
    ``sharing``: the functions that load the same handler module (they all need the table);
    ``actions``: a monolith's actions (a write only synchronous actions reach is none);
    ``uniform``: every delivery of the function is of one repeating service (else a
    decorator on a monolith's handler would key the other sources' events on nothing)."""
    if not sources or not function.has_local_code:
        return None
    found = reader.writes(function.module_path, function.function_name) or ()
    origins = {write: _origin(write, sources, actions) for write in found}
    writes = tuple(write for write in found if origins[write].sources)
    if not writes:
        return None
    conditions = {}
    for write in writes:
        key = _condition_key(template, function, write)
        if key is not None:
            conditions[write] = key
    rest = [write for write in writes if write not in conditions]
    if not rest:
        return Plan(function, sources, writes, origins, conditions)
    reaching = tuple(dict.fromkeys(source for write in rest for source in origins[write].sources))
    if actions is not None and not uniform:
        reaching = sources  # the handler sees every source's events
    refusal = _refusal(template, function, reaching, sharing or (function.logical_id,), actions is not None, uniform)
    decoration = None if refusal else _decoration(reader, function, reaching[0], rest)
    return Plan(function, sources, writes, origins, conditions, decoration, refusal)


def _origin(write: Write, sources: tuple[AtLeastOnce, ...], actions: tuple[ActionWrites, ...] | None) -> Origin:
    """The sources of the actions that reach ``write``; code no action owns (the entry's
    own) is reached by every source of the function."""
    position = (write.path, write.line, write.col)
    reaching = [action for action in actions or () if position in action.writes]
    if not reaching:
        return Origin(sources)
    found = tuple(dict.fromkeys(source for action in reaching for source in action.sources))
    return Origin(found, tuple(action.key for action in reaching))


def _condition_key(template: Mapping[str, Any], function: FunctionRef, write: Write) -> str | None:
    if write.code != STR201 or not write.condition_fixable:
        return None
    table = table_id(template, function.logical_id, write.table)
    key = hash_key(template, table) if table else None
    # Only an item its delivery creates: keyed on a business id, two different events may
    # write the same item on purpose, which a condition would turn into a silent no-op.
    return key if key in write.delivery_keyed and key not in write.generated else None


def _refusal(template: Mapping[str, Any], function: FunctionRef, sources: tuple[AtLeastOnce, ...],
             sharing: tuple[str, ...], monolith: bool, uniform: bool = True) -> str | None:
    services = sorted({source.service for source in sources})
    if monolith and not uniform:
        return (f"{function.logical_id} is a monolith also delivered events that do not repeat (or by several "
                "services): split it first (strangler extract), then fix each new function")
    if len(services) > 1:
        then = ("split it first (strangler extract), then fix each new function" if monolith
                else "key @idempotent on the fields that identify a request in all of them")
        return (f"{function.logical_id} is delivered events by {' and '.join(services)}, whose events carry "
                f"different ids: {then}")
    if sources[0].event_key is None and services[0] != "asynchronous invoke":
        return (f"{services[0]} events carry no id Powertools is known to key on: choose the fields that "
                "identify a request (event_key_jmespath)")
    table = existing_persistence_table(template) or TABLE_ID
    for function_id in sharing:
        refused = ungrantable(template, function_id, table)
        if refused:
            return refused
    if function.code_elsewhere:
        return f"{function.logical_id}'s code is deployed from {function.code_elsewhere}: change it where it is built"
    return None


# The id of one record, for sources that deliver records in batches.
_RECORD_KEYS = {"SQS": "messageId", "Kinesis": "eventID", "DynamoDB stream": "eventID"}


def _decoration(reader: HandlerReader, function: FunctionRef, source: AtLeastOnce, rest: list[Write]) -> Decoration:
    handler = function.function_name
    key = _RECORD_KEYS.get(source.service)
    record = _record_function(reader, function.module_path, handler, rest) if key else None
    if record is not None:
        return Decoration(handler, key, *record)
    return Decoration(handler, source.event_key)


def _record_function(reader: HandlerReader, path: Path, handler: str, rest: list[Write]) -> tuple[str, str] | None:
    """The per-record function @idempotent_function can guard, when every remaining write is
    under it: ``f`` of ``for record in event["Records"]: f(record)`` (one parameter, every
    call rewritable to the keyword), or the ``record_handler`` handed to Powertools' batch
    processing (which calls it as ``record_handler(record=...)``)."""
    found = reader.scope(path)
    if found is None:
        return None
    scope = found[0]
    looped = [(name, False) for name in _per_record_calls(scope.functions[handler])]
    batched = [(name, True) for name in _batch_record_handlers(scope.functions[handler])]
    for name, batch in looped + batched:
        function = scope.functions.get(name)
        if function is None or function.decorators or not _fits(scope, function, batch):
            continue
        under = {(w.path, w.line, w.col) for w in reader.writes(path, name) or ()}
        if all((w.path, w.line, w.col) in under for w in rest):
            return name, function.params.params[0].name.value
    return None


def _fits(scope: ModuleScope, function: cst.FunctionDef, batch: bool) -> bool:
    params = function.params.params
    if batch:  # Powertools batch passes record= (and lambda_context= when the function takes it)
        return 1 <= len(params) <= 2 and params[0].name.value == "record"
    return len(params) == 1 and _only_simple_calls(scope, function.name.value)


def _batch_record_handlers(handler: cst.FunctionDef) -> list[str]:
    """Functions passed as ``record_handler=`` (process_partial_response, @batch_processor)."""
    return [arg.value.value for call in calls_under(handler) for arg in call.args
            if arg.keyword is not None and arg.keyword.value == "record_handler" and isinstance(arg.value, cst.Name)]


def _per_record_calls(handler: cst.FunctionDef) -> list[str]:
    """Module functions called with the loop variable alone inside ``for x in event["Records"]``."""
    params = handler.params.params
    if not params:
        return []
    event = params[0].name.value
    found: list[str] = []

    class _Loops(cst.CSTVisitor):
        def visit_For(self, node: cst.For) -> None:
            if not (_is_records(node.iter, event) and isinstance(node.target, cst.Name)):
                return
            variable = node.target.value
            for call in calls_under(node.body):
                args = call.args
                if isinstance(call.func, cst.Name) and len(args) == 1 and args[0].keyword is None \
                        and isinstance(args[0].value, cst.Name) and args[0].value.value == variable:
                    found.append(call.func.value)

    handler.visit(_Loops())
    return found


def _is_records(node: cst.BaseExpression, event: str) -> bool:
    return isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name) and node.value.value == event \
        and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index) \
        and isinstance(node.slice[0].slice.value, cst.SimpleString) \
        and node.slice[0].slice.value.evaluated_value == "Records"


def _only_simple_calls(scope: ModuleScope, name: str) -> bool:
    """Every call of ``name`` in the module passes one positional argument (or the keyword):
    those can all be rewritten to the keyword idempotent_function needs."""
    for call in calls_under(scope.module):
        named = isinstance(call.func, cst.Name) and call.func.value == name
        if named and (len(call.args) != 1 or call.args[0].star):
            return False
    return True


def table_label(template: Mapping[str, Any], function_id: str, write: Write) -> str:
    table = table_id(template, function_id, write.table)
    if table is not None:
        return table
    if isinstance(write.table, Env):
        return f"the table named by {write.table.name}"
    return write.table.value if write.table is not None else "a table"
