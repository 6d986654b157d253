"""Who delivers events to a function from outside its own ``Events``.

A SAM function's ``Events`` are what strangler routes. Anything else in the template that
makes a service call the function (a standalone rule, a subscription, an event source
mapping, an API integration, a data source, a trigger, a schedule, a pipe, a state
machine, a permission granted to a service) would keep calling the monolith after an
action leaves it, or nothing at all once the monolith is retired. Each resource kind has
one entry below, saying where it names the function and what to do instead, so that a
later change can turn an entry into a route.

A reference alone is not a delivery: an ``Output``, an IAM statement, an alarm on the
function's metrics or another function that calls it with the SDK (its callers switch to
the new function, as for any direct invoke) are not invokers. A resource of a kind
strangler does not know that names the function is counted as one: keep when in doubt.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from strangler.errors import StranglerError
from strangler.template.document import TemplateDocument
from strangler.template.intrinsics import intrinsic, referenced_ids

# Reads a file beside the template (``./openapi.yaml``) as the run has it; None if it cannot.
Reader = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Invoker:
    """One resource that delivers events to the function."""

    function_id: str
    logical_id: str
    kind: str  # the resource's Type
    how: str  # where it names the function, for people ("Targets[0].Arn")
    advice: str  # what to do before strangler can split the function

    def describe(self) -> str:
        return f"{self.logical_id} ({self.kind}) delivers events to {self.function_id} through {self.how}"


@dataclass(frozen=True)
class _Names:
    """Every way the template can name one function."""

    function_id: str
    aliases: frozenset[str]  # AWS::Lambda::Alias and ::Version resources of the function
    declared: frozenset[str]  # every resource and parameter id of the template
    physical: tuple[str, ...]  # its FunctionName, literal or as a !Sub template
    read: Reader | None = None  # how to read a file the template includes

    def is_function(self, name: str) -> bool:
        """``name`` (a Ref or GetAtt target) is the function, one of its aliases or versions,
        or an id SAM derives from it (``<Id>Alias<name>``, ``<Id>.Version``): an id that
        starts with the function's and is declared nowhere."""
        name = name.split(".", 1)[0]
        if name == self.function_id or name in self.aliases:
            return True
        return name.startswith(self.function_id) and name not in self.declared

    def named_by(self, value: Any) -> bool:
        if any(self.is_function(name) for name in referenced_ids(value)):
            return True
        return any(self._names_physically(text) for text in _texts(value))

    def _names_physically(self, text: str) -> bool:
        for name in self.physical:
            # An ARN (``...:function:billing-prod``, maybe with a qualifier, maybe inside an
            # integration uri: ``...:function:billing-prod/invocations``) or the bare name.
            if re.search(rf"(^|:function:){re.escape(name)}($|:|/invocations)", text):
                return True
        return False


_Finder = Callable[[Any, _Names], Iterator[str]]


@dataclass(frozen=True)
class _Kind:
    find: _Finder  # yields where the resource's properties name the function
    advice: str


def invokers_of(template: Mapping[str, Any], function_id: str, read: Reader | None = None) -> tuple[Invoker, ...]:
    """The resources of ``template`` that deliver events to ``function_id``, in template order.

    Custom resources are left out: their ServiceToken has a refusal of its own. ``read``
    reads the files the template includes (an API's OpenAPI definition); without it an
    included definition is one strangler cannot read.
    """
    resources = template.get("Resources") or {}
    if not isinstance(resources, Mapping) or function_id not in resources:
        return ()
    parameters = template.get("Parameters")
    declared = frozenset([*resources, *(parameters if isinstance(parameters, Mapping) else ())])
    names = _names_of(resources, declared, function_id, read)
    found: list[Invoker] = []
    for logical_id, resource in resources.items():
        if not isinstance(resource, Mapping):
            continue
        kind = str(resource.get("Type", ""))
        properties = resource.get("Properties")
        properties = properties if isinstance(properties, Mapping) else {}
        if logical_id == function_id:
            found += _own_url(logical_id, kind, {**_globals(template, kind), **properties})
            continue
        if logical_id in names.aliases:
            continue
        entry = _KINDS.get(kind)
        if _is_custom_resource(kind):
            entry = _CUSTOM
        elif entry is None:
            if kind in _PASSIVE or kind.startswith(_PASSIVE_PREFIXES):
                continue
            entry = _UNKNOWN
        for how in entry.find(properties, names):
            found.append(Invoker(function_id, logical_id, kind, how, entry.advice))
            break
    found += _apis_with_hidden_definitions(resources, function_id, read, {i.logical_id for i in found})
    return tuple(found)


