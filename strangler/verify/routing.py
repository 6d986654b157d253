"""Where would AWS deliver this event?  Answered from translated CloudFormation.

Everything here reads the output of :func:`strangler.verify.translate.translate` (plain
CloudFormation, after SAM has expanded ``Events``), never the SAM template and never
strangler's own code, so a test that routes events through it checks what AWS would
actually do with the generated template.

Every ``*_targets`` function returns the set of ``AWS::Lambda::Function`` logical ids
the event would reach; references through ``AWS::Lambda::Alias`` and
``AWS::Lambda::Version`` (``AutoPublishAlias``) are resolved to the function.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from strangler.verify.patterns import Leaf, leaf_matches, matches

Template = Mapping[str, Any]

FUNCTION = "AWS::Lambda::Function"
_POINTERS = ("AWS::Lambda::Alias", "AWS::Lambda::Version")
_SUB_VARIABLE = re.compile(r"\$\{([^}!]+)\}")
_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch"}
_ANY_METHOD = "x-amazon-apigateway-any-method"
_DEFAULT_ROUTE = "$default"


# --------------------------------------------------------------------------- resolution


def functions(cfn: Template) -> set[str]:
    """Logical ids of every Lambda function in the template."""
    return {rid for rid, res in _resources(cfn).items() if res.get("Type") == FUNCTION}


def function_of(cfn: Template, reference: Any) -> str | None:
    """The function a target/endpoint/integration reference ends up invoking.

    Understands ``Ref``, ``Fn::GetAtt [X, Arn]`` (list or dotted string) and
    ``Fn::Sub`` strings such as SAM's integration URIs; follows aliases and versions
    to their ``FunctionName``.  Literal ARNs and unknown shapes give ``None``.
    """
    for logical_id in _referenced_ids(reference):
        resolved = _follow_pointers(cfn, logical_id)
        if resolved is not None:
            return resolved
    return None


def _referenced_ids(reference: Any) -> Iterator[str]:
    if not isinstance(reference, Mapping) or len(reference) != 1:
        return
    (kind, value), = reference.items()
    if kind == "Ref" and isinstance(value, str):
        yield value
    elif kind == "Fn::GetAtt":
        parts = value.split(".", 1) if isinstance(value, str) else list(value)
        if len(parts) == 2 and parts[1] == "Arn":
            yield parts[0]
    elif kind == "Fn::Join" and isinstance(value, list) and len(value) == 2 and isinstance(value[1], list):
        for part in value[1]:  # ["", ["arn:...functions/", {Fn::GetAtt: [X, Arn]}, "/invocations"]]
            yield from _referenced_ids(part)
    elif kind == "Fn::Sub":
        text, variables = (value, {}) if isinstance(value, str) else (value[0], value[1] if len(value) > 1 else {})
        for variable in _SUB_VARIABLE.findall(text):
            if variable in variables:  # ["...${Fn}...", {Fn: !GetAtt X.Arn}]
                yield from _referenced_ids(variables[variable])
                continue
            name, _, attribute = variable.partition(".")
            if attribute in ("", "Arn"):
                yield name


def _follow_pointers(cfn: Template, logical_id: str, depth: int = 0) -> str | None:
    resource = _resources(cfn).get(logical_id)
    if resource is None or depth > 5:
        return None
    if resource.get("Type") == FUNCTION:
        return logical_id
    if resource.get("Type") in _POINTERS:
        target = resource.get("Properties", {}).get("FunctionName")
        for inner in _referenced_ids(target):
            return _follow_pointers(cfn, inner, depth + 1)
    return None


def _resources(cfn: Template) -> Mapping[str, Mapping[str, Any]]:
    resources: Mapping[str, Mapping[str, Any]] = cfn.get("Resources", {})
    return resources


def _of_type(cfn: Template, type_name: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for logical_id, resource in _resources(cfn).items():
        if resource.get("Type") == type_name:
            yield logical_id, resource.get("Properties", {})


def _as_json(value: Any) -> Any:
    """EventPattern / FilterPolicy may be an object or a JSON string."""
    return json.loads(value) if isinstance(value, str) else value


# --------------------------------------------------------------------------- EventBridge


def eventbridge_targets(cfn: Template, event: Mapping[str, Any], bus: str | None = None) -> set[str]:
    """Functions targeted by every enabled rule whose ``EventPattern`` matches ``event``.

    ``bus`` restricts to rules on one bus: a logical id (``EventBusName: !Ref id``) or a
    literal name; ``"default"`` also selects rules with no ``EventBusName``.
    """
    found: set[str] = set()
    for _, props in _of_type(cfn, "AWS::Events::Rule"):
        if "EventPattern" not in props or props.get("State", "ENABLED") != "ENABLED":
            continue
        if bus is not None and not _on_bus(props.get("EventBusName"), bus):
            continue
        if matches(_as_json(props["EventPattern"]), event):
            found |= _resolved(cfn, (t.get("Arn") for t in props.get("Targets", [])))
    return found


def _on_bus(bus_name: Any, wanted: str) -> bool:
    if bus_name is None:
        return wanted == "default"
    if isinstance(bus_name, Mapping) and "Fn::GetAtt" in bus_name:
        target = bus_name["Fn::GetAtt"]
        return bool((target.split(".", 1)[0] if isinstance(target, str) else target[0]) == wanted)
    return bool(bus_name == wanted or bus_name == {"Ref": wanted})


def _resolved(cfn: Template, references: Iterable[Any]) -> set[str]:
    return {fn for fn in (function_of(cfn, r) for r in references) if fn is not None}


# --------------------------------------------------------------------------- SNS


def sns_targets(cfn: Template, event: Mapping[str, Any], topic_id: str | None = None) -> set[str]:
    """Functions subscribed (protocol ``lambda``) whose filter policy accepts a record.

    ``event`` is the Lambda-side SNS event (``Records[].Sns``).  Subscriptions come
    from ``AWS::SNS::Subscription`` resources, which is also what SAM emits for a
    function's ``SNS`` event (inline ``Subscription`` blocks on ``AWS::SNS::Topic`` are
    read too).  ``topic_id`` keeps only subscriptions to ``{"Ref": topic_id}``.
    """
    found: set[str] = set()
    for subscription in _lambda_subscriptions(cfn):
        if topic_id is not None and subscription.topic != {"Ref": topic_id}:
            continue
        if any(subscription.accepts(record["Sns"]) for record in event.get("Records", [])):
            found.add(subscription.function)
    return found


@dataclass(frozen=True)
class _Subscription:
    function: str
    topic: Any
    policy: Mapping[str, Any] | None
    scope: str

    def accepts(self, sns: Mapping[str, Any]) -> bool:
        """Apply the filter policy the way SNS does for the chosen scope."""
        if not self.policy:
            return True
        if self.scope == "MessageBody":
            try:
                body = json.loads(sns.get("Message", ""))
            except ValueError:
                return False
            return matches(self.policy, body, anything_but_all=True)
        if self.scope != "MessageAttributes":
            raise ValueError(f"unknown FilterPolicyScope {self.scope!r}")
        return _attributes_match(self.policy, sns.get("MessageAttributes") or {})


def _lambda_subscriptions(cfn: Template) -> Iterator[_Subscription]:
    for _, props in _of_type(cfn, "AWS::SNS::Subscription"):
        if str(props.get("Protocol", "")).lower() == "lambda":
            yield from _subscription(cfn, props, props.get("TopicArn"))
    for topic_id, props in _of_type(cfn, "AWS::SNS::Topic"):
        for inline in props.get("Subscription", []):
            if str(inline.get("Protocol", "")).lower() == "lambda":
                yield from _subscription(cfn, inline, {"Ref": topic_id})


def _subscription(cfn: Template, props: Mapping[str, Any], topic: Any) -> Iterator[_Subscription]:
    function = function_of(cfn, props.get("Endpoint"))
    if function is not None:
        policy = _as_json(props.get("FilterPolicy"))
        scope = props.get("FilterPolicyScope", "MessageAttributes")
        yield _Subscription(function, topic, policy, scope)


def _attributes_match(policy: Mapping[str, Any], attributes: Mapping[str, Any]) -> bool:
    """Attribute scope: a flat policy (plus ``$or``) over typed message attributes."""
    for key, rules in policy.items():
        if key == "$or":
            if not any(_attributes_match(branch, attributes) for branch in rules):
                return False
        elif isinstance(rules, Mapping):
            raise ValueError("nested filter policies need FilterPolicyScope: MessageBody")
        elif not leaf_matches(rules, _attribute_leaf(attributes.get(key)), anything_but_all=True):
            return False
    return True


def _attribute_leaf(attribute: Mapping[str, Any] | None) -> Leaf:
    """Typed values of one message attribute; SNS ignores Binary values."""
    if attribute is None:
        return Leaf(present=False)
    kind, raw = attribute.get("Type", "String"), str(attribute.get("Value", ""))
    if kind == "Number":
        return Leaf(present=True, values=[float(raw)])
    if kind == "String.Array":
        decoded = json.loads(raw)
        return Leaf(present=True, values=decoded if isinstance(decoded, list) else [decoded])
    if kind == "String":
        return Leaf(present=True, values=[raw])
    return Leaf(present=True)


# --------------------------------------------------------------------------- API Gateway


@dataclass(frozen=True)
class Route:
    """One (method, path) of an API; ``method`` is upper case or ``ANY``."""

    method: str
    path: str
    function: str | None


def http_routes(cfn: Template, api_id: str) -> list[Route]:
    """Routes of an ``AWS::ApiGatewayV2::Api`` or ``AWS::ApiGateway::RestApi`` ``Body``:
    SAM's, or an OpenAPI definition's (inline, or an ``AWS::Include`` that
    :func:`strangler.verify.translate.translate` inserted). A route's function is None when
    API Gateway may not invoke it: SAM adds an ``AWS::Lambda::Permission`` for its own
    events only, so one for a definition's integration must be in the template."""
    body = _resources(cfn)[api_id].get("Properties", {}).get("Body") or {}
    if "Fn::Transform" in body:
        raise ValueError(f"{api_id}: the definition is included from {body['Fn::Transform']}, not inserted")
    routes: list[Route] = []
    for path, operations in (body.get("paths") or {}).items():
        for key, operation in operations.items():
            method = "ANY" if key == _ANY_METHOD else key.upper()
            if key == _ANY_METHOD or key.lower() in _HTTP_METHODS:
                uri = (operation.get("x-amazon-apigateway-integration") or {}).get("uri")
                function = function_of(cfn, uri)
                routes.append(Route(method, path, function if _may_invoke(cfn, function, api_id) else None))
    routes += raw_http_routes(cfn, api_id)
    return routes


