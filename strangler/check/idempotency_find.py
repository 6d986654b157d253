"""The writes a handler makes that a repeated delivery would repeat.

From the handler, every function it reaches is read: module-level functions of its own
module (transitively) and, one module away, functions of sibling modules it imports
(``import stats_store as store``; ``store.count_order(...)``). Methods, lambdas, functions
passed around and modules two imports away are not followed. A function decorated with
Powertools' ``@idempotent_function`` (and what it calls) is guarded and not read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from strangler.check.idempotency_guard import guard_line
from strangler.check.idempotency_scope import (
    Client,
    Env,
    ModuleScope,
    Qual,
    Resolver,
    Table,
    Text,
    Value,
    Writer,
    argument,
    decorator_names,
    keyword,
    local_bindings,
)

# Parses a module file as the run has it (None: unreadable).
Modules = Callable[[Path], "cst.Module | None"]

STR201, STR202, STR203, STR204, STR205 = "STR201", "STR202", "STR203", "STR204", "STR205"
_MESSAGES = {("sqs", "send_message"), ("sqs", "send_message_batch"), ("sns", "publish"), ("sns", "publish_batch"),
             ("events", "put_events")}
_S3_PUTS = {"put_object": 1, "upload_file": 2, "upload_fileobj": 2}  # method -> position of Key
_HTTP = {f"{lib}.{verb}" for lib in ("requests", "httpx") for verb in ("post", "put", "patch")}
_GENERATED = re.compile(r"^(uuid\.uuid[14]|time\.time(_ns)?|datetime\.datetime\.(now|utcnow)|datetime\.date\.today"
                        r"|random\.\w+|secrets\.token_\w+|os\.urandom)$")
_COUNTER = re.compile(r"\bADD\b|\blist_append\s*\(|\bSET\b[^=]*=[^,]*[+-]", re.IGNORECASE)


@dataclass(frozen=True)
class Write:
    """One unguarded write: where it is, what it is and what the rule knows of its target."""

    code: str
    path: Path
    line: int
    col: int
    what: str  # "put_item into {table} has no ConditionExpression": the Rule names the table
    function: str  # the Python function the call is in
    table: Env | Text | None = None  # the table a put_item writes (STR201)
    condition_fixable: bool = False  # a put_item statement a ConditionExpression can guard
    # Attributes of the put_item's Item made up on every delivery (uuid4, time): a repeat
    # writes another item, which attribute_not_exists on such a key cannot stop.
    generated: tuple[str, ...] = ()
    # Attributes read from the delivery's own id (an SQS messageId, an EventBridge event's
    # id): an item keyed on one is created by that delivery, so a condition on it stops only
    # a repeat. Keyed on anything else, two different events may write the same item.
    delivery_keyed: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Call:
    node: cst.Call
    method: str
    target: object  # the resolved value the method is called on, or the called name


class HandlerReader:
    """Reads one function's handler and everything it reaches, each module once."""

    def __init__(self, code_dir: Path, modules: Modules) -> None:
        self.code_dir = code_dir
        self._modules = modules
        self._scopes: dict[Path, tuple[ModuleScope, dict] | None] = {}
        # Each function's writes, per what its caller passed it: read once per run.
        self._found: dict[tuple[Path, str, tuple], tuple[Write, ...]] = {}

    def scope(self, path: Path) -> tuple[ModuleScope, dict] | None:
        if path not in self._scopes:
            module = self._modules(path)
            if module is None:
                self._scopes[path] = None
            else:
                wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
                self._scopes[path] = (ModuleScope.of(path, module, self.code_dir), wrapper.resolve(PositionProvider))
        return self._scopes[path]

    def writes(self, module_path: Path, handler: str) -> tuple[Write, ...] | None:
        """The unguarded writes reachable from ``handler``; None when the handler is already
        idempotent (``@idempotent``) or cannot be read."""
        found = self.scope(module_path)
        if found is None or handler not in found[0].functions:
            return None
        if "idempotent" in decorator_names(found[0].functions[handler]):
            return None
        return self._writes(_Visit(module_path, handler, 0))

    def writes_within(self, module_path: Path, function: str, lines: tuple[int, int]) -> tuple[Write, ...]:
        """The writes reachable from the code of ``function`` between ``lines`` (a branch)."""
        if self.scope(module_path) is None:
            return ()
        return self._writes(_Visit(module_path, function, 0, lines=lines))

    def writes_of_names(self, module_path: Path, names: list[str]) -> tuple[Write, ...]:
        """The writes reachable from the module's functions named ``names`` (a table's entries)."""
        found = self.scope(module_path)
        if found is None:
            return ()
        writes: list[Write] = []
        for name in names:
            target = self._function_named(found[0], cst.Name(name), 0)
            if target is not None:
                writes += self._writes(target)
        return tuple(writes)

    def _writes(self, root: _Visit) -> tuple[Write, ...]:
        writes: list[Write] = []
        for visit in self._reachable(root):
            found = self._writes_of(visit)
            writes += [write for write in found if visit.lines is None or visit.lines[0] <= write.line <= visit.lines[1]]
        return tuple(writes)

    def _writes_of(self, visit: _Visit) -> tuple[Write, ...]:
        key = (visit.path, visit.name, tuple(sorted(visit.given.items(), key=lambda item: item[0])))
        if key not in self._found:
            scope, positions = self.scope(visit.path)  # type: ignore[misc]
            function = scope.functions[visit.name]
            resolver = Resolver(scope, local_bindings(function), visit.given)
            self._found[key] = tuple(_writes_in(resolver, positions, function))
        return self._found[key]

    def _reachable(self, root: _Visit) -> Iterator[_Visit]:
        """Each function reached once, with what its caller passed it the first time."""
        seen: set[tuple[Path, str]] = set()
        todo = [root]
        while todo:
            visit = todo.pop(0)
            found = self.scope(visit.path)
            if (visit.path, visit.name) in seen or found is None or visit.name not in found[0].functions:
                continue
            seen.add((visit.path, visit.name))
            function = found[0].functions[visit.name]
            if "idempotent_function" in decorator_names(function):
                continue  # guarded: what it writes happens once per key
            yield visit
            resolver = Resolver(found[0], local_bindings(function), visit.given)
            todo += self._callees(resolver, function, visit.hops, _within(found[1], visit.lines))

    def _callees(self, resolver: Resolver, function: cst.FunctionDef, hops: int,
                 within: Callable[[cst.CSTNode], bool]) -> list[_Visit]:
        """Functions ``function`` calls (with the values of the arguments it passes), functions
        it hands to something that calls them (``process_partial_response(record_handler=
        handle)``) and functions in the module-level tables it reads (``HANDLERS[kind](event)``)."""
        found: list[_Visit] = []
        unguarded = _before_guard(resolver, function, self.scope(resolver.scope.path)[1])  # type: ignore[index]
        for call in filter(unguarded, filter(within, _calls(function))):
            target = self._function_named(resolver.scope, call.func, hops)
            if target is not None:
                found.append(self._with_arguments(target, call, resolver))
            for arg in call.args:
                target = self._function_named(resolver.scope, arg.value, hops)
                if target is not None:
                    found.append(target)
        for name in names_in(function) if within(function) else ():
            table = resolver.scope.bindings.get(name)
            if isinstance(table, (cst.Dict, cst.List, cst.Tuple, cst.Set)) and name not in resolver.local:
                found += [t for node in names_in(table) if (t := self._function_named(resolver.scope, cst.Name(node), hops))]
        return found

    def _function_named(self, scope: ModuleScope, node: cst.BaseExpression, hops: int) -> _Visit | None:
        if isinstance(node, cst.Name):
            if node.value in scope.functions:
                return _Visit(scope.path, node.value, hops)
            if node.value in scope.sibling_names and hops == 0:
                path, name = scope.sibling_names[node.value]
                return _Visit(path, name, 1)
        elif isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and hops == 0:
            sibling = scope.siblings.get(node.value.value)
            if sibling is not None:
                return _Visit(sibling, node.attr.value, 1)
        return None

    def _with_arguments(self, target: _Visit, call: cst.Call, resolver: Resolver) -> _Visit:
        """``accept_order(table, order)``: the callee's ``table`` is the caller's table."""
        found = self.scope(target.path)
        callee = found[0].functions.get(target.name) if found else None
        if callee is None:
            return target
        params = [param.name.value for param in callee.params.params]
        given: dict[str, Value] = {}
        positional = [arg for arg in call.args if arg.keyword is None]
        if any(arg.star for arg in call.args):
            return target
        for name, arg in zip(params, positional):
            value = resolver.value(arg.value)
            if value is not None:
                given[name] = value
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value in params:
                value = resolver.value(arg.value)
                if value is not None:
                    given[arg.keyword.value] = value
        return _Visit(target.path, target.name, target.hops, given)


