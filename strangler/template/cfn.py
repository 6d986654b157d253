"""The plain CloudFormation dialect: ``AWS::Lambda::Function`` resources with local code.

A template without the SAM transform declares its functions as ``AWS::Lambda::Function``
with ``Code`` a local folder, as ``aws cloudformation package`` and ``sam build`` take it
(``Code: src/``). Such a function has no ``Events``: everything that reaches it is a
resource of its own (a method of a REST API, a permission), so every route is one of the
routes outside Events (``sources/resources``). What differs from SAM is the function
itself: its properties (``Code``, no ``Policies``), and its ``Role``, which plain
CloudFormation always names and which is usually an ``AWS::IAM::Role`` of the template.

Each new function gets its own copy of that role (same trust and policies, no
``RoleName``: a physical name cannot be created twice), so its permissions can be
narrowed by hand later without touching the others'; a role another resource also uses
(an ``AWS::IAM::Policy`` attached to it, another function) is shared instead, and said so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, TaggedScalar

from strangler.errors import StranglerError
from strangler.model import Narrowing, ResourceSplit, RoutePlan
from strangler.template import document, resources, sam
from strangler.template.document import TemplateDocument
from strangler.template.functions import function_from
from strangler.template.intrinsics import (
    intrinsic,
    intrinsic_name,
    referenced_ids,
    shape,
)
from strangler.template.invokers import invokers_of  # noqa: F401  (a member of the dialect)

FUNCTION_TYPE = "AWS::Lambda::Function"

_OWN = ("Code", "Handler")
# Copying it would reserve the monolith's concurrency once more per action; say so instead.
_NOT_MULTIPLIED = ("ReservedConcurrentExecutions",)
_ROLE = "AWS::IAM::Role"
_S3 = sam.CODE_HINT + " (Code: src/) and let aws cloudformation package (or sam build) upload it"

# Re-exported members: the same writes as SAM's (Outputs, placement, custom resources).
add_name_output = sam.add_name_output
custom_resources_using = sam.custom_resources_using


def function_globals(data: Mapping[str, Any], template: str) -> Mapping[str, Any]:
    """Plain CloudFormation has no Globals: every function says everything itself."""
    return {}


def declared_code(resource: Any, globals_: Mapping[str, Any], code: str | None = None) -> tuple[str, str] | str:
    """(code folder, Handler) of a Python function whose ``Code`` is a local folder, or why
    it is not one. ``code`` is the folder ``--code`` gives for a function whose code is in
    S3 (or an intrinsic): it stands in for ``Code``, which stays as written."""
    properties = resource.get("Properties") or {}
    if properties.get("PackageType") == "Image":
        return "it is a container image (PackageType: Image)"
    runtime = properties.get("Runtime")
    if intrinsic_name(runtime):
        return f"its Runtime is {shape(runtime)}: strangler cannot tell that it is Python"
    if not isinstance(runtime, str) or not runtime.startswith("python"):
        return "it has no Runtime" if runtime is None else f"its Runtime {runtime} is not Python"
    handler = properties.get("Handler")
    if not isinstance(handler, str) or intrinsic_name(handler):
        return "it has no Handler" if handler is None else f"its Handler is {shape(handler)}, not module.function"
    code_ = properties.get("Code")
    elsewhere = code_elsewhere(resource, globals_)
    if elsewhere is not None and code is not None:
        return code, handler
    if isinstance(code_, str) and not intrinsic_name(code_):
        if code_.startswith("s3://"):
            return f"its Code is in S3 ({code_}), not a local folder; {_S3}"
        return code_, handler
    if isinstance(code_, Mapping) and not intrinsic_name(code_):
        if "ZipFile" in code_:
            return ("its code is inline (Code.ZipFile), not a folder: move it into a module of a folder "
                    "(Code: src/, Handler: app.handler) and run strangler again")
        if "ImageUri" in code_:
            return "it is a container image (Code.ImageUri)"
        if "S3Bucket" in code_ or "S3Key" in code_:
            return f"its Code is in S3 (Code.S3Bucket/S3Key: {elsewhere}), not a local folder; {_S3}"
    if elsewhere is not None:
        return f"its Code is {shape(code_)}, not a local folder; {_S3}"
    return "it has no Code" if code_ is None else f"its Code is {shape(code_)}, not a local folder"


def code_elsewhere(resource: Any, globals_: Mapping[str, Any]) -> str | None:
    """Where the function's code is when ``Code`` is in S3 (``S3Bucket``/``S3Key``, an
    ``s3://`` URI) or an intrinsic function, as the report says it; None otherwise (a local
    folder, inline code, an image)."""
    code = (resource.get("Properties") or {}).get("Code")
    if isinstance(code, Mapping) and not intrinsic_name(code) and ("ZipFile" in code or "ImageUri" in code):
        return None
    return sam.remote_location(code, "Code", ("S3Bucket", "S3Key"))


def events_of(resource: Any) -> None:
    """None: a plain function declares no events; the resources that reach it are its routes."""


def new_function(
    doc: TemplateDocument, monolith_id: str, monolith: Any, key: str, code_uri: str, handler: str
) -> tuple[Any, list[str]]:
    """The ``AWS::Lambda::Function`` for one action, built from the monolith's, with its own
    copy of the monolith's role when the template's role is the monolith's alone."""
    resource, notes = function_from(
        doc, monolith_id, monolith, key, FUNCTION_TYPE, {"Code": code_uri, "Handler": handler}, _OWN, _NOT_MULTIPLIED
    )
    properties = resource["Properties"]
    source = monolith.get("Properties") or {}
    if "Role" in properties:
        notes.append(_role_note(doc, monolith_id, properties["Role"]))
        notes += _named_by_role(doc, monolith_id, source)
    return resource, notes