def _may_invoke(cfn: Template, function: str | None, api_id: str) -> bool:
    """A permission lets API Gateway invoke ``function`` (for ``api_id``, or any source)."""
    for _, props in _of_type(cfn, "AWS::Lambda::Permission"):
        if function is None or function_of(cfn, props.get("FunctionName")) != function:
            continue
        if props.get("Principal") != "apigateway.amazonaws.com":
            continue
        if "SourceArn" not in props or api_id in set(_all_ids(props["SourceArn"])):
            return True
    return False






def raw_http_routes(cfn: Template, api_id: str) -> list[Route]:
    """Routes written as ``AWS::ApiGatewayV2::Route`` resources of the API, each reaching the
    function of the ``AWS::ApiGatewayV2::Integration`` its ``Target`` (``integrations/<id>``)
    names, through the integration's ``IntegrationUri`` (a GetAtt, a Sub or a Join)."""
    routes: list[Route] = []
    for _, props in _of_type(cfn, "AWS::ApiGatewayV2::Route"):
        if props.get("ApiId") != {"Ref": api_id}:
            continue
        integration = _integration_of(cfn, props.get("Target"))
        uri = (_resources(cfn).get(integration or "", {}).get("Properties") or {}).get("IntegrationUri")
        key = str(props.get("RouteKey", ""))
        method, _, path = key.partition(" ")
        function = next((f for f in (function_of(cfn, ref) for ref in _joined_references(uri)) if f), None)
        routes.append(Route(method.upper(), path, function) if path else Route("ANY", key, function))
    return routes