def naming(
    template: Mapping[str, Any], function_id: str, read: Reader | None = None, also_declared: tuple[str, ...] = (),
) -> Callable[[Any], bool]:
    """Whether a value of ``template`` names ``function_id`` (Ref, GetAtt, Sub, an alias or
    version of it, its physical name): what makes a resource an invoker. ``also_declared``:
    ids about to be added (a new function), never taken for one SAM derives from it."""
    resources = template.get("Resources") or {}
    parameters = template.get("Parameters")
    declared = frozenset([*resources, *(parameters if isinstance(parameters, Mapping) else ()), *also_declared])
    return _names_of(resources, declared, function_id, read).named_by


# --- the names of a function ---------------------------------------------------------------
def _names_of(resources: Mapping[str, Any], declared: frozenset[str], function_id: str, read: Reader | None = None) -> _Names:
    aliases = set()
    for logical_id, resource in resources.items():
        if isinstance(resource, Mapping) and resource.get("Type") in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
            target = (resource.get("Properties") or {}).get("FunctionName")
            if function_id in {n.split(".", 1)[0] for n in referenced_ids(target)}:
                aliases.add(logical_id)
    function = resources[function_id]
    properties = (function.get("Properties") or {}) if isinstance(function, Mapping) else {}
    return _Names(function_id, frozenset(aliases), declared, _physical_names(properties), read)


def _physical_names(properties: Mapping[str, Any]) -> tuple[str, ...]:
    name = properties.get("FunctionName")
    if isinstance(name, str) and name:
        return (name,)
    found = intrinsic(name)
    if found is not None and found[0] == "Sub":
        template = found[1] if isinstance(found[1], str) else (found[1][0] if isinstance(found[1], list) and found[1] else None)
        if isinstance(template, str) and template:
            return (template,)
    return ()


def _texts(value: Any) -> Iterator[str]:
    """Every string ``value`` holds, ``!Sub`` templates as written and ``!Join``s joined
    (with ``${}`` standing for their non-literal parts)."""
    found = intrinsic(value)
    if found is not None and found[0] == "Sub":
        arg = found[1]
        if isinstance(arg, str):
            yield arg
        elif isinstance(arg, list):
            for item in arg:
                yield from _texts(item)
        return
    join = _join_args(value)
    if join is not None:
        delimiter, parts = join
        yield str(delimiter).join(part if isinstance(part, str) else "${}" for part in parts)
        for part in parts:
            if not isinstance(part, str):
                yield from _texts(part)
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _join_args(value: Any) -> tuple[Any, list] | None:
    tag = getattr(getattr(value, "tag", None), "value", getattr(value, "tag", None))
    if tag == "!Join" and isinstance(value, list):
        args = list(value)
    elif isinstance(value, Mapping) and len(value) == 1 and "Fn::Join" in value and isinstance(value["Fn::Join"], list):
        args = value["Fn::Join"]
    else:
        return None
    if len(args) == 2 and isinstance(args[1], list):
        return args[0], list(args[1])
    return None


# --- finders ------------------------------------------------------------------------------
def _at(*path: str) -> _Finder:
    """The function is named at ``path`` of the properties; ``[]`` walks a list."""

    def find(properties: Any, names: _Names) -> Iterator[str]:
        yield from _walk(properties, path, names, "")

    return find


def _walk(node: Any, path: tuple[str, ...], names: _Names, shown: str) -> Iterator[str]:
    if not path:
        if node is not None and names.named_by(node):
            yield shown or "its properties"
        return
    step, rest = path[0], path[1:]
    if step == "[]":
        if isinstance(node, list):
            for index, item in enumerate(node):
                yield from _walk(item, rest, names, f"{shown}[{index}]")
        return
    if step == "*":
        if isinstance(node, Mapping):
            for key, item in node.items():
                yield from _walk(item, rest, names, f"{shown}.{key}" if shown else str(key))
        return
    if isinstance(node, Mapping) and step in node:
        yield from _walk(node[step], rest, names, f"{shown}.{step}" if shown else step)


