"""Template values resolved against the resources verify created: what a function's
environment holds once CloudFormation has deployed it.

Unknown references (a resource verify does not create, an import from another stack)
resolve to a readable placeholder and are listed, so a difference they cause is
explained rather than blamed on the split.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

REGION = "us-east-1"
ACCOUNT = "123456789012"
STACK = "app"

_PSEUDO = {
    "AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::StackName": STACK, "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com", "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{STACK}/0",
    "AWS::NoValue": None,
}
_SUB = re.compile(r"\$\{([^}!][^}]*)\}")


@dataclass
class Names:
    """What ``Ref`` and ``GetAtt`` give for each logical id, and what could not be resolved."""

    refs: dict[str, Any] = field(default_factory=dict)
    attributes: dict[tuple[str, str], Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    unresolved: set[str] = field(default_factory=set)

    def ref(self, name: str) -> Any:
        if name in _PSEUDO:
            return _PSEUDO[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.refs:
            return self.refs[name]
        self.unresolved.add(name)
        return f"<unresolved {name}>"

    def get_att(self, name: str, attribute: str) -> Any:
        if (name, attribute) in self.attributes:
            return self.attributes[(name, attribute)]
        self.unresolved.add(f"{name}.{attribute}")
        return f"<unresolved {name}.{attribute}>"


def resolve(value: Any, names: Names, mappings: Mapping[str, Any] | None = None) -> Any:
    """``value`` with every intrinsic function replaced by what it yields."""
    if isinstance(value, list):
        return [resolve(item, names, mappings) for item in value]
    if not isinstance(value, Mapping):
        return value
    if len(value) == 1:
        (key, arg), = value.items()
        handler = _FUNCTIONS.get(key)
        if handler is not None:
            return handler(arg, names, mappings or {})
    return {key: resolve(item, names, mappings) for key, item in value.items()}


def _ref(arg: Any, names: Names, mappings: Mapping[str, Any]) -> Any:
    return names.ref(str(arg))


def _get_att(arg: Any, names: Names, mappings: Mapping[str, Any]) -> Any:
    if isinstance(arg, str):
        arg = arg.split(".", 1)
    return names.get_att(str(arg[0]), str(resolve(arg[1], names, mappings)))


def _sub(arg: Any, names: Names, mappings: Mapping[str, Any]) -> Any:
    text, local = (arg, {}) if isinstance(arg, str) else (arg[0], resolve(arg[1], names, mappings))

    def value_of(match: re.Match) -> str:
        name = match.group(1)
        if name in local:
            return str(local[name])
        if "." in name and not name.startswith("AWS::"):
            resource, attribute = name.split(".", 1)
            return str(names.get_att(resource, attribute))
        return str(names.ref(name))

    return _SUB.sub(value_of, str(text)).replace("${!", "${")


def _join(arg: Any, names: Names, mappings: Mapping[str, Any]) -> Any:
    delimiter, items = arg
    return str(delimiter).join(str(part) for part in resolve(items, names, mappings) if part is not None)


def _select(arg: Any, names: Names, mappings: Mapping[str, Any]) -> Any:
    index, items = resolve(arg, names, mappings)
    return items[int(index)]


def _split(arg: Any, names: Names, mappings: Mapping[str, Any]) -> Any:
    delimiter, text = resolve(arg, names, mappings)
    return str(text).split(str(delimiter))


def _find_in_map(arg: Any, names: Names, mappings: Mapping[str, Any]) -> Any:
    name, top, second = resolve(arg, names, mappings)
    try:
        return mappings[name][top][second]
    except (KeyError, TypeError):
        names.unresolved.add(f"FindInMap {name}.{top}.{second}")
        return f"<unresolved FindInMap {name}>"


def _if(arg: Any, names: Names, mappings: Mapping[str, Any]) -> Any:
    # Conditions depend on parameters verify does not choose: the "true" branch is the
    # deployed one for the default parameters in most templates; say so when it matters.
    names.unresolved.add(f"Fn::If {arg[0]} (took the first branch)")
    return resolve(arg[1], names, mappings)


def _import(arg: Any, names: Names, mappings: Mapping[str, Any]) -> Any:
    shown = resolve(arg, names, mappings)
    names.unresolved.add(f"ImportValue {shown}")
    return f"<imported {shown}>"


_FUNCTIONS = {
    "Ref": _ref, "Fn::GetAtt": _get_att, "Fn::Sub": _sub, "Fn::Join": _join, "Fn::Select": _select,
    "Fn::Split": _split, "Fn::FindInMap": _find_in_map, "Fn::If": _if, "Fn::ImportValue": _import,
}
