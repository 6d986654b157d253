"""AppSync: resolvers that reach the monolith through an ``AWS_LAMBDA`` data source.

An ``AWS::AppSync::Resolver`` resolves one field of one type (``TypeName``, ``FieldName``)
with the data source its ``DataSourceName`` names (``!GetAtt DS.Name``, or the data
source's literal ``Name``); the data source's ``LambdaConfig.LambdaFunctionArn`` is the
function, and AppSync calls it with the data source's ``ServiceRoleArn``. An action's
resolvers leave the monolith when the new function gets a data source of its own (a copy
of the monolith's, named after it) and each of those resolvers' ``DataSourceName`` is
re-pointed at it. The monolith's data source stays while any resolver still uses it and
goes with the monolith at retirement.

The service role: a role of the template whose statements name the monolith is copied
for each new function with those names re-pointed (so each role lets AppSync invoke one
function, and the monolith's goes with it); a role that does not name the monolith (a
wildcard) or one from outside the template is shared and reported: keep when in doubt.

Which resolvers carry an action depends on where the dispatch reads its key:

- ``info.parentTypeName+fieldName`` (``Type.field``: a Powertools ``AppSyncResolver``),
  ``info.fieldName`` or ``info.parentTypeName``: AppSync fills ``info`` from the resolver,
  so its ``TypeName``/``FieldName`` decide;
- ``field`` (the Amplify style payload ``{"field": ..., "arguments": ...}``): the request
  mapping template (or APPSYNC_JS code) builds it, so its ``field`` entry decides: a
  literal or ``$ctx.info.fieldName``; anything else is refused.

A pipeline resolver reaches the monolith through a pipeline function
(``AWS::AppSync::FunctionConfiguration``) on the data source: the new function gets a copy
of that function on its data source, and the resolver's ``PipelineConfig.Functions`` item
is re-pointed at the copy; the function's request template decides a payload ``field``.
Pipeline functions on the data source that nothing calls any more go with it at
retirement.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from strangler.model import DELETE, NESTED_SEPARATOR, EventPath, ResourceSplit
from strangler.sources.base import Refusal
from strangler.sources.resources.base import ResourceRoute
from strangler.template.document import TemplateDocument, copy_node
from strangler.template.intrinsics import intrinsic, referenced_ids
from strangler.template.invokers import Invoker

# The key of a dispatch on type and field at once, written ``Type.field`` (``Query.getPost``),
# as Powertools registers its resolvers.
TYPE_AND_FIELD = EventPath(("info", "parentTypeName+fieldName"))
_FIELD = ("info", "fieldName")
_TYPE = ("info", "parentTypeName")
_PAYLOAD_FIELD = ("field",)

RESOLVER = "AWS::AppSync::Resolver"
PIPELINE_FUNCTION = "AWS::AppSync::FunctionConfiguration"
ROLE = "AWS::IAM::Role"
_POLICIES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")


def type_and_field(type_name: str, field_name: str) -> str:
    """The key of one resolver: ``Query.getPost``."""
    return f"{type_name}.{field_name}"


class DataSources(ResourceRoute):
    kinds = ("AWS::AppSync::DataSource",)

    def split(
        self, doc: TemplateDocument, invoker: Invoker, key: str, path: EventPath, new_id: str, where: str
    ) -> ResourceSplit:
        resources = doc.data["Resources"]
        ds_id = invoker.logical_id
        carries = _matcher(path, key, invoker, where)
        moving = [rid for rid, resolver in _resolvers_using(doc, ds_id, where) if carries(rid, resolver)]
        functions = _pipeline_functions(doc, ds_id, where)
        pipelines = [(rid, calls) for rid, resolver, calls in _pipelines_using(doc, functions, where)
                     if carries(rid, _as_called(resolver, functions[calls[0][1]]))]
        if not moving and not pipelines:
            _refuse_unresolved(doc, key, path, carries, where)
            return ResourceSplit(ds_id)
        base = new_id.removesuffix("Function") or new_id
        new_ds_id = _free_id(doc, f"{base}{ds_id}", where)
        added, role_note = _data_source_copy(doc, invoker, key, new_id, base, new_ds_id, where)
        copies: dict[str, str] = {}
        for fn in dict.fromkeys(fn for _, calls in pipelines for _, fn in calls):
            copies[fn] = _free_id(doc, f"{base}{fn}", where)
            added.append((copies[fn], _function_copy(doc, fn, ds_id, new_ds_id, copies[fn], key)))
        pipeline_edits = [
            ((rid, "Properties", "PipelineConfig", "Functions", index), doc.get_att(copies[fn], "FunctionId"))
            for rid, calls in pipelines for index, fn in calls
        ]
        edits = [((rid, "Properties", "DataSourceName"), doc.get_att(new_ds_id, "Name")) for rid in moving]
        for rid in moving:  # waiting for the monolith's data source (a literal name): wait for its own
            depends = resources[rid].get("DependsOn")
            if depends is not None and ds_id in _depends_on(resources[rid]):
                renamed = _retarget(copy_node(depends), lambda name: new_ds_id if name == ds_id else None, True)
                edits.append(((rid, "DependsOn"), renamed))
        shown = ", ".join(f"{rid} ({_field_of(resources[rid])})" for rid in [*moving, *(rid for rid, _ in pipelines)])
        if copies:
            shown += f" (its pipeline calling {', '.join(copies.values())}, copied for it)"
        return ResourceSplit(
            ds_id,
            added=tuple(added),
            edits=tuple(edits + pipeline_edits),
            note=f"{new_ds_id} added for {new_id}; {shown} re-pointed at it{role_note}",
            delivers=True,
        )

    def retire(self, doc: TemplateDocument, invoker: Invoker, where: str) -> ResourceSplit | None:
        ds_id = invoker.logical_id
        functions = _pipeline_functions(doc, ds_id, where)
        left = [*_resolvers_using(doc, ds_id, where),
                *((rid, resolver) for rid, resolver, _ in _pipelines_using(doc, functions, where))]
        if left:
            shown = ", ".join(f"{rid} ({_field_of(resolver)})" for rid, resolver in left)
            raise Refusal(
                f"{shown} still resolve{'s' if len(left) == 1 else ''} through {ds_id}, which calls "
                f"{invoker.function_id}: retiring it would leave {'that field' if len(left) == 1 else 'those fields'} "
                "with nothing to call",
                where=where,
                hint="give each of those fields a branch or resolver of its own in the handler and run again, "
                "or keep the monolith (migrate --keep-monolith)",
            )
        resources = doc.data["Resources"]
        others = _mentioning(doc, ds_id, besides=(ds_id, *functions))
        if others:
            raise Refusal(
                f"{', '.join(others)} refer{'s' if len(others) == 1 else ''} to {ds_id}, which goes with "
                f"{invoker.function_id}: that would leave a dangling reference",
                where=where,
                hint=f"point {'it' if len(others) == 1 else 'them'} at one of the new data sources, or keep the "
                "monolith (migrate --keep-monolith)",
            )
        # Pipeline functions on it that no resolver calls any more go with it.
        edits: tuple[tuple[tuple[str | int, ...], Any], ...] = tuple(((fn,), DELETE) for fn in functions)
        note = "removed with the monolith it called" + (f", with {', '.join(functions)}" if functions else "")
        role_id = _role_id(doc, resources[ds_id].get("Properties") or {})
        # The role let AppSync invoke the monolith: with nothing else using it, it goes too.
        if role_id is not None and _names_function(doc, resources[role_id], invoker.function_id) \
                and not _mentioning(doc, role_id, besides=(ds_id, role_id)):
            edits += (((role_id,), DELETE),)
            note += f", and its service role {role_id} (it let AppSync invoke only {invoker.function_id})"
        return ResourceSplit(ds_id, replacement=DELETE, edits=edits, note=note)


def _data_source_copy(
    doc: TemplateDocument, invoker: Invoker, key: str, new_id: str, base: str, new_ds_id: str, where: str
) -> tuple[list[tuple[str, Any]], str]:
    """The new function's data source (a copy of the monolith's pointed at it) and, when
    the monolith's service role must be copied, that role; with a note on the role."""
    ds_id = invoker.logical_id
    source = doc.data["Resources"][ds_id]
    properties = source.get("Properties") or {}
    rename = _renamer(doc, invoker.function_id, new_id)
    copy = doc.new_map({"Type": source["Type"]})
    for attribute in ("Condition", "DependsOn"):
        if attribute in source:
            copy[attribute] = copy_node(source[attribute])
    copy["Metadata"] = _metadata(doc, source, ds_id, key)
    copy["Properties"] = copy_node(properties)
    copy["Properties"]["Name"] = new_ds_id  # data source names are unique in an API
    arn = _retarget(copy_node((properties.get("LambdaConfig") or {}).get("LambdaFunctionArn")), rename)
    if new_id not in {name.split(".", 1)[0] for name in referenced_ids(arn)}:
        raise Refusal(
            f"{ds_id} names {invoker.function_id} by its ARN or name, not as a resource of the template, "
            "so a copy for the new function cannot be pointed at it",
            where=where,
            hint=f"write LambdaConfig.LambdaFunctionArn as !GetAtt {invoker.function_id}.Arn, then run again",
        )
    copy["Properties"]["LambdaConfig"]["LambdaFunctionArn"] = arn
    added: list[tuple[str, Any]] = [(new_ds_id, copy)]
    if "ServiceRoleArn" not in properties:
        return added, ""
    role_arn, role, role_note = _service_role(doc, invoker, properties["ServiceRoleArn"], base, key, rename, where)
    copy["Properties"]["ServiceRoleArn"] = role_arn
    if role is not None:
        old_role, new_role = _role_id(doc, properties), role[0]
        if "DependsOn" in copy:  # waiting for the monolith's role: wait for its own
            copy["DependsOn"] = _retarget(copy["DependsOn"], lambda name: new_role if name == old_role else None, True)
        added.append(role)
    return added, role_note


