"""Detector for dispatch on the kind of event: one Lambda invoked by several event sources.

``if "Records" in event and event["Records"][0]["eventSource"] == "aws:sqs":`` /
``elif "Sns" in event["Records"][0]:`` / ``elif "detail-type" in event:`` /
``elif "routeKey" in event:`` / ``elif "httpMethod" in event:`` /
``elif event.get("source") == "aws.events":`` (an if/elif chain, or ifs that each return).

Each branch serves the SAM event Types whose events pass its test and no earlier one;
the action is named by the Type users see in their template (``SQS``, ``SNS``,
``EventBridgeRule``, ``HttpApi``, ``Api``, ``Schedule``, ...), and routing moves every
event of those Types to the new function. A test that several kinds of event pass alike
(``"Records" in event`` alone) is refused, and so is a branch that dispatches again.
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from strangler.analyse import locate
from strangler.analyse.dispatch import Analysis, nothing_left
from strangler.analyse.dispatch.branches import _Finder, _graph, _handler_of, always_exits
from strangler.analyse.dispatch.eventpath import Locals, Unresolvable, resolve
from strangler.analyse.dispatch.layout import Branch, BranchLayout
from strangler.analyse.dispatch.table import entrypoint_index
from strangler.errors import StranglerError, at
from strangler.model import BY_TYPE, EACH, Action, Dispatch, EventPath, FunctionRef

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
    function: FunctionRef, source: str, path: str, module: cst.Module, earlier: frozenset[str] = frozenset()
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
    # What earlier runs left of the dispatch may be one branch, or none at all.
    ours = bool(earlier) and all(_is_type_name(key) for key in earlier)
    by_type = [c for c in finder.found if len(c[1]) >= 2 or (ours and c[1])]
    if not by_type:
        if ours:
            return nothing_left(function, source, path, module)
        raise NotByType()
    nodes, tests, kind = by_type[0]
    _refuse_nested(tests, [c for c in finder.found if c is not by_type[0]], entry.name.value, path, lines)
    if len(by_type) > 1:
        raise StranglerError(
            f"two dispatches on the kind of event in {entry.name.value}(): strangler splits one per handler",
            where=at(path, lines.of(by_type[1][0][0])),
            hint="merge them into one if/elif chain",
        )
    branches = _branches(tests, path, lines)
    layout = BranchLayout(kind, nodes, tuple(branch for branch, _ in branches))
    line = lines.of(nodes[0])
    event_path = EventPath((BY_TYPE, *(f"{b.keys[0]}={'+'.join(sorted(types))}" for b, types in branches)))
    what = f"the dispatch on the kind of event of {len(branches)} branches"
    graph = _graph(module, layout, entry_index, source, at(path, line), what)
    actions = tuple(Action(b.keys[0], _handler_of(b), lines.of(b.clause)) for b, _ in branches)
    shape = "if/elif chain" if kind == "if" else "if sequence"
    dispatch = Dispatch(shape, "on the kind of event", line, entry.name.value, event_path, actions)
    return Analysis(function, path, source, module, graph, dispatch, entry_index, layout)


def _is_type_name(key: str) -> bool:
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
            value, read = _string(constant), _path(side, scope)
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
            return  # the sequence finder's case
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


def _refuse_nested(
    tests: list[tuple[Branch, frozenset[str]]], others: list[_Found], entry: str, path: str, lines: locate.Lines
) -> None:
    """A branch that dispatches again (on the record's source, or on a key) would need a
    second level of routing inside its source: refused for now."""
    for branch, _ in tests:
        finder = _Finder()
        branch.body.visit(finder)
        inner = [(c.nodes[0], f"on {c.key_code}") for c in finder.candidates if len(c.branches) >= 2]
        inside = _ids_under(branch.body)
        inner += [(c[0][0], "on the kind of event") for c in others if id(c[0][0]) in inside]
        if inner:
            node, what = inner[0]
            raise StranglerError(
                f"a branch of the dispatch on the kind of event in {entry}() dispatches again ({what}): "
                "a nested dispatch whose outer level is the event's source is not split yet",
                where=at(path, lines.of(node)),
                hint="test each source in one flat chain (\"Records\" in event and record[\"eventSource\"] == "
                "\"aws:sqs\"), or move the inner dispatch into a function of its own",
            )


def _ids_under(tree: cst.CSTNode) -> set[int]:
    found: set[int] = set()

    class Collect(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            found.add(id(node))
            return True

    tree.visit(Collect())
    return found
