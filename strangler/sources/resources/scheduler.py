"""Standalone schedules: ``AWS::Scheduler::Schedule`` and ``AWS::Events::Rule`` with a
``ScheduleExpression`` (and no ``EventPattern``), whose target's ``Input`` names the action.

A schedule sends one fixed event, its Input, so it belongs to the action its Input names
(read as the dispatch reads the event: ``sources/schedule.py``). That schedule, or that
target of the rule, is re-pointed in place at the new function: the resource keeps its id
and its name, so nothing is created twice. What a schedule needs to call the new function:

- EventBridge Scheduler invokes with the schedule's role (``Target.RoleArn``). A role of the
  template gets an ``AWS::IAM::Policy`` allowing ``lambda:InvokeFunction`` on the new function;
  a role from elsewhere is reported (grant it by hand).
- An EventBridge rule needs the function's resource policy. A ``AWS::Lambda::Permission`` of
  the template that lets this rule in is copied per new function by its own route
  (``permission.py``); when there is none, one is added for the new function.

A target without Input (the rule's own "Scheduled Event"), or whose Input does not carry the
key, stays with the monolith; it still delivers when the monolith retires, which is refused.
A target the code cannot tell apart (``InputPath``, ``InputTransformer``, an Input that is not
literal JSON) is refused, and so is one that names the function by a literal ARN or an alias
while its Input carries the action: strangler would not know how to point it elsewhere.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ruamel.yaml.comments import CommentedSeq

from strangler.model import EventPath, ResourceSplit
from strangler.sources.base import Refusal
from strangler.sources.resources.base import ResourceRoute
from strangler.sources.schedule import input_key, same_key
from strangler.template import document
from strangler.template.document import TemplateDocument
from strangler.template.intrinsics import intrinsic, referenced_ids
from strangler.template.invokers import Invoker

_IAM_ROLE = "AWS::IAM::Role"


def is_scheduled_rule(resource: Any) -> bool:
    """An EventBridge rule that fires on a schedule and matches no events."""
    if not isinstance(resource, Mapping) or resource.get("Type") != "AWS::Events::Rule":
        return False
    properties = resource.get("Properties") or {}
    return isinstance(properties, Mapping) and "ScheduleExpression" in properties and "EventPattern" not in properties


class SchedulerSchedules(ResourceRoute):
    kinds = ("AWS::Scheduler::Schedule",)

    def split(
        self, doc: TemplateDocument, invoker: Invoker, key: str, path: EventPath, new_id: str, where: str
    ) -> ResourceSplit:
        original = doc.data["Resources"][invoker.logical_id]
        target = (original.get("Properties") or {}).get("Target")
        if not isinstance(target, Mapping):
            return ResourceSplit(invoker.logical_id)
        if not _carries(target, key, path, f"{invoker.logical_id} Target.Input", where):
            return ResourceSplit(invoker.logical_id)
        if _pointed_elsewhere(doc, target.get("Arn"), invoker.function_id):
            return ResourceSplit(invoker.logical_id)  # an earlier action of this run moved it
        _refuse_unless_function_arn(target.get("Arn"), invoker, "Target.Arn", where)
        replacement = _in_place(original)
        replacement["Properties"]["Target"]["Arn"] = doc.get_att(new_id, "Arn")
        added, note = _role_access(doc, invoker.logical_id, target.get("RoleArn"), key, new_id)
        _before_added(replacement, added)
        return ResourceSplit(
            invoker.logical_id, replacement=replacement, added=added,
            note=f"Target re-pointed at {new_id} (its Input names {key!r}); {note}", delivers=True,
        )


class ScheduledRules(ResourceRoute):
    """Chosen by the registry for the rules :func:`is_scheduled_rule` accepts; pattern rules
    have a route of their own."""

    kinds = ()

    def split(
        self, doc: TemplateDocument, invoker: Invoker, key: str, path: EventPath, new_id: str, where: str
    ) -> ResourceSplit:
        original = doc.data["Resources"][invoker.logical_id]
        targets = (original.get("Properties") or {}).get("Targets")
        if not isinstance(targets, list):
            return ResourceSplit(invoker.logical_id)
        moved = []
        resources = doc.data.get("Resources") or {}
        for index, target in enumerate(targets):
            if not isinstance(target, Mapping):
                continue
            what = f"{invoker.logical_id} Targets[{index}].Input"
            arn = target.get("Arn")
            if _names_function(arn, invoker.function_id):
                _refuse_unreadable(target, invoker.logical_id, index, where)
                if _carries(target, key, path, what, where, scheduled=True):
                    _refuse_unless_function_arn(arn, invoker, f"Targets[{index}].Arn", where)
                    moved.append(index)
            elif _may_be_the_function(arn, resources) and _carries(target, key, path, what, where, lenient=True):
                # A function ARN written out may be the monolith's own (its FunctionName).
                _refuse_unless_function_arn(arn, invoker, f"Targets[{index}].Arn", where)
        if not moved:
            return ResourceSplit(invoker.logical_id)
        replacement = _in_place(original)
        for index in moved:
            replacement["Properties"]["Targets"][index]["Arn"] = doc.get_att(new_id, "Arn")
        added: tuple[tuple[str, Any], ...] = ()
        shown = ", ".join(f"Targets[{index}]" for index in moved)
        note = f"{shown} re-pointed at {new_id} (it sends {key!r})"
        if not _permission_for(doc, invoker.logical_id, invoker.function_id):
            permission_id = f"{new_id}{invoker.logical_id}Permission"
            added = ((permission_id, _permission(doc, invoker.logical_id, key, new_id)),)
            note += f"; {permission_id} lets the rule invoke it"
        _before_added(replacement, added)
        return ResourceSplit(invoker.logical_id, replacement=replacement, added=added, note=note, delivers=True)


SCHEDULES = SchedulerSchedules()
SCHEDULED_RULES = ScheduledRules()


def _in_place(original: Any) -> Any:
    """The resource with what follows it (a blank line, the next resource's comment): it
    stays where it is."""
    return copy.deepcopy(original)


def _before_added(replacement: Any, added: tuple) -> None:
    """Resources added after it take over what followed it (see ``template/resources.py``)."""
    if added and hasattr(replacement, "ca"):
        document.set_trailing_comment(replacement, document.blank_line_token())


def _seq(doc: TemplateDocument, items: list) -> Any:
    """A block list in YAML (what follows a resource hangs on its last item), a list in JSON."""
    return list(items) if doc.is_json else CommentedSeq(items)


# --- reading a target ----------------------------------------------------------------------
def _carries(target: Mapping[str, Any], key: str, path: EventPath, what: str, where: str, lenient: bool = False,
             scheduled: bool = False) -> bool:
    """What the target sends names ``key`` (its Input, or with ``scheduled`` and no Input the
    rule's scheduled event); with ``lenient`` an Input that cannot be read does not (the
    target is not the monolith's: it is not ours to move)."""
    try:
        found = input_key(target.get("Input"), "Input" in target, path, what, where, scheduled)
    except Refusal:
        if lenient:
            return False
        raise
    return found is not None and same_key(found, key, path)


def _refuse_unreadable(target: Mapping[str, Any], logical_id: str, index: int, where: str) -> None:
    for name in ("InputPath", "InputTransformer"):
        if name in target:
            raise Refusal(
                f"{logical_id} Targets[{index}] shapes the scheduled event with {name}: strangler cannot tell "
                "which action it names",
                where=where,
                hint="give the target a literal JSON Input naming its action, or move this target by hand",
            )


def _names_function(arn: Any, function_id: str) -> bool:
    return function_id in {name.split(".", 1)[0] for name in referenced_ids(arn)}


def _may_be_the_function(arn: Any, resources: Mapping[str, Any]) -> bool:
    """A target strangler cannot tell from the monolith: a Lambda function ARN written out
    (literal or ``!Sub``), or an intrinsic it does not read; not a resource of the template."""
    if any(name.split(".", 1)[0] in resources for name in referenced_ids(arn)):
        return False
    found = intrinsic(arn)
    text = arn if isinstance(arn, str) and found is None else (found[1] if found and found[0] == "Sub" else None)
    if isinstance(text, list) and text:
        text = text[0]
    return not isinstance(text, str) or ":function:" in text


def _pointed_elsewhere(doc: TemplateDocument, arn: Any, function_id: str) -> bool:
    """``arn`` names a function strangler made from ``function_id`` (an earlier action)."""
    resources = doc.data.get("Resources") or {}
    for name in referenced_ids(arn):
        resource = resources.get(name.split(".", 1)[0])
        strangler = ((resource or {}).get("Metadata") or {}).get("Strangler") if isinstance(resource, Mapping) else None
        if isinstance(strangler, Mapping) and strangler.get("ExtractedFrom") == function_id:
            return True
    return False


def _refuse_unless_function_arn(arn: Any, invoker: Invoker, shown: str, where: str) -> None:
    """Only ``!GetAtt <function>.Arn`` is re-pointed: a literal ARN, an alias or a Sub may
    name a qualifier or another function strangler cannot reproduce."""
    found = intrinsic(arn)
    if found is not None and found[0] == "GetAtt" and found[1] == f"{invoker.function_id}.Arn":
        return
    raise Refusal(
        f"{invoker.logical_id} {shown} names {invoker.function_id} in a way strangler does not re-point "
        f"(only !GetAtt {invoker.function_id}.Arn), and its Input names the action being moved",
        where=where,
        hint=f"write {shown} as !GetAtt {invoker.function_id}.Arn, or point it at the new function by hand",
    )


# --- what the schedule needs to call the new function ------------------------------------------
def _role_access(doc: TemplateDocument, schedule_id: str, role_arn: Any, key: str, new_id: str) -> tuple[tuple, str]:
    """An ``AWS::IAM::Policy`` on the schedule's role of the template, or what to do by hand."""
    resources = doc.data.get("Resources") or {}
    roles = [
        name.split(".", 1)[0] for name in referenced_ids(role_arn)
        if isinstance(resources.get(name.split(".", 1)[0]), Mapping)
        and resources[name.split(".", 1)[0]].get("Type") == _IAM_ROLE
    ]
    if len(roles) != 1:
        return (), (f"its RoleArn is not a role of this template: that role must be allowed lambda:InvokeFunction "
                    f"on {new_id}; grant it by hand")
    policy_id = f"{schedule_id}{new_id}Invoke"
    statement = doc.new_map({"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": doc.get_att(new_id, "Arn")})
    policy = doc.new_map({
        "Type": "AWS::IAM::Policy",
        "Metadata": doc.new_map({"Strangler": doc.new_map({"SplitFrom": schedule_id, "Action": key})}),
        "Properties": doc.new_map({
            "PolicyName": policy_id,
            "Roles": _seq(doc, [doc.ref(roles[0])]),
            "PolicyDocument": doc.new_map({"Version": "2012-10-17", "Statement": _seq(doc, [statement])}),
        }),
    })
    return ((policy_id, policy),), f"{policy_id} lets its role {roles[0]} invoke {new_id}"


def _permission_for(doc: TemplateDocument, rule_id: str, function_id: str) -> bool:
    """A permission of the template lets ``rule_id`` invoke ``function_id`` (its route copies it)."""
    for resource in (doc.data.get("Resources") or {}).values():
        if not isinstance(resource, Mapping) or resource.get("Type") != "AWS::Lambda::Permission":
            continue
        properties = resource.get("Properties") or {}
        if _names_function(properties.get("FunctionName"), function_id) and \
                rule_id in {name.split(".", 1)[0] for name in referenced_ids(properties.get("SourceArn"))}:
            return True
    return False


def _permission(doc: TemplateDocument, rule_id: str, key: str, new_id: str) -> Any:
    return doc.new_map({
        "Type": "AWS::Lambda::Permission",
        "Metadata": doc.new_map({"Strangler": doc.new_map({"SplitFrom": rule_id, "Action": key})}),
        "Properties": doc.new_map({
            "Action": "lambda:InvokeFunction",
            "FunctionName": doc.ref(new_id),
            "Principal": "events.amazonaws.com",
            "SourceArn": doc.get_att(rule_id, "Arn"),
        }),
    })