def _integration_of(cfn: Template, target: Any) -> str | None:
    """``integrations/<id>`` written as a Join or a Sub: the integration's logical id."""
    if isinstance(target, Mapping) and "Fn::Join" in target:
        delimiter, parts = target["Fn::Join"]
        if delimiter == "/" and len(parts) == 2 and parts[0] == "integrations" and isinstance(parts[1], Mapping):
            return parts[1].get("Ref")
    if isinstance(target, Mapping) and isinstance(target.get("Fn::Sub"), str):
        found = re.fullmatch(r"integrations/\$\{([^}.]+)\}", target["Fn::Sub"])
        return found.group(1) if found else None
    return None


def _joined_references(value: Any) -> Iterator[Any]:
    """``value`` itself, or the parts of a ``Fn::Join`` that may name the function."""
    if isinstance(value, Mapping) and "Fn::Join" in value:
        yield from (part for part in value["Fn::Join"][1] if isinstance(part, Mapping))
    else:
        yield value


def standalone_targets(cfn: Template) -> set[str]:
    """Functions a rule, a subscription or an HTTP API integration delivers to."""
    found: set[str] = set()
    for _, props in _of_type(cfn, "AWS::Events::Rule"):
        found |= _resolved(cfn, (t.get("Arn") for t in props.get("Targets", [])))
    for subscription in _lambda_subscriptions(cfn):
        found.add(subscription.function)
    for _, props in _of_type(cfn, "AWS::ApiGatewayV2::Integration"):
        found |= _resolved(cfn, _joined_references(props.get("IntegrationUri")))
    return found