# --- which resolvers carry the action -------------------------------------------------------
_Carries = Callable[[str, Mapping[str, Any]], bool]


def _matcher(path: EventPath, key: str, invoker: Invoker, where: str) -> _Carries:
    """Whether a resolver (id, resource) sends the action's events, by where the key is read."""
    parts = path.parts
    if parts == TYPE_AND_FIELD.parts or (path.is_nested and {p.parts for p in path.levels} == {_TYPE, _FIELD}):
        # Type.field, or a dispatch on the type and then on the field (or the other way round)
        separator = "." if parts == TYPE_AND_FIELD.parts else NESTED_SEPARATOR
        first, found, second = key.partition(separator)
        if not found:
            raise Refusal(f"the action {key!r} is not written Type{separator}field", where=where)
        type_name, field_name = (first, second) if parts == TYPE_AND_FIELD.parts or path.levels[0].parts == _TYPE else (second, first)
        return lambda rid, r: _named(r, "TypeName", rid, where) == type_name and _named(r, "FieldName", rid, where) == field_name
    if parts == _FIELD:
        return lambda rid, r: _named(r, "FieldName", rid, where) == key
    if parts == _TYPE:
        return lambda rid, r: _named(r, "TypeName", rid, where) == key
    if parts == _PAYLOAD_FIELD:
        return lambda rid, r: _payload_field(rid, r, where) == key
    raise Refusal(
        f"{invoker.describe()}, but the handler reads its key from {path}: AppSync chooses a function per "
        "resolver (type and field), not by that",
        where=where,
        hint="dispatch on event['info']['fieldName'] (or with a Powertools AppSyncResolver), or "
        + invoker.advice,
    )


