"""REST API deployments: a method re-pointed in the template is served only once deployed.

An ``AWS::ApiGateway::Deployment`` is a snapshot of the API's methods taken when
CloudFormation creates it; updating a method changes the API but not what its stage
serves, and CloudFormation does not create the deployment again while the Deployment
resource itself is unchanged. So when a split changes the methods of an API, each
Deployment of that API is replaced by one with a new logical id: ``<id><hash>``, the hash
of the API's methods and what they integrate with (as SAM names the deployments it
generates, ``<api>Deployment<sha>``), depending on every method of the API so that it is
taken after them; every reference to the old one (the Stage's ``DeploymentId``, Outputs,
DependsOn) is re-pointed. The hash depends only on the methods as they end, so extracting
actions one run at a time ends with the same id as one run for all of them.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ruamel.yaml.comments import TaggedScalar

from strangler.errors import StranglerError
from strangler.model import DELETE, ResourceSplit
from strangler.template import document
from strangler.template.document import TemplateDocument
from strangler.template.intrinsics import intrinsic, referenced_ids

METHOD = "AWS::ApiGateway::Method"
DEPLOYMENT = "AWS::ApiGateway::Deployment"


# --- re-pointing references -----------------------------------------------------------------
def repointed(node: Any, old: str, new: str) -> tuple[Any, int]:
    """A copy of ``node`` with every Ref, GetAtt and ``${}`` of ``old`` naming ``new`` instead,
    in the same syntax, and how many were re-pointed."""
    copied = copy.deepcopy(node)
    swapped = _swap(copied, old, new)
    if swapped is not None:
        return swapped, 1
    return copied, repoint_in_place(copied, old, new)


def repoint_in_place(node: Any, old: str, new: str) -> int:
    """Re-point what ``node`` holds (not ``node`` itself) from ``old`` to ``new``; the count."""
    count = 0
    found = intrinsic(node)
    if found is not None and found[0] == "Sub":
        return _repoint_sub(node, old, new)
    children = list(node.items()) if isinstance(node, dict) else list(enumerate(node)) if isinstance(node, list) else []
    for key, child in children:
        swapped = _swap(child, old, new)
        if swapped is not None:
            node[key] = swapped
            count += 1
        else:
            count += repoint_in_place(child, old, new)
    return count


def _swap(node: Any, old: str, new: str) -> Any:
    """The Ref or GetAtt of ``new`` written like ``node``, when ``node`` is one of ``old``."""
    found = intrinsic(node)
    if found is None or found[0] not in ("Ref", "GetAtt") or not isinstance(found[1], str):
        return None
    target, dot, attribute = found[1].partition(".")
    if target != old:
        return None
    if isinstance(node, TaggedScalar):
        return TaggedScalar(value=f"{new}{dot}{attribute}", tag=node.tag.value)
    if found[0] == "Ref":
        return {"Ref": new}
    value = node["Fn::GetAtt"]
    return {"Fn::GetAtt": [new, attribute] if isinstance(value, list) else f"{new}.{attribute}"}


def _repoint_sub(node: Any, old: str, new: str) -> int:
    pattern = re.compile(r"\$\{" + re.escape(old) + r"(\.[^}]*)?\}")

    def replace(text: str) -> tuple[str, int]:
        return pattern.subn(lambda m: "${" + new + (m.group(1) or "") + "}", text)

    holder, key = (node, None) if isinstance(node, TaggedScalar) else (node, "Fn::Sub")
    arg = holder.value if key is None else holder[key]
    if isinstance(arg, str):
        text, count = replace(arg)
        if key is None:
            holder.value = text
        else:
            holder[key] = text
        return count
    if isinstance(arg, list) and arg and isinstance(arg[0], str):
        local = set(arg[1]) if len(arg) > 1 and isinstance(arg[1], dict) else set()
        count = 0
        if old not in local:
            arg[0], count = replace(arg[0])
        return count + (repoint_in_place(arg[1], old, new) if len(arg) > 1 else 0)
    return 0


# --- deployments ----------------------------------------------------------------------------
def apis_touched(doc: TemplateDocument, splits: Iterable[ResourceSplit]) -> list[str]:
    """The REST APIs whose methods ``splits`` replace, delete or add (read before applying)."""
    resources = doc.data.get("Resources") or {}
    found: list[str] = []
    for split in splits:
        nodes = [resources.get(split.logical_id), split.replacement, *(r for _, r in split.added)]
        for node in nodes:
            if node is DELETE or not isinstance(node, Mapping) or node.get("Type") != METHOD:
                continue
            api = rest_api_of(node)
            if api is not None and api not in found:
                found.append(api)
    return found


def rest_api_of(resource: Mapping[str, Any]) -> str | None:
    ids = list(referenced_ids((resource.get("Properties") or {}).get("RestApiId")))
    return ids[0].split(".", 1)[0] if len(ids) == 1 else None


def deployments_of(resources: Mapping[str, Any], api_id: str) -> list[str]:
    return [
        logical_id for logical_id, resource in resources.items()
        if isinstance(resource, Mapping) and resource.get("Type") == DEPLOYMENT and rest_api_of(resource) == api_id
    ]


def redeploy(doc: TemplateDocument, api_ids: Iterable[str]) -> None:
    """Replace each Deployment of ``api_ids`` by one named after its API's methods as they are now."""
    resources = doc.data["Resources"]
    for api_id in api_ids:
        methods = [
            logical_id for logical_id, resource in resources.items()
            if isinstance(resource, Mapping) and resource.get("Type") == METHOD and rest_api_of(resource) == api_id
        ]
        for deployment_id in deployments_of(resources, api_id):
            _replace_deployment(doc, deployment_id, methods)