def unpermitted(cfn: Template) -> list[str]:
    """Standalone routes to a function that no ``AWS::Lambda::Permission`` lets the service
    use (EventBridge, SNS and API Gateway drop such deliveries): rules, subscriptions and
    integrations, each as ``<resource> -> <function>``."""
    missing = []
    checks = (
        ("AWS::Events::Rule", "events.amazonaws.com", lambda rid, props: [t.get("Arn") for t in props.get("Targets", [])],
         lambda rid, props: {rid}),
        ("AWS::SNS::Subscription", "sns.amazonaws.com", lambda rid, props: [props.get("Endpoint")],
         lambda rid, props: set(_referenced_ids(props.get("TopicArn")))),
        ("AWS::ApiGatewayV2::Integration", "apigateway.amazonaws.com",
         lambda rid, props: list(_joined_references(props.get("IntegrationUri"))),
         lambda rid, props: set(_referenced_ids(props.get("ApiId")))),
    )
    for kind, principal, references, sources in checks:
        for logical_id, props in _of_type(cfn, kind):
            for function in _resolved(cfn, references(logical_id, props)):
                if not _permitted(cfn, function, principal, sources(logical_id, props)):
                    missing.append(f"{logical_id} -> {function}")
    return missing


def _permitted(cfn: Template, function: str, principal: str, sources: set[str]) -> bool:
    for _, props in _of_type(cfn, "AWS::Lambda::Permission"):
        if function_of(cfn, props.get("FunctionName")) != function or props.get("Principal") != principal:
            continue
        arn = props.get("SourceArn")
        if arn is None or set(_referenced_ids(arn)) & sources:
            return True
    return False




def _all_ids(value: Any) -> Iterator[str]:
    """Every logical id a value names (Ref, GetAtt, Sub strings and their variables)."""
    if isinstance(value, Mapping):
        if set(value) == {"Ref"} and isinstance(value["Ref"], str):
            yield value["Ref"]
            return
        if set(value) == {"Fn::Sub"}:
            arg = value["Fn::Sub"]
            text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1] if len(arg) > 1 else {})
            yield from (name.split(".", 1)[0] for name in _SUB_VARIABLE.findall(text))
            for item in variables.values():
                yield from _all_ids(item)
            return
        if set(value) == {"Fn::GetAtt"}:
            target = value["Fn::GetAtt"]
            yield target.split(".", 1)[0] if isinstance(target, str) else target[0]
            return
        for item in value.values():
            yield from _all_ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _all_ids(item)


def http_targets(cfn: Template, event: Mapping[str, Any], api_id: str | None = None) -> set[str]:
    """The function an HTTP API (payload 2.0) request is routed to, per API.

    Route selection follows API Gateway HTTP APIs: the most specific path wins
    (literal segments over ``{param}`` over greedy ``{proxy+}``, longer greedy
    prefixes first); on the same path an explicit method beats ``ANY``; ``$default``
    catches the rest.  ``api_id`` limits to one API; otherwise an ``apiId`` in the
    request context naming an API resource is used; otherwise every API is asked
    (each API is a separate endpoint, so several functions may come back).
    """
    context = event.get("requestContext", {})
    method = context.get("http", {}).get("method", "")
    path = _strip_stage(event.get("rawPath") or context.get("http", {}).get("path", "/"), context)
    found: set[str] = set()
    for api in _apis(cfn, "AWS::ApiGatewayV2::Api", api_id, context.get("apiId")):
        route = select_route(http_routes(cfn, api), method, path, allow_default=True)
        if route is not None and route.function is not None:
            found.add(route.function)
    return found


def rest_targets(cfn: Template, event: Mapping[str, Any], api_id: str | None = None) -> set[str]:
    """The function a REST API (payload 1.0: ``httpMethod``, ``path``) request reaches.

    REST APIs pick the most specific matching *resource* first and only then the
    method on it (explicit, else ``ANY``); a resource that lacks the method is a 403
    rather than a fall-back to a less specific resource.  REST has no ``$default``.
    """
    found: set[str] = set()
    context = event.get("requestContext", {})
    for api in _apis(cfn, "AWS::ApiGateway::RestApi", api_id, context.get("apiId")):
        route = select_route(
            http_routes(cfn, api), event.get("httpMethod", ""), event.get("path", "/"),
            allow_default=False, resource_first=True,
        )
        if route is not None and route.function is not None:
            found.add(route.function)
    return found