def _any_of(*finders: _Finder) -> _Finder:
    def find(properties: Any, names: _Names) -> Iterator[str]:
        for finder in finders:
            yield from finder(properties, names)

    return find


def _permission(properties: Any, names: _Names) -> Iterator[str]:
    """A permission for a service (or for a source ARN, an event source token or a
    function URL) means that source calls the function; one for an account or a role is
    how a direct caller is allowed in."""
    if not names.named_by(properties.get("FunctionName")):
        return
    principal = properties.get("Principal")
    service = any("amazonaws.com" in text for text in _texts(principal))
    action = str(properties.get("Action", ""))
    for reason, present in (
        (f"Principal {_shown(principal)}", service),
        ("SourceArn", "SourceArn" in properties),
        ("EventSourceToken", "EventSourceToken" in properties),
        ("a function URL permission", "FunctionUrlAuthType" in properties or action == "lambda:InvokeFunctionUrl"),
    ):
        if present:
            yield f"FunctionName with {reason}"
            return


def _shown(value: Any) -> str:
    texts = list(_texts(value))
    return texts[0] if len(texts) == 1 else "(an intrinsic)"


def _sns_subscription(properties: Any, names: _Names) -> Iterator[str]:
    if str(properties.get("Protocol", "lambda")).lower() == "lambda":
        yield from _at("Endpoint")(properties, names)


def _method_integration(properties: Any, names: _Names) -> Iterator[str]:
    """A REST API method's integration: by reference, or by the function's name in the URI's
    ARN (``...:function:<name>/invocations``)."""
    yield from _at("Integration")(properties, names)
    integration = properties.get("Integration")
    uri = integration.get("Uri") if isinstance(integration, Mapping) else None
    for text in _texts(uri):
        if any(f":function:{name}/invocations" in text or f":function:{name}:" in text for name in names.physical):
            yield "Integration.Uri (the function's name in its ARN)"
            return


def _state_machine(properties: Any, names: _Names) -> Iterator[str]:
    yield from _at("Definition")(properties, names)
    yield from _at("DefinitionString")(properties, names)
    yield from _at("DefinitionSubstitutions", "*")(properties, names)
    if "DefinitionUri" in properties or "DefinitionS3Location" in properties:
        # The definition is in a file strangler does not read: a policy that lets the
        # state machine invoke the function is the only sign it does.
        yield from (f"{how} (its definition is in a file)" for how in _at("Policies")(properties, names))
        yield from (f"{how} (its definition is in a file)" for how in _at("Role")(properties, names))


def _anywhere(properties: Any, names: _Names) -> Iterator[str]:
    for key, value in properties.items():
        if names.named_by(value):
            yield str(key)


def _besides_service_token(properties: Any, names: _Names) -> Iterator[str]:
    for key, value in properties.items():
        if key != "ServiceToken" and names.named_by(value):
            yield str(key)


def _globals(template: Mapping[str, Any], kind: str) -> Mapping[str, Any]:
    """``Globals.Function`` applies to every SAM function (a FunctionUrlConfig there too)."""
    if kind != "AWS::Serverless::Function":
        return {}
    section = (template.get("Globals") or {}).get("Function") if isinstance(template.get("Globals"), Mapping) else None
    return section if isinstance(section, Mapping) else {}


def _own_url(logical_id: str, kind: str, properties: Mapping[str, Any]) -> list[Invoker]:
    if "FunctionUrlConfig" not in properties:
        return []
    return [Invoker(
        logical_id, logical_id, kind, "its FunctionUrlConfig (HTTP requests to its function URL)",
        "a function URL is one endpoint for every request: put an HTTP API in front of the function "
        "(an HttpApi event per route) and drop FunctionUrlConfig, then run strangler again",
    )]


