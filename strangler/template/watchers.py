"""Resources that watch a function: they name it without delivering events to it.

Real templates keep a function's settings beside it: its log group (retention, KMS key,
deletion policy), the configuration of its asynchronous invocations, alarms on its
metrics, IAM statements on its log group, dashboards, ``DependsOn``. When an action leaves
the monolith, its new function deserves the same care; when the monolith retires, nothing
may be left pointing at it. One entry per kind below says which resources watch the
function and how; the answers are :class:`ResourceSplit`\\ s, applied like the routes'.

- copied for each new function, removed with the monolith: ``AWS::Logs::LogGroup`` named
  ``/aws/lambda/<function>``, ``AWS::Lambda::EventInvokeConfig`` of the function,
  ``AWS::CloudWatch::Alarm`` with ``Dimensions: FunctionName`` = the function;
- widened for each new function, narrowed when the monolith retires: IAM statements
  (``AWS::IAM::Role`` policies, ``AWS::IAM::Policy``, ``AWS::IAM::ManagedPolicy``) whose
  ``Resource`` names the function or its log group;
- anything else that names the function or a resource removed with it (a dashboard, a
  metric filter on its log group, a ``DependsOn``) is reported when an action leaves; at
  retirement a ``DependsOn`` is re-pointed at what replaced it (the new functions, the
  copies), anything else is refused, naming the resource and what to do.

A new function gets the monolith's physical naming scheme when something names the
monolith by its physical name (a log group created before the function, a role statement
on it): ``FunctionName: <monolith's name>-<action>``, so its log group and statements can
name it without a reference that would make a cycle (function -> role -> log group ->
function). Routes and their permissions (``invokers.py``) are not watchers.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedSeq, TaggedScalar
from ruamel.yaml.tag import Tag

from strangler.errors import StranglerError
from strangler.model import DELETE, ResourceSplit
from strangler.template import document
from strangler.template.document import TemplateDocument, copy_node
from strangler.template.intrinsics import intrinsic, intrinsic_name, referenced_ids
from strangler.template.invokers import invokers_of

LOG_GROUP = "AWS::Logs::LogGroup"
INVOKE_CONFIG = "AWS::Lambda::EventInvokeConfig"
ALARM = "AWS::CloudWatch::Alarm"
_POLICY_KINDS = ("AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
_COPIED = (LOG_GROUP, INVOKE_CONFIG, ALARM)
# Ids SAM derives from a function's id: a copy must not take one of them.
_SAM_SUFFIXES = ("Role", "EventInvokeConfig", "Url", "UrlPublicPermissions", "Alias", "Version")
_MAX_FUNCTION_NAME = 64  # Lambda's limit on FunctionName


@dataclass(frozen=True)
class Watcher:
    """One resource that names the function without delivering events to it."""

    function_id: str
    logical_id: str
    kind: str  # the resource's Type
    how: str  # where it names the function, for people
    role: str  # "copy" (one per new function), "statement" (widened) or "mention" (reported)
    target: str = ""  # what it names: the function, or a watcher removed with it

    def describe(self) -> str:
        target = self.target or self.function_id
        return f"{self.logical_id} ({self.kind}) refers to {target} in {self.how}"


@dataclass(frozen=True)
class _Names:
    """The ways the template names the monolith, and the copies that watch it."""

    function_id: str
    declared: frozenset[str]
    physical: str | None  # its FunctionName: a literal, or the text of a !Sub
    watched: frozenset[str]  # ids removed with it: itself and its copied watchers

    def is_function(self, name: str) -> bool:
        name = name.split(".", 1)[0]
        return name == self.function_id or (name.startswith(self.function_id) and name not in self.declared)

    def names_physically(self, text: str) -> bool:
        return self.physical is not None and _physical_pattern(self.physical).search(text) is not None


# --- finding the watchers ---------------------------------------------------------------
def watchers_of(template: Mapping[str, Any], function_id: str) -> tuple[Watcher, ...]:
    """The resources of ``template`` that watch ``function_id``, in template order."""
    resources = template.get("Resources") or {}
    if not isinstance(resources, Mapping) or function_id not in resources:
        return ()
    names = _names(template, function_id)
    skipped = _not_watchers(template, function_id)
    found: list[Watcher] = []
    for logical_id, resource in resources.items():
        if logical_id in skipped or not isinstance(resource, Mapping):
            continue
        kind = str(resource.get("Type", ""))
        properties = resource.get("Properties")
        properties = properties if isinstance(properties, Mapping) else {}
        how = _COPY_FINDERS[kind](properties, names) if kind in _COPY_FINDERS else None
        if how is not None:
            found.append(Watcher(function_id, logical_id, kind, how, "copy"))
    watched = frozenset([function_id, *(w.logical_id for w in found)])
    names = _Names(names.function_id, names.declared, names.physical, watched)
    copied = {w.logical_id for w in found}
    for logical_id, resource in resources.items():
        if logical_id in skipped or logical_id in copied or not isinstance(resource, Mapping):
            continue
        kind = str(resource.get("Type", ""))
        properties = resource.get("Properties")
        properties = properties if isinstance(properties, Mapping) else {}
        if kind in _POLICY_KINDS and any(True for _ in _statement_items(properties, names)):
            found.append(Watcher(function_id, logical_id, kind, "the Resource of its IAM statements", "statement"))
            continue
        mention = _mention(resource, names)
        if mention is not None:
            found.append(Watcher(function_id, logical_id, kind, mention[0], "mention", mention[1]))
    order = list(resources)
    return tuple(sorted(found, key=lambda w: order.index(w.logical_id)))


def _names(template: Mapping[str, Any], function_id: str) -> _Names:
    resources = template["Resources"]
    parameters = template.get("Parameters")
    declared = frozenset([*resources, *(parameters if isinstance(parameters, Mapping) else ())])
    properties = (resources[function_id] or {}).get("Properties") or {}
    return _Names(function_id, declared, _physical_name(properties.get("FunctionName")), frozenset([function_id]))


def _with_copies(names: _Names, watchers: tuple[Watcher, ...]) -> _Names:
    """``names`` with the watchers copied per function: a statement on one names the function."""
    watched = frozenset([names.function_id, *(w.logical_id for w in watchers if w.role == "copy")])
    return _Names(names.function_id, names.declared, names.physical, watched)


def _physical_name(value: Any) -> str | None:
    if isinstance(value, str) and value and not intrinsic(value):
        return str(value)
    found = intrinsic(value)
    if found is not None and found[0] == "Sub" and isinstance(found[1], str) and found[1]:
        return str(found[1])
    return None


def _physical_pattern(name: str) -> re.Pattern[str]:
    """``name`` as a whole function name inside a text: not followed by more of a name."""
    return re.compile(r"(?<![A-Za-z0-9_-])" + re.escape(name) + r"(?![A-Za-z0-9_${}-])")


def _not_watchers(template: Mapping[str, Any], function_id: str) -> set[str]:
    """The function itself, the functions made from it and the resources made for them
    (they name the new functions), and what delivers events to it (routed elsewhere)."""
    resources = template.get("Resources") or {}
    invokers = [i.logical_id for i in invokers_of(template, function_id)]
    skipped = {function_id, *invokers}
    # The roles a deliverer assumes (an AppSync data source's, a schedule's) are its route's
    # to copy or grant: widening them here as well would give each copy every function.
    for logical_id in invokers:
        resource = resources.get(logical_id)
        for name in referenced_ids((resource or {}).get("Properties") if isinstance(resource, Mapping) else None):
            target = resources.get(name.split(".", 1)[0])
            if isinstance(target, Mapping) and target.get("Type") == "AWS::IAM::Role":
                skipped.add(name.split(".", 1)[0])
    for logical_id, resource in resources.items():
        strangler = ((resource or {}).get("Metadata") or {}).get("Strangler") if isinstance(resource, Mapping) else None
        if isinstance(strangler, Mapping) and (strangler.get("ExtractedFrom") == function_id or "SplitFrom" in strangler):
            skipped.add(logical_id)
    return skipped


def _text(value: Any) -> str | None:
    """A name as one text: a literal, a ``!Sub`` template, a ``!Join`` with ``${X}`` for ``!Ref X``."""
    if isinstance(value, str) and not intrinsic(value):
        return str(value)
    found = intrinsic(value)
    if found is not None and found[0] == "Sub" and isinstance(found[1], str):
        return str(found[1])
    if found is not None and found[0] == "Ref" and isinstance(found[1], str):
        return "${" + found[1] + "}"
    args = _join_args(value)
    if args is None:
        return None
    parts = [_text(part) for part in args[1]]
    return None if any(part is None for part in parts) else str(args[0]).join(parts)  # type: ignore[arg-type]


def _join_args(value: Any) -> list | None:
    tag = getattr(getattr(value, "tag", None), "value", None)
    if tag == "!Join" and isinstance(value, list):
        args = list(value)
    elif isinstance(value, Mapping) and list(value) == ["Fn::Join"]:
        args = value["Fn::Join"]
    else:
        return None
    return args if isinstance(args, list) and len(args) == 2 and isinstance(args[1], list) else None


def _names_function(value: Any, names: _Names) -> bool:
    """``value`` is the function: a Ref to it, its ARN, or its physical name."""
    if any(names.is_function(name) for name in referenced_ids(value)):
        return True
    text = _text(value)
    return text is not None and names.physical is not None and text == names.physical


def _log_group(properties: Mapping[str, Any], names: _Names) -> str | None:
    text = _text(properties.get("LogGroupName"))
    if text is None:
        return None
    if text == "/aws/lambda/${" + names.function_id + "}" or (
        names.physical is not None and text == f"/aws/lambda/{names.physical}"
    ):
        return "LogGroupName"
    return None


def _invoke_config(properties: Mapping[str, Any], names: _Names) -> str | None:
    return "FunctionName" if _names_function(properties.get("FunctionName"), names) else None


def _alarm(properties: Mapping[str, Any], names: _Names) -> str | None:
    for shown, dimensions in _alarm_dimensions(properties):
        for dimension in dimensions:
            if isinstance(dimension, Mapping) and dimension.get("Name") == "FunctionName" \
                    and _names_function(dimension.get("Value"), names):
                return f"{shown} FunctionName"
    return None


def _alarm_dimensions(properties: Mapping[str, Any]) -> Iterator[tuple[str, list]]:
    if isinstance(properties.get("Dimensions"), list):
        yield "Dimensions", properties["Dimensions"]
    for index, metric in enumerate(properties.get("Metrics") or []):
        dims = (((metric or {}).get("MetricStat") or {}).get("Metric") or {}).get("Dimensions") \
            if isinstance(metric, Mapping) else None
        if isinstance(dims, list):
            yield f"Metrics[{index}] Dimensions", dims


_COPY_FINDERS = {LOG_GROUP: _log_group, INVOKE_CONFIG: _invoke_config, ALARM: _alarm}


def _statement_items(properties: Mapping[str, Any], names: _Names) -> Iterator[tuple[Any, Any, int | None]]:
    """(statement, Resource value, index in the Resource list or None) for each resource
    of an IAM statement that names the function or something removed with it."""
    for policy in _documents(properties):
        statements = policy.get("Statement")
        statements = statements if isinstance(statements, list) else [statements] if isinstance(statements, Mapping) else []
        for statement in statements:
            if not isinstance(statement, Mapping):
                continue
            resource = statement.get("Resource")
            items = list(enumerate(resource)) if isinstance(resource, list) and not intrinsic(resource) else [(None, resource)]
            for index, item in items:
                if _names_watched(item, names):
                    yield statement, item, index


def _documents(properties: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    document_ = properties.get("PolicyDocument")
    if isinstance(document_, Mapping):
        yield document_
    for policy in properties.get("Policies") or []:
        if isinstance(policy, Mapping) and isinstance(policy.get("PolicyDocument"), Mapping):
            yield policy["PolicyDocument"]


def _names_watched(value: Any, names: _Names) -> bool:
    """``value`` names the function or a resource removed with it (by id or physical name)."""
    if any(names.is_function(n) or n.split(".", 1)[0] in names.watched for n in referenced_ids(value)):
        return True
    return any(names.names_physically(text) for text in _strings(value))


def _strings(value: Any) -> Iterator[str]:
    found = intrinsic(value)
    if found is not None and found[0] == "Sub":
        arg = found[1]
        yield from ([arg] if isinstance(arg, str) else [a for a in arg if isinstance(a, str)] if isinstance(arg, list) else [])
        return
    if isinstance(value, str):
        yield str(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _mention(resource: Mapping[str, Any], names: _Names) -> tuple[str, str] | None:
    """(where, what) a resource names the function or a watcher removed with it."""
    depends = resource.get("DependsOn")
    depends = [depends] if isinstance(depends, str) else list(depends or []) if isinstance(depends, list) else []
    for key, value in (resource.get("Properties") or {}).items() if isinstance(resource.get("Properties"), Mapping) else ():
        if _own_name(str(key), value, names):
            continue
        if _names_watched(value, names):
            return str(key), _target(value, names)
    for attribute in ("Metadata", "Condition"):
        if attribute in resource and _names_watched(resource[attribute], names):
            return attribute, _target(resource[attribute], names)
    named = [d for d in depends if isinstance(d, str) and (d in names.watched or names.is_function(d))]
    return ("DependsOn", named[0]) if named else None


def _own_name(key: str, value: Any, names: _Names) -> bool:
    """A resource's own name (``Name``, ``ApiName``...) spelt like the function's is a
    namesake, not a reference: an API called ``inventory-api-${Stage}`` beside a function
    of that name does not call it."""
    if key == "FunctionName" or not key.endswith("Name") or referenced_ids(value) and any(
        names.is_function(n) for n in referenced_ids(value)
    ):
        return False
    return names.physical is not None and _physical_name(value) == names.physical


def _target(value: Any, names: _Names) -> str:
    for name in referenced_ids(value):
        name = name.split(".", 1)[0]
        if names.is_function(name):
            return names.function_id
        if name in names.watched:
            return name
    return names.function_id  # by its physical name


# --- one action leaves -------------------------------------------------------------------
def split_watchers(
    doc: TemplateDocument, monolith_id: str, key: str, new_id: str, new_function: Any, where: str,
) -> tuple[list[ResourceSplit], list[str]]:
    """What the new function ``new_id`` gets of what watches the monolith: a copy of each
    log group, invoke config and alarm, IAM statements widened to it, and notes for people
    (what only mentions the monolith). ``new_function`` (not yet in the template) gets the
    monolith's naming scheme when its watchers need it, and its ``DependsOn`` re-pointed at
    its own copies."""
    watchers = watchers_of(doc.data, monolith_id)
    outside = _role_outside(doc, monolith_id, new_id)
    if not watchers:
        return [], outside
    resources = doc.data["Resources"]
    names = _with_copies(_names(doc.data, monolith_id), watchers)
    new_name = _new_physical_name(doc, names, watchers, new_function, new_id, where)
    renames = _Renames(names, new_id)
    for watcher in watchers:
        if watcher.role == "copy":
            renames[watcher.logical_id] = _copy_id(resources, monolith_id, watcher.logical_id, new_id, where)
    splits: list[ResourceSplit] = []
    notes: list[str] = []
    for watcher in watchers:
        original = resources[watcher.logical_id]
        if watcher.role == "copy":
            made = _copy(doc, original, watcher, key, renames, names.physical, new_name, new_id)
            splits.append(ResourceSplit(
                watcher.logical_id, added=((renames[watcher.logical_id], made),),
                note=f"copied for {new_id} as {renames[watcher.logical_id]}{_copy_detail(watcher, made)}",
            ))
        elif watcher.role == "statement":
            splits.append(ResourceSplit(
                watcher.logical_id, replacement=_widened(doc, original, names, renames, new_name, _where(where, watcher.logical_id)),
                note=f"IAM statements on {monolith_id} widened to {new_id}",
            ))
        else:
            notes.append(f"{watcher.describe()}: it does not follow {new_id}; {_advice(watcher)}")
    _repoint_depends_on(new_function, renames)
    notes += outside
    if new_name is not None:
        notes.insert(0, f"{new_id}: FunctionName {new_name}, derived from {monolith_id}'s (its log group and IAM "
                        "statements name functions by their name)")
    return splits, notes


def _role_outside(doc: TemplateDocument, monolith_id: str, new_id: str) -> list[str]:
    """A Role that is not a resource of the template (an ARN, a parameter) is shared as it
    is: strangler cannot see or widen what it allows."""
    properties = doc.data["Resources"][monolith_id].get("Properties") or {}
    if "Role" not in properties:
        return []
    if any(name.split(".", 1)[0] in doc.data["Resources"] for name in referenced_ids(properties["Role"])):
        return []
    return [(f"{new_id}: shares {monolith_id}'s Role from outside the template: check that it lets {new_id} write "
            "its logs and reach what its code uses (strangler cannot see that role)")]


def _new_physical_name(
    doc: TemplateDocument, names: _Names, watchers: tuple[Watcher, ...], new_function: Any, new_id: str, where: str,
) -> str | None:
    """The new function's FunctionName text when a watcher names the monolith physically:
    the one the settings chose, or the monolith's with the action's name after it."""
    if names.physical is None:
        return None
    resources = doc.data["Resources"]
    if not any(_names_physically_at(resources[w.logical_id], names) for w in watchers if w.role != "mention"):
        return None
    properties = new_function["Properties"]
    chosen = _physical_name(properties.get("FunctionName"))
    if chosen is not None:
        return chosen
    name = f"{names.physical}-{_slug(new_id)}"
    literal = not intrinsic((resources[names.function_id].get("Properties") or {}).get("FunctionName"))
    if literal and len(name) > _MAX_FUNCTION_NAME:
        raise StranglerError(
            f"{new_id} needs a FunctionName of its own (its log group and IAM statements name "
            f"{names.function_id} by its name), but {name!r} is longer than Lambda's {_MAX_FUNCTION_NAME} characters",
            where=where,
            hint="choose a FunctionName for this action in the settings file",
        )
    _put_first(properties, "FunctionName", name if literal else _sub(doc, name))
    return name


def _put_first(mapping: Any, key: str, value: Any) -> None:
    if hasattr(mapping, "insert"):
        mapping.insert(0, key, value)
        return
    items = list(mapping.items())
    mapping.clear()
    mapping.update([(key, value), *items])


def _names_physically_at(resource: Any, names: _Names) -> bool:
    return any(names.names_physically(text) for text in _strings((resource or {}).get("Properties")))


def _slug(new_id: str) -> str:
    """``GetOrderFunction`` -> ``get-order``: the action, as a name's last part."""
    base = new_id.removesuffix("Function") or new_id
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", base).lower()