def _refuse_unresolved(doc: TemplateDocument, key: str, path: EventPath, carries: _Carries, where: str) -> None:
    """No resolver of the template, on any data source or API, sends the action: a new
    function would get nothing (say so, rather than blame the data source)."""
    candidates: list[tuple[str, Mapping[str, Any]]] = []
    for rid, resource in (doc.data.get("Resources") or {}).items():
        if not isinstance(resource, Mapping):
            continue
        if resource.get("Type") == RESOLVER:
            candidates.append((rid, resource))
        elif resource.get("Type") == "AWS::Serverless::GraphQLApi":
            for type_name, fields in ((resource.get("Properties") or {}).get("Resolvers") or {}).items():
                for relid, resolver in (fields or {}).items():
                    plain = {"TypeName": type_name, "FieldName": (resolver or {}).get("FieldName", relid)}
                    candidates.append((f"{rid} Resolvers.{type_name}.{relid}", {"Properties": plain}))
    for rid, resolver in candidates:
        try:
            if carries(rid, resolver):
                return
        except Refusal:
            return  # it may: whatever refuses is said where that resolver is routed
    raise Refusal(
        f"no AppSync resolver of the template resolves {key!r} (selected by {path}), so a new function would get nothing",
        where=where,
        hint="add the resolver for that field to the template first, or leave this action in the monolith",
    )


def _named(resolver: Mapping[str, Any], name: str, rid: str, where: str) -> str:
    value = (resolver.get("Properties") or {}).get(name)
    if not isinstance(value, str):
        raise Refusal(
            f"the {name} of resolver {rid} is not written out, so strangler cannot tell which field it resolves",
            where=_at(where, rid),
            hint=f"write {name} as a literal string",
        )
    return str(value)


_FIELD_ENTRY = re.compile(r"""["']?\bfield["']?\s*:\s*(?P<value>"[^"]*"|'[^']*'|[^,}\n]+)""")
_INFO_FIELD = re.compile(r"^\$?\{?(?:\$util\.toJson\()?\$?(?:ctx|context)\.info\.fieldName\)?\}?$")


def _payload_field(rid: str, resolver: Mapping[str, Any], where: str) -> str:
    """The ``field`` the resolver's request template (or code) puts in the payload."""
    properties = resolver.get("Properties") or {}
    text = properties.get("RequestMappingTemplate", properties.get("Code"))
    if text is None:
        hidden = next((n for n in ("RequestMappingTemplateS3Location", "CodeS3Location") if n in properties), None)
        reason = (f"its request template is in a file ({hidden})" if hidden
                  else "it is a direct Lambda resolver, whose event is the context with no 'field'")
        raise Refusal(
            f"the handler reads event['field'], but resolver {rid} does not say what it puts there: {reason}",
            where=_at(where, rid),
            hint="write the request mapping template inline with a \"field\" entry, or dispatch on event['info']['fieldName']",
        )
    found = intrinsic(text)
    template = found[1] if found is not None and found[0] == "Sub" and isinstance(found[1], str) else text
    entries = [m.group("value").strip() for m in _FIELD_ENTRY.finditer(str(template))] if isinstance(template, str) else []
    if len(entries) == 1:
        value = entries[0]
        if value[:1] in "\"'" and value[-1:] == value[:1]:
            inner = value[1:-1]
            if _INFO_FIELD.match(inner):
                return _named(resolver, "FieldName", rid, where)
            if "$" not in inner:
                return inner
        elif _INFO_FIELD.match(value):
            return _named(resolver, "FieldName", rid, where)
    raise Refusal(
        f"the handler reads event['field'], but strangler cannot tell what resolver {rid}'s request template puts there",
        where=_at(where, rid),
        hint="write the field as a literal (\"field\": \"getPost\") or as $ctx.info.fieldName",
    )


