"""Follow a dispatch key back to the part of the event it is read from.

``kind = json.loads(record["Sns"]["Message"])["kind"]`` inside
``for record in event["Records"]`` resolves to ``Records[*].Sns.Message(json).kind``.
Routing at the event source depends on this path, so anything that is not a plain read
(a computed key, a call, a name assigned twice) is refused rather than guessed.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from types import MappingProxyType

import libcst as cst

from strangler.analyse.dispatch import typed
from strangler.model import ANY_CASE, BASE64, EACH, JSON, THEN, EventPath


class Unresolvable(Exception):
    """The key is not a static read from the event; ``node`` is where resolution stopped."""

    def __init__(self, node: cst.CSTNode, reason: str):
        super().__init__(reason)
        self.node = node
        self.reason = reason


@dataclass(frozen=True)
class Locals:
    """What the entrypoint binds locally: single assignments and loop variables."""

    event: str
    assigned: dict[str, list[cst.BaseExpression]]
    loops: dict[str, list[cst.BaseExpression]]
    # The data class the event parameter already is (``@event_source(data_class=...)``).
    event_class: str | None = None

    @classmethod
    def of(cls, function: cst.FunctionDef) -> "Locals":
        params = function.params.params or function.params.posonly_params
        if not params:
            raise Unresolvable(function, f"{function.name.value}() takes no event parameter")
        typed_as = _event_source_class(function) or _PARAMETER_CLASS.get()
        known = _LOCALS.get(id(function))
        if known is not None and known[0] is function and known[1].event_class == typed_as:
            return known[1]
        collector = _Bindings()
        function.body.visit(collector)
        found = cls(params[0].name.value, dict(collector.assigned), dict(collector.loops), typed_as)
        while len(_LOCALS) >= _LOCALS_KEPT:
            _LOCALS.pop(next(iter(_LOCALS)))
        _LOCALS[id(function)] = (function, found)
        return found


# The locals of the last few functions read, by id: each detector the survey tries reads
# the entrypoint's, a walk of the whole handler each time. The function is kept with them,
# so its id is not reused while cached.
_LOCALS: dict[int, tuple[cst.FunctionDef, Locals]] = {}
_LOCALS_KEPT = 8


# The class of the object a helper's first parameter receives (the caller unmarshalled it):
# set while the helper is analysed, so its ``aws_event.detail_type`` maps back too.
_PARAMETER_CLASS: ContextVar[str | None] = ContextVar("strangler_parameter_class", default=None)


@contextmanager
def parameter_typed_as(cls: str | None) -> Iterator[None]:
    token = _PARAMETER_CLASS.set(cls)
    try:
        yield
    finally:
        _PARAMETER_CLASS.reset(token)


def argument(expression: cst.BaseExpression, scope: Locals) -> tuple[EventPath, str | None]:
    """What a handler passes on to a helper: the event path it stands for, and its typed
    class if it is a typed event object (``route(aws_event)``) rather than plain data."""
    try:
        parts, cls = _typed(expression, scope, set())
    except Unresolvable:
        return resolve(expression, scope), None
    return EventPath(tuple(parts)), cls


def _event_source_class(function: cst.FunctionDef) -> str | None:
    for decorator in function.decorators:
        call = decorator.decorator
        if isinstance(call, cst.Call) and _last_name(call.func) == "event_source":
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "data_class":
                    return _last_name(arg.value)
    return None


def _last_name(node: cst.BaseExpression) -> str | None:
    """``Name`` or ``module.Name``: the name a class or function is known by."""
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return node.value if isinstance(node, cst.Name) else None


class _Bindings(cst.CSTVisitor):
    def __init__(self) -> None:
        self.assigned: dict[str, list[cst.BaseExpression]] = defaultdict(list)
        self.loops: dict[str, list[cst.BaseExpression]] = defaultdict(list)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.assigned[target.target.value].append(node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name) and node.value is not None:
            self.assigned[node.target.value].append(node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):
            self.assigned[node.target.value].append(node.value)

    def visit_For(self, node: cst.For) -> None:
        if isinstance(node.target, cst.Name):
            self.loops[node.target.value].append(node.iter)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        # [process(record) for record in event["Records"]]: a loop too
        if isinstance(node.target, cst.Name):
            self.loops[node.target.value].append(node.iter)


def resolve(expression: cst.BaseExpression, scope: Locals) -> EventPath:
    """The event path ``expression`` reads, or :class:`Unresolvable`."""
    return EventPath(tuple(_parts(expression, scope, set())))


def _parts(node: cst.BaseExpression, scope: Locals, seen: set[str], wanted: str | None = None) -> list[str]:
    if isinstance(node, cst.Name):
        return _name(node, scope, seen, wanted)
    if isinstance(node, cst.Subscript):
        key = _subscript_key(node)
        return _parts(node.value, scope, seen, key) + [key]
    if isinstance(node, cst.Call):
        return _call(node, scope, seen)
    if isinstance(node, (cst.FormattedString, cst.Tuple)):
        return _method_and_path(node, scope, seen)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
        return _percent(node, scope, seen)
    if isinstance(node, cst.Attribute):
        parts, _ = _typed(node, scope, seen)
        return parts
    raise Unresolvable(node, "the key is computed, not read from the event")


_METHODS = {("httpMethod",), ("requestContext", "httpMethod"), ("requestContext", "http", "method")}
_ENVELOPE = {("source",), ("detail-type",)}
_RESOLVER = {("info", "parentTypeName"), ("info", "fieldName")}  # an AppSync resolver's type and field
_PATHS = {
    ("resource",), ("requestContext", "resourcePath"), ("path",), ("rawPath",), ("requestContext", "http", "path"),
}


def _method_and_path(
    node: cst.BaseExpression, scope: Locals, seen: set[str], joined: list[cst.BaseExpression] | None = None,
) -> list[str]:
    """``f"{event['httpMethod']} {event['resource']}"`` or ``(method, path)``: the route;
    ``joined`` is the pair a ``%``, ``.format`` or ``" ".join`` joins with one space.

    API Gateway routes on exactly that pair, so a key like ``"GET /orders"`` can be routed.
    """
    if joined is not None:
        pair = joined
    elif isinstance(node, cst.FormattedString) and (typed_field := _type_and_field(node, scope, seen)):
        return typed_field
    elif isinstance(node, cst.FormattedString):
        parts = node.parts
        ok = (
            len(parts) == 3 and isinstance(parts[1], cst.FormattedStringText) and parts[1].value == " "
            and all(isinstance(p, cst.FormattedStringExpression) and p.conversion is None and p.format_spec is None
                    for p in (parts[0], parts[2]))
        )
        pair = [parts[0].expression, parts[2].expression] if ok else []  # type: ignore[union-attr]
    else:
        pair = [element.value for element in node.elements]
    if len(pair) != 2:
        raise Unresolvable(node, "the key is composed of more than an HTTP method and a path")
    method, path = (tuple(_parts(part, scope, seen)) for part in pair)
    if isinstance(node, cst.Tuple) and joined is None and ({method, path} == _ENVELOPE or {method, path} == _RESOLVER):
        # (event["source"], event["detail-type"]), (info["parentTypeName"], info["fieldName"]):
        # both at once, like a nested dispatch
        return [*method, THEN, *path]
    if method[-1:] == (ANY_CASE,):
        method = method[:-1]  # API Gateway sends the method in upper case already
    if method not in _METHODS or path not in _PATHS:
        raise Unresolvable(node, "the key is composed of more than an HTTP method and a path")
    return ["method+path"]


def _type_and_field(node: cst.FormattedString, scope: Locals, seen: set[str]) -> list[str] | None:
    """``f"{info['parentTypeName']}.{info['fieldName']}"``: an AppSync resolver's ``Type.field``."""
    from strangler.sources.resources.appsync import TYPE_AND_FIELD

    parts = node.parts
    if not (
        len(parts) == 3 and isinstance(parts[1], cst.FormattedStringText) and parts[1].value == "."
        and all(isinstance(p, cst.FormattedStringExpression) and p.conversion is None and p.format_spec is None
                for p in (parts[0], parts[2]))
    ):
        return None
    pair = tuple(tuple(_parts(part.expression, scope, seen)) for part in (parts[0], parts[2]))  # type: ignore[union-attr]
    if pair == (("info", "parentTypeName"), ("info", "fieldName")):
        return list(TYPE_AND_FIELD.parts)
    raise Unresolvable(node, "the key joins two values with '.' other than info.parentTypeName and info.fieldName")


