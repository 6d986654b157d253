"""Detector for dispatch on the kind of event: one Lambda invoked by several event sources.

``if "Records" in event and event["Records"][0]["eventSource"] == "aws:sqs":`` /
``elif "Sns" in event["Records"][0]:`` / ``elif "detail-type" in event:`` /
``elif "routeKey" in event:`` / ``elif "httpMethod" in event:`` /
``elif event.get("source") == "aws.events":`` (an if/elif chain, or ifs that each return).

Each branch serves the SAM event Types whose events pass its test and no earlier one;
the action is named by the Type users see in their template (``SQS``, ``SNS``,
``EventBridgeRule``, ``HttpApi``, ``Api``, ``Schedule``, ...), and routing moves every
event of those Types to the new function. A test that several kinds of event pass alike
(``"Records" in event`` alone) is refused. One branch may dispatch again on its Type's key
(``"detail-type" in event``, then an if/elif chain, ifs or a match on ``event["detail-type"]``;
``"routeKey" in event``, then on ``event["routeKey"]``) while the others are plain: its
actions are ``EventBridgeRule/OrderPlaced``, routed by narrowing that Type's events to the
key. Any other branch that dispatches again is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import libcst as cst

from strangler.analyse import locate
from strangler.analyse.dispatch import Analysis, nothing_left
from strangler.analyse.dispatch.branches import _Candidate, _Finder, _graph, _handler_of, always_exits
from strangler.analyse.dispatch.eventpath import Locals, Unresolvable, resolve
from strangler.analyse.dispatch.layout import Branch, BranchLayout, NestedBranch, NestedLayout
from strangler.analyse.dispatch.nested import suite_statements
from strangler.analyse.dispatch.table import entrypoint_index
from strangler.errors import StranglerError, at
from strangler.model import BY_TYPE, EACH, NESTED_SEPARATOR, Action, Dispatch, EventPath, FunctionRef

# What Lambda delivers, by SAM event Type. A Schedule without Input delivers an EventBridge
# "Scheduled Event" (source aws.events); ScheduleV2 (EventBridge Scheduler) delivers its Input.
RECORDS = frozenset({"SQS", "SNS", "S3", "DynamoDB", "Kinesis"})
EVENTBRIDGE = frozenset({"EventBridgeRule", "CloudWatchEvent", "Schedule"})
_TOP_KEYS = {
    "Records": RECORDS,
    "detail-type": EVENTBRIDGE,
    "detail": EVENTBRIDGE,
    "routeKey": frozenset({"HttpApi"}),
    "rawPath": frozenset({"HttpApi"}),
    "httpMethod": frozenset({"Api"}),
}
_RECORD_KEYS = {"Sns": "SNS", "s3": "S3", "dynamodb": "DynamoDB", "kinesis": "Kinesis", "body": "SQS"}
# The field that names a record's source, and its value, per Type: SNS spells it EventSource.
_RECORD_SOURCES = {
    ("eventSource", "aws:sqs"): "SQS",
    ("EventSource", "aws:sns"): "SNS",
    ("eventSource", "aws:s3"): "S3",
    ("eventSource", "aws:dynamodb"): "DynamoDB",
    ("eventSource", "aws:kinesis"): "Kinesis",
}
_WRONG_CASE = {("eventSource", "aws:sns"): "EventSource", ("EventSource", "aws:sqs"): "eventSource"}
LOOKED_FOR = (
    "an if/elif chain in {entry}() that tells event sources apart (\"Records\" in event, "
    "record[\"eventSource\"] == \"aws:sqs\", \"detail-type\" in event, \"routeKey\" in event, ...)"
)


class NotByType(Exception):
    """The handler does not dispatch on the kind of event."""


def detect_by_source(
    function: FunctionRef, source: str, path: str, module: cst.Module, earlier: frozenset[str] = frozenset(),
    events: Any = None,
) -> Analysis:
    """The analysis of a dispatch on the kind of event, or :class:`NotByType`."""
    entry_index = entrypoint_index(module, function, path)
    entry = module.body[entry_index]
    assert isinstance(entry, cst.FunctionDef)
    lines = locate.Lines(entry, locate.top_level_line(source, entry.name.value, "def"))
    try:
        scope = Locals.of(entry)
    except Unresolvable:
        raise NotByType() from None
    finder = _Chains(scope, path, lines)
    entry.body.visit(finder)
    # A chain inside a branch of another refines that branch's test: it is no dispatch of its own.
    under = {id(c[0][0]): c for c in finder.found}
    inside = {node for c in finder.found for b, _ in c[1] for node in _ids_under(b.body) if node in under}
    outermost = [c for c in finder.found if id(c[0][0]) not in inside]
    # What earlier runs left of the dispatch may be one branch, or none at all.
    ours = bool(earlier) and all(_is_type_name(key) for key in earlier)
    by_type = [c for c in outermost if len(c[1]) >= 2 or (ours and c[1])]
    if not by_type:
        if ours:
            alone = _default_alone(function, source, path, module, entry_index, earlier, events, lines)
            return alone or nothing_left(function, source, path, module)
        raise NotByType()
    nodes, tests, kind = by_type[0]
    if len(by_type) > 1:
        raise StranglerError(
            f"two dispatches on the kind of event in {entry.name.value}(): strangler splits one per handler",
            where=at(path, lines.of(by_type[1][0][0])),
            hint="merge them into one if/elif chain",
        )
    others = [c for c in finder.found if c is not by_type[0]]
    keyed = _keyed(tests, others, scope, earlier)
    refined = _refinements([(b, t) for b, t in tests if id(b.clause) not in keyed], others, entry.name.value, path, lines)
    if earlier:  # an inner chain earlier runs cut down to one if that does not exit
        loose = [(b, t) for b, t in tests if id(b.clause) not in refined | keyed.keys() and _name(t) is None]
        refined.update(_refinements(loose, [*others, *finder.lone], entry.name.value, path, lines))
    outer, inner = _levels(tests, refined, path, lines, keyed)
    refined.update({clause: (c.nodes, [], c.kind) for clause, c in keyed.items()})
    layout = BranchLayout(kind, nodes, tuple(branch for branch, _ in outer))
    nested = tuple(
        NestedBranch(branch.label, branch, _inner_layout(refined[id(branch.clause)], inner[id(branch.clause)]),
                     tuple(s for s in suite_statements(branch.body) if id(s) not in {id(n) for n in refined[id(branch.clause)][0]}))
        for branch, _ in outer if id(branch.clause) in refined
    )
    served = [(b, t) for branch, types in outer for b, t in (inner.get(id(branch.clause)) or [(branch, types)])]
    default = _default(entry, layout, served, events)
    if default is not None:
        served.append((default[0], default[2]))
    source_layout = SourceLayout(layout, nested, default[:2] if default else None)
    line = lines.of(nodes[0])
    event_path = EventPath((BY_TYPE, *(f"{b.keys[0]}={'+'.join(sorted(types))}" for b, types in served)))
    what = f"the dispatch on the kind of event of {len(served)} branches"
    graph = _graph(module, source_layout, entry_index, source, at(path, line), what)
    actions = tuple(Action(b.keys[0], _handler_of(b), _line_of(b, lines)) for b, _ in served)
    shape = "if/elif chain" if kind == "if" else "if sequence"
    if keyed:
        chain = next(iter(keyed.values()))
        shape += f" with a dispatch on {chain.key_code} inside a branch"
    elif nested:
        shape += " with the record's source tested inside a branch"
    dispatch = Dispatch(shape, "on the kind of event", line, entry.name.value, event_path, actions)
    return Analysis(function, path, source, module, graph, dispatch, entry_index, source_layout)


def _default_alone(
    function: FunctionRef, source: str, path: str, module: cst.Module, entry_index: int, earlier: frozenset[str],
    events: Any, lines: locate.Lines,
) -> Analysis | None:
    """Earlier runs took every branch of the chain, and what followed it serves the one Type
    of events still left: that is the last action, the whole handler."""
    entry = module.body[entry_index]
    assert isinstance(entry, cst.FunctionDef)
    types = {str((event or {}).get("Type")) for event in events.values()} if isinstance(events, Mapping) else set()
    name = _name(types) if types and types <= _ALL_TYPES else None
    if name is None or name in earlier or not isinstance(entry.body, cst.IndentedBlock):
        return None
    branch = Branch((name,), _NO_CLAUSE, entry.body)
    layout = SourceLayout(BranchLayout("sequence", (), ()), (), (branch, BranchLayout("sequence", (), (branch,))))
    line = lines.of(entry.body.body[0])
    graph = _graph(module, layout, entry_index, source, at(path, line), "the code left after the dispatch")
    event_path = EventPath((BY_TYPE, f"{name}={'+'.join(sorted(types))}"))
    action = Action(name, _handler_of(branch), line)
    dispatch = Dispatch("if/elif chain", "on the kind of event", line, entry.name.value, event_path, (action,))
    return Analysis(function, path, source, module, graph, dispatch, entry_index, layout)


def _line_of(branch: Branch, lines: locate.Lines) -> int:
    node = branch.clause if branch.clause is not _NO_CLAUSE else statements_of(branch.body)[0]
    return lines.of(node)


def statements_of(block: cst.BaseSuite) -> list:
    return list(block.body) if isinstance(block, cst.IndentedBlock) else [block]


def _inner_layout(chain: _Found, named: list[tuple[Branch, frozenset[str]]]) -> BranchLayout:
    return BranchLayout(chain[2], chain[0], tuple(b for b, _ in named))


def _is_type_name(key: str) -> bool:
    key = key.partition(NESTED_SEPARATOR)[0]  # EventBridgeRule/OrderPlaced: a key inside the Type's branch
    return key in RECORDS | EVENTBRIDGE | {"HttpApi", "Api"}


# --- the tests ------------------------------------------------------------------------------
class _Unknown(Exception):
    pass


def event_types(test: cst.BaseExpression, scope: Locals, path: str = "", lines: locate.Lines | None = None) -> frozenset[str] | None:
    """The SAM event Types whose events pass ``test``, or None when it is no test on the
    kind of event."""
    try:
        return _types(test, scope, path, lines)
    except _Unknown:
        return None


def _types(test: cst.BaseExpression, scope: Locals, path: str, lines: locate.Lines | None) -> frozenset[str]:
    if isinstance(test, cst.BooleanOperation):
        left, right = _types(test.left, scope, path, lines), _types(test.right, scope, path, lines)
        return left & right if isinstance(test.operator, cst.And) else left | right
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        raise _Unknown()
    target = test.comparisons[0]
    if isinstance(target.operator, cst.In):
        key = _string(test.left)
        container = _path(target.comparator, scope)
        if key is None or container is None:
            raise _Unknown()
        if container == ():
            if key in _TOP_KEYS:
                return _TOP_KEYS[key]
        elif container == ("Records", EACH) and key in _RECORD_KEYS:
            return frozenset({_RECORD_KEYS[key]})
        raise _Unknown()
    if isinstance(target.operator, cst.Equal):
        for side, constant in ((test.left, target.comparator), (target.comparator, test.left)):
            value = _string(constant)
            either = _either_source(side, scope, value)
            if either is not None:
                return either
            read = _path(side, scope)
            if value is None or read is None:
                continue
            if read == ("source",) and value == "aws.events":
                return frozenset({"Schedule"})
            if len(read) == 3 and read[:2] == ("Records", EACH):
                found = _RECORD_SOURCES.get((read[2], value))
                if found is not None:
                    return frozenset({found})
                if (read[2], value) in _WRONG_CASE:
                    raise StranglerError(
                        f"the test reads the record's {read[2]}, but {value} records carry "
                        f"{_WRONG_CASE[(read[2], value)]}, so it never matches",
                        where=at(path, lines.of(test)) if lines else path,
                        hint=f"compare record[{_WRONG_CASE[(read[2], value)]!r}] == {value!r}",
                    )
    raise _Unknown()


def _either_source(side: cst.BaseExpression, scope: Locals, value: str | None) -> frozenset[str] | None:
    """``source == "aws:sns"`` where ``source = record.get("eventSource") or record.get("EventSource")``:
    the one spelling that ``value``'s records carry decides."""
    if value is None or not isinstance(side, cst.Name) or len(scope.assigned.get(side.value, ())) != 1:
        return None
    bound = scope.assigned[side.value][0]
    operands: list[cst.BaseExpression] = []
    while isinstance(bound, cst.BooleanOperation) and isinstance(bound.operator, cst.Or):
        operands.append(bound.right)
        bound = bound.left
    if not operands:
        return None
    found = set()
    for operand in [bound, *operands]:
        read = _path(operand, scope)
        if read is None or len(read) != 3 or read[:2] != ("Records", EACH):
            return None
        if (read[2], value) in _RECORD_SOURCES:
            found.add(_RECORD_SOURCES[(read[2], value)])
    return frozenset(found) if found else None


