"""``AWS::SNS::Subscription`` (protocol ``lambda``) to the monolith: split like a SAM ``SNS`` event.

A subscription's ``FilterPolicy`` and ``FilterPolicyScope`` are the properties of the same
names of a SAM SNS event, so the SNS source narrows them: the new function gets a copy of
the subscription (same topic, scope, redrive policy...) that accepts only the action's
messages, with its ``Endpoint`` re-pointed, and the permission SNS needs to invoke it; the
monolith's subscription excludes the action, or goes when it accepted nothing else (and
with it the permission that let the topic in, see ``permission.py``).

Refused: an endpoint that names the monolith through an alias or a physical ARN, and a
filter policy written as a JSON string (narrowing it would rewrite it whole).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

from strangler.model import DELETE, EventPath, ResourceSplit
from strangler.sources.base import Refusal
from strangler.sources.resources.base import ResourceRoute
from strangler.sources.resources.repoint import (
    copied_resource,
    ending_like,
    invoke_permission,
    names_directly,
    refuse_indirect,
    repointed,
)
from strangler.sources.sns import TOPICS
from strangler.template.document import TemplateDocument, copy_node
from strangler.template.intrinsics import referenced_ids
from strangler.template.invokers import Invoker

_FILTER = ("FilterPolicy", "FilterPolicyScope")


class SnsSubscriptions(ResourceRoute):
    kinds = ("AWS::SNS::Subscription",)

    def split(
        self, doc: TemplateDocument, invoker: Invoker, key: str, path: EventPath, new_id: str, where: str
    ) -> ResourceSplit:
        subscription = doc.data["Resources"][invoker.logical_id]
        properties = subscription.get("Properties") or {}
        if not names_directly(properties.get("Endpoint"), invoker.function_id):
            raise refuse_indirect(invoker, "Endpoint", where)
        policy = properties.get("FilterPolicy")
        if policy is not None and not isinstance(policy, Mapping):
            raise Refusal(
                f"{invoker.describe()}, and its FilterPolicy is written as a string: narrowing it would rewrite it whole",
                where=where,
                hint="write the FilterPolicy as a YAML/JSON mapping, then run again",
            )
        try:
            split = TOPICS.split(invoker.logical_id, {"Type": "SNS", "Properties": properties}, key, path, where)
        except Refusal as exc:
            raise Refusal(f"{invoker.describe()}: {exc.message}", where=where, hint=exc.hint or invoker.advice) from None
        if split.new_event is None:
            return ResourceSplit(invoker.logical_id)
        new_id_of_subscription = f"{new_id}{invoker.logical_id}"
        new_subscription = copied_resource(doc, subscription, invoker.logical_id, key)
        new_properties = new_subscription["Properties"]
        for name in _FILTER:
            if name in split.new_event["Properties"]:
                new_properties[name] = copy_node(split.new_event["Properties"][name])
        new_properties["Endpoint"] = repointed(properties["Endpoint"], invoker.function_id, new_id)
        permission = invoke_permission(
            doc, new_id, "sns.amazonaws.com", copy_node(properties["TopicArn"]), invoker.logical_id, key,
            subscription.get("Condition"),
        )
        added = ((new_id_of_subscription, new_subscription), (f"{new_id_of_subscription}Permission", permission))
        note = f"{key} moves to {new_id_of_subscription} (to {new_id})"
        if split.note:
            note += f"; {split.note.removeprefix(invoker.logical_id + ': ')}"
        if split.monolith_event is DELETE:
            return ResourceSplit(invoker.logical_id, DELETE, added, delivers=True,
                                 note=f"{note}; the subscription accepted nothing else and is removed")
        replacement = None
        if split.monolith_event is not None:
            replacement = copy.deepcopy(subscription)
            for name in _FILTER:
                if name in split.monolith_event["Properties"]:
                    replacement["Properties"][name] = split.monolith_event["Properties"][name]
            ending_like(subscription, replacement, bool(added))
        return ResourceSplit(invoker.logical_id, replacement, added, delivers=True,
                             note=f"{note}; the subscription's filter policy excludes it")

    def retire(self, doc: TemplateDocument, invoker: Invoker, where: str) -> ResourceSplit | None:
        """What is left of the filter matched no action: the subscription goes with the monolith."""
        properties = doc.data["Resources"][invoker.logical_id].get("Properties") or {}
        if not names_directly(properties.get("Endpoint"), invoker.function_id):
            return None
        return ResourceSplit(invoker.logical_id, DELETE, note="removed with the monolith it subscribed")

    def permission_sources(self, doc: TemplateDocument, invoker: Invoker) -> frozenset[str]:
        """A permission lets this subscription in when its SourceArn names the topic."""
        properties = doc.data["Resources"][invoker.logical_id].get("Properties") or {}
        return frozenset(name.split(".", 1)[0] for name in referenced_ids(properties.get("TopicArn")))


SNS_SUBSCRIPTIONS = SnsSubscriptions()