def _percent(node: cst.BinaryOperation, scope: Locals, seen: set[str]) -> list[str]:
    """``"%s %s" % (method, path)``."""
    if _string(node.left) == "%s %s" and isinstance(node.right, cst.Tuple):
        return _method_and_path(node, scope, seen, [element.value for element in node.right.elements])
    raise Unresolvable(node, "the key is composed of more than an HTTP method and a path")


def _joined(node: cst.Call, scope: Locals, seen: set[str]) -> list[str] | None:
    """``"{} {}".format(method, path)`` or ``" ".join((method, path))``; None for other calls."""
    func = node.func
    if not isinstance(func, cst.Attribute):
        return None
    template = _string(func.value)
    if func.attr.value == "format" and template in ("{} {}", "{0} {1}"):
        if any(arg.keyword is not None or arg.star for arg in node.args):
            raise Unresolvable(node, "the key is composed of more than an HTTP method and a path")
        return _method_and_path(node, scope, seen, [arg.value for arg in node.args])
    if func.attr.value == "join" and template == " " and len(node.args) == 1:
        items = node.args[0].value
        if isinstance(items, (cst.Tuple, cst.List)) and not node.args[0].star:
            return _method_and_path(node, scope, seen, [element.value for element in items.elements])
        raise Unresolvable(node, "the key is composed of more than an HTTP method and a path")
    return None