@dataclass(frozen=True)
class _Visit:
    path: Path
    name: str
    hops: int  # module boundaries crossed from the handler's module
    given: dict = field(default_factory=dict, compare=False, hash=False)  # parameter -> what the caller passed
    lines: tuple[int, int] | None = None  # only the code between these lines (one branch of a dispatch)


def _before_guard(resolver: Resolver, function: cst.FunctionDef, positions: dict) -> Callable[[cst.CSTNode], bool]:
    """Whether a node comes before the function's dedupe guard (everything does without one)."""
    line = guard_line(resolver, function, positions)
    if line is None:
        return lambda node: True
    return lambda node: node in positions and positions[node].start.line <= line


def _within(positions: dict, lines: tuple[int, int] | None) -> Callable[[cst.CSTNode], bool]:
    """Whether a node is inside ``lines`` (everything is, without lines)."""
    if lines is None:
        return lambda node: True
    return lambda node: node in positions and lines[0] <= positions[node].start.line <= lines[1]


def names_in(node: cst.CSTNode) -> list[str]:
    found: list[str] = []

    class _Collect(cst.CSTVisitor):
        def visit_Name(self, inner: cst.Name) -> None:
            found.append(inner.value)

    node.visit(_Collect())
    return found


def _calls(function: cst.FunctionDef) -> Iterator[cst.Call]:
    found: list[cst.Call] = []

    class _Collect(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is function  # a nested function runs only if called: not followed

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

        def visit_Call(self, node: cst.Call) -> None:
            found.append(node)

    function.visit(_Collect())
    return iter(found)


def _writes_in(resolver: Resolver, positions: dict, function: cst.FunctionDef) -> list[Write]:
    scope = resolver.scope
    statements = _statement_calls(function)
    writes = []
    for node in filter(_before_guard(resolver, function, positions), _calls(function)):
        call = _call_of(resolver, node)
        if call is None:
            continue
        found = _classify(resolver, call, node in statements)
        if found is not None:
            start: CodeRange = positions[node]
            code, what, table, fixable = found
            generated = _item_attributes(resolver, node, _generated) if call.method == "put_item" else ()
            keyed = _item_attributes(resolver, node, _delivery_id) if call.method == "put_item" else ()
            writes.append(Write(code, scope.path, start.start.line, start.start.column + 1, what,
                                function.name.value, table, fixable, generated, keyed))
    return writes


def _statement_calls(function: cst.FunctionDef) -> set[cst.Call]:
    """Calls that are a whole statement on their own line (``table.put_item(...)``): the
    ones a try/except can wrap without changing what the function sees."""
    found: set[cst.Call] = set()

    class _Collect(cst.CSTVisitor):
        def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
            if len(node.body) == 1 and isinstance(node.body[0], cst.Expr) and isinstance(node.body[0].value, cst.Call):
                found.add(node.body[0].value)

    function.visit(_Collect())
    return found


def _call_of(resolver: Resolver, node: cst.Call) -> _Call | None:
    if isinstance(node.func, cst.Attribute):
        target = resolver.value(node.func.value)
        if isinstance(target, Qual):  # requests.post: the callee is a dotted name
            return _Call(node, node.func.attr.value, Qual(f"{target.name}.{node.func.attr.value}"))
        if target is not None:
            return _Call(node, node.func.attr.value, target)
    callee = resolver.value(node.func)
    if isinstance(callee, Qual):
        return _Call(node, callee.name.rsplit(".", 1)[-1], callee)
    return None


def _classify(resolver: Resolver, call: _Call, alone: bool) -> tuple[str, str, object, bool] | None:
    target, method = call.target, call.method
    if method in ("put_item", "update_item") and isinstance(target, (Table, Writer, Client)):
        return _dynamodb(resolver, call, alone)
    if isinstance(target, Client) and (target.service, method) in _MESSAGES:
        if keyword(call.node, "MessageDeduplicationId") is not None:
            return None  # a FIFO queue drops the repeat itself
        return STR203, f"{target.service}.{method} sends a new message on every delivery", None, False
    if isinstance(target, Client) and target.service == "s3" and method in _S3_PUTS:
        key = argument(call.node, _S3_PUTS[method], "Key")
        if _generated(resolver, key):
            return STR204, f"s3.{method} writes under a key generated on every delivery", None, False
        return None
    return _external(call)


def _dynamodb(resolver: Resolver, call: _Call, alone: bool) -> tuple[str, str, object, bool] | None:
    node, target = call.node, call.target
    if keyword(node, "ConditionExpression") is not None or keyword(node, "Expected") is not None:
        return None
    if any(arg.star == "**" for arg in node.args):
        return None  # ``**params`` may carry the condition: unknown is no finding
    table = _table_of(resolver, call)
    label = "{table}"  # the Rule names the template's table
    if call.method == "put_item":
        if isinstance(target, Writer):
            return STR201, f"batch_writer().put_item into {label} cannot take a ConditionExpression", table, False
        fixable = alone and keyword(node, "ExpressionAttributeNames") is None
        return STR201, f"put_item into {label} has no ConditionExpression", table, fixable
    expression = resolver.value(keyword(node, "UpdateExpression"))
    if isinstance(expression, Text) and _COUNTER.search(expression.value):
        return STR202, f"update_item on {label} adds to a value ({expression.value.strip()!r})", table, False
    return None


def _table_of(resolver: Resolver, call: _Call) -> Env | Text | None:
    if isinstance(call.target, Table):
        return call.target.name
    if isinstance(call.target, Writer):
        return call.target.table.name
    found = resolver.value(keyword(call.node, "TableName"))
    return found if isinstance(found, (Env, Text)) else None


def _external(call: _Call) -> tuple[str, str, object, bool] | None:
    name = call.target.name if isinstance(call.target, Qual) else None
    if name is None:
        return None
    if name in _HTTP:
        return STR205, f"{name} calls an external API on every delivery", None, False
    if name == "urllib.request.urlopen" and argument(call.node, 1, "data") is not None:
        return STR205, "urllib.request.urlopen sends data to an external API on every delivery", None, False
    return None


def _item_attributes(resolver: Resolver, node: cst.Call,
                     test: Callable[[Resolver, cst.BaseExpression], bool]) -> tuple[str, ...]:
    """The Item's attributes (of a literal dict, maybe through a local variable) whose value
    passes ``test``."""
    item = keyword(node, "Item")
    if isinstance(item, cst.Name) and isinstance(resolver.local.get(item.value), cst.Dict):
        item = resolver.local[item.value]
    if not isinstance(item, cst.Dict):
        return ()
    found = []
    for element in item.elements:
        if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString) \
                and test(resolver, element.value):
            found.append(str(element.key.evaluated_value))
    return tuple(found)


