"""The AWS a template deploys, stood up in moto: tables, buckets, queues, topics, buses,
parameters and secrets, created from their properties, and what they hold.

Each side (before, after) gets its own moto server, so the handlers, each in its own
interpreter, reach it as they would reach AWS (``AWS_ENDPOINT_URL``). Physical names are
derived from logical ids the same way on both sides, so the same table has the same
name before and after. A snapshot is what the handlers can have written: items, objects,
queued and published messages, events put on a bus; ids and timestamps AWS would make
up differently each time are left out.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from strangler.verify.intrinsics import ACCOUNT, REGION, STACK, Names, resolve

WITNESS_PREFIX = "strangler-verify-bus-"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
               "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}


@dataclass(frozen=True)
class World:
    """One moto server with a template's resources; ``names`` resolves the template."""

    endpoint: str
    names: Names
    tables: tuple[str, ...]
    buckets: tuple[str, ...]
    queues: tuple[str, ...]  # URLs
    buses: tuple[str, ...]

    def environment(self) -> dict[str, str]:
        """What a handler's interpreter needs to reach this world instead of AWS."""
        return {**CREDENTIALS, "AWS_ENDPOINT_URL": self.endpoint}

    def client(self, service: str) -> Any:
        return _client(self.endpoint, service)

    def snapshot(self) -> dict[str, Any]:
        """Everything the handlers can have written, in a stable order."""
        return {
            **{f"table {name}": self._items(name) for name in self.tables},
            **{f"bucket {name}": self._objects(name) for name in self.buckets},
            **{f"queue {url.rsplit('/', 1)[-1]}": self._messages(url) for url in self.queues},
            **{f"bus {bus}": self._events(bus) for bus in self.buses},
            **self._published(),
        }

    # --- reading what is there ------------------------------------------------------------
    def _items(self, table: str) -> list[Any]:
        ddb = self.client("dynamodb")
        items, start = [], None
        while True:
            page = ddb.scan(TableName=table, **({"ExclusiveStartKey": start} if start else {}))
            items += page.get("Items", [])
            start = page.get("LastEvaluatedKey")
            if not start:
                return sorted(items, key=canonical)

    def _objects(self, bucket: str) -> dict[str, str]:
        s3 = self.client("s3")
        found = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for entry in page.get("Contents", []):
                body = s3.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read()
                try:
                    found[entry["Key"]] = body.decode("utf-8")
                except UnicodeDecodeError:
                    found[entry["Key"]] = "sha256:" + hashlib.sha256(body).hexdigest()
        return found

    def _messages(self, url: str) -> list[Any]:
        """Every message on the queue, left on it: received, then made visible again."""
        sqs = self.client("sqs")
        seen, handles = [], []
        while True:
            page = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60,
                                       MessageAttributeNames=["All"])
            batch = page.get("Messages", [])
            if not batch:
                break
            for message in batch:
                seen.append({"body": message["Body"], "attributes": message.get("MessageAttributes", {})})
                handles.append(message["ReceiptHandle"])
        for handle in handles:
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
        return seen

    def _events(self, bus: str) -> list[Any]:
        witness = f"{self.endpoint}/{ACCOUNT}/{WITNESS_PREFIX}{_safe(bus)}"
        events = []
        for message in self._messages(witness):
            event = json.loads(message["body"])
            events.append({k: event.get(k) for k in ("source", "detail-type", "detail", "resources")})
        return events

    def _published(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.endpoint}/moto-api/data.json") as response:
            data = json.load(response)
        topics = {}
        for topic in data.get("sns", {}).get("Topic", []):
            sent = [{"message": n[1], "subject": n[2], "attributes": n[3]} for n in topic.get("sent_notifications", [])]
            topics[f"topic {topic['name']}"] = sent
        return topics