def _apis_with_hidden_definitions(
    resources: Mapping[str, Any], function_id: str, read: Reader | None, found_ids: set[str],
) -> list[Invoker]:
    """An Api event of the function on an API whose OpenAPI definition strangler cannot read
    (``DefinitionUri``, an ``AWS::Include`` from S3 or inside the body, a file it cannot
    read): the definition may route to it."""
    function = resources.get(function_id)
    events = ((function or {}).get("Properties") or {}).get("Events") if isinstance(function, Mapping) else None
    if not isinstance(events, Mapping):
        return []
    found: dict[str, Invoker] = {}
    for event in events.values():
        if not isinstance(event, Mapping) or event.get("Type") not in ("Api", "HttpApi"):
            continue
        api_ref = (event.get("Properties") or {}).get("RestApiId" if event.get("Type") == "Api" else "ApiId")
        for api_id in referenced_ids(api_ref):
            api = resources.get(api_id)
            if not isinstance(api, Mapping) or api_id in found or api_id in found_ids:
                continue
            hidden = api_definition(api.get("Properties") or {}, read).hidden
            if hidden:
                found[api_id] = Invoker(
                    function_id, api_id, str(api.get("Type")), f"its {hidden}: strangler cannot read it, so the API may route to it",
                    "write the routes of this API into the template (DefinitionBody inline, or DefinitionBody: "
                    "Fn::Transform: {Name: AWS::Include, Parameters: {Location: ./openapi.yaml}} for a file beside "
                    "the template, whose uris can then name functions with Fn::Sub), or split this function by hand",
                )
    return list(found.values())


@dataclass(frozen=True)
class ApiDefinition:
    """An API's OpenAPI definition as strangler can read it."""

    body: Any = None  # the definition (inline, or the included file's); None when hidden or absent
    included: str | None = None  # the included file, relative to the template's folder
    document: TemplateDocument | None = None  # the included file, for editing it in place
    hidden: str | None = None  # why it cannot be read, for people


def api_definition(properties: Mapping[str, Any], read: Reader | None) -> ApiDefinition:
    """The ``DefinitionBody`` of a SAM API: inline, or an ``AWS::Include`` of a local file
    (``sam deploy`` uploads it; CloudFormation inserts it after the SAM transform)."""
    if "DefinitionUri" in properties:
        # API Gateway imports such a file as written (SAM resolves no intrinsic in it), so
        # its integrations name functions by literal ARN or stage variable: nothing a new
        # function of this stack can be named by before it is deployed.
        uri = properties["DefinitionUri"]
        where = f" {uri}" if isinstance(uri, str) else " (in S3)"
        return ApiDefinition(hidden=f"DefinitionUri{where}, imported as written without intrinsics")
    body = properties.get("DefinitionBody")
    if body is None:
        return ApiDefinition()
    location = included_location(body)
    if location is None:
        if _includes(body):
            return ApiDefinition(hidden="DefinitionBody (an Fn::Transform AWS::Include inside it)")
        return ApiDefinition(body)
    shown = f"DefinitionBody (Fn::Transform AWS::Include of {location if isinstance(location, str) else 'an intrinsic'})"
    if not isinstance(location, str) or "://" in location or read is None:
        return ApiDefinition(hidden=shown)
    name = posixpath.normpath(location.replace("\\", "/"))
    text = read(name)
    if text is None:
        return ApiDefinition(hidden=f"{shown}, a file that cannot be read inside the template's folder")
    try:
        document = TemplateDocument.parse(PurePosixPath(name), text)
    except StranglerError as exc:
        return ApiDefinition(hidden=f"{shown}: {exc.message}")
    return ApiDefinition(document.data, name, document)


def included_location(body: Any) -> Any:
    """The ``Location`` of a body that is one ``Fn::Transform: AWS::Include``; None otherwise."""
    if not isinstance(body, Mapping) or len(body) != 1 or "Fn::Transform" not in body:
        return None
    transform = body["Fn::Transform"]
    if not isinstance(transform, Mapping) or transform.get("Name") != "AWS::Include":
        return None
    return (transform.get("Parameters") or {}).get("Location")


def _api(properties: Any, names: _Names) -> Iterator[str]:
    definition = api_definition(properties, names.read)
    if definition.body is not None and names.named_by(definition.body):
        yield "x-amazon-apigateway-integration entries of its DefinitionBody" + (
            f" (included from {definition.included})" if definition.included else "")
    yield from _at("Auth")(properties, names)


def _includes(value: Any) -> bool:
    if isinstance(value, Mapping):
        transform = value.get("Fn::Transform")
        if isinstance(transform, Mapping) and transform.get("Name") == "AWS::Include":
            return True
        return any(_includes(item) for item in value.values())
    if isinstance(value, list):
        return any(_includes(item) for item in value)
    return False


def _is_custom_resource(kind: str) -> bool:
    return kind == "AWS::CloudFormation::CustomResource" or kind.startswith("Custom::")