def _resolvers_using(doc: TemplateDocument, ds_id: str, where: str) -> list[tuple[str, Mapping[str, Any]]]:
    """The unit resolvers whose DataSourceName is this data source; refused when one of
    the API's resolvers names its data source in a way strangler cannot follow."""
    resources = doc.data["Resources"]
    source = resources[ds_id].get("Properties") or {}
    found = []
    for rid, resource in resources.items():
        if not isinstance(resource, Mapping) or resource.get("Type") != RESOLVER:
            continue
        properties = resource.get("Properties") or {}
        if str(properties.get("Kind", "UNIT")) == "PIPELINE":
            continue  # its functions name their data sources: see _pipelines_using
        uses = _names_data_source(properties.get("DataSourceName"), ds_id, source)
        if uses and isinstance(properties.get("DataSourceName"), str) and _same_api(properties.get("ApiId"), source.get("ApiId")) is False:
            uses = False  # a data source of the same name in another API
        if uses is None and _same_api(properties.get("ApiId"), source.get("ApiId")) is not False:
            raise Refusal(
                f"resolver {rid} names its data source in a way strangler cannot follow, so it may call "
                f"the monolith through {ds_id}",
                where=_at(where, rid),
                hint="write its DataSourceName as !GetAtt <DataSource>.Name (or the data source's literal Name)",
            )
        if uses:
            found.append((rid, resource))
    return found


def _names_data_source(value: Any, ds_id: str, source: Mapping[str, Any]) -> bool | None:
    """Whether a DataSourceName is this data source; None when it cannot be told."""
    if value is None:
        return False
    found = intrinsic(value)
    if found is not None and found[0] == "GetAtt" and isinstance(found[1], str):
        target, _, attribute = found[1].partition(".")
        return target == ds_id if attribute == "Name" else None
    if isinstance(value, str):
        name = source.get("Name")
        return value == name if isinstance(name, str) else None
    return None


def _same_api(one: Any, other: Any) -> bool | None:
    if one is None or other is None:
        return None
    ids, others = set(referenced_ids(one)), set(referenced_ids(other))
    if ids or others:
        return ids == others
    return one == other if isinstance(one, str) and isinstance(other, str) else None


def _pipeline_functions(doc: TemplateDocument, ds_id: str, where: str) -> dict[str, Mapping[str, Any]]:
    """The pipeline functions (``AWS::AppSync::FunctionConfiguration``) on this data source;
    refused when one of the API's functions names its data source in a way strangler
    cannot follow."""
    resources = doc.data["Resources"]
    source = resources[ds_id].get("Properties") or {}
    found = {}
    for rid, resource in resources.items():
        if not isinstance(resource, Mapping) or resource.get("Type") != PIPELINE_FUNCTION:
            continue
        properties = resource.get("Properties") or {}
        name = properties.get("DataSourceName")
        uses = _names_data_source(name, ds_id, source)
        same_api = _same_api(properties.get("ApiId"), source.get("ApiId"))
        if uses and isinstance(name, str) and same_api is False:
            uses = False  # a data source of the same name in another API
        if uses is None and same_api is not False:
            raise Refusal(
                f"pipeline function {rid} names its data source in a way strangler cannot follow, so it may call "
                f"the monolith through {ds_id}",
                where=_at(where, rid),
                hint="write its DataSourceName as !GetAtt <DataSource>.Name (or the data source's literal Name)",
            )
        if uses:
            found[rid] = resource
    return found


def _pipelines_using(
    doc: TemplateDocument, functions: Mapping[str, Any], where: str
) -> list[tuple[str, Mapping[str, Any], list[tuple[int, str]]]]:
    """The pipeline resolvers that call ``functions``: (id, resolver, [(position, function)])."""
    if not functions:
        return []
    found = []
    for rid, resource in doc.data["Resources"].items():
        if not isinstance(resource, Mapping) or resource.get("Type") != RESOLVER:
            continue
        properties = resource.get("Properties") or {}
        if str(properties.get("Kind", "UNIT")) != "PIPELINE":
            continue
        calls = []
        for index, item in enumerate((properties.get("PipelineConfig") or {}).get("Functions") or ()):
            found_intrinsic = intrinsic(item)
            target = found_intrinsic[1].partition(".")[0] if found_intrinsic and found_intrinsic[0] == "GetAtt" else None
            if target is None:
                raise Refusal(
                    f"pipeline resolver {rid} calls a function strangler cannot follow (not !GetAtt <Function>.FunctionId), "
                    "so it may call the monolith",
                    where=_at(where, rid),
                    hint="name each pipeline function with !GetAtt <Function>.FunctionId",
                )
            if target in functions:
                calls.append((index, target))
        if calls:
            found.append((rid, resource, calls))
    return found