def _string(node: cst.CSTNode) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _path(node: cst.BaseExpression, scope: Locals) -> tuple[str, ...] | None:
    if _string(node) is not None:
        return None
    try:
        return resolve(node, scope).parts
    except Unresolvable:
        return None


# --- chains and their branches -------------------------------------------------------------
_Found = tuple[tuple[cst.CSTNode, ...], list[tuple[Branch, frozenset[str]]], str]


class _Chains(cst.CSTVisitor):
    """Every if/elif chain and if sequence in the entrypoint whose tests are all on the
    kind of event, with each branch's Types as tested (before earlier branches are removed)."""

    def __init__(self, scope: Locals, path: str, lines: locate.Lines) -> None:
        self.scope, self.path, self.lines = scope, path, lines
        self.found: list[_Found] = []  # outer chains first
        self.lone: list[_Found] = []  # single ifs that do not exit (a sequence needs them to)
        self._seen: set[int] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        run: list[tuple[Branch, frozenset[str]]] = []
        for statement in [*node.body, None]:
            types = None
            if isinstance(statement, cst.If) and statement.orelse is None and always_exits(_statements(statement.body)):
                types = self._test(statement.test)
            if types is not None:
                self._seen.add(id(statement))
                run.append((Branch((), statement, statement.body), types))
                continue
            if run:
                self.found.append((tuple(b.clause for b, _ in run), run, "sequence"))
            run = []

    def visit_If(self, node: cst.If) -> None:
        if id(node) in self._seen:
            return
        clauses, current = [], node
        while True:
            clauses.append(current)
            self._seen.add(id(current))
            if not isinstance(current.orelse, cst.If):
                break
            current = current.orelse
        tests = []
        for clause in clauses:  # stop at the first other test: a long chain on a key costs one
            types = self._test(clause.test)
            if types is None:
                return
            tests.append(types)
        if len(clauses) == 1 and node.orelse is None:
            # the sequence finder's case; inside a branch, what earlier runs left of an inner chain
            self.lone.append(((node,), [(Branch((), node, node.body), tests[0])], "if"))
            return
        branches = [(Branch((), clause, clause.body), t) for clause, t in zip(clauses, tests)]
        self.found.append(((node,), branches, "if"))

    def _test(self, test: cst.BaseExpression) -> frozenset[str] | None:
        return event_types(test, self.scope, self.path, self.lines)


