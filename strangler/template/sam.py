"""The SAM dialect: ``AWS::Serverless::Function`` resources and the ``Events`` they declare.

What the stages need of a SAM template (see ``dialect.py``): the events of a function, the
resources that deliver to it or refer to it, and the writes: the new function per action,
the monolith's narrowed events, its retirement.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from strangler.errors import StranglerError
from strangler.model import DELETE, Narrowing, RoutePlan
from strangler.template import document
from strangler.template.document import TemplateDocument
from strangler.template.functions import function_from
from strangler.template.intrinsics import (
    intrinsic,
    intrinsic_name,
    referenced_ids,
    shape,
)
from strangler.template.invokers import invokers_of  # noqa: F401  (a member of the dialect)
from strangler.template.resources import apply_resources  # noqa: F401  (a member of the dialect)

FUNCTION_TYPE = "AWS::Serverless::Function"

# Properties we set ourselves (FunctionName, which must be unique, is never copied: functions.py).
_OWN = ("CodeUri", "Handler", "Events", "InlineCode")
# Copying these would multiply a cost or a reservation per action; say so instead.
_NOT_MULTIPLIED = ("ReservedConcurrentExecutions", "ProvisionedConcurrencyConfig")


def function_globals(data: Mapping[str, Any], template: str) -> Mapping[str, Any]:
    """``Globals.Function``; SAM refuses a Globals section that is not a plain mapping."""
    globals_ = data.get("Globals")
    if globals_ is None:
        return {}
    if not isinstance(globals_, dict) or intrinsic_name(globals_):
        raise StranglerError(f"Globals is {shape(globals_)}; SAM expects a mapping of sections", where=f"{template}: Globals")
    function = globals_.get("Function")
    if function is None:
        return {}
    if not isinstance(function, dict) or intrinsic_name(function):
        raise StranglerError(
            f"Globals.Function is {shape(function)}; SAM expects a mapping of properties (intrinsic functions go inside it)",
            where=f"{template}: Globals.Function",
        )
    return function


def declared_code(resource: Any, globals_: Mapping[str, Any], code: str | None = None) -> tuple[str, str] | str:
    """(CodeUri, Handler) of a Python function whose code is a local folder, or why it is not
    one. ``globals_`` is what :func:`function_globals` read; the folder is for load to find.
    ``code`` is the folder ``--code`` gives for a function whose code is elsewhere (S3, an
    intrinsic): it stands in for the CodeUri, which stays as written."""
    properties = resource.get("Properties") or {}

    def setting(name: str) -> Any:
        return properties[name] if name in properties else globals_.get(name)

    if "InlineCode" in properties:
        return "its code is InlineCode in the template, not a folder"
    if setting("PackageType") == "Image" or "ImageUri" in properties:
        return "it is a container image (PackageType: Image)"
    runtime = setting("Runtime")
    if intrinsic_name(runtime):
        return f"its Runtime is {shape(runtime)}: strangler cannot tell that it is Python"
    if not isinstance(runtime, str) or not runtime.startswith("python"):
        return "it has no Runtime" if runtime is None else f"its Runtime {runtime} is not Python"
    handler = setting("Handler")
    if not isinstance(handler, str) or intrinsic_name(handler):
        return "it has no Handler" if handler is None else f"its Handler is {shape(handler)}, not module.function"
    elsewhere = code_elsewhere(resource, globals_)
    if elsewhere is not None:
        if code is not None:
            return code, handler
        code_uri = setting("CodeUri")
        if isinstance(code_uri, str):
            return f"its code is in S3 ({code_uri}), not a local folder; {CODE_HINT}"
        return f"its CodeUri is {shape(code_uri)} ({elsewhere}), not a local folder; {CODE_HINT}"
    code_uri = setting("CodeUri")
    if code_uri is None:
        code_uri = "."
    if not isinstance(code_uri, str):
        return f"its CodeUri is {shape(code_uri)}, not a local folder"
    return code_uri, handler


# What to do about code that is not a local folder (said by both dialects).
CODE_HINT = ("pass --code DIR, the folder its package is built from (--code LOGICAL_ID=DIR when "
             "several functions need one), or keep the code in a folder beside the template")


def code_elsewhere(resource: Any, globals_: Mapping[str, Any]) -> str | None:
    """Where the function's code is when its CodeUri is not a local folder (S3, an intrinsic
    function), as the report says it; None for a local folder (or no CodeUri at all)."""
    properties = resource.get("Properties") or {}
    code_uri = properties["CodeUri"] if "CodeUri" in properties else globals_.get("CodeUri")
    return remote_location(code_uri, "CodeUri", ("Bucket", "Key"))


def remote_location(code: Any, name: str, keys: tuple[str, str]) -> str | None:
    """``s3://bucket/key`` for an S3 location (a URI or a mapping of ``keys``), the shape of
    an intrinsic function, or None when ``code`` is not one of them."""
    if intrinsic_name(code):
        return f"{name} {shape(code)}"
    if isinstance(code, str):
        return code if code.startswith("s3://") else None
    if isinstance(code, Mapping) and any(key in code for key in keys):
        bucket, key = (code.get(k) for k in keys)
        if isinstance(bucket, str) and isinstance(key, str) and not intrinsic_name(bucket) and not intrinsic_name(key):
            return f"s3://{bucket}/{key}"
        return f"{name}.{keys[0]}/{keys[1]} in S3"
    return None


def events_of(resource: Any) -> Any:
    """The function's own ``Events``: what the event sources route."""
    return (resource.get("Properties") or {}).get("Events")