def _as_called(resolver: Mapping[str, Any], function: Mapping[str, Any]) -> Mapping[str, Any]:
    """A pipeline resolver as its function on the data source calls Lambda: the resolver's
    type and field, the function's request template (it builds the payload)."""
    properties = dict(resolver.get("Properties") or {})
    for name in ("RequestMappingTemplate", "Code", "RequestMappingTemplateS3Location", "CodeS3Location"):
        properties.pop(name, None)
        if name in (function.get("Properties") or {}):
            properties[name] = function["Properties"][name]
    return {"Properties": properties}


def _function_copy(doc: TemplateDocument, fn: str, ds_id: str, new_ds_id: str, new_fn: str, key: str) -> Any:
    """A pipeline function for the new function: the monolith's, on the new data source."""
    original = doc.data["Resources"][fn]
    copy = doc.new_map({"Type": original["Type"]})
    for attribute in ("Condition", "DependsOn"):
        if attribute in original:
            copy[attribute] = _retarget(copy_node(original[attribute]), lambda n: new_ds_id if n == ds_id else None, True)
    copy["Metadata"] = _metadata(doc, original, ds_id, key)
    copy["Properties"] = copy_node(original.get("Properties") or doc.new_map())
    copy["Properties"]["DataSourceName"] = doc.get_att(new_ds_id, "Name")
    if "Name" in copy["Properties"]:
        copy["Properties"]["Name"] = new_fn
    return copy


def _depends_on(resource: Mapping[str, Any]) -> list[str]:
    depends = resource.get("DependsOn")
    return [str(depends)] if isinstance(depends, str) else [str(d) for d in depends or ()]


def _mentioning(doc: TemplateDocument, logical_id: str, besides: tuple[str, ...]) -> list[str]:
    """The resources (and Outputs) other than ``besides`` that refer to ``logical_id``."""
    found = []
    for rid, resource in (doc.data.get("Resources") or {}).items():
        if rid in besides or not isinstance(resource, Mapping):
            continue
        named = {n.split(".", 1)[0] for n in referenced_ids(resource)} | set(_depends_on(resource))
        if logical_id in named:
            found.append(rid)
    for name, output in (doc.data.get("Outputs") or {}).items():
        if logical_id in {n.split(".", 1)[0] for n in referenced_ids(output)}:
            found.append(f"Output {name}")
    return found


def _field_of(resolver: Mapping[str, Any]) -> str:
    properties = resolver.get("Properties") or {}
    return type_and_field(str(properties.get("TypeName")), str(properties.get("FieldName")))


# --- the new data source's service role ------------------------------------------------------
def _service_role(
    doc: TemplateDocument, invoker: Invoker, arn: Any, base: str, key: str, rename: Callable[[str], str | None],
    where: str,
) -> tuple[Any, tuple[str, Any] | None, str]:
    """The new data source's ServiceRoleArn, the role added for it (or None: shared), and a note."""
    resources = doc.data["Resources"]
    role_id = _role_id(doc, {"ServiceRoleArn": arn})
    if role_id is None:
        return copy_node(arn), None, (
            "; it shares the monolith's service role, which is not a role of this template: "
            "make sure it may invoke the new function"
        )
    role = resources[role_id]
    if not _names_function(doc, role, invoker.function_id):
        return copy_node(arn), None, (
            f"; it shares the service role {role_id}, whose statements do not name {invoker.function_id}: "
            "make sure they cover the new function"
        )
    for pid, policy in resources.items():
        if isinstance(policy, Mapping) and policy.get("Type") in _POLICIES and pid != role_id:
            named = {n.split(".", 1)[0] for n in referenced_ids(policy)}
            if role_id in named and _names_function(doc, policy, invoker.function_id):
                raise Refusal(
                    f"{pid} ({policy.get('Type')}) lets {role_id} invoke {invoker.function_id}: a copy of the role "
                    "for the new function would not get it",
                    where=_at(where, pid),
                    hint=f"move the statement into {role_id}'s Policies, then run again",
                )
    new_role_id = _free_id(doc, f"{base}{role_id}", where)
    copy = doc.new_map({"Type": role["Type"]})
    for attribute in ("Condition", "DependsOn"):
        if attribute in role:
            copy[attribute] = copy_node(role[attribute])
    copy["Metadata"] = _metadata(doc, role, invoker.logical_id, key)
    copy["Properties"] = _retarget(copy_node(role.get("Properties") or doc.new_map()), rename)
    note = f"; service role {new_role_id} copied from {role_id} for it"
    if "RoleName" in copy["Properties"]:
        del copy["Properties"]["RoleName"]
        note += " (without its RoleName: a name cannot be used twice)"
    new_arn = _retarget(copy_node(arn), lambda name: new_role_id if name.split(".", 1)[0] == role_id else None)
    return new_arn, (new_role_id, copy), note