def _replace_deployment(doc: TemplateDocument, deployment_id: str, methods: list[str]) -> None:
    resources = doc.data["Resources"]
    old = resources[deployment_id]
    base = str(((old.get("Metadata") or {}).get("Strangler") or {}).get("RedeployOf") or deployment_id)
    new_id = f"{base}{_fingerprint(resources, methods)}"
    if new_id == deployment_id:
        return
    if new_id in resources:
        raise StranglerError(
            f"the new deployment of {deployment_id} would be {new_id}, and the template already has a resource of that name",
            where=f"{doc.path.name}: Resources.{new_id}", hint="rename that resource and run again",
        )
    new = _deployment_copy(doc, old, base, methods)
    _rename(resources, deployment_id, new_id, new)
    for logical_id, resource in resources.items():
        if logical_id != new_id:
            _repoint_resource(resource, deployment_id, new_id)
    outputs = doc.data.get("Outputs")
    if isinstance(outputs, dict):
        repoint_in_place(outputs, deployment_id, new_id)


def _fingerprint(resources: Mapping[str, Any], methods: list[str]) -> str:
    """Ten hex digits of what the API's methods are and integrate with."""
    lines = []
    for logical_id in sorted(methods):
        properties = resources[logical_id].get("Properties") or {}
        targets = sorted(set(referenced_ids(properties.get("Integration"))))
        lines.append(f"{logical_id} {properties.get('HttpMethod')} {' '.join(targets)}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:10]


def _deployment_copy(doc: TemplateDocument, old: Any, base: str, methods: list[str]) -> Any:
    """The old deployment's attributes and properties, depending on every method of the API."""
    depends = old.get("DependsOn")
    listed = [depends] if isinstance(depends, str) else list(depends or [])
    missing = [m for m in methods if m not in listed]
    new = doc.new_map()
    for name, value in old.items():
        if name == "Properties":
            if "DependsOn" not in old and missing:
                new["DependsOn"] = missing
            if "Metadata" not in old:
                new["Metadata"] = doc.new_map()
        new[name] = document.copy_node(value)
    if missing and "DependsOn" in old:
        if isinstance(depends, str):
            new["DependsOn"] = [depends, *missing]
        else:
            new["DependsOn"].extend(missing)
    metadata = new.setdefault("Metadata", doc.new_map())
    metadata["Strangler"] = doc.new_map({"RedeployOf": base})
    return new


def _rename(resources: Any, old_id: str, new_id: str, new: Any) -> None:
    """Put ``new`` where ``old_id`` was, with what followed it (blank line, next comment)."""
    keys = list(resources)
    position = keys.index(old_id)
    following = document.trailing_comment(resources[old_id]) if hasattr(resources, "ca") else None
    if hasattr(resources, "insert"):
        del resources[old_id]
        resources.insert(position, new_id, new)
    else:
        items = [(new_id, new) if key == old_id else (key, value) for key, value in resources.items()]
        resources.clear()
        resources.update(items)
    if following is not None:
        document.set_trailing_comment(new, following)


def _repoint_resource(resource: Any, old: str, new: str) -> None:
    if not isinstance(resource, dict):
        return
    repoint_in_place(resource, old, new)
    depends = resource.get("DependsOn")
    if depends == old:
        resource["DependsOn"] = new
    elif isinstance(depends, list):
        for index, item in enumerate(depends):
            if item == old:
                depends[index] = new