def _statements(block: cst.BaseSuite) -> list:
    return list(block.body) if isinstance(block, cst.IndentedBlock) else [block]


def _branches(
    tests: list[tuple[Branch, frozenset[str]]], path: str, lines: locate.Lines
) -> list[tuple[Branch, frozenset[str]]]:
    """Each branch named by the Types that reach it (an earlier branch takes its Types first)."""
    taken: set[str] = set()
    named: list[tuple[Branch, frozenset[str]]] = []
    for branch, types in tests:
        reach = types - taken
        where = at(path, lines.of(branch.clause))
        if not reach:
            raise StranglerError(
                "no event reaches this branch: the branches before it take every kind of event it tests for",
                where=where,
                hint="remove the dead branch",
            )
        name = _name(reach)
        if name is None:
            raise StranglerError(
                f"the test cannot tell {', '.join(sorted(reach))} events apart, so they cannot go to different functions",
                where=where,
                hint='test the record\'s source as well (record["eventSource"] == "aws:sqs", "Sns" in record)',
            )
        taken |= reach
        named.append((Branch((name,), branch.clause, branch.body), reach))
    return named


def _name(types: Iterable[str]) -> str | None:
    """The Type users see for ``types``: one Type, or EventBridge's family named by its rule."""
    kinds = frozenset(types)
    if len(kinds) == 1:
        return next(iter(kinds))
    if kinds <= EVENTBRIDGE:
        return "EventBridgeRule" if "EventBridgeRule" in kinds else "CloudWatchEvent"
    return None