def _role_id(doc: TemplateDocument, properties: Mapping[str, Any]) -> str | None:
    """The template role a ServiceRoleArn names (``!GetAtt Role.Arn``), if any."""
    resources = doc.data["Resources"]
    arn = properties.get("ServiceRoleArn")
    ids = {name.split(".", 1)[0] for name in referenced_ids(arn)}
    roles = [i for i in ids if isinstance(resources.get(i), Mapping) and resources[i].get("Type") == ROLE]
    return roles[0] if len(roles) == 1 and len(ids) == 1 else None


def _names_function(doc: TemplateDocument, resource: Any, function_id: str) -> bool:
    """Whether ``resource`` (or any value) refers to the function."""
    return any(_is_function(doc, name, function_id) for name in referenced_ids(resource))


def _is_function(doc: TemplateDocument, name: str, function_id: str) -> bool:
    """``name`` is the function or an id SAM derives from it (``<Id>Alias<name>``)."""
    name = name.split(".", 1)[0]
    return name == function_id or (name.startswith(function_id) and name not in doc.data["Resources"])


def _renamer(doc: TemplateDocument, function_id: str, new_id: str) -> Callable[[str], str | None]:
    def rename(name: str) -> str | None:
        head = name.split(".", 1)[0]
        if _is_function(doc, head, function_id):
            return new_id + head[len(function_id):]
        return None

    return rename


# --- building the copies ---------------------------------------------------------------------
def _metadata(doc: TemplateDocument, original: Mapping[str, Any], split_from: str, key: str) -> Any:
    metadata = doc.new_map()
    for name, value in (original.get("Metadata") or {}).items():
        if name != "Strangler":
            metadata[name] = copy_node(value)
    metadata["Strangler"] = doc.new_map({"SplitFrom": split_from, "Action": key})
    return metadata


def _free_id(doc: TemplateDocument, wanted: str, where: str) -> str:
    resources = doc.data["Resources"]
    if wanted in resources:
        raise Refusal(f"the template already has a resource {wanted}, the id the new function's copy needs", where=where,
                      hint=f"rename {wanted}, then run again")
    return wanted


_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9]+)((?:\.[A-Za-z0-9.]+)?)\}")


def _retarget(node: Any, rename: Callable[[str], str | None], plain_names: bool = False) -> Any:
    """``node`` (a copy: changed in place) with every Ref, GetAtt and ``${}`` of a renamed id
    re-pointed; ``plain_names`` renames plain strings too (a DependsOn list)."""
    if plain_names and isinstance(node, str) and intrinsic(node) is None:
        new = rename(str(node))
        return new if new is not None else node
    found = intrinsic(node)
    if found is None:
        if isinstance(node, dict):
            for name in list(node):
                node[name] = _retarget(node[name], rename, plain_names)
        elif isinstance(node, list):
            for index in range(len(node)):
                node[index] = _retarget(node[index], rename, plain_names)
        return node
    kind, _arg = found
    if kind in ("Ref", "GetAtt"):
        return _rename_scalar_arg(node, kind, rename)
    if kind == "Sub":
        return _rename_sub(node, rename)
    # Another function (!If, !Join, !Select...): its arguments may hold references.
    if isinstance(node, dict):
        for name in list(node):
            node[name] = _retarget(node[name], rename, plain_names)
    elif isinstance(node, list):
        for index in range(len(node)):
            node[index] = _retarget(node[index], rename, plain_names)
    return node


def _rename_scalar_arg(node: Any, kind: str, rename: Callable[[str], str | None]) -> Any:
    def renamed(text: str) -> str:
        head, dot, rest = text.partition(".")
        new = rename(head)
        return f"{new}{dot}{rest}" if new is not None else text

    if hasattr(node, "tag") and hasattr(node, "value") and isinstance(node.value, str):
        node.value = renamed(node.value)  # !Ref X, !GetAtt X.Arn
    elif isinstance(node, list) and node and isinstance(node[0], str):
        node[0] = rename(node[0]) or node[0]  # !GetAtt [X, Arn]
    elif isinstance(node, dict):
        (long, arg), = node.items()
        if isinstance(arg, str):
            node[long] = renamed(arg) if kind == "GetAtt" else (rename(arg) or arg)
        elif isinstance(arg, list) and arg and isinstance(arg[0], str):
            arg[0] = rename(arg[0]) or arg[0]
    return node


