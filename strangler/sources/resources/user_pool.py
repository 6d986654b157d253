"""``AWS::Cognito::UserPool`` ``LambdaConfig`` entries that name the monolith: the trigger of
the action's trigger source is re-pointed at the new function, in place.

The reading is the one of the SAM ``Cognito`` events (``sources/cognito.py``): the action's
trigger source names one trigger; a trigger that also sends other sources is refused. The
pool invokes through the function's resource policy: a ``AWS::Lambda::Permission`` of the
template that lets the pool in is copied per new function by its own route; when there is
none (a SAM ``Cognito`` event of the monolith on the same pool made one, which goes with that
event), one is added for the new function. A trigger still naming the monolith when it
retires is refused.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from strangler.model import EventPath, ResourceSplit
from strangler.sources.base import Refusal
from strangler.sources.cognito import (
    lambda_arn,
    reads_trigger_source,
    refuse_shared,
    trigger_of,
)
from strangler.sources.resources.base import ResourceRoute
from strangler.template import document
from strangler.template.document import TemplateDocument
from strangler.template.intrinsics import intrinsic, referenced_ids
from strangler.template.invokers import Invoker

_PRINCIPAL = "cognito-idp.amazonaws.com"


class UserPools(ResourceRoute):
    kinds = ("AWS::Cognito::UserPool",)

    def split(
        self, doc: TemplateDocument, invoker: Invoker, key: str, path: EventPath, new_id: str, where: str
    ) -> ResourceSplit:
        pool_id = invoker.logical_id
        original = doc.data["Resources"][pool_id]
        config = (original.get("Properties") or {}).get("LambdaConfig")
        if not reads_trigger_source(path):
            raise Refusal(
                f"{invoker.describe()}, but the dispatch key comes from {path}: a user pool chooses the function "
                "by trigger (the event's triggerSource)",
                where=where,
                hint=invoker.advice,
            )
        trigger = trigger_of(key, path, where)
        if trigger is None or not isinstance(config, Mapping) or trigger not in config:
            return ResourceSplit(pool_id)
        arn = lambda_arn(config[trigger])
        if not _names(arn, invoker.function_id):
            return ResourceSplit(pool_id)  # another function's trigger, or an earlier action's
        refuse_shared(trigger, key, path, where)
        found = intrinsic(arn)
        if found is None or found[0] != "GetAtt" or found[1] != f"{invoker.function_id}.Arn":
            raise Refusal(
                f"{pool_id} LambdaConfig.{trigger} names {invoker.function_id} in a way strangler does not re-point "
                f"(only !GetAtt {invoker.function_id}.Arn)",
                where=where,
                hint=f"write it as !GetAtt {invoker.function_id}.Arn, or point the trigger at the new function by hand",
            )
        replacement = copy.deepcopy(original)  # in place: what follows it stays
        entry = replacement["Properties"]["LambdaConfig"]
        if isinstance(entry[trigger], Mapping) and "LambdaArn" in entry[trigger]:  # CustomEmailSender
            entry[trigger]["LambdaArn"] = doc.get_att(new_id, "Arn")
        else:
            entry[trigger] = doc.get_att(new_id, "Arn")
        note = f"LambdaConfig.{trigger} re-pointed at {new_id} (it sends {key})"
        added: tuple[tuple[str, Any], ...] = ()
        if not _permission_for(doc, pool_id, invoker.function_id):
            permission_id = f"{new_id}{pool_id}Permission"
            added = ((permission_id, _permission(doc, pool_id, key, new_id)),)
            note += f"; {permission_id} lets the pool invoke it"
            if hasattr(replacement, "ca"):
                document.set_trailing_comment(replacement, document.blank_line_token())
        return ResourceSplit(pool_id, replacement=replacement, added=added, note=note, delivers=True)


USER_POOLS = UserPools()


def _names(arn: Any, function_id: str) -> bool:
    return function_id in {name.split(".", 1)[0] for name in referenced_ids(arn)}


def _permission_for(doc: TemplateDocument, pool_id: str, function_id: str) -> bool:
    """A permission of the template lets ``pool_id`` invoke ``function_id`` (its route copies it)."""
    for resource in (doc.data.get("Resources") or {}).values():
        if not isinstance(resource, Mapping) or resource.get("Type") != "AWS::Lambda::Permission":
            continue
        properties = resource.get("Properties") or {}
        if _names(properties.get("FunctionName"), function_id) and _names(properties.get("SourceArn"), pool_id):
            return True
    return False


def _permission(doc: TemplateDocument, pool_id: str, key: str, new_id: str) -> Any:
    return doc.new_map({
        "Type": "AWS::Lambda::Permission",
        "Metadata": doc.new_map({"Strangler": doc.new_map({"SplitFrom": pool_id, "Action": key})}),
        "Properties": doc.new_map({
            "Action": "lambda:InvokeFunction",
            "FunctionName": doc.ref(new_id),
            "Principal": _PRINCIPAL,
            "SourceArn": doc.get_att(pool_id, "Arn"),
        }),
    })