# Stands for the clause of the code after the chain: it has none, so nothing is inlined.
_NO_CLAUSE = cst.Pass()


# The key of each kind of event that a branch may dispatch on again, and the Types that carry it.
_KEY_FIELDS = {"detail-type": EVENTBRIDGE, "routeKey": frozenset({"HttpApi"})}


def _keyed(
    tests: list[tuple[Branch, frozenset[str]]], others: list[_Found], scope: Locals, earlier: frozenset[str]
) -> dict[int, _Candidate]:
    """The one branch whose body dispatches again on its Type's key (``"detail-type" in event``,
    then ``event["detail-type"] == "OrderPlaced"``), with that dispatch: its actions are
    ``EventBridgeRule/OrderPlaced``. Only when the other branches are plain actions; anything
    else is left to :func:`_refinements`, which refuses it."""
    by_source = {id(node) for c in others for node in c[0]}
    # What earlier runs left of the inner chain may be one if, in the branch of their Type.
    left_in = {key.partition(NESTED_SEPARATOR)[0] for key in earlier if NESTED_SEPARATOR in key}
    found: dict[int, _Candidate] = {}
    for branch, types in tests:
        if any(id(c[0][0]) in _ids_under(branch.body) for c in others):
            return {}
        lone = _name(types) in left_in
        finder = _Finder(lone=lone)
        branch.body.visit(finder)
        chains = [c for c in finder.candidates if c.branches and (lone or len(c.branches) >= 2) and id(c.nodes[0]) not in by_source]
        # A lone if is found both as an if and as a sequence of one, and each if of a sequence alone.
        nodes = [{id(n) for n in c.nodes} for c in chains]
        chains = [c for i, c in enumerate(chains) if not any(
            j != i and (nodes[i] < other or (nodes[i] == other and j < i)) for j, other in enumerate(nodes))]
        if not chains:
            continue
        chain = chains[0]
        field = _path(chain.key, scope)
        if (
            len(chains) != 1 or chain.falls_through or any(len(b.keys) != 1 for b in chain.branches)
            or field is None or len(field) != 1 or field[0] not in _KEY_FIELDS or not types <= _KEY_FIELDS[field[0]]
        ):
            return {}
        found[id(branch.clause)] = chain
    return found if len(found) == 1 else {}