def _sub(doc: TemplateDocument, text: str) -> Any:
    return {"Fn::Sub": text} if doc.is_json else TaggedScalar(value=text, tag="!Sub")


def _copy_id(resources: Any, monolith_id: str, watcher_id: str, new_id: str, where: str) -> str:
    """``OrdersLogGroup`` of ``OrdersFunction`` -> ``GetOrderFunctionLogGroup``."""
    base = monolith_id.removesuffix("Function")
    rest = watcher_id
    for prefix in (monolith_id, base):
        if prefix and watcher_id.startswith(prefix) and watcher_id[len(prefix):][:1].isupper():
            rest = watcher_id[len(prefix):]
            break
    candidate = f"{new_id}{rest}"
    if candidate in resources or rest in _SAM_SUFFIXES or len(candidate) > 255:
        raise StranglerError(
            f"the copy of {watcher_id} for {new_id} would be {candidate}, which the template already has "
            "(or SAM makes for the function)",
            where=where,
            hint=f"rename {watcher_id} or the resource called {candidate}",
        )
    return candidate


def _copy(
    doc: TemplateDocument, original: Any, watcher: Watcher, key: str, renames: dict[str, str],
    old_name: str | None, new_name: str | None, new_id: str,
) -> Any:
    made = doc.new_map({"Type": original["Type"]})
    for attribute in ("Condition", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy"):
        if attribute in original:
            made[attribute] = _repointed(doc, copy_node(original[attribute]), renames, old_name, new_name)
    _repoint_depends_on(made, renames)
    metadata = doc.new_map()
    for name, value in (original.get("Metadata") or {}).items():
        if name != "Strangler":
            metadata[name] = copy_node(value)
    metadata["Strangler"] = doc.new_map({"SplitFrom": watcher.logical_id, "Action": key})
    made["Metadata"] = metadata
    properties = _repointed(doc, copy_node(original.get("Properties") or doc.new_map()), renames, old_name, new_name)
    if watcher.kind == LOG_GROUP:
        # named for the new function: by its physical name, or by a reference to it
        properties["LogGroupName"] = _sub(doc, f"/aws/lambda/{new_name}" if new_name else "/aws/lambda/${" + new_id + "}")
    if watcher.kind == ALARM and "AlarmName" in properties \
            and _same(properties["AlarmName"], (original.get("Properties") or {}).get("AlarmName")):
        properties["AlarmName"] = _suffixed(doc, properties["AlarmName"], _slug(new_id))
    made["Properties"] = properties
    return made


def _copy_detail(watcher: Watcher, made: Any) -> str:
    properties = made.get("Properties") or {}
    shown = [f"{name} {properties[name]}" for name in ("RetentionInDays", "MaximumRetryAttempts") if name in properties]
    if "DeletionPolicy" in made:
        shown.append(f"DeletionPolicy {made['DeletionPolicy']}")
    return f" ({', '.join(shown)})" if shown else ""


def _same(a: Any, b: Any) -> bool:
    return document.intended(a) == document.intended(b)


def _suffixed(doc: TemplateDocument, name: Any, suffix: str) -> Any:
    """A physical name with ``-suffix`` after it: never the same name twice."""
    if isinstance(name, str) and not intrinsic(name):
        return f"{name}-{suffix}"
    found = intrinsic(name)
    if found is not None and found[0] == "Sub" and isinstance(found[1], str):
        return _sub(doc, f"{found[1]}-{suffix}")
    return {"Fn::Join": ["-", [name, suffix]]} if doc.is_json else _join(name, suffix)


def _join(name: Any, suffix: str) -> Any:
    joined = CommentedSeq(["-", CommentedSeq([name, suffix])])
    joined.yaml_set_ctag(Tag(suffix="!Join"))
    return joined


def _repointed(doc: TemplateDocument, node: Any, renames: dict[str, str], old_name: str | None, new_name: str | None) -> Any:
    """``node`` (a copy) with every reference to a renamed id, and the monolith's physical
    name in a text, pointed at the new function's."""
    found = intrinsic(node)
    if found is not None:
        name, arg = found
        if name in ("Ref", "GetAtt") and isinstance(arg, str):
            target, _, attribute = arg.partition(".")
            if target in renames:
                return doc.ref(renames[target]) if name == "Ref" else doc.get_att(renames[target], attribute)
            return node
        if name == "Sub":
            if isinstance(arg, str):
                return _sub(doc, _sub_text(arg, renames, old_name, new_name))
            if isinstance(arg, list) and arg and isinstance(arg[0], str):
                arg[0] = _sub_text(arg[0], renames, old_name, new_name)
                for index in range(1, len(arg)):
                    arg[index] = _repointed(doc, arg[index], renames, old_name, new_name)
            return node
        if isinstance(node, TaggedScalar):
            return node
    if isinstance(node, dict):
        for item_key in list(node):
            node[item_key] = _repointed(doc, node[item_key], renames, old_name, new_name)
        return node
    if isinstance(node, list):
        for index in range(len(node)):
            node[index] = _repointed(doc, node[index], renames, old_name, new_name)
        return node
    if isinstance(node, str) and old_name is not None and new_name is not None and "${" not in old_name:
        replaced = _physical_pattern(old_name).sub(new_name, str(node))
        return replaced if replaced != node else node
    return node


def _sub_text(text: str, renames: dict[str, str], old_name: str | None, new_name: str | None) -> str:
    def rename(match: re.Match[str]) -> str:
        target, dot, attribute = match.group(1).partition(".")
        return "${" + renames.get(target, target) + dot + attribute + "}"

    text = re.sub(r"\$\{([^}!][^}]*)\}", rename, text)
    if old_name is not None and new_name is not None:
        text = _physical_pattern(old_name).sub(lambda _: new_name, text)
    return text


def _refuse_computed(resource: Any, owner: Any, names: _Names, where: str) -> None:
    """A Resource computed by ``!If``/``!Split``... may be a list or a string: strangler cannot
    add to it or take from it safely."""
    name = intrinsic_name(resource)
    if name in (None, "Ref", "GetAtt", "Sub", "Join"):
        return
    raise StranglerError(
        f"an IAM statement of {owner.get('Type')} names {names.function_id} in a Resource computed by !{name}: "
        "strangler cannot widen or narrow it",
        where=where,
        hint="write the statement's Resource as a list (one ARN per item), or edit it by hand, then run again",
    )


def _widened(
    doc: TemplateDocument, original: Any, names: _Names, renames: dict[str, str], new_name: str | None, where: str,
) -> Any:
    """The IAM resource with each statement item on the monolith followed by the same item
    for the new function (a statement's single Resource becomes a list)."""
    widened = copy.deepcopy(original)
    properties = widened["Properties"]
    pending: dict[int, list[tuple[int | None, Any]]] = {}
    statements: dict[int, Any] = {}
    for statement, item, index in _statement_items(properties, names):
        statements[id(statement)] = statement
        pending.setdefault(id(statement), []).append((index, item))
    for key_, statement in statements.items():
        resource = statement["Resource"]
        _refuse_computed(resource, original, names, where)
        if not isinstance(resource, list) or intrinsic(resource):
            resource = _new_seq(doc, [resource])
            statement["Resource"] = resource
        for _, item in pending[key_]:
            resource.append(_repointed(doc, copy_node(item), renames, names.physical, new_name))
    return widened


def _new_seq(doc: TemplateDocument, items: list[Any]) -> Any:
    return list(items) if doc.is_json else CommentedSeq(items)


class _Renames(dict):
    """Old id -> new id for the copies; an id SAM derives from the monolith's
    (``OrdersFunctionAliaslive``) -> the same one derived from the new function's (it
    copies AutoPublishAlias)."""

    def __init__(self, names: _Names, new_id: str) -> None:
        super().__init__({names.function_id: new_id})
        self.names, self.new_id = names, new_id

    def _derived(self, key: object) -> bool:
        return isinstance(key, str) and key != self.names.function_id and self.names.is_function(key)

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key) or self._derived(key)

    def __getitem__(self, key: str) -> str:
        if super().__contains__(key):
            return str(super().__getitem__(key))
        if self._derived(key):
            return self.new_id + key[len(self.names.function_id):]
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default  # noqa: SIM401  (dict.get would skip the derived ids)