def _template_role(resources_: Mapping[str, Any], role: Any) -> str | None:
    """The template's ``AWS::IAM::Role`` that ``Role: !GetAtt <id>.Arn`` names; None otherwise."""
    found = intrinsic(role)
    if not found or found[0] != "GetAtt" or not isinstance(found[1], str):
        return None
    role_id = found[1].split(".", 1)[0]
    resource = resources_.get(role_id)
    return role_id if isinstance(resource, Mapping) and resource.get("Type") == _ROLE else None


def _role_note(doc: TemplateDocument, monolith_id: str, role: Any) -> str:
    role_id = _template_role(doc.data["Resources"], role)
    if role_id is None:
        return f"shares the Role of {monolith_id} (not an AWS::IAM::Role of this template): narrow it by hand"
    users = _other_users(doc.data, role_id, monolith_id)
    if users:
        return (f"shares the role {role_id} of {monolith_id}: {', '.join(users)} use{'s' if len(users) == 1 else ''} "
                "it too, so it is not copied; narrow it by hand")
    renamed = " without its RoleName (a role name is created once)" if "RoleName" in (
        doc.data["Resources"][role_id].get("Properties") or {}) else ""
    return (f"has its own copy of the role {role_id} (<function>Role){renamed}, with every policy of "
            f"{monolith_id}'s: narrow it by hand to what this action needs")


def _named_by_role(doc: TemplateDocument, monolith_id: str, source: Mapping[str, Any]) -> list[str]:
    """A role statement that names the monolith by its FunctionName (its log group, itself)
    grants that to the monolith only: the new function, named otherwise, is not covered."""
    role_id = _template_role(doc.data["Resources"], source.get("Role"))
    name = source.get("FunctionName")
    found = intrinsic(name)
    text = name if isinstance(name, str) else found[1] if found and found[0] == "Sub" and isinstance(found[1], str) else None
    if role_id is None or not text:
        return []
    policies = (doc.data["Resources"][role_id].get("Properties") or {}).get("Policies")
    if not any(text in written for written in _strings(policies)):
        return []
    return [(f"statements of {role_id} name {monolith_id} by its FunctionName {text} (its log group?): they do "
            "not cover the new function, whose name CloudFormation makes; give it the same statements for "
            "its own name by hand")]


def _strings(node: Any) -> list[str]:
    """Every string of ``node``, ``!Sub`` templates as written."""
    found = intrinsic(node)
    if found is not None and found[0] == "Sub":
        return _strings(found[1]) if not isinstance(found[1], str) else [found[1]]
    if isinstance(node, str):
        return [node]
    if isinstance(node, Mapping):
        return [text for value in node.values() for text in _strings(value)]
    if isinstance(node, list):
        return [text for value in node for text in _strings(value)]
    return []


def place_new_functions(resources_: Any, monolith_id: str, new: list[tuple[str, Any]]) -> None:
    """SAM's placement, then a copy of the monolith's role for each new function whose role
    is still the monolith's own (the copies go after the role, in the order of ``new``)."""
    sam.place_new_functions(resources_, monolith_id, new)
    for logical_id, function in new:
        if function.get("Type") != FUNCTION_TYPE:
            continue  # a SAM function of a SAM template with plain functions keeps SAM's ways
        properties = function.get("Properties") or {}
        role_id = _template_role(resources_, properties.get("Role"))
        if role_id is None or _other_users({"Resources": resources_}, role_id, monolith_id):
            continue
        copy_id = f"{logical_id}Role"
        if copy_id in resources_:
            raise StranglerError(
                f"the role of {logical_id} would be {copy_id}, and the template already has a resource of that name",
                where=f"Resources.{copy_id}", hint="rename that resource, or choose another name for the function",
            )
        action = ((function.get("Metadata") or {}).get("Strangler") or {}).get("Action")
        role = _role_copy(resources_, role_id, str(action))
        resources._insert_after(resources_, resources._last_added_after(resources_, role_id), copy_id, role)
        properties["Role"] = _get_att(resources_, copy_id, "Arn")