def _string(node: cst.BaseExpression) -> str | None:
    return node.evaluated_value if isinstance(node, cst.SimpleString) else None  # type: ignore[return-value]


def _name(node: cst.Name, scope: Locals, seen: set[str], wanted: str | None) -> list[str]:
    name = node.value
    if name == scope.event:
        if name in scope.assigned or name in scope.loops:
            raise Unresolvable(node, f"the event parameter {name} is re-assigned in the handler")
        return []
    if name in seen:
        raise Unresolvable(node, f"{name} is defined in terms of itself")
    if name in scope.loops:
        if len(scope.loops[name]) > 1 or name in scope.assigned:
            raise Unresolvable(node, f"{name} is bound by several loops or assignments, so the key is not static")
        return _parts(scope.loops[name][0], scope, seen | {name}) + [EACH]
    values = [v for v in scope.assigned.get(name, []) if not _cannot_hold(v, wanted)]
    if len(values) == 1:
        return _parts(values[0], scope, seen | {name})
    if len(values) > 1:
        raise Unresolvable(node, f"{name} is assigned {len(values)} times, so the key is not static")
    raise Unresolvable(node, f"{name} does not come from the event")


def _cannot_hold(value: cst.BaseExpression, wanted: str | None) -> bool:
    """A re-assignment that can never carry the key, such as ``message = {"payload": message}``
    when ``message["kind"]`` is read: the lookup then fails, as it would for an unknown key."""
    if isinstance(value, cst.Name) and value.value == "None":
        return True
    if isinstance(value, cst.Dict) and wanted is not None:
        keys = [e.key for e in value.elements if isinstance(e, cst.DictElement)]
        if len(keys) != len(value.elements):
            return False
        return all(isinstance(k, cst.SimpleString) and k.evaluated_value != wanted for k in keys)
    return False


def _subscript_key(node: cst.Subscript) -> str:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        index = node.slice[0].slice.value
        if isinstance(index, cst.SimpleString):
            return str(ast.literal_eval(index.value))
        if isinstance(index, cst.Integer):
            return EACH
    raise Unresolvable(node, "the event is indexed with a computed key")