def _rename_sub(node: Any, rename: Callable[[str], str | None]) -> Any:
    def renamed(text: str) -> str:
        return _SUB_NAME.sub(lambda m: "${" + (rename(m.group(1)) or m.group(1)) + m.group(2) + "}", text)

    if hasattr(node, "tag") and hasattr(node, "value") and isinstance(node.value, str):
        node.value = renamed(node.value)
        return node
    arg = node["Fn::Sub"] if isinstance(node, dict) else node
    if isinstance(arg, str) and isinstance(node, dict):
        node["Fn::Sub"] = renamed(arg)
    elif isinstance(arg, list) and arg and isinstance(arg[0], str):
        arg[0] = renamed(arg[0])
        if len(arg) > 1:
            arg[1] = _retarget(arg[1], rename)
    return node


def _at(where: str, logical_id: str) -> str:
    prefix = where.partition("Resources.")[0] if "Resources." in where else ""
    return f"{prefix}Resources.{logical_id}"


class ServerlessGraphQLApis(ResourceRoute):
    """``AWS::Serverless::GraphQLApi``: data sources, pipeline functions and resolvers in one
    resource. SAM resolvers are pipelines of ``Functions``; a function's ``DataSource`` is
    the id of one of ``DataSources.Lambda``. An action's resolvers get, for each of their
    functions on the monolith's data source, a copy of that function on a new Lambda data
    source for the new function (SAM makes its service role and the connector that lets it
    invoke, unless ``ServiceRoleArn`` is given: then as for a data source above)."""

    kinds = ("AWS::Serverless::GraphQLApi",)

    def split(
        self, doc: TemplateDocument, invoker: Invoker, key: str, path: EventPath, new_id: str, where: str
    ) -> ResourceSplit:
        api_id = invoker.logical_id
        api = _Api(doc, invoker, where)
        carries = _matcher(path, key, invoker, where)
        moving = [(type_name, relid, fns) for type_name, relid, resolver, fns in api.resolvers_on_monolith()
                  if carries(f"{api_id} Resolvers.{type_name}.{relid}", resolver)]
        if not moving:
            _refuse_unresolved(doc, key, path, carries, where)
            return ResourceSplit(api_id)
        base = new_id.removesuffix("Function") or new_id
        rename = _renamer(doc, invoker.function_id, new_id)
        properties = ("Properties",)
        edits: list[tuple[tuple[str | int, ...], Any]] = []
        added: list[tuple[str, Any]] = []
        notes: list[str] = []
        new_sources: dict[str, str] = {}
        for source in dict.fromkeys(api.functions[fn]["DataSource"] for _, _, fns in moving for fn in fns):
            new_source = _free_key(api.lambdas, f"{base}{source}", api_id, "DataSources.Lambda", where)
            entry = copy_node(api.lambdas[source])
            entry["FunctionArn"] = _retarget(entry["FunctionArn"], rename)
            if "Name" in entry:
                entry["Name"] = new_source  # data source names are unique in an API
            if "ServiceRoleArn" in entry:
                role_arn, role, role_note = _service_role(doc, invoker, entry["ServiceRoleArn"], base, key, rename, where)
                entry["ServiceRoleArn"] = role_arn
                added += [role] if role is not None else []
                notes.append(role_note.lstrip("; "))
            edits.append(((api_id, *properties, "DataSources", "Lambda", new_source), entry))
            new_sources[source] = new_source
        new_functions: dict[str, str] = {}
        for fn in dict.fromkeys(fn for _, _, fns in moving for fn in fns):
            new_fn = _free_key(api.functions, f"{fn}{base}", api_id, "Functions", where)
            copy = copy_node(api.functions[fn])
            copy["DataSource"] = new_sources[api.functions[fn]["DataSource"]]
            if "Name" in copy:
                del copy["Name"]  # its id names it, as for every function SAM makes
            edits.append(((api_id, *properties, "Functions", new_fn), copy))
            new_functions[fn] = new_fn
        for type_name, relid, _ in moving:
            pipeline = api.resolvers[type_name][relid]["Pipeline"]
            for index, fn in enumerate(pipeline):
                if fn in new_functions:
                    edits.append(((api_id, *properties, "Resolvers", type_name, relid, "Pipeline", index), new_functions[fn]))
        shown = ", ".join(f"Resolvers.{t}.{r}" for t, r, _ in moving)
        note = (f"DataSources.Lambda.{', '.join(new_sources.values())} and Functions.{', '.join(new_functions.values())} "
                f"added for {new_id}; {shown} re-pointed at them")
        return ResourceSplit(api_id, added=tuple(added), edits=tuple(edits),
                             note="; ".join([note, *[n for n in notes if n]]), delivers=True)

    def retire(self, doc: TemplateDocument, invoker: Invoker, where: str) -> ResourceSplit | None:
        api_id = invoker.logical_id
        api = _Api(doc, invoker, where)
        left = api.resolvers_on_monolith()
        if left:
            shown = ", ".join(f"Resolvers.{t}.{r}" for t, r, _, _ in left)
            raise Refusal(
                f"{shown} of {api_id} still call{'s' if len(left) == 1 else ''} {invoker.function_id} through "
                f"DataSources.Lambda.{', '.join(api.monolith_sources)}: retiring it would leave "
                f"{'that field' if len(left) == 1 else 'those fields'} with nothing to call",
                where=where,
                hint="give each of those fields a branch or resolver of its own in the handler and run again, "
                "or keep the monolith (migrate --keep-monolith)",
            )
        properties = ("Properties",)
        edits: list[tuple[tuple[str | int, ...], Any]] = []
        gone_functions = [fn for fn, f in api.functions.items() if f.get("DataSource") in api.monolith_sources]
        for fn in gone_functions:  # no resolver uses them any more
            edits.append(((api_id, *properties, "Functions", fn), DELETE))
        if len(gone_functions) == len(api.functions):
            edits = [((api_id, *properties, "Functions"), DELETE)]
        for source in api.monolith_sources:
            edits.append(((api_id, *properties, "DataSources", "Lambda", source), DELETE))
            role_id = _role_id(doc, api.lambdas[source])
            if role_id is not None and _names_function(doc, doc.data["Resources"][role_id], invoker.function_id) \
                    and not _mentioning(doc, role_id, besides=(api_id, role_id)):
                edits.append(((role_id,), DELETE))
        if len(api.monolith_sources) == len(api.lambdas):
            others = [name for name in api.data_sources if name != "Lambda"]
            edits = [e for e in edits if e[0][:4] != (api_id, "Properties", "DataSources", "Lambda")]
            edits.append(((api_id, *properties, "DataSources") + (("Lambda",) if others else ()), DELETE))
        removed = ", ".join([*(f"DataSources.Lambda.{s}" for s in api.monolith_sources), *(f"Functions.{f}" for f in gone_functions)])
        return ResourceSplit(api_id, edits=tuple(edits), note=f"{removed} removed with the monolith they called")