def new_function(
    doc: TemplateDocument,
    monolith_id: str,
    monolith: Any,
    key: str,
    code_uri: str,
    handler: str,
) -> tuple[Any, list[str]]:
    """The ``AWS::Serverless::Function`` for one action, built from the monolith's."""
    resource, notes = function_from(
        doc, monolith_id, monolith, key, "AWS::Serverless::Function", {"CodeUri": code_uri, "Handler": handler}, _OWN, _NOT_MULTIPLIED
    )
    properties = resource["Properties"]
    if "Role" in properties:
        notes.append(f"shares the explicit Role of {monolith_id}: narrow it by hand")
    return resource, notes


def apply_narrowing(properties: Any, narrowing: Narrowing) -> None:
    """Drop the environment variables and policies the action's code does not need."""
    environment = properties.get("Environment")
    variables = (environment or {}).get("Variables")
    if isinstance(variables, dict):
        for name in [n for n in variables if n not in narrowing.env_keep]:
            document.delete_item(variables, name, (environment, "Variables"))
        if not variables:
            del environment["Variables"]
        if not environment:
            del properties["Environment"]
    policies = properties.get("Policies")
    if isinstance(policies, list) and intrinsic(policies) is None and narrowing.policies:
        for index in reversed(range(len(policies))):
            if index not in narrowing.policy_keep:
                document.delete_item(policies, index, (properties, "Policies"))
        if not policies:
            del properties["Policies"]


def apply_settings(properties: Any, chosen: dict[str, Any]) -> None:
    """Per-action settings win over what was copied from the monolith."""
    for name, value in chosen.items():
        properties[name] = value


def set_events(doc: TemplateDocument, function: Any, route: RoutePlan) -> None:
    """Give a new function the events its route planned."""
    if route.new_events:
        events = doc.new_map()
        for name, event in route.new_events.items():
            events[name] = event
        function["Properties"]["Events"] = events


def narrow_monolith(monolith: Any, route: RoutePlan) -> None:
    """Apply a route's changes to the monolith's events, deleting emptied ones."""
    properties = monolith.get("Properties") or {}
    events = properties.get("Events")
    # What follows the monolith (a blank line, the next resource's comment) hangs on its
    # last event: when that event leaves whole, it stays with the monolith.
    leaving = any(replacement is DELETE for replacement in route.monolith_events.values())
    added = [name for name in route.monolith_events if events is not None and name not in events]
    separator = document.trailing_comment(monolith) if (leaving or added) and hasattr(monolith, "ca") else None
    if added and separator is not None:
        document.set_trailing_comment(monolith, None)  # it goes after the last event added
    for name, replacement in route.monolith_events.items():
        if replacement is DELETE:
            document.delete_item(events, name, (properties, "Events"))
        else:
            if name in added and hasattr(replacement, "ca"):
                document.set_trailing_comment(replacement, None)  # a copy carries its original's
            events[name] = replacement
    if events is not None and not events:
        del properties["Events"]
    if separator is not None and document.trailing_comment(monolith) is None:
        document.set_trailing_comment(monolith, separator)


def place_new_functions(resources: Any, monolith_id: str, new: list[tuple[str, Any]]) -> None:
    """Put the new functions after the monolith and the functions earlier runs made from it.

    So ``extract A`` then ``extract B`` orders the template like ``extract A B``. What
    followed the last of them (blank lines, the comment that introduces the next
    resource) moves to after the last new function; each new one gets a blank line.
    """
    if not new:
        return
    anchor = _last_extracted_after(resources, monolith_id)
    separator = document.trailing_comment(resources[anchor]) if hasattr(resources, "ca") else None
    previous = anchor
    for logical_id, resource in new:
        insert_after(resources, previous, logical_id, resource)
        previous = logical_id
    if not hasattr(resources, "ca"):
        return  # JSON: no blank lines to keep
    if separator is not None:
        document.set_trailing_comment(new[-1][1], separator)
    # The monolith was the last resource of the file: its new neighbours still get a blank line.
    for node in [resources[anchor], *(resource for _, resource in new[:-1])]:
        document.set_trailing_comment(node, document.blank_line_token())



def _last_extracted_after(resources: Any, monolith_id: str) -> str:
    keys = list(resources)
    anchor = monolith_id
    for logical_id in keys[keys.index(monolith_id) + 1 :]:
        strangler = ((resources[logical_id] or {}).get("Metadata") or {}).get("Strangler") or {}
        if strangler.get("ExtractedFrom") != monolith_id:
            break
        anchor = logical_id
    return anchor


