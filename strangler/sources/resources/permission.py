"""``AWS::Lambda::Permission``: a service allowed to invoke the monolith.

A permission delivers nothing itself: the rule, API or data source it lets in does. When
that source is declared in the template (the ``SourceArn`` refers to one of its
resources), whatever delivers from it is routed, or refused, by its own route; each new
function gets a copy of the permission (same principal, action, source ARN and account),
so a source re-pointed at it is let in too, and the monolith's goes when it retires. Keep
when in doubt: a copy that proves unused grants a service what it already had for the
monolith, and is reported. A permission for a source the template does not show (a bucket
or a rule of another stack, any caller of the account) is refused: that source would go
on calling the monolith, and nothing once it retires.

A permission that lets in a resource another route splits for the monolith (a standalone
rule, a subscription's topic, an HTTP API integration's API) is that route's: it writes the
new function's own permission beside the new rule, subscription or integration, so the
monolith's is not copied; it goes when the resource it lets in is deleted (a rule left with
nothing to match), never left naming a resource that no longer exists.
"""

from __future__ import annotations

from strangler.model import DELETE, EventPath, ResourceSplit
from strangler.sources.base import Refusal
from strangler.sources.resources.base import ResourceRoute, resource_where
from strangler.sources.resources.events_rule import EVENT_RULES
from strangler.sources.resources.http_integration import HTTP_INTEGRATIONS
from strangler.sources.resources.scheduler import is_scheduled_rule
from strangler.sources.resources.sns_subscription import SNS_SUBSCRIPTIONS
from strangler.template.document import TemplateDocument, copy_node
from strangler.template.intrinsics import referenced_ids
from strangler.template.invokers import Invoker, invokers_of

# Routes that answer for the permissions letting their resources in (``permission_sources``).
_OWNERS = {kind: route for route in (EVENT_RULES, SNS_SUBSCRIPTIONS, HTTP_INTEGRATIONS) for kind in route.kinds}



class Permissions(ResourceRoute):
    kinds = ("AWS::Lambda::Permission",)

    def split(
        self, doc: TemplateDocument, invoker: Invoker, key: str, path: EventPath, new_id: str, where: str
    ) -> ResourceSplit:
        original = doc.data["Resources"][invoker.logical_id]
        _refuse_hidden_source(doc, invoker, where)
        owners = _owners(doc, invoker)
        if owners:
            return _follow_owners(doc, invoker, owners, key, path, new_id, where)
        metadata = doc.new_map()
        for name, value in (original.get("Metadata") or {}).items():
            if name != "Strangler":
                metadata[name] = copy_node(value)
        metadata["Strangler"] = doc.new_map({"SplitFrom": invoker.logical_id, "Action": key})
        permission = doc.new_map({"Type": original["Type"]})
        for attribute in ("Condition", "DependsOn"):
            if attribute in original:
                permission[attribute] = copy_node(original[attribute])
        permission["Metadata"] = metadata
        permission["Properties"] = copy_node(original["Properties"])
        permission["Properties"]["FunctionName"] = doc.ref(new_id)
        principal = permission["Properties"].get("Principal")
        return ResourceSplit(
            invoker.logical_id,
            added=((f"{new_id}{_suffix(invoker.logical_id)}", permission),),
            note=f"copied for {new_id} as {new_id}{_suffix(invoker.logical_id)} "
                 f"(Principal {principal if isinstance(principal, str) else 'as written'})",
        )

    def retire(self, doc: TemplateDocument, invoker: Invoker, where: str) -> ResourceSplit | None:
        if _source_ids(doc, invoker) is None:
            return None
        return ResourceSplit(invoker.logical_id, replacement=DELETE, note="removed with the monolith it let in")


def _owners(doc: TemplateDocument, invoker: Invoker) -> list[tuple[ResourceRoute, Invoker]]:
    """The other invokers of the function whose route answers for this permission: the
    resources it lets in (its SourceArn names them or their topic or API)."""
    sources = set(_source_ids(doc, invoker) or ())
    found = []
    for other in invokers_of(doc.data, invoker.function_id):
        route = _OWNERS.get(other.kind)
        if is_scheduled_rule(doc.data["Resources"].get(other.logical_id)):
            route = None  # a scheduled rule's permission is copied like any other
        if route is not None and other.logical_id in doc.data["Resources"] and sources & route.permission_sources(doc, other):
            found.append((route, other))
    return found


def _follow_owners(
    doc: TemplateDocument, invoker: Invoker, owners: list[tuple[ResourceRoute, Invoker]], key: str, path: EventPath,
    new_id: str, where: str,
) -> ResourceSplit:
    """The permission stays while what it lets in stays; it goes with the last of them."""
    splits = [route.split(doc, owner, key, path, new_id, resource_where(where, owner.logical_id)) for route, owner in owners]
    gone = [split for split in splits if split.replacement is DELETE and split.logical_id in {o.logical_id for _, o in owners}]
    if len(gone) == len(owners):
        return ResourceSplit(invoker.logical_id, DELETE,
                             note=f"removed with {', '.join(split.logical_id for split in gone)}, which it let in")
    return ResourceSplit(invoker.logical_id)


def _source_ids(doc: TemplateDocument, invoker: Invoker) -> tuple[str, ...] | None:
    """The template's resources the permission lets in; None when its source is not one."""
    resources = doc.data.get("Resources") or {}
    properties = resources[invoker.logical_id].get("Properties") or {}
    found = tuple(
        name.split(".", 1)[0] for name in referenced_ids(properties.get("SourceArn"))
        if name.split(".", 1)[0] in resources and name.split(".", 1)[0] != invoker.function_id
    )
    return found or None


def _refuse_hidden_source(doc: TemplateDocument, invoker: Invoker, where: str) -> None:
    if _source_ids(doc, invoker) is None:
        raise Refusal(
            f"{invoker.describe()}, and its SourceArn names no resource of this template: whatever it lets in "
            f"would go on calling {invoker.function_id}, and nothing once migrate retires it",
            where=where,
            hint=invoker.advice,
        )


def _suffix(logical_id: str) -> str:
    """``ApiInvokePermission`` -> ``ApiInvokePermission``; any id ends in Permission once."""
    return logical_id if logical_id.endswith("Permission") else f"{logical_id}Permission"


PERMISSIONS = Permissions()