_DELIVERY_IDS = {"messageId", "MessageId", "eventID", "sequencer"}  # SQS, SNS, streams, S3
_DELIVERY_ID_ATTRIBUTES = {"message_id", "event_id"}  # the Powertools event classes


def _delivery_id(resolver: Resolver, node: cst.BaseExpression | None) -> bool:
    """``node`` reads the id of the delivery: ``record["messageId"]``, ``event["id"]`` (an
    EventBridge event's), ``record.message_id`` (directly or through a local variable)."""
    def hit(inner: cst.CSTNode) -> bool:
        if isinstance(inner, cst.Attribute):
            return inner.attr.value in _DELIVERY_ID_ATTRIBUTES
        if not isinstance(inner, cst.Subscript) or len(inner.slice) != 1:
            return False
        index = inner.slice[0].slice
        key = index.value.evaluated_value if isinstance(index, cst.Index) and isinstance(
            index.value, cst.SimpleString) else None
        return key in _DELIVERY_IDS or (key == "id" and isinstance(inner.value, cst.Name) and inner.value.value == "event")

    return _contains(resolver, node, hit)


def _generated(resolver: Resolver, node: cst.BaseExpression | None) -> bool:
    """``node`` contains a call of uuid4/time/datetime.now/random (directly or through a
    local variable set to one)."""
    def hit(inner: cst.CSTNode) -> bool:
        if not isinstance(inner, cst.Call):
            return False
        callee = resolver.value(inner.func)
        return isinstance(callee, Qual) and bool(_GENERATED.match(callee.name))

    return _contains(resolver, node, hit)


def _contains(resolver: Resolver, node: cst.BaseExpression | None, hit: Callable[[cst.CSTNode], bool],
              depth: int = 0) -> bool:
    """Some node of ``node`` is a ``hit``, or a local variable it names is bound to one."""
    if node is None or depth > 4:
        return False
    found = False

    class _Look(cst.CSTVisitor):
        def on_visit(self, inner: cst.CSTNode) -> bool:
            nonlocal found
            found = found or hit(inner)
            if isinstance(inner, cst.Name) and not found:
                bound = resolver.local.get(inner.value)
                found = bound is not None and _contains(resolver, bound, hit, depth + 1)
            return not found

    node.visit(_Look())
    return found
