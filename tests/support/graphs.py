"""Structural checks of the pictures ``scan --format mermaid|dot`` draws, read back line by line.

Not a full Mermaid or dot grammar: the subset the drawing writes, read strictly, so that any
line outside it (an unquoted label, a stray quote, an unknown shape) fails the check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ID = r"[A-Za-z][A-Za-z0-9_]*"
# Mermaid shapes the drawing uses, each with its closing brackets.
_SHAPES = {"[": "]", "([": "])", "[(": ")]", "{{": "}}"}
_NODE = re.compile(rf'^(?P<id>{_ID})(?P<open>\(\[|\[\(|\{{\{{|\[)"(?P<label>[^"]*)"(?P<close>\]\)|\)\]|\}}\}}|\])$')
_EDGE = re.compile(rf'^(?P<start>{_ID}) -->(?:\|"(?P<label>[^"]*)"\|)? (?P<end>{_ID})$')
_SUBGRAPH = re.compile(rf'^subgraph (?P<id>{_ID})\["(?P<label>[^"]*)"\]$')
_ENTITY = re.compile(r"#(quot|lt|gt|\d+);")
_RESERVED = {"end", "subgraph", "graph", "flowchart", "style", "class", "classDef", "click", "direction"}


@dataclass
class Graph:
    """What a picture declares: node labels (lines, unescaped) by subgraph, and its edges."""

    kind: str
    clusters: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    edges: list[tuple[str, str, str]] = field(default_factory=list)

    def labels(self, cluster: str) -> list[str]:
        return [" | ".join(lines) for lines in self.clusters[cluster].values()]

    def node_cluster(self) -> dict[str, str]:
        return {node: name for name, nodes in self.clusters.items() for node in nodes}


def _mermaid_label(text: str, line: int) -> list[str]:
    bare = _ENTITY.sub("", text.replace("<br/>", ""))
    assert "#" not in bare, f"line {line}: a # that is not an entity code: {text!r}"
    assert "<" not in bare and ">" not in bare, f"line {line}: raw angle bracket in {text!r}"
    assert "`" not in bare, f"line {line}: a backtick would start a markdown string: {text!r}"
    codes = {"quot": '"', "lt": "<", "gt": ">"}

    def decode(match: re.Match[str]) -> str:
        name = match.group(1)
        return codes.get(name) or chr(int(name))

    return [_ENTITY.sub(decode, part) for part in text.split("<br/>")]


def parse_mermaid(text: str) -> Graph:
    """Read a flowchart back; assert every rule a renderer relies on."""
    lines = text.splitlines()
    assert lines and lines[0] == "flowchart LR", f"first line {lines[:1]!r}"
    graph, stack, ids = Graph("mermaid"), [], set()
    for number, raw in enumerate(lines[1:], start=2):
        line = raw.strip()
        if not line:
            continue
        if match := _SUBGRAPH.match(line):
            assert match["id"] not in ids, f"line {number}: id {match['id']} declared twice"
            ids.add(match["id"])
            stack.append(match["id"])
            graph.clusters[match["id"]] = {}
            graph.titles[match["id"]] = " ".join(_mermaid_label(match["label"], number))
        elif line == "end":
            assert stack, f"line {number}: end without subgraph"
            stack.pop()
        elif line == "direction LR":
            assert stack, f"line {number}: direction outside a subgraph"
        elif match := _NODE.match(line):
            assert stack, f"line {number}: node outside a subgraph"
            node = match["id"]
            assert node not in _RESERVED, f"line {number}: reserved word {node} as an id"
            assert node not in ids, f"line {number}: id {node} declared twice"
            assert _SHAPES.get(match["open"]) == match["close"], f"line {number}: unmatched shape {line!r}"
            ids.add(node)
            graph.clusters[stack[-1]][node] = _mermaid_label(match["label"], number)
        elif match := _EDGE.match(line):
            label = " ".join(_mermaid_label(match["label"], number)) if match["label"] else ""
            graph.edges.append((match["start"], match["end"], label))
        else:
            raise AssertionError(f"line {number}: not a line of the flowchart subset: {raw!r}")
    assert not stack, f"subgraph {stack[-1]} is never closed by end"
    _edges_declared(graph)
    return graph


_DOT_CLUSTER = re.compile(rf"^subgraph (?P<id>cluster_{_ID}) \{{$")
_DOT_STRING = r'"(?:[^"\\]|\\.)*"'
_DOT_NODE = re.compile(rf"^(?P<id>{_ID}) \[label=(?P<label>{_DOT_STRING}), shape=(?P<shape>[a-z0-9]+)\];$")
_DOT_EDGE = re.compile(rf"^(?P<start>{_ID}) -> (?P<end>{_ID})(?: \[label=(?P<label>{_DOT_STRING})\])?;$")
_DOT_LABEL = re.compile(rf"^label=(?P<label>{_DOT_STRING});$")
_DOT_SETTINGS = {"rankdir=LR;", 'node [fontname="Helvetica"];'}


def _dot_string(quoted: str) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", part) for part in quoted[1:-1].split("\\n")]


def parse_dot(text: str) -> Graph:
    """Read a digraph back: balanced braces, quoted labels, declared nodes, unique ids."""
    lines = text.splitlines()
    assert lines and lines[0] == "digraph strangler {", f"first line {lines[:1]!r}"
    graph, depth, cluster, ids = Graph("dot"), 1, None, set()
    for number, raw in enumerate(lines[1:], start=2):
        line = raw.strip()
        if match := _DOT_CLUSTER.match(line):
            assert depth == 1, f"line {number}: nested cluster"
            depth, cluster = 2, match["id"].removeprefix("cluster_")
            graph.clusters[cluster] = {}
        elif line == "}":
            assert depth > 0, f"line {number}: unbalanced }}"
            depth -= 1
            cluster = None
        elif line in _DOT_SETTINGS:
            assert depth == 1, f"line {number}: {line} inside a cluster"
        elif match := _DOT_LABEL.match(line):
            assert cluster is not None, f"line {number}: a graph label outside a cluster"
            graph.titles[cluster] = " ".join(_dot_string(match["label"]))
        elif match := _DOT_NODE.match(line):
            assert cluster is not None, f"line {number}: node outside a cluster"
            assert match["id"] not in ids, f"line {number}: id {match['id']} declared twice"
            ids.add(match["id"])
            graph.clusters[cluster][match["id"]] = _dot_string(match["label"])
        elif match := _DOT_EDGE.match(line):
            graph.edges.append((match["start"], match["end"], " ".join(_dot_string(match["label"])) if match["label"] else ""))
        else:
            raise AssertionError(f"line {number}: not a line of the digraph subset: {raw!r}")
    assert depth == 0, "unbalanced braces"
    _edges_declared(graph)
    return graph


def _edges_declared(graph: Graph) -> None:
    where = graph.node_cluster()
    for start, end, _ in graph.edges:
        assert start in where, f"edge from undeclared node {start}"
        assert end in where, f"edge to undeclared node {end}"
        assert where[start] == where[end], f"edge {start} -> {end} crosses from {where[start]} to {where[end]}"
