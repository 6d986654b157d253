"""Content-filter matching shared by EventBridge event patterns and SNS filter policies.

Both services use the same filter language (AWS "event ruler"): a pattern is a
nested object whose leaves are lists of alternatives; keys are ANDed, list entries
are ORed, and a leaf value that is an array matches when any element matches.
The two services differ in one place we care about: for an array value,
EventBridge's ``anything-but`` passes when *some* element is not excluded, SNS's
only when *no* element is excluded ("values that don't include any of the policy
values").  Callers choose with ``anything_but_all``.

This is written here rather than borrowed from moto because moto's SNS matcher
returns early on a missing key (so ``[{"anything-but": [..]}, {"exists": false}]``
never matches an absent key) and silently accepts unknown operators; a test
oracle must fail loudly instead.
"""

from __future__ import annotations

import ipaddress
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_MISSING: Any = object()

_NUMERIC_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
    ">=": operator.ge,
    ">": operator.gt,
}


@dataclass(frozen=True)
class Leaf:
    """A value found at a pattern leaf: whether the key exists, and its values.

    ``values`` is the scalar wrapped in a list, or the elements of an array.
    """

    present: bool
    values: Sequence[Any] = ()


def matches(pattern: Mapping[str, Any], document: Any, *, anything_but_all: bool = False) -> bool:
    """True when ``document`` (a decoded JSON object) satisfies ``pattern``."""
    return all(
        _key_matches(key, rule, document, anything_but_all) for key, rule in pattern.items()
    )


def leaf_matches(rules: Sequence[Any], leaf: Leaf, *, anything_but_all: bool = False) -> bool:
    """True when any of the alternatives in ``rules`` accepts ``leaf``."""
    if not isinstance(rules, list) or not rules:
        raise ValueError(f"a pattern leaf must be a non-empty list, got {rules!r}")
    return any(_rule_matches(rule, leaf, anything_but_all) for rule in rules)


def _key_matches(key: str, rule: Any, document: Any, anything_but_all: bool) -> bool:
    if key == "$or":
        return any(matches(branch, document, anything_but_all=anything_but_all) for branch in rule)
    value = document.get(key, _MISSING) if isinstance(document, Mapping) else _MISSING
    if isinstance(rule, Mapping):
        return _nested_matches(rule, value, anything_but_all)
    return leaf_matches(rule, _leaf(value), anything_but_all=anything_but_all)


def _nested_matches(rule: Mapping[str, Any], value: Any, anything_but_all: bool) -> bool:
    """Descend into an object, or into any object of an array of objects.

    A missing or non-object value is treated as an empty object so that
    ``{"exists": false}`` leaves below it still match.
    """
    if isinstance(value, list) and any(isinstance(v, Mapping) for v in value):
        return any(
            matches(rule, v, anything_but_all=anything_but_all)
            for v in value
            if isinstance(v, Mapping)
        )
    return matches(rule, value if isinstance(value, Mapping) else {}, anything_but_all=anything_but_all)


def _leaf(value: Any) -> Leaf:
    if value is _MISSING:
        return Leaf(present=False)
    return Leaf(present=True, values=value if isinstance(value, list) else [value])


def _rule_matches(rule: Any, leaf: Leaf, anything_but_all: bool) -> bool:
    if isinstance(rule, Mapping):
        return _operator_matches(rule, leaf, anything_but_all)
    return leaf.present and any(json_equal(rule, v) for v in leaf.values)


def _operator_matches(rule: Mapping[str, Any], leaf: Leaf, anything_but_all: bool) -> bool:
    name, arg = _single_item(rule)
    if name == "exists":
        return leaf.present is bool(arg)
    if not leaf.present:
        return False
    if name == "anything-but":
        accepted = [not _excluded(arg, v) for v in leaf.values]
        return all(accepted) if anything_but_all else any(accepted)
    test = _value_test(name, arg)
    return any(test(v) for v in leaf.values)


def _excluded(arg: Any, value: Any) -> bool:
    """Whether ``anything-but: arg`` rejects ``value``."""
    if isinstance(arg, Mapping):
        name, inner = _single_item(arg)
        return _value_test(name, inner)(value)
    if isinstance(arg, list):
        return any(json_equal(a, value) for a in arg)
    return json_equal(arg, value)


def _value_test(name: str, arg: Any) -> Callable[[Any], bool]:
    """The predicate for a value operator; unknown operators are an error."""
    builders: dict[str, Callable[[Any], Callable[[Any], bool]]] = {
        "prefix": lambda a: _string_test(a, str.startswith),
        "suffix": lambda a: _string_test(a, str.endswith),
        "equals-ignore-case": lambda a: _string_test(a, lambda v, t: v == t, fold=True),
        "wildcard": _wildcard_test,
        "numeric": _numeric_test,
        "cidr": _cidr_test,
    }
    if name not in builders:
        raise ValueError(f"unsupported filter operator {name!r}")
    return builders[name](arg)


def _string_test(
    arg: Any, compare: Callable[[str, str], bool], fold: bool = False
) -> Callable[[Any], bool]:
    if isinstance(arg, Mapping) and set(arg) == {"equals-ignore-case"}:
        arg, fold = arg["equals-ignore-case"], True
    targets = arg if isinstance(arg, list) else [arg]

    def test(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        subject = value.casefold() if fold else value
        return any(compare(subject, t.casefold() if fold else t) for t in targets)

    return test


def _wildcard_test(arg: Any) -> Callable[[Any], bool]:
    targets = arg if isinstance(arg, list) else [arg]
    regexes = [re.compile(".*".join(re.escape(p) for p in t.split("*"))) for t in targets]
    return lambda value: isinstance(value, str) and any(r.fullmatch(value) for r in regexes)


def _numeric_test(arg: Any) -> Callable[[Any], bool]:
    if not isinstance(arg, list) or len(arg) % 2:
        raise ValueError(f"numeric filter needs operator/value pairs, got {arg!r}")
    pairs = [(_NUMERIC_OPS[op], float(bound)) for op, bound in zip(arg[::2], arg[1::2], strict=True)]
    return lambda value: is_number(value) and all(op(float(value), b) for op, b in pairs)


def _cidr_test(arg: Any) -> Callable[[Any], bool]:
    network = ipaddress.ip_network(arg, strict=False)

    def test(value: Any) -> bool:
        try:
            return isinstance(value, str) and ipaddress.ip_address(value) in network
        except ValueError:
            return False

    return test


def _single_item(rule: Mapping[str, Any]) -> tuple[str, Any]:
    if len(rule) != 1:
        raise ValueError(f"a filter operator object needs exactly one key, got {dict(rule)!r}")
    return next(iter(rule.items()))


def is_number(value: Any) -> bool:
    """JSON number test: ``bool`` is an ``int`` in Python but not a number in JSON."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def json_equal(expected: Any, actual: Any) -> bool:
    """Equality with JSON typing: ``"5" != 5``, ``5 == 5.0``, ``true != 1``."""
    if is_number(expected) and is_number(actual):
        return float(expected) == float(actual)
    return type(expected) is type(actual) and expected == actual