def _call(node: cst.Call, scope: Locals, seen: set[str]) -> list[str]:
    func = node.func
    if isinstance(func, cst.Attribute) and func.attr.value == "get" and node.args:
        first = node.args[0].value
        if isinstance(first, cst.SimpleString):
            key = str(ast.literal_eval(first.value))
            return _parts(func.value, scope, seen, key) + [key]
    joined = _joined(node, scope, seen)
    if joined is not None:
        return joined
    if isinstance(func, cst.Attribute) and func.attr.value == "rstrip" and len(node.args) == 1:
        # API Gateway treats /a/ as /a, so a path stripped of its trailing slash is the same route
        parts = _parts(func.value, scope, seen)
        if _string(node.args[0].value) == "/" and tuple(parts) in _PATHS:
            return parts
        raise Unresolvable(node, "the key is stripped, which no event source filter can match")
    if _is_json_loads(func) and len(node.args) == 1:
        return _parts(node.args[0].value, scope, seen) + [JSON]
    if _is_b64decode(func) and len(node.args) == 1:
        return _parts(node.args[0].value, scope, seen) + [BASE64]
    if isinstance(func, cst.Attribute) and func.attr.value == "decode" and _text_decoding(node):
        # bytes.decode() of decoded base64 is the same text json.loads reads
        parts = _parts(func.value, scope, seen)
        if parts[-1:] == [BASE64]:
            return parts
        raise Unresolvable(node, "the key is decoded from something other than base64 data")
    if isinstance(func, cst.Attribute) and not node.args and func.attr.value in {m for _, m in typed.METHODS}:
        parts, cls = _typed(func.value, scope, seen)
        read = typed.METHODS.get((cls or "", func.attr.value))
        if read is None:
            raise Unresolvable(node, f"{cls}.{func.attr.value}() is not a method strangler maps back to the event")
        return parts + list(read)
    if isinstance(func, cst.Attribute) and not node.args:
        if func.attr.value in ("upper", "lower", "casefold"):
            parts = _parts(func.value, scope, seen)
            return parts if parts[-1:] == [ANY_CASE] else parts + [ANY_CASE]
        if func.attr.value in ("strip", "lstrip", "rstrip"):
            raise Unresolvable(node, "the key is stripped of spaces, which no event source filter can match")
    raise Unresolvable(node, "the key goes through a call strangler cannot follow")


def _is_b64decode(func: cst.BaseExpression) -> bool:
    if isinstance(func, cst.Attribute):
        return func.attr.value == "b64decode" and isinstance(func.value, cst.Name) and func.value.value == "base64"
    return isinstance(func, cst.Name) and func.value == "b64decode"


def _text_decoding(node: cst.Call) -> bool:
    """``.decode()`` or ``.decode("utf-8")``: JSON text is UTF-8, so the text is the same."""
    if not node.args:
        return True
    value = node.args[0].value
    return len(node.args) == 1 and node.args[0].keyword is None and isinstance(value, cst.SimpleString) and str(
        value.evaluated_value).lower().replace("_", "-") in ("utf-8", "utf8")


def _is_json_loads(func: cst.BaseExpression) -> bool:
    if isinstance(func, cst.Attribute):
        return func.attr.value == "loads" and isinstance(func.value, cst.Name) and func.value.value == "json"
    return isinstance(func, cst.Name) and func.value == "loads"