def _apis(cfn: Template, type_name: str, wanted: str | None, from_event: str | None) -> list[str]:
    """APIs to ask: the one named by the caller, else the event's, else all of them."""
    ids = [logical_id for logical_id, _ in _of_type(cfn, type_name)]
    if wanted is not None:
        if wanted not in ids:
            raise ValueError(f"no {type_name} named {wanted!r}; have {ids}")
        return [wanted]
    return [from_event] if from_event in ids else ids


def _strip_stage(path: str, context: Mapping[str, Any]) -> str:
    """Payload 2.0 ``rawPath`` carries a named stage as its first segment."""
    stage = context.get("stage")
    if stage and stage != "$default" and (path == f"/{stage}" or path.startswith(f"/{stage}/")):
        return path[len(stage) + 1:] or "/"
    return path


def select_route(
    routes: Iterable[Route], method: str, path: str, *,
    allow_default: bool, resource_first: bool = False,
) -> Route | None:
    """Pick the route API Gateway would use for ``method path`` (``None``: no route).

    ``resource_first`` gives REST semantics: only the most specific matching path
    is considered, so a missing method there is a miss, not a fall-back.
    """
    routes = list(routes)
    ranked = [
        (rank, route)
        for route in routes
        if route.path != _DEFAULT_ROUTE and (rank := _path_rank(route.path, path)) is not None
    ]
    if resource_first and ranked:
        best = max(rank for rank, _ in ranked)
        ranked = [(rank, route) for rank, route in ranked if rank == best]
    allowed = [
        (rank, route.method != "ANY", route)
        for rank, route in ranked
        if route.method in (method.upper(), "ANY")
    ]
    if allowed:
        return max(allowed, key=lambda candidate: candidate[:2])[2]
    defaults = [r for r in routes if r.path == _DEFAULT_ROUTE] if allow_default else []
    return defaults[0] if defaults else None


def _path_rank(template: str, path: str) -> tuple[int, ...] | None:
    """A sortable specificity of ``template`` for ``path``; ``None`` if no match.

    Literal segments score 2, ``{param}`` 1; a greedy ``{name+}`` tail scores 0 and
    must swallow at least one segment.  Exact matches (no greedy tail) outrank all
    greedy ones via the leading flag; longer greedy prefixes outrank shorter ones.
    """
    wanted, actual = _segments(template), _segments(path)
    greedy = bool(wanted) and wanted[-1].startswith("{") and wanted[-1].endswith("+}")
    fixed = wanted[:-1] if greedy else wanted
    if (len(actual) <= len(fixed)) if greedy else (len(actual) != len(fixed)):
        return None
    scores = []
    for pattern, segment in zip(fixed, actual, strict=False):
        if pattern.startswith("{") and pattern.endswith("}"):
            scores.append(1)
        elif pattern == segment:
            scores.append(2)
        else:
            return None
    return (0 if greedy else 1, len(fixed), *scores)


