"""Where would AWS deliver this event?  Answered from translated CloudFormation.

Everything here reads the output of :func:`tests.support.samcheck.translate` (plain
CloudFormation, after SAM has expanded ``Events``), never the SAM template and never
strangler's own code, so a test that routes events through it checks what AWS would
actually do with the generated template.

Every ``*_targets`` function returns the set of ``AWS::Lambda::Function`` logical ids
the event would reach; references through ``AWS::Lambda::Alias`` and
``AWS::Lambda::Version`` (``AutoPublishAlias``) are resolved to the function.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .patterns import Leaf, leaf_matches, matches

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
    elif kind == "Fn::Sub":
        text = value if isinstance(value, str) else value[0]
        for variable in _SUB_VARIABLE.findall(text):
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
    """Routes of an ``AWS::ApiGatewayV2::Api`` or ``AWS::ApiGateway::RestApi`` ``Body``."""
    body = _resources(cfn)[api_id].get("Properties", {}).get("Body") or {}
    routes: list[Route] = []
    for path, operations in (body.get("paths") or {}).items():
        for key, operation in operations.items():
            method = "ANY" if key == _ANY_METHOD else key.upper()
            if key == _ANY_METHOD or key.lower() in _HTTP_METHODS:
                uri = (operation.get("x-amazon-apigateway-integration") or {}).get("uri")
                routes.append(Route(method, path, function_of(cfn, uri)))
    return routes


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


def targets(cfn: Template, event: Mapping[str, Any]) -> set[str]:
    """Route any supported event by its shape (EventBridge, SNS, HTTP API, REST API)."""
    if "detail-type" in event and "source" in event:
        return eventbridge_targets(cfn, event)
    records = event.get("Records")
    if records and all("Sns" in record for record in records):
        return sns_targets(cfn, event)
    if records and all(record.get("eventSource") == "aws:sqs" for record in records):
        return sqs_targets(cfn, event)
    if event.get("version") == "2.0" or "rawPath" in event:
        return http_targets(cfn, event)
    if "httpMethod" in event and "path" in event:
        return rest_targets(cfn, event)
    if (found := other_targets(cfn, event)) is not None:
        return found
    raise ValueError(f"unrecognised event shape with keys {sorted(event)}")