def _repoint_depends_on(function: Any, renames: dict[str, str]) -> None:
    """The new function was made before its copies: a DependsOn it copied from the monolith
    on a watcher (its log group) names that watcher's copy instead."""
    depends = function.get("DependsOn")
    if isinstance(depends, str) and depends in renames:
        function["DependsOn"] = renames[depends]
    elif isinstance(depends, list):
        for index, item in enumerate(depends):
            if isinstance(item, str) and item in renames:
                depends[index] = renames[item]


def _advice(watcher: Watcher) -> str:
    if watcher.kind == "AWS::CloudWatch::Dashboard":
        return "add the new functions' widgets to the dashboard by hand"
    if watcher.kind in ("AWS::Logs::MetricFilter", "AWS::Logs::SubscriptionFilter"):
        return "add one for the new function's log group by hand if it should have one"
    if watcher.kind == "AWS::Lambda::Permission":
        return "the callers it lets in invoke the function directly: grant them each new function they call by hand"
    if watcher.kind == "AWS::CloudWatch::CompositeAlarm":
        return "add the new function's alarms to its rule by hand"
    return "point it at the new function (or add one for it) by hand if it should follow"


# --- the monolith retires ----------------------------------------------------------------
def retire_watchers(doc: TemplateDocument, monolith_id: str, where: str, answers_preflight: bool) -> list[ResourceSplit]:
    """What the monolith's watchers become when it retires: its copied watchers go, IAM
    statements lose what named it, a DependsOn on it or on them names their successors,
    and a CORS preflight event it still answers moves to a new function that answers it
    too. Anything else that would be left dangling is refused."""
    resources = doc.data["Resources"]
    watchers = watchers_of(doc.data, monolith_id)
    names = _with_copies(_names(doc.data, monolith_id), watchers)
    successors = _successors(resources, monolith_id, names.watched)
    splits: list[ResourceSplit] = []
    for watcher in watchers:
        original = resources[watcher.logical_id]
        if watcher.role == "copy":
            note = _removed_note(watcher, original, successors.get(watcher.logical_id, []))
            splits.append(ResourceSplit(watcher.logical_id, replacement=DELETE, note=note))
        elif watcher.role == "statement":
            splits.append(ResourceSplit(
                watcher.logical_id, replacement=_narrowed(original, names, watcher, where),
                note=f"IAM statements on {monolith_id} and the resources removed with it dropped",
            ))
        else:
            splits.append(_depends_only(doc, original, watcher, names, successors, where))
    splits += _preflight(doc, monolith_id, where, answers_preflight)
    return splits