# --- typed event objects ------------------------------------------------------------------------
def _typed(node: cst.BaseExpression, scope: Locals, seen: set[str]) -> tuple[list[str], str | None]:
    """The event path a typed object stands for, and its class (None once it is plain data).

    ``EventBridgeEvent(event).detail_type`` reads ``detail-type``; so does ``.detail_type`` of
    ``Marshaller.unmarshall(event, AWSEvent)``, of a name bound to either, and of the event
    parameter itself under ``@event_source(data_class=EventBridgeEvent)``.
    """
    if isinstance(node, cst.Attribute):
        parts, cls = _typed(node.value, scope, seen)
        attribute = node.attr.value
        if cls is None:
            raise Unresolvable(node, f".{attribute} is read from a value strangler cannot type")
        keys = typed.ATTRIBUTES.get(cls, {}).get(attribute)
        if keys is None:
            raise Unresolvable(node, f"{cls}.{attribute} is not an attribute strangler maps back to the event")
        return parts + list(keys), typed.RETURNS.get((cls, attribute))
    if isinstance(node, cst.Call) and node.args:
        name = _last_name(node.func)
        if name == "unmarshall" and len(node.args) == 2 and _last_name(node.args[1].value) == typed.UNMARSHALLED:
            return _parts(node.args[0].value, scope, seen), typed.UNMARSHALLED
        if name in typed.ATTRIBUTES and len(node.args) == 1:
            return _parts(node.args[0].value, scope, seen), name
    if isinstance(node, cst.Name):
        name = node.value
        if name == scope.event and scope.event_class in typed.ATTRIBUTES:
            return _name(node, scope, seen, None), scope.event_class
        if name in seen:
            raise Unresolvable(node, f"{name} is defined in terms of itself")
        if name in scope.loops and len(scope.loops[name]) == 1 and name not in scope.assigned:
            parts, cls = _typed(scope.loops[name][0], scope, seen | {name})
            return parts + [EACH], cls
        values = scope.assigned.get(name, [])
        if len(values) == 1 and name not in scope.loops:
            return _typed(values[0], scope, seen | {name})
    raise Unresolvable(node, "the key is read from an object strangler cannot map back to the event")


# --- module-level string constants --------------------------------------------------------------
# The constants of the module being analysed or rewritten: ``GET_POST = "getPost"`` maps
# ``"GET_POST"`` to ``"getPost"``, ``WRITES = {CREATE, UPDATE}`` to a tuple of two, and
# ``Field.GET_POST`` of ``class Field(str, Enum)`` is keyed by its dotted name.
Constants = Mapping[str, "str | tuple[str, ...]"]
_CONSTANTS: ContextVar[Constants] = ContextVar("strangler_constants", default={})


@contextmanager
def constants_of(module: cst.Module) -> Iterator[Constants]:
    """Let :func:`constant` and :func:`constants` see ``module``'s string constants."""
    found = _known_constants(module)
    token = _CONSTANTS.set(found)
    try:
        yield found
    finally:
        _CONSTANTS.reset(token)


# The constants of the last few modules, by identity (the module held so its id stays
# its own): the analysis and the rewriting of the monolith read the same module's.
_KNOWN: dict[int, tuple[cst.Module, Constants]] = {}
_KNOWN_KEPT = 4


def _known_constants(module: cst.Module) -> Constants:
    known = _KNOWN.get(id(module))
    if known is not None and known[0] is module:
        return known[1]
    found = MappingProxyType(module_constants(module))
    while len(_KNOWN) >= _KNOWN_KEPT:
        _KNOWN.pop(next(iter(_KNOWN)))
    _KNOWN[id(module)] = (module, found)
    return found


def module_constants(module: cst.Module) -> dict[str, str | tuple[str, ...]]:
    """Names assigned once at module level (or once in a class body) to a string, or to a
    tuple, list, set or frozenset of such strings or names."""
    assigned: dict[str, list[cst.BaseExpression]] = defaultdict(list)
    for statement in module.body:
        for name, value in _assignments(statement):
            assigned[name].append(value)
        if isinstance(statement, cst.ClassDef) and _compares_as_str(statement):
            for inner in statement.body.body:
                for name, value in _assignments(inner):
                    assigned[f"{statement.name.value}.{name}"].append(value)
        _rebound(statement, assigned)
    found: dict[str, str | tuple[str, ...]] = {}
    for name, values in assigned.items():
        if name and len(values) == 1 and _single_literal(values[0]) is not None:
            found[name] = values[0].evaluated_value  # type: ignore[attr-defined]
    strings = dict(found)
    for name, values in assigned.items():
        if not name or name in found or len(values) != 1:
            continue
        elements = _elements(values[0])
        members = [strings.get(_dotted(e) or "") or _single_literal(e) for e in elements]
        if elements and all(isinstance(m, str) for m in members):
            found[name] = tuple(m for m in members if isinstance(m, str))
    return found


