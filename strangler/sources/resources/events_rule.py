"""``AWS::Events::Rule`` targeting the monolith: split like a SAM ``EventBridgeRule`` event.

The rule's ``EventPattern`` is handed to the EventBridge source as the ``Pattern`` of an
event, so a standalone rule is narrowed exactly as the same rule written in ``Events``
would be. The new function gets a copy of the rule (same bus, state, role, description,
target settings and Id; no physical ``Name``, which cannot be created twice) with the
action's pattern and its target re-pointed, plus the permission EventBridge needs to
invoke it. The monolith's rule keeps the rest of the pattern, or goes when nothing is left,
and with it the permission that let it in (``permission.py`` asks this route).

Refused: a rule with other targets (narrowing it would change what they receive), a target
that names the monolith through an alias, a physical ARN or a condition, and a target that
rewrites the event (``Input``, ``InputPath``, an ``InputTransformer`` that does not pass the
dispatch key through) so the function no longer reads what the pattern matched.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from strangler.model import DELETE, EventPath, ResourceSplit
from strangler.sources.base import Refusal, seq_like
from strangler.sources.eventbridge import RULES
from strangler.sources.resources.base import ResourceRoute
from strangler.sources.resources.repoint import (
    copied_resource,
    ending_like,
    invoke_permission,
    names_directly,
    refuse_indirect,
    repointed,
)
from strangler.template.document import TemplateDocument, copy_node
from strangler.template.intrinsics import referenced_ids
from strangler.template.invokers import Invoker, invokers_of

_PATTERN_FIELDS = ("source", "detail-type")


class EventRules(ResourceRoute):
    kinds = ("AWS::Events::Rule",)

    def split(
        self, doc: TemplateDocument, invoker: Invoker, key: str, path: EventPath, new_id: str, where: str
    ) -> ResourceSplit:
        rule = doc.data["Resources"][invoker.logical_id]
        properties = rule.get("Properties") or {}
        target = _monolith_target(invoker, properties, where)
        _refuse_rewritten_event(invoker, target, path, where)
        pattern = properties.get("EventPattern")
        if not isinstance(pattern, Mapping):
            raise Refusal(
                f"{invoker.describe()}, but it has no EventPattern mapping to narrow "
                f"({'a schedule sends one fixed event' if 'ScheduleExpression' in properties else 'the pattern is not a mapping'})",
                where=where,
                hint="route a schedule to the function of its job by hand; write an EventPattern as a YAML/JSON mapping",
            )
        event = {"Type": "EventBridgeRule", "Properties": {"Pattern": pattern}}
        try:
            split = RULES.split(invoker.logical_id, event, key, path, where)
        except Refusal as exc:
            raise Refusal(f"{invoker.describe()}: {exc.message}", where=where, hint=exc.hint or invoker.advice) from None
        if split.new_event is None:
            return ResourceSplit(invoker.logical_id)
        _refuse_other_targets(invoker, properties, where)
        new_rule_id = f"{new_id}{invoker.logical_id}"
        new_rule = copied_resource(doc, rule, invoker.logical_id, key)
        new_properties = new_rule["Properties"]
        new_properties.pop("Name", None)  # a physical name cannot be created twice
        new_properties["EventPattern"] = copy_node(split.new_event["Properties"]["Pattern"])
        new_target = copy_node(target)
        new_target["Arn"] = repointed(target["Arn"], invoker.function_id, new_id)
        new_properties["Targets"] = seq_like(properties["Targets"], [new_target])
        permission = invoke_permission(
            doc, new_id, "events.amazonaws.com", doc.get_att(new_rule_id, "Arn"), invoker.logical_id, key,
            rule.get("Condition"),
        )
        added = ((new_rule_id, new_rule), (f"{new_rule_id}Permission", permission))
        named = "; the copy has no Name (a rule's name cannot be created twice)" if "Name" in properties else ""
        if split.monolith_event is DELETE:
            return ResourceSplit(
                invoker.logical_id, DELETE, added, delivers=True,
                note=f"{key} moves to {new_rule_id} (targets {new_id}){named}; the rule had nothing else left and "
                     "is removed" + (", and its Name with it" if named else ""),
            )
        replacement = None
        if split.monolith_event is not None:
            replacement = copy.deepcopy(rule)
            replacement["Properties"]["EventPattern"] = split.monolith_event["Properties"]["Pattern"]
            ending_like(rule, replacement, bool(added))
        return ResourceSplit(
            invoker.logical_id, replacement, added, delivers=True,
            note=f"{key} moves to {new_rule_id} (targets {new_id}){named}; the rule's pattern no longer matches it",
        )

    def retire(self, doc: TemplateDocument, invoker: Invoker, where: str) -> ResourceSplit | None:
        """The rule goes with the monolith it alone targeted (what is left of its pattern
        matched no action); a rule with other targets only loses the monolith's."""
        resources = doc.data["Resources"]
        rule = resources[invoker.logical_id]
        targets = (rule.get("Properties") or {}).get("Targets") or []
        mine = [t for t in targets if isinstance(t, Mapping) and names_directly(t.get("Arn"), invoker.function_id)]
        rest = [t for t in targets if all(t is not m for m in mine)]
        # Without the targets that name it directly, would the rule still reach the monolith
        # (a physical ARN, an alias, a condition)? Then removing them is not enough: refused.
        probe = {**resources, invoker.logical_id: {"Type": rule["Type"], "Properties": {"Targets": rest}}}
        if any(found.logical_id == invoker.logical_id for found in invokers_of({"Resources": probe}, invoker.function_id)):
            return None
        if len(mine) == len(targets):
            return ResourceSplit(invoker.logical_id, DELETE, note="removed with the monolith, its only target")
        replacement = copy.deepcopy(rule)
        replacement["Properties"]["Targets"] = seq_like(targets, [copy.deepcopy(t) for t in rest])
        ending_like(rule, replacement, False)
        return ResourceSplit(invoker.logical_id, replacement, note="loses its target on the retired monolith")

    def permission_sources(self, doc: TemplateDocument, invoker: Invoker) -> frozenset[str]:
        """The ids a permission's SourceArn names when it lets this rule in: the rule."""
        return frozenset({invoker.logical_id})


