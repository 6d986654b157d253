"""The picture of a split: event sources and routes -> functions -> the resources each reaches.

``scan --format mermaid`` (or ``dot``) draws the application twice: before (every route into
the monolith, the monolith reaching every resource its policies and variables name) and
after (each action's route into its own function, reaching only what its narrowed policies
and variables still name; the monolith kept for the actions that refuse). What a function
reaches is read from the template resources its kept policies and environment variables
refer to, the same decisions ``scan`` prints: nothing here guesses beyond them.

This module only reads: the scan gathers :class:`Wiring` while it plans each route, and the
drawing functions turn the scans into text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from strangler.model import DELETE, Narrowing, RoutePlan
from strangler.template.intrinsics import intrinsic, referenced_ids

if TYPE_CHECKING:
    from strangler.scan import FunctionScan

# Where an event or a resource outside Events names what emits its events.
SOURCE_KEYS = ("Queue", "Topic", "TopicArn", "Stream", "EventSourceArn", "EventBusName", "Bucket", "ApiId",
               "RestApiId", "UserPool")
# Where an event or a resource keeps the filter that picks its events.
FILTER_KEYS = ("Pattern", "EventPattern", "FilterPolicy", "FilterCriteria", "Input")
# SAM's implicit APIs: an API event without an ApiId/RestApiId joins these.
_IMPLICIT_API = {"HttpApi": ("ApiId", "ServerlessHttpApi"), "Api": ("RestApiId", "ServerlessRestApi")}
# A permission lets a service invoke the function; the route is the resource that delivers.
_NOT_A_ROUTE = frozenset({"AWS::Lambda::Permission"})


@dataclass(frozen=True)
class Entry:
    """One way events reach a function: an event of its Events, or a resource outside them."""

    name: str  # the event's name, or the resource's logical id
    kind: str  # the event's Type, or the resource's Type
    source: str | None  # the template resource that emits the events (bus, queue, topic, API)
    route: str | None  # "GET /orders/{id}" for an API route
    leaves: tuple[tuple[str, str], ...]  # its properties, flattened: where the key filter is read


@dataclass(frozen=True)
class Access:
    """One template resource a function reaches, and what gives it the way."""

    logical_id: str
    kind: str
    through: tuple[str, ...]  # policy names, else the variables that pass it


@dataclass(frozen=True)
class Wiring:
    """What one function (the monolith, or one action's new function) is wired to."""

    function_id: str
    entries: tuple[Entry, ...]
    reaches: tuple[Access, ...]
    leaves_monolith: tuple[str, ...] = ()  # the monolith's events this action takes whole


# A function no event source reaches: its callers invoke it by name.
_DIRECT = Entry("callers", "direct invoke", None, None, ())


# --- gathering --------------------------------------------------------------------------
def monolith_wiring(template: Mapping[str, Any], function_id: str, events: Mapping[str, Any] | None,
                    invoker_ids: Iterable[str]) -> Wiring:
    """The monolith as the template has it: every event and invoker, every resource named."""
    resources = _mapping(template.get("Resources"))
    properties = _mapping(_mapping(resources.get(function_id)).get("Properties"))
    entries = [event_entry(str(name), event) for name, event in _mapping(events).items()]
    for logical_id in invoker_ids:
        resource = _mapping(resources.get(logical_id))
        if str(resource.get("Type")) not in _NOT_A_ROUTE:
            entries.append(resource_entry(logical_id, resource))
    variables = _variables(properties)
    reaches = _accesses(template, function_id, _policies(properties), variables, set(variables))
    return Wiring(function_id, tuple(_unique(entries)) or (_DIRECT,), reaches)


def action_wiring(template: Mapping[str, Any], monolith_id: str, new_id: str, route: RoutePlan | None,
                  narrowing: Narrowing) -> Wiring:
    """One action's function: its route (none when refused) and what its narrowing keeps."""
    resources = _mapping(template.get("Resources"))
    properties = _mapping(_mapping(resources.get(monolith_id)).get("Properties"))
    entries: list[Entry] = []
    leaving: tuple[str, ...] = ()
    if route is not None and route.direct:
        entries = [_DIRECT]
    elif route is not None:
        entries = [event_entry(name, event) for name, event in route.new_events.items()]
        for split in route.resources:
            if split.delivers:
                entries.append(_split_entry(split.logical_id, _mapping(resources.get(split.logical_id)), split.added))
        leaving = tuple(name for name, value in route.monolith_events.items() if value is DELETE)
    policies = _policies(properties)
    if narrowing.policies:
        policies = [policy for index, policy in enumerate(policies) if index in narrowing.policy_keep]
    reaches = _accesses(template, new_id, policies, _variables(properties), set(narrowing.env_keep))
    return Wiring(new_id, tuple(_unique(entries)), reaches, leaving)


def _mapping(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a mapping; an empty one for what a broken template holds instead
    (the scan reports those; the picture only leaves them out)."""
    return value if isinstance(value, Mapping) else {}


def event_entry(name: str, event: Any) -> Entry:
    kind = str(_mapping(event).get("Type"))
    properties = _mapping(_mapping(event).get("Properties"))
    source = _source(properties)
    if source is None and kind in _IMPLICIT_API and _IMPLICIT_API[kind][0] not in properties:
        source = _IMPLICIT_API[kind][1]
    route = None
    if isinstance(properties.get("Path"), str):
        route = f"{str(properties.get('Method', 'any')).upper()} {properties['Path']}"
    return Entry(name, kind, source, route, tuple(_flatten(properties)))


def resource_entry(logical_id: str, resource: Any) -> Entry:
    properties = _mapping(_mapping(resource).get("Properties"))
    route = properties.get("RouteKey") if isinstance(properties.get("RouteKey"), str) else None
    return Entry(logical_id, str(_mapping(resource).get("Type")), _source(properties), route,
                 tuple(_flatten(properties)))


def _split_entry(logical_id: str, original: Any, added: Iterable[tuple[str, Any]]) -> Entry:
    """The route a resource outside Events gives the new function: its copy for the action
    (a rule narrowed to the key) when the route adds one, else the resource itself."""
    kind = original.get("Type")
    copy = next((resource for _, resource in added if _mapping(resource).get("Type") == kind), None)
    entry = resource_entry(logical_id, copy if copy is not None else original)
    return Entry(logical_id, entry.kind, entry.source, entry.route, entry.leaves)


def _source(properties: Mapping[str, Any]) -> str | None:
    for key in SOURCE_KEYS:
        if key in properties:
            ids = list(referenced_ids(properties[key]))
            if ids:
                return ids[0]
    return None


def _policies(properties: Mapping[str, Any]) -> list[Any]:
    value = properties.get("Policies")
    if isinstance(value, list) and intrinsic(value) is None:
        return list(value)
    return [value] if value is not None else []  # an intrinsic or a single policy: kept whole


def _variables(properties: Mapping[str, Any]) -> dict[str, Any]:
    return dict(_mapping(_mapping(properties.get("Environment")).get("Variables")))


def _accesses(template: Mapping[str, Any], function_id: str, policies: list[Any], variables: Mapping[str, Any],
              kept_env: set[str]) -> tuple[Access, ...]:
    """The template resources that the policies and the kept variables refer to (and the
    Globals' variables, which every function inherits), in template order."""
    resources = _mapping(template.get("Resources"))
    globals_ = _variables(_mapping(_mapping(template.get("Globals")).get("Function")))
    through: dict[str, list[str]] = {}
    for policy in policies:
        for target in referenced_ids(policy):
            through.setdefault(target, []).append(_policy_name(policy))
    for name, value in [*globals_.items(), *((n, v) for n, v in variables.items() if n in kept_env)]:
        for target in referenced_ids(value):
            through.setdefault(target, []).append(name)
    found = []
    for logical_id, resource in resources.items():
        if logical_id in through and logical_id != function_id:
            named = list(dict.fromkeys(through[logical_id]))
            granted = [item for item in named if not item.isupper()] or named
            found.append(Access(logical_id, str(_mapping(resource).get("Type")), tuple(granted)))
    return tuple(found)


def _policy_name(policy: Any) -> str:
    if isinstance(policy, str):
        return policy.split("/")[-1]
    if isinstance(policy, dict) and "Statement" in policy:
        return "inline statement"
    if isinstance(policy, dict) and len(policy) == 1 and intrinsic(policy) is None:
        return str(next(iter(policy)))
    return "policy"


def _flatten(value: Any, path: str = "") -> Iterable[tuple[str, str]]:
    if path == "FilterCriteria" and isinstance(value, Mapping) and isinstance(value.get("Filters"), list):
        yield from _filter_patterns(value["Filters"])
        return
    if isinstance(value, Mapping) and intrinsic(value) is None:
        for key, item in value.items():
            yield from _flatten(item, f"{path}.{key}" if path else str(key))
        return
    yield path, _text(value)


def _filter_patterns(filters: list[Any]) -> Iterable[tuple[str, str]]:
    """An event source mapping's filters, as the fields each pattern (a JSON string) reads:
    ``FilterCriteria.data.event_type: page_view``; several filters are alternatives."""
    found: dict[str, list[str]] = {}
    for item in filters:
        pattern = _mapping(item).get("Pattern")
        try:
            parsed = json.loads(pattern) if isinstance(pattern, str) else None
        except ValueError:
            parsed = None
        leaves = _flatten(parsed, "FilterCriteria") if isinstance(parsed, Mapping) else [("FilterCriteria", _text(item))]
        for path, text in leaves:
            found.setdefault(path, []).append(text)
    for path, texts in found.items():
        yield path, " or ".join(dict.fromkeys(texts))


def _text(value: Any) -> str:
    found = intrinsic(value)
    if found is not None:
        name, arg = found
        if arg is value:  # a tagged sequence or mapping (!If [...]): its items are the arguments
            arg = list(value) if isinstance(value, list) else dict(value)
            return f"!{name} {json.dumps(arg, default=str, separators=(',', ':'))}"
        return f"!{name} {arg if isinstance(arg, str) else _text(arg)}"
    if isinstance(value, list) and all(isinstance(item, (str, int, float)) for item in value):
        return ", ".join(str(item) for item in value)
    if isinstance(value, (list, Mapping)):
        return json.dumps(value, default=str, separators=(",", ":"))
    return str(value)


def _unique(entries: Iterable[Entry]) -> list[Entry]:
    return list({(entry.name, entry.kind): entry for entry in entries}.values())


# --- the picture, as nodes and edges --------------------------------------------------------
@dataclass(frozen=True)
class Node:
    id: str
    label: tuple[str, ...]  # lines
    shape: str  # "source", "route", "function", "resource"


@dataclass(frozen=True)
class Cluster:
    id: str
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[tuple[str, str, str], ...]  # (from, to, label)


def clusters(scans: Iterable[FunctionScan]) -> tuple[Cluster, Cluster]:
    """The two halves of the picture: before and after the split of every function scanned."""
    scans = list(scans)
    before, after = _Builder("b"), _Builder("a")
    for scan in scans:
        _draw_before(before, scan)
        _draw_after(after, scan)
    return (before.cluster("before", "Before: the monolith"),
            after.cluster("after", "After: one function per action"))


class _Builder:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.nodes: dict[str, Node] = {}
        self.ids: dict[tuple[str, str], str] = {}
        self.edges: dict[tuple[str, str], list[str]] = {}

    def node(self, kind: str, name: str, label: tuple[str, ...], shape: str) -> str:
        """The id of the node for (``kind``, ``name``), declared on first use."""
        if (kind, name) in self.ids:
            return self.ids[(kind, name)]
        node_id = base = node_id_for(self.prefix, kind, name)
        count = 1
        while node_id in self.nodes:  # two names spelled alike: still one node each
            count += 1
            node_id = f"{base}_{count}"
        self.ids[(kind, name)] = node_id
        self.nodes[node_id] = Node(node_id, label, shape)
        return node_id

    def edge(self, start: str, end: str, label: str = "") -> None:
        labels = self.edges.setdefault((start, end), [])
        if label and label not in labels:
            labels.append(label)

    def cluster(self, cluster_id: str, title: str) -> Cluster:
        edges = tuple((start, end, ", ".join(labels)) for (start, end), labels in self.edges.items())
        return Cluster(cluster_id, title, tuple(self.nodes.values()), edges)


def node_id_for(prefix: str, kind: str, *names: str) -> str:
    """A Mermaid- and dot-safe id that is the same on every run: letters, digits and ``_``
    (logical ids and event names are already), anything else spelled as its code point."""
    safe = ["".join(c if c.isascii() and (c.isalnum() or c == "_") else f"x{ord(c):x}" for c in name)
            for name in names]
    return "_".join([prefix, kind, *safe])


def _draw_entries(builder: _Builder, function_id: str, function_node: str, entries: Iterable[Entry],
                  shown: Mapping[tuple[str, str], list[str]]) -> None:
    for entry in entries:
        lines = ["direct invoke", "by its callers"] if entry == _DIRECT else [f"{_short(entry.kind)} {entry.name}"]
        if entry.route:
            lines.append(entry.route)
        leaves = dict(entry.leaves)
        lines += [f"{_filter_name(path)}: {leaves.get(path, 'any')}" for path in shown.get((entry.name, entry.kind), [])]
        route = builder.node("route", f"{function_id}_{entry.name}", tuple(lines), "route")
        if entry.source is not None:
            source = builder.node("src", entry.source, (entry.source,), "source")
            builder.edge(source, route)
        builder.edge(route, function_node)


def _draw_reaches(builder: _Builder, function_node: str, reaches: Iterable[Access]) -> None:
    for access in reaches:
        resource = builder.node("res", access.logical_id, (access.logical_id, _short(access.kind)), "resource")
        builder.edge(function_node, resource, ", ".join(access.through))


def _monolith(scan: FunctionScan) -> Wiring:
    return scan.wiring or Wiring(scan.logical_id, (), ())


def _key_paths(scan: FunctionScan) -> dict[tuple[str, str], list[str]]:
    """Per entry of the monolith, the filter fields some action's route changes: its key
    filter. Only filters count: a copy's new name or target says where, not which events."""
    original = {(entry.name, entry.kind): dict(entry.leaves) for entry in _monolith(scan).entries}
    paths: dict[tuple[str, str], list[str]] = {}
    for action in scan.actions:
        for entry in action.wiring.entries if action.wiring else ():
            if (entry.name, entry.kind) not in original:
                continue
            before = original[(entry.name, entry.kind)]
            for path, value in entry.leaves:
                if path.split(".")[0] in FILTER_KEYS and before.get(path) != value:
                    paths.setdefault((entry.name, entry.kind), [])
                    if path not in paths[(entry.name, entry.kind)]:
                        paths[(entry.name, entry.kind)].append(path)
    return paths


def _draw_before(builder: _Builder, scan: FunctionScan) -> None:
    count = len(scan.actions)
    function = builder.node("fn", scan.logical_id,
                            (scan.logical_id, f"{count} action{'s' if count != 1 else ''}"), "function")
    _draw_entries(builder, scan.logical_id, function, _monolith(scan).entries, _key_paths(scan))
    _draw_reaches(builder, function, _monolith(scan).reaches)


def _draw_after(builder: _Builder, scan: FunctionScan) -> None:
    keys = _key_paths(scan)
    refused = [action for action in scan.actions if action.refusal is not None or action.wiring is None]
    for action in scan.actions:
        if action in refused:
            continue
        function = builder.node("fn", action.wiring.function_id, (action.wiring.function_id, action.key), "function")
        _draw_entries(builder, action.wiring.function_id, function, action.wiring.entries, keys)
        _draw_reaches(builder, function, action.wiring.reaches)
    if not refused and scan.actions:
        return  # every action has its own function: migrate retires the monolith
    gone = {name for action in scan.actions if action not in refused for name in action.wiring.leaves_monolith}
    left = ", ".join(action.key for action in refused) or "no action"
    function = builder.node("fn", scan.logical_id, (scan.logical_id, f"kept for {left}"), "function")
    _draw_entries(builder, scan.logical_id, function, [e for e in _monolith(scan).entries if e.name not in gone], {})
    seen: dict[str, Access] = {}
    for action in refused:
        for access in action.wiring.reaches if action.wiring else ():
            seen.setdefault(access.logical_id, access)
    order = [access.logical_id for access in _monolith(scan).reaches]
    _draw_reaches(builder, function, sorted(seen.values(), key=lambda a: order.index(a.logical_id)
                                            if a.logical_id in order else len(order)))


def _filter_name(path: str) -> str:
    """``Pattern.detail-type`` -> ``detail-type``: the field of the event the filter reads."""
    head, _, rest = path.partition(".")
    return rest if head in ("Pattern", "EventPattern", "FilterPolicy", "FilterCriteria") and rest else path


def _short(kind: str) -> str:
    """``AWS::DynamoDB::Table`` -> ``DynamoDB::Table``."""
    return kind.removeprefix("AWS::")


# --- Mermaid -----------------------------------------------------------------------------
_MERMAID_SHAPES = {"source": ('{{"', '"}}'), "route": ('["', '"]'), "function": ('(["', '"])'),
                   "resource": ('[("', '")]')}


def mermaid_text(text: str) -> str:
    """A label line safe inside Mermaid's double quotes: entity codes for what Mermaid reads
    (quotes, ``#``, angle brackets, a backtick that would start a markdown string)."""
    replaced = text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    return replaced.replace("`", "#96;").replace("\n", " ")


def mermaid(scans: Iterable[FunctionScan]) -> str:
    """A Mermaid ``flowchart LR`` with the before and after subgraphs."""
    lines = ["flowchart LR"]
    for cluster in clusters(scans):
        lines.append(f'  subgraph {cluster.id}["{mermaid_text(cluster.title)}"]')
        lines.append("    direction LR")
        for node in cluster.nodes:
            opening, closing = _MERMAID_SHAPES[node.shape]
            label = "<br/>".join(mermaid_text(line) for line in node.label)
            lines.append(f"    {node.id}{opening}{label}{closing}")
        for start, end, label in cluster.edges:
            arrow = f'-->|"{mermaid_text(label)}"|' if label else "-->"
            lines.append(f"    {start} {arrow} {end}")
        lines.append("  end")
    return "\n".join(lines) + "\n"


# --- Graphviz dot ------------------------------------------------------------------------
_DOT_SHAPES = {"source": "hexagon", "route": "box", "function": "box3d", "resource": "cylinder"}


def dot_text(text: str) -> str:
    """A string safe inside dot's double quotes."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def dot(scans: Iterable[FunctionScan]) -> str:
    """A Graphviz ``digraph`` with the before and after clusters."""
    lines = ["digraph strangler {", "  rankdir=LR;", '  node [fontname="Helvetica"];']
    for cluster in clusters(scans):
        lines.append(f"  subgraph cluster_{cluster.id} {{")
        lines.append(f'    label="{dot_text(cluster.title)}";')
        for node in cluster.nodes:
            label = "\\n".join(dot_text(line) for line in node.label)
            lines.append(f'    {node.id} [label="{label}", shape={_DOT_SHAPES[node.shape]}];')
        for start, end, label in cluster.edges:
            suffix = f' [label="{dot_text(label)}"]' if label else ""
            lines.append(f"    {start} -> {end}{suffix};")
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


FORMATS = {"mermaid": mermaid, "dot": dot}


def draw(scans: Iterable[FunctionScan], fmt: str) -> str:
    """The picture of ``scans`` in ``fmt`` (a key of FORMATS)."""
    return FORMATS[fmt](scans)