def _compares_as_str(node: cst.ClassDef) -> bool:
    """A plain class of constants, or a ``str`` Enum: a member of ``Enum`` alone never
    equals the string the event carries."""
    bases = {_last_name(base.value) for base in node.bases}
    return not any(b and b.endswith("Enum") for b in bases) or bool(bases & {"str", "StrEnum"})


def _assignments(statement: cst.CSTNode) -> Iterator[tuple[str, cst.BaseExpression]]:
    if isinstance(statement, cst.SimpleStatementLine):
        for small in statement.body:
            if isinstance(small, cst.Assign):
                for target in small.targets:
                    yield (target.target.value if isinstance(target.target, cst.Name) else ""), small.value
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)) and isinstance(small.target, cst.Name):
                yield small.target.value, small.value or cst.Name("None")


def _rebound(statement: cst.CSTNode, assigned: dict[str, list[cst.BaseExpression]]) -> None:
    """A name a def, a class or a ``global`` statement also binds is not a constant."""
    if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
        assigned[statement.name.value].append(cst.Name("None"))
    if isinstance(statement, cst.FunctionDef):
        for name in _globals_in(statement):
            assigned[name].append(cst.Name("None"))


# Where a statement can stand: a ``global`` is a statement, and no expression holds one (a
# lambda's body is an expression), so the search for them walks statements and their suites
# only, not every expression node of the function (a visitor did: the largest share of
# finding a big module's constants).
_HOLDS_STATEMENTS = (
    cst.BaseStatement, cst.BaseSuite, cst.Else, cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally, cst.MatchCase,
)


def _globals_in(function: cst.FunctionDef) -> Iterator[str]:
    """The names of the ``global`` statements anywhere in ``function`` (nested defs too)."""
    pending: list[cst.CSTNode] = [function]
    while pending:  # iterative: an elif chain is as deep as it is long
        node = pending.pop()
        if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            for small in node.body:
                if isinstance(small, cst.Global):
                    yield from (item.name.value for item in small.names)
            continue
        pending.extend(child for child in node.children if isinstance(child, _HOLDS_STATEMENTS))


def _elements(value: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(value, cst.Call) and _last_name(value.func) in ("frozenset", "set", "tuple") and len(value.args) == 1:
        value = value.args[0].value
    if isinstance(value, (cst.Tuple, cst.List, cst.Set)):
        return [e.value for e in value.elements if isinstance(e, cst.Element)]
    return []


def _single_literal(node: cst.BaseExpression) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)) and isinstance(node.evaluated_value, str):
        return node.evaluated_value
    return None


def _dotted(node: cst.CSTNode) -> str | None:
    """``NAME`` or ``Class.NAME``: how a constant is referred to."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
        return f"{node.value.value}.{node.attr.value}"
    return None


def constant(node: cst.CSTNode) -> str | None:
    """The string a module-level constant (``GET_POST``, ``Field.GET_POST``) stands for."""
    value = _CONSTANTS.get().get(_dotted(node) or "")
    return value if isinstance(value, str) else None


def constants(node: cst.CSTNode) -> tuple[str, ...] | None:
    """The strings a constant collection (``WRITES = {CREATE, UPDATE}``) holds."""
    value = _CONSTANTS.get().get(_dotted(node) or "")
    return value if isinstance(value, tuple) else None


def named(value: str) -> cst.BaseExpression:
    """The module-level name that stands for ``value`` (the string itself if none does)."""
    for name, held in _CONSTANTS.get().items():
        if held == value and "." not in name:
            return cst.Name(name)
    return cst.SimpleString(repr(value))