def _successors(resources: Any, monolith_id: str, watched: frozenset[str]) -> dict[str, list[str]]:
    """For the monolith: the functions made from it; for a watcher: its copies."""
    found: dict[str, list[str]] = {name: [] for name in watched}
    for logical_id, resource in resources.items():
        strangler = ((resource or {}).get("Metadata") or {}).get("Strangler") if isinstance(resource, Mapping) else None
        if not isinstance(strangler, Mapping):
            continue
        if strangler.get("ExtractedFrom") == monolith_id:
            found[monolith_id].append(logical_id)
        elif strangler.get("SplitFrom") in found:
            found[strangler["SplitFrom"]].append(logical_id)
    return found


def _removed_note(watcher: Watcher, original: Any, copies: list[str]) -> str:
    if copies:
        note = f"removed with {watcher.function_id} (the new functions have their own: {', '.join(copies)})"
    else:
        note = (f"removed with {watcher.function_id}; no new function has a copy (made before strangler copied "
                f"{watcher.kind}): add one for each by hand if they should have one")
    if original.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate") and watcher.kind == LOG_GROUP:
        note += (f"; DeletionPolicy {original['DeletionPolicy']}: CloudFormation leaves the log group and its logs in the account, "
                 "delete it by hand once they are no longer needed")
    return note