def _names_function(target: Any, function_id: str) -> bool:
    if not isinstance(target, Mapping):
        return False
    return function_id in {name.split(".", 1)[0] for name in referenced_ids(target.get("Arn"))}


def _monolith_target(invoker: Invoker, properties: Mapping[str, Any], where: str) -> Any:
    """The one target that names the monolith, directly; anything else refuses."""
    targets = properties.get("Targets")
    if not isinstance(targets, list) or not targets:
        raise Refusal(f"{invoker.describe()}, but its Targets are not a list strangler can read", where=where,
                      hint=invoker.advice)
    mine = [(index, t) for index, t in enumerate(targets) if _names_function(t, invoker.function_id)]
    if len(mine) > 1:
        raise Refusal(f"{invoker.describe()}, and {len(mine)} of its targets name it", where=where,
                      hint=f"keep one target for {invoker.function_id} in the rule, then run again")
    if not mine or not names_directly(mine[0][1].get("Arn"), invoker.function_id):
        raise refuse_indirect(invoker, f"Targets[{mine[0][0] if mine else 0}].Arn" if mine else invoker.how, where)
    return mine[0][1]


def _refuse_other_targets(invoker: Invoker, properties: Mapping[str, Any], where: str) -> None:
    """Narrowing a rule's pattern narrows what each of its targets receives."""
    targets = properties["Targets"]
    if len(targets) == 1:
        return
    others = [str(t.get("Id", index)) for index, t in enumerate(targets)
              if isinstance(t, Mapping) and not _names_function(t, invoker.function_id)]
    raise Refusal(
        f"{invoker.describe()}, and the rule has {len(targets)} targets"
        + (f" (also {', '.join(others)})" if others else "")
        + ": narrowing its pattern for one action would change what every target receives",
        where=where,
        hint=f"give {invoker.function_id} a rule of its own (a copy of this one with only its target), then run again",
    )


def _refuse_rewritten_event(invoker: Invoker, target: Mapping[str, Any], path: EventPath, where: str) -> None:
    """The function must read the fields the pattern matched: a target that sends something
    else (a constant, a part of the event, a template without the key) cannot be split by
    the pattern."""
    fields = [field for field in _PATTERN_FIELDS if field in path.parts]
    hint = "send the whole event to the function (drop Input/InputPath), or keep the key in the InputTransformer"
    if "Input" in target:
        raise Refusal(f"{invoker.describe()}, and its target sends a constant Input instead of the event: "
                      "the pattern does not decide which action the function runs", where=where, hint=hint)
    if "InputPath" in target and str(target["InputPath"]) != "$":
        raise Refusal(f"{invoker.describe()}, and its target sends only {target['InputPath']} of the event, "
                      f"without {', '.join(fields) or 'the dispatch key'}", where=where, hint=hint)
    transformer = target.get("InputTransformer")
    if transformer is None:
        return
    kept = _passed_through(transformer)
    dropped = [field for field in fields if field not in kept] or ([] if fields else ["the dispatch key"])
    if dropped:
        raise Refusal(
            f"{invoker.describe()}, and its target's InputTransformer does not pass {', '.join(dropped)} through "
            "unchanged: the function would not read the field the pattern is split on",
            where=where, hint=hint,
        )


def _passed_through(transformer: Any) -> set[str]:
    """The event fields an InputTransformer writes under their own name, from themselves
    (``"detail-type": <type>`` with ``type: $.detail-type``)."""
    if not isinstance(transformer, Mapping):
        return set()
    paths = transformer.get("InputPathsMap")
    template = transformer.get("InputTemplate")
    if not isinstance(paths, Mapping) or not isinstance(template, str):
        return set()
    kept = set()
    for field in _PATTERN_FIELDS:
        found = re.search(r'"' + re.escape(field) + r'"\s*:\s*"?<([^>]+)>"?', template)
        if found and str(paths.get(found.group(1))) in (f"$.{field}", f"$['{field}']"):
            kept.add(field)
    return kept


EVENT_RULES = EventRules()