def _refinements(
    tests: list[tuple[Branch, frozenset[str]]], others: list[_Found], entry: str, path: str, lines: locate.Lines
) -> dict[int, _Found]:
    """The chain on the kind of event inside each branch that has one (``source == "aws:sqs"``
    under ``"Records" in event``). One level only: a branch that dispatches again on a key,
    or whose inner branches dispatch again, is refused."""
    by_source = {id(node) for c in others for node in c[0]}
    refined: dict[int, _Found] = {}
    for branch, _ in tests:
        inside = _ids_under(branch.body)
        chains = [c for c in others if id(c[0][0]) in inside]
        nested_ids = {i for c in chains for b, _ in c[1] for i in _ids_under(b.body)}
        top = [c for c in chains if id(c[0][0]) not in nested_ids]
        deeper = [c for c in chains if id(c[0][0]) in nested_ids]
        finder = _Finder()
        branch.body.visit(finder)
        inner = [(c.nodes[0], f"on {c.key_code}") for c in finder.candidates if len(c.branches) >= 2 and id(c.nodes[0]) not in by_source]
        inner += [(c[0][0], "on the kind of event, twice") for c in [*deeper, *top[1:]]]
        if inner:
            node, what = inner[0]
            raise StranglerError(
                f"a branch of the dispatch on the kind of event in {entry}() dispatches again ({what}): "
                "a nested dispatch whose outer level is the event's source is not split yet",
                where=at(path, lines.of(node)),
                hint="test each source in one flat chain (\"Records\" in event and record[\"eventSource\"] == "
                "\"aws:sqs\"), or move the inner dispatch into a function of its own",
            )
        if top:
            refined[id(branch.clause)] = top[0]
    return refined


def _levels(
    tests: list[tuple[Branch, frozenset[str]]], refined: dict[int, _Found], path: str, lines: locate.Lines,
    keyed: Mapping[int, _Candidate] | None = None,
) -> tuple[list[tuple[Branch, frozenset[str]]], dict[int, list[tuple[Branch, frozenset[str]]]]]:
    """The outer branches named by the Types that reach them, and each refined branch's inner
    branches, named by the Types that pass both tests."""
    taken: set[str] = set()
    outer: list[tuple[Branch, frozenset[str]]] = []
    inner: dict[int, list[tuple[Branch, frozenset[str]]]] = {}
    for branch, types in tests:
        reach = types - taken
        chain = refined.get(id(branch.clause))
        on_key = (keyed or {}).get(id(branch.clause))
        if on_key is not None and reach:
            kind = _branches([(branch, reach)], path, lines)[0][0].keys[0]
            named = [(Branch((f"{kind}{NESTED_SEPARATOR}{b.keys[0]}",), b.clause, b.body), reach) for b in on_key.branches]
            inner[id(branch.clause)] = named
            outer.append((Branch(tuple(b.keys[0] for b, _ in named), branch.clause, branch.body), reach))
        elif chain is None or not reach:
            outer.extend(_branches([(branch, reach)], path, lines))
        else:
            named = _branches([(b, t & reach) for b, t in chain[1]], path, lines)
            inner[id(branch.clause)] = named
            keys = tuple(b.keys[0] for b, _ in named)
            outer.append((Branch(keys, branch.clause, branch.body), frozenset().union(*(t for _, t in named))))
        taken |= reach
    return outer, inner