# --- one entry per kind ---------------------------------------------------------------------
_BY_HAND = "point it at the new function by hand after extracting, or split this function by hand"

_DEFINITION_ADVICE = (
    "the API's definition still sends requests to the function: give each of its routes the path and method "
    "the function dispatches on (the routes no action claims to a function that serves them), or keep the "
    "monolith with migrate --keep-monolith"
)

_KINDS: dict[str, _Kind] = {
    "AWS::Events::Rule": _Kind(
        _at("Targets", "[]", "Arn"),
        "move the rule into the function's Events (an EventBridgeRule event with its Pattern), "
        "so strangler can narrow it per action; then run again",
    ),
    "AWS::SNS::Subscription": _Kind(
        _sns_subscription,
        "move the subscription into the function's Events (an SNS event on the topic), then run again",
    ),
    "AWS::SNS::Topic": _Kind(
        _at("Subscription", "[]", "Endpoint"),
        "move the topic's subscription into the function's Events (an SNS event), then run again",
    ),
    "AWS::Lambda::EventSourceMapping": _Kind(
        _at("FunctionName"),
        "move the mapping into the function's Events (SQS, Kinesis, DynamoDB, ...), then run again",
    ),
    "AWS::Lambda::Permission": _Kind(
        _permission,
        "a service allowed to invoke the function calls it from somewhere: route that source through "
        f"the function's Events, or {_BY_HAND}",
    ),
    "AWS::Lambda::Url": _Kind(
        _at("TargetFunctionArn"),
        "a function URL is one endpoint for every request: put an HTTP API in front of the function "
        "(HttpApi events), then run again",
    ),
    "AWS::Lambda::EventInvokeConfig": _Kind(
        _at("DestinationConfig", "*", "Destination"),
        f"another function's destination invokes it: {_BY_HAND}",
    ),
    "AWS::Serverless::Function": _Kind(
        _at("EventInvokeConfig", "DestinationConfig", "*", "Destination"),
        f"another function's destination invokes it: {_BY_HAND}",
    ),
    "AWS::ApiGateway::Method": _Kind(
        _method_integration,
        "give the action's route a method of its own (an AWS::ApiGateway::Resource per path part and an "
        "AWS::ApiGateway::Method, matched before {proxy+}), or describe the route as an Api event of a SAM "
        "function, then run again",
    ),
    "AWS::ApiGateway::Authorizer": _Kind(_at("AuthorizerUri"), f"the function authorizes requests: {_BY_HAND}"),
    "AWS::ApiGateway::RestApi": _Kind(
        _at("Body"), "describe the routes as Api events of the function, then run again",
    ),
    "AWS::ApiGatewayV2::Integration": _Kind(
        _at("IntegrationUri"),
        "describe the route as an HttpApi event of the function (ApiId, Path, Method), then run again",
    ),
    "AWS::ApiGatewayV2::Authorizer": _Kind(_at("AuthorizerUri"), f"the function authorizes requests: {_BY_HAND}"),
    "AWS::ApiGatewayV2::Api": _Kind(
        _any_of(_at("Target"), _at("Body")), "describe the routes as HttpApi events of the function, then run again",
    ),
    "AWS::Serverless::Api": _Kind(_api, _DEFINITION_ADVICE),
    "AWS::Serverless::HttpApi": _Kind(_api, _DEFINITION_ADVICE),
    "AWS::AppSync::DataSource": _Kind(
        _at("LambdaConfig"),
        "AppSync resolvers reach the function through this data source: strangler moves them when the "
        "handler dispatches on event['info'] (fieldName, parentTypeName), on the payload's 'field', or with a "
        "Powertools AppSyncResolver; otherwise give each resolver's field its own function and data source by hand",
    ),
    "AWS::AppSync::GraphQLApi": _Kind(
        _any_of(_at("LambdaAuthorizerConfig"), _at("AdditionalAuthenticationProviders")),
        f"the function authorizes GraphQL requests: {_BY_HAND}",
    ),
    "AWS::Serverless::GraphQLApi": _Kind(
        _any_of(_at("DataSources", "Lambda", "*"), _at("Auth")),
        "the API's resolvers reach the function through its Lambda data source: strangler moves them when the "
        "handler dispatches on event['info'] (fieldName, parentTypeName), on the payload's 'field', or with a "
        "Powertools AppSyncResolver; otherwise give each resolver its own function and data source by hand",
    ),
    "AWS::Cognito::UserPool": _Kind(
        _at("LambdaConfig", "*"),
        "each Cognito trigger can name its own function: dispatch on event[\"triggerSource\"] so strangler "
        "moves each trigger with its action, or point each trigger at its own function by hand",
    ),
    "AWS::S3::Bucket": _Kind(
        _at("NotificationConfiguration", "LambdaConfigurations", "[]", "Function"),
        "S3 notifications of one bucket cannot overlap: route them by prefix or suffix by hand",
    ),
    "AWS::Scheduler::Schedule": _Kind(
        _at("Target"), "a schedule sends one fixed event: give it a JSON Target.Input that names its action as the "
        "dispatch reads it, or point it at the function that handles it by hand",
    ),
    "AWS::Pipes::Pipe": _Kind(
        _any_of(_at("Target"), _at("Enrichment")),
        f"the pipe delivers every record it reads: {_BY_HAND}",
    ),
    "AWS::StepFunctions::StateMachine": _Kind(
        _state_machine,
        "the state machine's tasks invoke the function: point each task at the function of its action by hand",
    ),
    "AWS::Serverless::StateMachine": _Kind(
        _state_machine,
        "the state machine's tasks invoke the function: point each task at the function of its action by hand",
    ),
    "AWS::IoT::TopicRule": _Kind(_anywhere, f"the topic rule invokes the function: {_BY_HAND}"),
    "AWS::Logs::SubscriptionFilter": _Kind(_at("DestinationArn"), f"the log subscription invokes the function: {_BY_HAND}"),
    "AWS::CloudWatch::Alarm": _Kind(
        _any_of(_at("AlarmActions"), _at("OKActions"), _at("InsufficientDataActions")),
        f"the alarm's action invokes the function: {_BY_HAND}",
    ),
    "AWS::SES::ReceiptRule": _Kind(_at("Rule", "Actions"), f"the receipt rule invokes the function: {_BY_HAND}"),
    "AWS::SecretsManager::RotationSchedule": _Kind(
        _at("RotationLambdaARN"), f"secret rotation invokes the function: {_BY_HAND}",
    ),
    "AWS::Config::ConfigRule": _Kind(_at("Source"), f"the Config rule invokes the function: {_BY_HAND}"),
    "AWS::KinesisFirehose::DeliveryStream": _Kind(_anywhere, f"the delivery stream invokes the function: {_BY_HAND}"),
    "AWS::ElasticLoadBalancingV2::TargetGroup": _Kind(
        _at("Targets"), f"the load balancer sends requests to the function: {_BY_HAND}",
    ),
    "AWS::CloudFront::Distribution": _Kind(_anywhere, f"the distribution invokes the function: {_BY_HAND}"),
}