@functools.lru_cache(maxsize=32)
def _client(endpoint: str, service: str) -> Any:
    """One client per service and server: making a boto3 client costs more than a call."""
    import boto3

    return boto3.client(service, endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@contextmanager
def standing(cfn: Mapping[str, Any], parameters: Mapping[str, Any] | None = None) -> Iterator[World]:
    """A moto server holding the resources of the translated template ``cfn``."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        _reset(endpoint)  # the backends are the process's: start from nothing
        yield _build(endpoint, cfn, parameters or {})
    finally:
        server.stop()


def _reset(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request):
        pass



def _build(endpoint: str, cfn: Mapping[str, Any], given: Mapping[str, Any]) -> World:
    names = Names(parameters=_parameters(cfn, given))
    resources = cfn.get("Resources") or {}
    world = World(endpoint, names, (), (), (), ())
    tables, buckets, queues, buses = [], [], [], ["default"]
    mappings = cfn.get("Mappings") or {}
    for logical_id, resource in resources.items():
        _name_everything_else(logical_id, resource, names)
    for logical_id, resource in resources.items():
        kind = resource.get("Type")
        properties = resolve(resource.get("Properties") or {}, names, mappings)
        maker = _MAKERS.get(kind)
        if maker is None:
            continue
        try:
            made = maker(world, logical_id, properties, names)
        except Exception as exc:  # noqa: BLE001  (moto refusing one resource is no reason to stop)
            # Both sides lack it alike; what touches it fails alike and is shown, not hidden.
            names.unresolved.add(f"{logical_id} could not be created in moto ({type(exc).__name__}: {exc})")
            continue
        {"table": tables, "bucket": buckets, "queue": queues, "bus": buses}.get(made[0], []).append(made[1])
    for bus in buses:
        _witness(world, bus)
    return World(endpoint, names, tuple(tables), tuple(buckets), tuple(queues), tuple(buses))


def _parameters(cfn: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    found = {}
    for name, spec in (cfn.get("Parameters") or {}).items():
        if name in given:
            found[name] = given[name]
        elif isinstance(spec, Mapping) and "Default" in spec:
            found[name] = spec["Default"]
    return found


def physical(logical_id: str, lower: bool = False) -> str:
    """The name CloudFormation would make up: stack, logical id and a stable suffix."""
    suffix = hashlib.sha256(logical_id.encode()).hexdigest()[:8].upper()
    name = f"{STACK}-{logical_id}-{suffix}"
    return name.lower() if lower else name


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name)[:60]


def _name_everything_else(logical_id: str, resource: Mapping[str, Any], names: Names) -> None:
    """Functions, roles and anything verify does not create still have a name and an ARN."""
    kind = str(resource.get("Type"))
    name = physical(logical_id)
    if kind == "AWS::Lambda::Function":
        function_name = (resource.get("Properties") or {}).get("FunctionName")
        name = function_name if isinstance(function_name, str) else name
        arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    else:
        service = kind.split("::")[1].lower() if kind.count("::") == 2 else "unknown"
        arn = f"arn:aws:{service}:{REGION}:{ACCOUNT}:{name}"
    names.refs[logical_id] = name
    names.attributes[(logical_id, "Arn")] = arn


def _table(world: World, logical_id: str, properties: Mapping[str, Any], names: Names) -> tuple[str, str]:
    name = properties.get("TableName") or physical(logical_id)
    wanted = {k: properties[k] for k in ("KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes",
                                          "LocalSecondaryIndexes", "StreamSpecification") if k in properties}
    if "StreamSpecification" in wanted:
        wanted["StreamSpecification"] = {"StreamEnabled": True, **wanted["StreamSpecification"]}
    for index in wanted.get("GlobalSecondaryIndexes", []):
        index.pop("ProvisionedThroughput", None)
    description = world.client("dynamodb").create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **wanted)
    table = description["TableDescription"]
    names.refs[logical_id] = name
    names.attributes[(logical_id, "Arn")] = table["TableArn"]
    if "LatestStreamArn" in table:
        names.attributes[(logical_id, "StreamArn")] = table["LatestStreamArn"]
    return "table", name


def _bucket(world: World, logical_id: str, properties: Mapping[str, Any], names: Names) -> tuple[str, str]:
    name = properties.get("BucketName") or physical(logical_id, lower=True)
    world.client("s3").create_bucket(Bucket=name)
    names.refs[logical_id] = name
    for attribute, value in (("Arn", f"arn:aws:s3:::{name}"), ("DomainName", f"{name}.s3.amazonaws.com"),
                             ("RegionalDomainName", f"{name}.s3.{REGION}.amazonaws.com")):
        names.attributes[(logical_id, attribute)] = value
    return "bucket", name


def _queue(world: World, logical_id: str, properties: Mapping[str, Any], names: Names) -> tuple[str, str]:
    fifo = bool(properties.get("FifoQueue"))
    name = properties.get("QueueName") or physical(logical_id) + (".fifo" if fifo else "")
    attributes = {"FifoQueue": "true"} if fifo else {}
    if fifo and properties.get("ContentBasedDeduplication"):
        attributes["ContentBasedDeduplication"] = "true"
    url = world.client("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    names.refs[logical_id] = url
    names.attributes[(logical_id, "Arn")] = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"
    names.attributes[(logical_id, "QueueName")] = name
    names.attributes[(logical_id, "QueueUrl")] = url
    return "queue", url


def _topic(world: World, logical_id: str, properties: Mapping[str, Any], names: Names) -> tuple[str, str]:
    name = properties.get("TopicName") or physical(logical_id)
    arn = world.client("sns").create_topic(Name=name)["TopicArn"]
    names.refs[logical_id] = arn
    names.attributes[(logical_id, "TopicName")] = name
    names.attributes[(logical_id, "TopicArn")] = arn
    return "topic", arn


def _bus(world: World, logical_id: str, properties: Mapping[str, Any], names: Names) -> tuple[str, str]:
    name = properties.get("Name") or physical(logical_id)
    arn = world.client("events").create_event_bus(Name=name)["EventBusArn"]
    names.refs[logical_id] = name
    names.attributes[(logical_id, "Arn")] = arn
    names.attributes[(logical_id, "Name")] = name
    return "bus", name


def _parameter(world: World, logical_id: str, properties: Mapping[str, Any], names: Names) -> tuple[str, str]:
    name = properties.get("Name") or f"/{physical(logical_id)}"
    world.client("ssm").put_parameter(Name=name, Value=str(properties.get("Value", "")),
                                      Type=properties.get("Type", "String"))
    names.refs[logical_id] = name
    return "parameter", name


def _secret(world: World, logical_id: str, properties: Mapping[str, Any], names: Names) -> tuple[str, str]:
    name = properties.get("Name") or physical(logical_id)
    secret = properties.get("SecretString")
    arn = world.client("secretsmanager").create_secret(Name=name, SecretString=str(secret or "{}"))["ARN"]
    names.refs[logical_id] = arn
    return "secret", arn


def _witness(world: World, bus: str) -> None:
    """A queue that receives every event put on ``bus``, so a snapshot can list them."""
    queue = f"{WITNESS_PREFIX}{_safe(bus)}"
    world.client("sqs").create_queue(QueueName=queue)
    events = world.client("events")
    events.put_rule(Name=f"{queue}-all", EventBusName=bus, EventPattern=json.dumps({"account": [ACCOUNT]}))
    events.put_targets(Rule=f"{queue}-all", EventBusName=bus,
                       Targets=[{"Id": "witness", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue}"}])


def canonical(value: Any) -> str:
    """A value as one text that compares equal when the values do."""
    return json.dumps(value, sort_keys=True, default=str)


_MAKERS = {
    "AWS::DynamoDB::Table": _table, "AWS::S3::Bucket": _bucket, "AWS::SQS::Queue": _queue,
    "AWS::SNS::Topic": _topic, "AWS::Events::EventBus": _bus, "AWS::SSM::Parameter": _parameter,
    "AWS::SecretsManager::Secret": _secret,
}