def _narrowed(original: Any, names: _Names, watcher: Watcher, where: str) -> Any:
    narrowed = copy.deepcopy(original)
    properties = narrowed["Properties"]
    for statement, _, index in reversed(list(_statement_items(properties, names))):
        resource = statement["Resource"]
        _refuse_computed(resource, original, names, _where(where, watcher.logical_id))
        if index is not None:
            document.delete_item(resource, index)
        if index is None or not resource:
            _drop_statement(properties, statement, watcher, where)
    return narrowed


def _drop_statement(properties: Any, statement: Any, watcher: Watcher, where: str) -> None:
    """Remove a statement left without resources; an inline policy left without statements
    goes too, a policy resource left empty is refused (keep when in doubt)."""
    owners = [(None, properties.get("PolicyDocument"))]
    owners += [(policy, policy.get("PolicyDocument")) for policy in properties.get("Policies") or [] if isinstance(policy, Mapping)]
    for owner, document_ in owners:
        if not isinstance(document_, Mapping):
            continue
        statements = document_.get("Statement")
        if isinstance(statements, list) and any(s is statement for s in statements):
            document.delete_item(statements, next(i for i, s in enumerate(statements) if s is statement))
            if statements:
                return
        elif statements is not statement:
            continue
        if owner is not None:
            policies = properties["Policies"]
            document.delete_item(policies, next(i for i, p in enumerate(policies) if p is owner))
            if not policies:
                del properties["Policies"]
            return
        raise StranglerError(
            f"{watcher.logical_id} ({watcher.kind}) only grants access to {watcher.function_id} and what is removed "
            "with it: retiring it would leave an empty policy",
            where=_where(where, watcher.logical_id),
            hint=f"remove {watcher.logical_id} or give it the new functions' resources, then run migrate again",
        )