def _role_copy(resources_: Any, role_id: str, action: str) -> Any:
    original = resources_[role_id]
    role = _map(resources_, {"Type": original["Type"]})
    for attribute in ("Condition", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy"):
        if attribute in original:
            role[attribute] = document.copy_node(original[attribute])
    metadata = _map(resources_, {})
    for name, value in (original.get("Metadata") or {}).items():
        if name != "Strangler":
            metadata[name] = document.copy_node(value)
    metadata["Strangler"] = _map(resources_, {"SplitFrom": role_id, "Action": action})
    role["Metadata"] = metadata
    role["Properties"] = document.copy_node(original.get("Properties") or _map(resources_, {}))
    role["Properties"].pop("RoleName", None)
    return role


def _map(like: Any, items: dict[str, Any]) -> Any:
    """A mapping of the template's own flavour (YAML keeps comments and order)."""
    mapping: Any = CommentedMap() if hasattr(like, "ca") else {}
    mapping.update(items)
    return mapping


def _get_att(like: Any, logical_id: str, attribute: str) -> Any:
    if hasattr(like, "ca"):
        return TaggedScalar(value=f"{logical_id}.{attribute}", tag="!GetAtt")
    return {"Fn::GetAtt": [logical_id, attribute]}


def _other_users(data: Mapping[str, Any], role_id: str, monolith_id: str) -> list[str]:
    """Resources other than the monolith, the functions made from it and the role's copies
    that name the role (an attached AWS::IAM::Policy, another function), and Outputs."""
    found = []
    for logical_id, resource in data["Resources"].items():
        if logical_id in (role_id, monolith_id) or not isinstance(resource, Mapping):
            continue
        strangler = (resource.get("Metadata") or {}).get("Strangler") or {}
        if strangler.get("ExtractedFrom") == monolith_id or strangler.get("SplitFrom") == role_id:
            continue
        if role_id in {name.split(".", 1)[0] for name in referenced_ids(resource)}:
            found.append(logical_id)
    for name, output in (data.get("Outputs") or {}).items():
        if role_id in {n.split(".", 1)[0] for n in referenced_ids(output)}:
            found.append(f"Output {name}")
    return found


def apply_narrowing(properties: Any, narrowing: Narrowing) -> None:
    """Drop the environment variables the action's code does not need (plain functions have
    no Policies: their permissions are the role's)."""
    environment = properties.get("Environment")
    variables = (environment or {}).get("Variables") if isinstance(environment, Mapping) else None
    if isinstance(variables, dict) and not intrinsic_name(variables):
        for name in [n for n in variables if n not in narrowing.env_keep]:
            document.delete_item(variables, name, (environment, "Variables"))
        if not variables:
            del environment["Variables"]
        if not environment:
            del properties["Environment"]


def apply_settings(properties: Any, chosen: dict[str, Any]) -> None:
    """Per-action settings win over what was copied from the monolith."""
    for name, value in chosen.items():
        properties[name] = value


def set_events(doc: TemplateDocument, function: Any, route: RoutePlan) -> None:
    """Plain functions have no Events: the routes are resources (``apply_resources``)."""


def narrow_monolith(monolith: Any, route: RoutePlan) -> None:
    """Nothing to narrow on the function itself: its routes were re-pointed as resources."""


def apply_resources(doc: TemplateDocument, splits: Iterable[ResourceSplit]) -> None:
    resources.apply_resources(doc, splits)


def retire(doc: TemplateDocument, monolith_id: str) -> list[str]:
    """Remove the monolith as SAM's dialect does; its role goes with it when the new functions
    have their own copies and nothing else in the template names it."""
    template_resources = doc.data["Resources"]
    role_id = _template_role(template_resources, (template_resources[monolith_id].get("Properties") or {}).get("Role"))
    removed = sam.retire(doc, monolith_id)
    if role_id is None:
        return removed
    copies = [i for i, r in template_resources.items()
              if ((r.get("Metadata") or {}).get("Strangler") or {}).get("SplitFrom") == role_id]
    if copies and not _other_users(doc.data, role_id, monolith_id):
        sam._drop_comment_above(template_resources, role_id)
        del template_resources[role_id]
        removed.append(f"{role_id} (the role only {monolith_id} used; each new function has its own copy)")
    return removed