def insert_after(mapping: Any, anchor: str, key: str, value: Any) -> None:
    """Insert ``key`` right after ``anchor`` (ruamel keeps the position; dicts are rebuilt)."""
    if hasattr(mapping, "insert"):
        position = list(mapping).index(anchor) + 1
        mapping.insert(position, key, value)
        return
    items = list(mapping.items())
    position = [k for k, _ in items].index(anchor) + 1
    items.insert(position, (key, value))
    mapping.clear()
    mapping.update(items)


def add_name_output(doc: TemplateDocument, logical_id: str, key: str) -> str:
    """An Output with the new function's name, for callers that invoke it directly."""
    outputs = doc.data.get("Outputs")
    if outputs is None:
        outputs = doc.new_map()
        doc.data["Outputs"] = outputs
    name = f"{logical_id}Name"
    outputs[name] = doc.new_map(
        {"Description": f"Function that handles {key!r}: direct-invoke callers must use it", "Value": doc.ref(logical_id)}
    )
    return name


def retire(doc: TemplateDocument, monolith_id: str) -> list[str]:
    """Remove the monolith; drop the Outputs that pointed at it (or at what was removed with
    it), refuse any other reference left dangling.

    The resources that watch it (log groups, alarms, IAM statements, DependsOn, a CORS
    preflight event) were handled before (``watchers.py``); what still names it here is
    something strangler does not know how to re-point.
    """
    resources = doc.data["Resources"]
    parameters = doc.data.get("Parameters") or {}
    staying = [name for name in resources if name != monolith_id]

    def dangling(name: str) -> bool:
        # SAM derives ids from the function's (Role, Alias, <Event>Permission...): a
        # reference to an id that starts with the monolith's and is not declared is one;
        # so is an id declared nowhere that no staying resource (nor SAM) can derive.
        name = name.split(".", 1)[0]
        if name == monolith_id or (name.startswith(monolith_id) and name not in resources):
            return True
        return not (
            name in resources or name in parameters or name.startswith(("AWS::", "Serverless"))
            or any(name.startswith(other) for other in staying)
        )

    def points_at_monolith(node: Any) -> bool:
        return any(dangling(name) for name in _references(node))

    blockers = [
        logical_id
        for logical_id, resource in resources.items()
        if logical_id != monolith_id and points_at_monolith(resource)
    ]
    if blockers:
        raise StranglerError(
            f"{', '.join(blockers)} refer{'s' if len(blockers) == 1 else ''} to {monolith_id} (or to what is removed "
            "with it); retiring it would leave a dangling reference",
            where=f"{doc.path.name}: Resources.{blockers[0]}",
            hint="point them at a new function first, or run migrate --keep-monolith",
        )
    removed = []
    outputs = doc.data.get("Outputs") or {}
    for name in [n for n, output in outputs.items() if points_at_monolith(output)]:
        del outputs[name]
        removed.append(f"Output {name} (it pointed at {monolith_id} or what was removed with it)")
    if "Outputs" in doc.data and not outputs:
        last = list(doc.data)[-1] == "Outputs"
        del doc.data["Outputs"]
        if last:
            _end_without_blank_line(doc.data)
    _drop_comment_above(resources, monolith_id)
    del resources[monolith_id]
    return removed


def _end_without_blank_line(data: Any) -> None:
    """The blank line that separated the removed last section goes with it."""
    if not hasattr(data, "ca") or not data:
        return
    node = data[list(data)[-1]]
    token = document.trailing_comment(node)
    if token is not None and not token.value.strip() and token.value.count("\n") > 1:
        ending = copy.copy(token)
        ending.value = "\n"
        document.set_trailing_comment(node, ending)


def _drop_comment_above(resources: Any, logical_id: str) -> None:
    """The comment lines right above a retired resource described it: they go too."""
    keys = list(resources)
    position = keys.index(logical_id)
    if position and hasattr(resources, "ca"):
        previous = resources[keys[position - 1]]
        document.without_comment_lines(document.trailing_comment(previous))


def custom_resources_using(template: Any, function_id: str) -> tuple[str, ...]:
    """Custom resources whose ServiceToken points at ``function_id``."""
    found = []
    for logical_id, resource in (template.get("Resources") or {}).items():
        kind = str((resource or {}).get("Type", ""))
        if kind == "AWS::CloudFormation::CustomResource" or kind.startswith("Custom::"):
            token = (resource.get("Properties") or {}).get("ServiceToken")
            if function_id in set(referenced_ids(token)):
                found.append(logical_id)
    return tuple(found)


def _references(node: Any) -> list[str]:
    found = list(referenced_ids(node))
    if isinstance(node, dict):
        depends = node.get("DependsOn")
        found += [depends] if isinstance(depends, str) else list(depends or [])
    return found