def _depends_only(
    doc: TemplateDocument, original: Any, watcher: Watcher, names: _Names, successors: dict[str, list[str]], where: str,
) -> ResourceSplit:
    """A resource that names the monolith (or a watcher removed with it) only in its
    DependsOn now depends on what replaced them; anything else is refused."""
    if watcher.how != "DependsOn":
        successors_shown = ", ".join(successors.get(watcher.function_id, [])) or "the new functions"
        raise StranglerError(
            f"{watcher.describe()}{_through(watcher, names)}: retiring {watcher.function_id} would leave it dangling",
            where=_where(where, watcher.logical_id),
            hint=f"{_advice(watcher)} ({successors_shown}) and drop what names {watcher.function_id}, "
                 "then run migrate again; or run migrate --keep-monolith",
        )
    replaced = copy.deepcopy(original)
    depends = replaced["DependsOn"]
    items = [depends] if isinstance(depends, str) else list(depends)
    new_items: list[str] = []
    for item in items:
        gone = item in names.watched or names.is_function(item)
        for name in (successors.get(item, []) if gone else [item]):
            if name not in new_items:
                new_items.append(name)
    if not new_items:
        del replaced["DependsOn"]
    elif len(new_items) == 1:
        replaced["DependsOn"] = new_items[0]
    else:
        replaced["DependsOn"] = _new_seq(doc, new_items)
    return ResourceSplit(watcher.logical_id, replacement=replaced,
                         note=f"DependsOn {', '.join(i for i in items if i not in new_items)} re-pointed at "
                              f"{', '.join(n for n in new_items if n not in items) or 'nothing'}")