def _default(
    entry: cst.FunctionDef, layout: BranchLayout, served: list[tuple[Branch, frozenset[str]]], events: Any
) -> tuple[Branch, BranchLayout, frozenset[str]] | None:
    """The code after the chain, as the action of the one Type of the function's events that
    no branch takes (``return handle_http(event)`` when only HttpApi events are left)."""
    if not isinstance(events, Mapping) or not events or layout.has_default:
        return None
    body = list(entry.body.body) if isinstance(entry.body, cst.IndentedBlock) else []
    end = next((i for i, statement in enumerate(body) if statement is layout.nodes[-1]), None)
    if end is None or end + 1 == len(body):
        return None
    if not all(always_exits(suite_statements(b.body)) for b, _ in served):
        return None  # a branch falls through: the code after the chain is shared, not a default
    types = {str((event or {}).get("Type")) for event in events.values()}
    left = types - frozenset().union(*(t for _, t in served))
    name = _name(left) if left and left <= _ALL_TYPES else None
    if name is None or name in {b.keys[0] for b, _ in served}:
        return None
    branch = Branch((name,), _NO_CLAUSE, cst.IndentedBlock(body=body[end + 1:]))
    # A level that drops the whole chain and keeps what follows it.
    return branch, BranchLayout("sequence", layout.nodes, (branch,)), frozenset(left)


_ALL_TYPES = RECORDS | EVENTBRIDGE | {"HttpApi", "Api"}


@dataclass(frozen=True)
class SourceLayout(NestedLayout):
    """A dispatch on the kind of event whose branches may test the record's source again
    (``"Records" in event``, then ``source == "aws:sqs"``): every action is one Type, at
    the outer level or the inner one; ``default`` is the code after the chain when it
    serves one Type of its own. An outer branch's keys are its inner actions."""

    default: tuple[Branch, BranchLayout] | None = None

    def _nested(self, key: str) -> NestedBranch | None:
        return next((n for n in self.branches if key in n.branch.keys), None)

    def unit_nodes(self) -> dict[str, list[cst.CSTNode]]:
        units: dict[str, list[cst.CSTNode]] = {}
        for branch in self.outer.branches:
            nested = self._nested(branch.keys[0])
            if nested is None:
                units[branch.label] = [branch.body]
            else:  # the outer branch's own statements go with each of its actions
                units.update({inner.label: [inner.body, *nested.preamble] for inner in nested.inner.branches})
        return units

    def levels(self, key: str):  # type: ignore[override]
        if self.default is not None and key in self.default[0].keys:
            return ((self.default[1], self.default[0]),)
        outer = self.outer.branch(key)
        nested = self._nested(key)
        if nested is None:
            return ((self.outer, outer),)
        return ((self.outer, outer), (nested.inner, nested.inner.branch(key)))

    def label(self, key: str) -> str:
        return key

    def removals(self, removed: set[str]) -> list[tuple[BranchLayout, set[str]]]:
        """An outer branch leaves once all its actions left and nothing else of it runs for
        other events (the inner chain has no default, nor the outer one)."""
        outer: set[str] = set()
        levels: list[tuple[BranchLayout, set[str]]] = []
        for branch in self.outer.branches:
            nested = self._nested(branch.keys[0])
            keys = set(branch.keys)
            if nested is None:
                outer |= keys & removed
                continue
            levels.append((nested.inner, keys & removed))
            if keys <= removed and not nested.inner.has_default and not self.outer.has_default:
                outer |= keys
        return [(self.outer, outer), *levels]


def _ids_under(tree: cst.CSTNode) -> set[int]:
    found: set[int] = set()

    class Collect(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            found.add(id(node))
            return True

    tree.visit(Collect())
    return found