# Kinds that name a function without delivering events to it: policies, watchers, the
# function's own versions and settings, and the places its name is handed to callers.
_PASSIVE = frozenset({
    "AWS::Lambda::Alias", "AWS::Lambda::Version", "AWS::Lambda::Function", "AWS::Lambda::LayerVersion",
    "AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersionPermission",
    "AWS::Logs::LogGroup", "AWS::Logs::MetricFilter", "AWS::CloudWatch::Dashboard",
    "AWS::CloudWatch::CompositeAlarm", "AWS::SSM::Parameter", "AWS::SecretsManager::Secret",
    "AWS::Lambda::CodeSigningConfig", "AWS::CodeDeploy::Application", "AWS::CodeDeploy::DeploymentGroup",
    "AWS::XRay::Group", "AWS::ResourceGroups::Group", "AWS::ApplicationInsights::Application",
})
_PASSIVE_PREFIXES = ("AWS::IAM::",)

_UNKNOWN = _Kind(
    _anywhere,
    "strangler does not know whether this kind of resource invokes the function; if it does, point "
    "it at the new function by hand after splitting this function by hand",
)

# A custom resource whose ServiceToken is the function has a refusal of its own; one that is
# handed the function (to call it while it deploys) may invoke it.
_CUSTOM = _Kind(
    _besides_service_token,
    "the custom resource is given the function and may invoke it; if it does, point it at the new "
    "function by hand after splitting this function by hand",
)