def _through(watcher: Watcher, names: _Names) -> str:
    if watcher.target and watcher.target != watcher.function_id:
        return f" ({watcher.target} is removed with {watcher.function_id})"
    return ""


def _where(where: str, logical_id: str) -> str:
    prefix = where.partition("Resources.")[0] if "Resources." in where else ""
    return f"{prefix}Resources.{logical_id}"


# --- CORS preflight ------------------------------------------------------------------------
def _preflight(doc: TemplateDocument, monolith_id: str, where: str, answers_preflight: bool) -> list[ResourceSplit]:
    """The CORS preflight the monolith still answers goes to the first function made from it
    when the code every new function keeps answers it: its OPTIONS events that no action took
    move; for a catch-all (``ANY``) event it keeps, the new function gets an OPTIONS event on
    the same path (API Gateway answers the preflight itself when the API has Cors). An OPTIONS
    event the handler does not answer before its dispatch is refused."""
    resources = doc.data["Resources"]
    events = (resources[monolith_id].get("Properties") or {}).get("Events") or {}
    left = [name for name, event in events.items() if _is_preflight(event)]
    catch_all = [name for name, event in events.items()
                 if answers_preflight and _is_catch_all(event) and not _api_answers_cors(doc, event)]
    if not left and not catch_all:
        return []
    made = [i for i, r in resources.items()
            if isinstance(((r or {}).get("Metadata") or {}).get("Strangler"), Mapping)
            and r["Metadata"]["Strangler"].get("ExtractedFrom") == monolith_id
            and r.get("Type") == resources[monolith_id].get("Type")]
    if left and (not answers_preflight or not made):
        raise StranglerError(
            f"{monolith_id} answers the CORS preflight (event {', '.join(left)}: OPTIONS) that no action took: "
            "retiring it would leave browsers without an answer",
            where=where,
            hint="answer OPTIONS in the handler before the dispatch (every new function keeps that code), make it an "
                 "action of the dispatch, or let API Gateway answer it (Cors on the API); or run migrate --keep-monolith",
        )
    if not made:
        return []
    owner = made[0]
    function = copy.deepcopy(resources[owner])
    properties = function["Properties"]
    # What followed the function (a blank line, the next resource's comment) follows its new last event.
    separator = document.trailing_comment(function) if hasattr(function, "ca") else None
    if separator is not None:
        document.set_trailing_comment(function, None)
    if not isinstance(properties.get("Events"), dict):
        properties["Events"] = doc.new_map()
    added = []
    for name in [*left, *catch_all]:
        event = copy_node(events[name])
        moved = name if name in left else f"{name}Preflight"
        moved = moved if moved not in properties["Events"] else f"{monolith_id}{moved}"
        if name in catch_all:
            event["Properties"]["Method"] = "options"
        properties["Events"][moved] = event
        added.append(moved)
    if separator is not None:
        document.set_trailing_comment(function, separator)
    shown = [f"event {name} moved" for name in left] + [
        f"OPTIONS {events[name]['Properties'].get('Path')} (event {added[len(left) + i]}) that {name} answered"
        for i, name in enumerate(catch_all)]
    return [ResourceSplit(owner, replacement=function,
                          note=f"answers the CORS preflight now: {'; '.join(shown)} (from {monolith_id})")]