class _Api:
    """The parts of a Serverless::GraphQLApi that reach the monolith."""

    def __init__(self, doc: TemplateDocument, invoker: Invoker, where: str) -> None:
        properties = doc.data["Resources"][invoker.logical_id].get("Properties") or {}
        self.data_sources = properties.get("DataSources") or {}
        self.lambdas = self.data_sources.get("Lambda") or {}
        self.functions = properties.get("Functions") or {}
        self.resolvers = properties.get("Resolvers") or {}
        if _names_function(doc, properties.get("Auth"), invoker.function_id):
            raise Refusal(
                f"{invoker.logical_id} uses {invoker.function_id} as its Lambda authorizer, which every request goes through",
                where=where, hint=invoker.advice,
            )
        self.monolith_sources = [
            name for name, entry in self.lambdas.items() if _names_function(doc, entry, invoker.function_id)
        ]
        named = invoker.how.removeprefix("DataSources.Lambda.") if invoker.how.startswith("DataSources.Lambda.") else None
        for name in [*self.monolith_sources, *([named] if named in self.lambdas and named not in self.monolith_sources else [])]:
            if not any(_is_function(doc, n, invoker.function_id) for n in referenced_ids(self.lambdas[name].get("FunctionArn"))):
                raise Refusal(
                    f"DataSources.Lambda.{name} of {invoker.logical_id} names {invoker.function_id} by its ARN or name, "
                    "so a copy for the new function cannot be pointed at it",
                    where=where, hint=f"write its FunctionArn as !GetAtt {invoker.function_id}.Arn, then run again",
                )
        self.on_monolith = set()
        for fn, function in self.functions.items():
            source = function.get("DataSource") if isinstance(function, Mapping) else None
            if not isinstance(source, str):
                raise Refusal(
                    f"Functions.{fn} of {invoker.logical_id} names its data source in a way strangler cannot follow",
                    where=where, hint="write its DataSource as the id of one of the API's DataSources",
                )
            if source in self.monolith_sources:
                self.on_monolith.add(fn)

    def resolvers_on_monolith(self) -> list[tuple[str, str, Mapping[str, Any], list[str]]]:
        """(type, resolver id, the resolver as a plain resolver, its functions on the monolith)."""
        found = []
        for type_name, fields in self.resolvers.items():
            for relid, resolver in (fields or {}).items():
                pipeline = [fn for fn in resolver.get("Pipeline") or () if fn in self.on_monolith]
                if not pipeline:
                    continue
                function = self.functions[pipeline[0]]
                plain: dict[str, Any] = {"TypeName": type_name, "FieldName": resolver.get("FieldName", relid)}
                if "InlineCode" in function:
                    plain["Code"] = function["InlineCode"]
                elif "CodeUri" in function:
                    plain["CodeS3Location"] = function["CodeUri"]
                found.append((str(type_name), str(relid), {"Properties": plain}, pipeline))
        return found


def _free_key(mapping: Mapping[str, Any], wanted: str, api_id: str, section: str, where: str) -> str:
    if wanted in mapping:
        raise Refusal(f"{api_id} already has {section}.{wanted}, the id the new function's copy needs", where=where,
                      hint=f"rename {section}.{wanted}, then run again")
    return wanted


DATA_SOURCES = DataSources()
GRAPHQL_APIS = ServerlessGraphQLApis()