def _segments(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def method_routes(cfn: Template, api_id: str) -> list[Route]:
    """Routes of a REST API declared as ``AWS::ApiGateway::Method`` resources, served by its
    stage: each method's path is its ``AWS::ApiGateway::Resource`` chain (``PathPart`` up
    to ``RootResourceId``). When the template deploys the API (an ``AWS::ApiGateway::Deployment``
    a Stage serves), only the methods that deployment depends on are served: CloudFormation
    takes the snapshot after them, and a method it does not wait for may be missing from it."""
    served = _deployed_methods(cfn, api_id)
    routes = []
    for logical_id, props in _of_type(cfn, "AWS::ApiGateway::Method"):
        if _single_id(props.get("RestApiId")) != api_id or (served is not None and logical_id not in served):
            continue
        integration = props.get("Integration") or {}
        target = _integration_function(cfn, integration.get("Uri"))
        routes.append(Route(str(props.get("HttpMethod", "")).upper(), _resource_path(cfn, props.get("ResourceId")), target))
    return routes


def _deployed_methods(cfn: Template, api_id: str) -> set[str] | None:
    stages = [props for _, props in _of_type(cfn, "AWS::ApiGateway::Stage") if _single_id(props.get("RestApiId")) == api_id]
    deployments = {_single_id(stage.get("DeploymentId")) for stage in stages}
    if not deployments:
        return None
    served: set[str] = set()
    for deployment in deployments:
        resource = _resources(cfn).get(str(deployment)) or {}
        depends = resource.get("DependsOn") or []
        served |= {depends} if isinstance(depends, str) else set(depends)
    return served


def _single_id(reference: Any) -> str | None:
    if isinstance(reference, Mapping) and set(reference) == {"Ref"}:
        return str(reference["Ref"])
    return None


def _resource_path(cfn: Template, reference: Any, depth: int = 0) -> str:
    if isinstance(reference, Mapping) and "Fn::GetAtt" in reference:
        target = reference["Fn::GetAtt"]
        attribute = target.split(".", 1)[1] if isinstance(target, str) else target[1]
        if attribute == "RootResourceId":
            return "/"
    logical_id = _single_id(reference)
    resource = _resources(cfn).get(str(logical_id)) or {}
    if resource.get("Type") != "AWS::ApiGateway::Resource" or depth > 20:
        raise ValueError(f"not a resource chain: {reference!r}")
    props = resource.get("Properties", {})
    parent = _resource_path(cfn, props.get("ParentId"), depth + 1)
    return parent.rstrip("/") + "/" + str(props.get("PathPart"))


def _integration_function(cfn: Template, uri: Any) -> str | None:
    """The function an integration URI invokes: ``!Sub ...${Fn.Arn}...`` or a ``!Join`` of parts."""
    if isinstance(uri, Mapping) and set(uri) == {"Fn::Join"}:
        found = {function_of(cfn, part) for part in uri["Fn::Join"][1]} - {None}
        return found.pop() if len(found) == 1 else None
    return function_of(cfn, uri)


def rest_method_targets(cfn: Template, event: Mapping[str, Any], api_id: str | None = None) -> set[str]:
    """``rest_targets`` for REST APIs whose routes are ``AWS::ApiGateway::Method`` resources."""
    found: set[str] = set()
    context = event.get("requestContext", {})
    for api in _apis(cfn, "AWS::ApiGateway::RestApi", api_id, context.get("apiId")):
        route = select_route(
            [*http_routes(cfn, api), *method_routes(cfn, api)], event.get("httpMethod", ""), event.get("path", "/"),
            allow_default=False, resource_first=True,
        )
        if route is not None and route.function is not None:
            found.add(route.function)
    return found


def _has_method_resources(cfn: Template) -> bool:
    return any(True for _ in _of_type(cfn, "AWS::ApiGateway::Method"))


# --------------------------------------------------------------------------- SQS


def sqs_targets(cfn: Template, event: Mapping[str, Any]) -> set[str]:
    """Functions whose enabled event source mapping reads the queue the records came from.

    A queue CloudFormation names is ``<stack>-<LogicalId>-<suffix>``: the record's
    ``eventSourceARN`` names the queue by its ``QueueName`` or by that logical id.
    """
    name = event["Records"][0]["eventSourceARN"].rsplit(":", 1)[-1]
    queues = {
        logical_id for logical_id, props in _of_type(cfn, "AWS::SQS::Queue")
        if props.get("QueueName") == name or f"-{logical_id}-" in f"-{name}-"
    }
    found: set[str] = set()
    for _, props in _of_type(cfn, "AWS::Lambda::EventSourceMapping"):
        if props.get("Enabled", True) is False:
            continue
        if props.get("FilterCriteria"):
            raise ValueError("filtered SQS mappings are not modelled: Lambda deletes what a filter rejects")
        if set(_referenced_ids(props.get("EventSourceArn"))) & queues:
            found |= _resolved(cfn, [props.get("FunctionName")])
    return found


# --------------------------------------------------------------------------- DynamoDB / Kinesis streams


def stream_targets(cfn: Template, event: Mapping[str, Any]) -> set[str]:
    """Functions whose enabled event source mapping on the records' stream admits them.

    Every mapping of a stream reads every record; its ``FilterCriteria`` (alternatives,
    each a JSON pattern over the record; for Kinesis over ``{"data": <decoded JSON>}``)
    decides whether the function gets it. A record that some mapping takes but that
    reaches no function, or a batch whose records disagree, is an error.
    """
    found: set[str] = set()
    reached_by_record = []
    for record in event.get("Records", []):
        reached = stream_record_targets(cfn, record)
        if len(reached) > 1:
            raise AssertionError(f"record {record.get('eventID')} reaches {sorted(reached)}: filters overlap")
        reached_by_record.append(reached)
        found |= reached
    if found and not all(reached_by_record):
        raise AssertionError("a record of the batch reaches no function while others do: filters leave a gap")
    return found


def stream_record_targets(cfn: Template, record: Mapping[str, Any]) -> set[str]:
    """Every function a mapping on the record's stream delivers the record to."""
    source = _stream_source(cfn, record)
    document = _filtered_document(record)
    found: set[str] = set()
    for _, props in _of_type(cfn, "AWS::Lambda::EventSourceMapping"):
        if props.get("Enabled", True) is False or not _reads(props.get("EventSourceArn"), source):
            continue
        filters = (props.get("FilterCriteria") or {}).get("Filters")
        if filters is not None and not any(matches(_as_json(f["Pattern"]), document) for f in filters):
            continue
        found |= _resolved(cfn, [props.get("FunctionName")])
    return found


def _stream_source(cfn: Template, record: Mapping[str, Any]) -> tuple[str, str]:
    """``(logical id or arn, kind)`` of the table or Kinesis stream the record came from.

    CloudFormation names a table ``<stack>-<LogicalId>-<suffix>`` unless ``TableName``
    (``Name`` for a Kinesis stream) says otherwise.
    """
    arn = record["eventSourceARN"]
    if record.get("eventSource") == "aws:dynamodb":
        name, kind, property_name = arn.split(":table/", 1)[1].split("/stream/", 1)[0], "AWS::DynamoDB::Table", "TableName"
    else:
        name, kind, property_name = arn.split(":stream/", 1)[1], "AWS::Kinesis::Stream", "Name"
    for logical_id, props in _of_type(cfn, kind):
        if props.get(property_name) == name or (property_name not in props and f"-{logical_id}-" in f"-{name}-"):
            return logical_id, arn
    return "", arn


def _reads(source_arn: Any, source: tuple[str, str]) -> bool:
    logical_id, arn = source
    if isinstance(source_arn, str):
        return source_arn == arn
    if isinstance(source_arn, Mapping) and "Fn::GetAtt" in source_arn:
        target = source_arn["Fn::GetAtt"]
        parts = target.split(".", 1) if isinstance(target, str) else list(target)
        return bool(logical_id) and parts[0] == logical_id and parts[1] in ("StreamArn", "Arn")
    return False


def _filtered_document(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """What a filter pattern is matched against: the DynamoDB record itself; for Kinesis,
    ``data`` decoded (Lambda filters Kinesis records on their JSON data only)."""
    if record.get("eventSource") != "aws:kinesis":
        return record
    try:
        return {"data": json.loads(base64.b64decode(record["kinesis"]["data"]))}
    except ValueError:
        return {}


# --------------------------------------------------------------------------- schedules


def schedule_targets(cfn: Template, event: Mapping[str, Any]) -> set[str]:
    """Functions a schedule sends exactly ``event`` to.

    EventBridge rules with a ``ScheduleExpression`` (what SAM writes for a ``Schedule``
    event) and EventBridge Scheduler schedules (``ScheduleV2``) deliver their target's
    ``Input`` as the whole event; a ``Fn::Sub`` Input is read with the parameters' defaults.
    Disabled rules and schedules deliver nothing.
    """
    found: set[str] = set()
    for _, props in _of_type(cfn, "AWS::Events::Rule"):
        if "ScheduleExpression" in props and props.get("State", "ENABLED") == "ENABLED":
            for target in props.get("Targets", []):
                if _input_of(cfn, target) == event:
                    found |= _resolved(cfn, [target.get("Arn")])
    for _, props in _of_type(cfn, "AWS::Scheduler::Schedule"):
        target = props.get("Target") or {}
        if props.get("State", "ENABLED") == "ENABLED" and _input_of(cfn, target) == event:
            found |= _resolved(cfn, [target.get("Arn")])
    return found


def _input_of(cfn: Template, target: Mapping[str, Any]) -> Any:
    """The event a schedule's target delivers: its Input parsed (None without one)."""
    text = target.get("Input")
    if isinstance(text, Mapping) and "Fn::Sub" in text:
        text = _SUB_VARIABLE.sub(lambda m: str(_parameter_default(cfn, m.group(1))), text["Fn::Sub"])
    return json.loads(text) if isinstance(text, str) else None


def _parameter_default(cfn: Template, name: str) -> Any:
    parameter = (cfn.get("Parameters") or {}).get(name)
    if parameter is None or "Default" not in parameter:
        raise ValueError(f"a schedule's Input uses ${{{name}}}, which is no parameter with a default")
    return parameter["Default"]


def _has_schedule_inputs(cfn: Template) -> bool:
    rules = (t for _, p in _of_type(cfn, "AWS::Events::Rule") for t in p.get("Targets", []))
    schedules = ((p.get("Target") or {}) for _, p in _of_type(cfn, "AWS::Scheduler::Schedule"))
    return any("Input" in target for target in (*rules, *schedules))


# --------------------------------------------------------------------------- Cognito

# The LambdaConfig trigger of a trigger source, by the source's prefix (Amazon Cognito
# Developer Guide, "Connecting Lambda triggers to user pool functional operations").
_COGNITO_TRIGGERS = {"TokenGeneration": "PreTokenGeneration"}


def cognito_targets(cfn: Template, event: Mapping[str, Any]) -> set[str]:
    """Functions the user pools call for the event's ``triggerSource``: the function of its
    trigger in each pool's ``LambdaConfig`` (SAM writes ``Cognito`` events there). Every pool
    is asked: a scenario keeps each trigger on one pool."""
    prefix = str(event["triggerSource"]).partition("_")[0]
    trigger = _COGNITO_TRIGGERS.get(prefix, prefix)
    found: set[str] = set()
    for _, props in _of_type(cfn, "AWS::Cognito::UserPool"):
        entry = (props.get("LambdaConfig") or {}).get(trigger)
        if isinstance(entry, Mapping) and "LambdaArn" in entry:
            entry = entry["LambdaArn"]
        if entry is not None:
            found |= _resolved(cfn, [entry])
    return found


def other_targets(cfn: Template, event: Mapping[str, Any]) -> set[str] | None:
    """Events with no shape of their own: a user pool trigger's, or a schedule's Input.
    None: not such an event."""
    if "triggerSource" in event and "userPoolId" in event:
        return cognito_targets(cfn, event)
    if _has_schedule_inputs(cfn):
        return schedule_targets(cfn, event)
    return None


# --------------------------------------------------------------------------- dispatch


# --------------------------------------------------------------------------- AppSync


def appsync_targets(cfn: Template, event: Mapping[str, Any]) -> set[str]:
    """Functions AppSync calls for a resolver event: the unit resolvers of the event's
    ``info.parentTypeName`` and ``info.fieldName`` (or the Lambda data sources of a
    pipeline resolver's functions), through their ``AWS_LAMBDA`` data sources.

    A data source is named by ``Fn::GetAtt [DS, Name]`` or by its literal ``Name``.
    """
    info = event["info"]
    found: set[str] = set()
    for _, props in _of_type(cfn, "AWS::AppSync::Resolver"):
        if props.get("TypeName") != info["parentTypeName"] or props.get("FieldName") != info["fieldName"]:
            continue
        if props.get("Kind") == "PIPELINE":
            names = [_function_data_source(cfn, f) for f in props.get("PipelineConfig", {}).get("Functions", [])]
        else:
            names = [props.get("DataSourceName")]
        for name in names:
            source = _data_source(cfn, name)
            if source is not None and source.get("Type") == "AWS_LAMBDA":
                found |= _resolved(cfn, [source.get("LambdaConfig", {}).get("LambdaFunctionArn")])
    return found


def _data_source(cfn: Template, name: Any) -> Mapping[str, Any] | None:
    for logical_id, props in _of_type(cfn, "AWS::AppSync::DataSource"):
        target = name.get("Fn::GetAtt") if isinstance(name, Mapping) else None
        if target is not None:
            parts = target.split(".", 1) if isinstance(target, str) else list(target)
            if parts == [logical_id, "Name"]:
                return props
        elif isinstance(name, str) and props.get("Name") == name:
            return props
    return None


def _function_data_source(cfn: Template, reference: Any) -> Any:
    """The DataSourceName of the pipeline function ``Fn::GetAtt [F, FunctionId]`` names."""
    target = reference.get("Fn::GetAtt") if isinstance(reference, Mapping) else None
    if target is None:
        return None
    logical_id = target.split(".", 1)[0] if isinstance(target, str) else target[0]
    function = _resources(cfn).get(logical_id) or {}
    return function.get("Properties", {}).get("DataSourceName")


def targets(cfn: Template, event: Mapping[str, Any]) -> set[str]:
    """Route any supported event by its shape (EventBridge, SNS, HTTP API, REST API)."""
    if "detail-type" in event and "source" in event:
        return eventbridge_targets(cfn, event)
    records = event.get("Records")
    if records and all("Sns" in record for record in records):
        return sns_targets(cfn, event)
    if records and all(record.get("eventSource") == "aws:sqs" for record in records):
        return sqs_targets(cfn, event)
    if records and all(record.get("eventSource") in ("aws:dynamodb", "aws:kinesis") for record in records):
        return stream_targets(cfn, event)
    if event.get("version") == "2.0" or "rawPath" in event:
        return http_targets(cfn, event)
    if "httpMethod" in event and "path" in event and _has_method_resources(cfn):
        return rest_method_targets(cfn, event)
    if "httpMethod" in event and "path" in event:
        return rest_targets(cfn, event)
    if isinstance(event.get("info"), Mapping) and "fieldName" in event["info"]:
        return appsync_targets(cfn, event)
    if (found := other_targets(cfn, event)) is not None:
        return found
    raise ValueError(f"unrecognised event shape with keys {sorted(event)}")