def _is_catch_all(event: Any) -> bool:
    if not isinstance(event, Mapping) or event.get("Type") not in ("Api", "HttpApi"):
        return False
    properties = event.get("Properties") or {}
    return "Path" in properties and str(properties.get("Method", "ANY")).upper() == "ANY"


def _api_answers_cors(doc: TemplateDocument, event: Any) -> bool:
    """The event's API has Cors (Api) or CorsConfiguration (HttpApi), its own or Globals'."""
    rest = event.get("Type") == "Api"
    setting = "Cors" if rest else "CorsConfiguration"
    properties = event.get("Properties") or {}
    api_ids = list(referenced_ids(properties.get("RestApiId" if rest else "ApiId")))
    resources = doc.data["Resources"]
    for api_id in api_ids:
        api = resources.get(api_id)
        if isinstance(api, Mapping) and setting in (api.get("Properties") or {}):
            return True
    globals_ = doc.data.get("Globals")
    section = globals_.get("Api" if rest else "HttpApi") if isinstance(globals_, Mapping) else None
    return isinstance(section, Mapping) and setting in section


def _is_preflight(event: Any) -> bool:
    if not isinstance(event, Mapping) or event.get("Type") not in ("Api", "HttpApi"):
        return False
    return str((event.get("Properties") or {}).get("Method", "")).upper() == "OPTIONS"
