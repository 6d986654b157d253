"""What the idempotency rule reads from and writes to the template and requirements.

Reading: the table a handler writes (an environment variable set to ``!Ref`` of a table, or
the table's literal name) and that table's hash key. Writing: the Powertools persistence
table (``id`` hash key, TTL on ``expiration``, on-demand, as the Powertools idempotency
docs define it), reused when the template already has one of that shape; the function's
``IDEMPOTENCY_TABLE`` variable and ``DynamoDBCrudPolicy`` for it; ``aws-lambda-powertools``
in the function's requirements.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from strangler.check.function_edits import add_policy, seq, set_variable, variables
from strangler.check.idempotency_scope import Env, Text
from strangler.template import document
from strangler.template.document import TemplateDocument
from strangler.template.intrinsics import intrinsic

TABLE_TYPES = ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable")
ENV_NAME = "IDEMPOTENCY_TABLE"
TABLE_ID = "IdempotencyTable"
REQUIREMENT = "aws-lambda-powertools"


def table_id(template: Mapping[str, Any], function_id: str, name: Env | Text | None) -> str | None:
    """The template's table that ``name`` (read by the function's code) stands for."""
    resources = template.get("Resources") or {}
    if isinstance(name, Env):
        found = intrinsic(variables(template, function_id).get(name.name))
        if found and found[0] == "Ref" and _is_table(resources.get(found[1])):
            return str(found[1])
        return None
    if isinstance(name, Text):
        for logical_id, resource in resources.items():
            if _is_table(resource) and (resource.get("Properties") or {}).get("TableName") == name.value:
                return str(logical_id)
    return None


def hash_key(template: Mapping[str, Any], logical_id: str) -> str | None:
    resource = (template.get("Resources") or {}).get(logical_id) or {}
    properties = resource.get("Properties") or {}
    if resource.get("Type") == "AWS::Serverless::SimpleTable":
        primary = properties.get("PrimaryKey")
        name = primary.get("Name") if isinstance(primary, Mapping) else "id"  # SAM's default key is "id"
        return name if isinstance(name, str) else None
    for key in properties.get("KeySchema") or ():
        if isinstance(key, Mapping) and key.get("KeyType") == "HASH" and isinstance(key.get("AttributeName"), str):
            return str(key["AttributeName"])
    return None


def _is_table(resource: Any) -> bool:
    return isinstance(resource, Mapping) and resource.get("Type") in TABLE_TYPES


# --- writing ---------------------------------------------------------------------------
def existing_persistence_table(template: Mapping[str, Any]) -> str | None:
    """The first table of the template shaped like a Powertools persistence table."""
    for logical_id, resource in (template.get("Resources") or {}).items():
        if _is_persistence_table(resource):
            return str(logical_id)
    return None


def persistence_table(doc: TemplateDocument) -> tuple[str, bool]:
    """The id of the template's Powertools persistence table, and whether it exists: an
    existing table of that shape is reused, else the id a new one gets."""
    resources = doc.data["Resources"]
    existing = existing_persistence_table(doc.data)
    if existing is not None:
        return existing, True
    logical_id = TABLE_ID
    while logical_id in resources:
        logical_id += "X"
    return logical_id, False


def add_persistence_table(doc: TemplateDocument, logical_id: str) -> None:
    """The new table at the end of Resources, after a blank line (added once every other
    edit is made, so the blank line stays after what was the last resource)."""
    resources = doc.data["Resources"]
    last = list(resources)[-1]
    resources[logical_id] = _new_table(doc)
    if hasattr(resources, "ca"):
        document.set_trailing_comment(resources[last], document.blank_line_token())


def _is_persistence_table(resource: Any) -> bool:
    if not isinstance(resource, Mapping) or resource.get("Type") != "AWS::DynamoDB::Table":
        return False
    properties = resource.get("Properties") or {}
    keys = [(k.get("AttributeName"), k.get("KeyType")) for k in properties.get("KeySchema") or () if isinstance(k, Mapping)]
    ttl = properties.get("TimeToLiveSpecification") or {}
    return keys == [("id", "HASH")] and isinstance(ttl, Mapping) and ttl.get("AttributeName") == "expiration" \
        and ttl.get("Enabled") is True


def _new_table(doc: TemplateDocument) -> Any:
    properties = doc.new_map({
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": seq(doc, [doc.new_map({"AttributeName": "id", "AttributeType": "S"})]),
        "KeySchema": seq(doc, [doc.new_map({"AttributeName": "id", "KeyType": "HASH"})]),
        "TimeToLiveSpecification": doc.new_map({"AttributeName": "expiration", "Enabled": True}),
    })
    return doc.new_map({"Type": "AWS::DynamoDB::Table", "Properties": properties})


def ungrantable(template: Mapping[str, Any], function_id: str, table: str) -> str | None:
    """Why the function cannot be given ``IDEMPOTENCY_TABLE`` and CRUD on ``table``."""
    properties = ((template.get("Resources") or {}).get(function_id) or {}).get("Properties")
    if not isinstance(properties, Mapping):
        return f"{function_id} has no Properties mapping"
    if "Role" in properties:
        return (f"{function_id} has its own Role: add the persistence table and its policy by hand, "
                "then decorate the handler with Powertools @idempotent")
    current = variables(template, function_id).get(ENV_NAME)
    if current is not None and intrinsic(current) != ("Ref", table):
        return f"{function_id} already sets {ENV_NAME} to something else than !Ref {table}: set the idempotency up by hand"
    return None


def grant(doc: TemplateDocument, function_id: str, table: str) -> None:
    """Give the function ``IDEMPOTENCY_TABLE`` and CRUD on ``table`` (``ungrantable`` said it can)."""
    properties = doc.data["Resources"][function_id]["Properties"]
    if variables(doc.data, function_id).get(ENV_NAME) is None:
        set_variable(doc, properties, ENV_NAME, doc.ref(table))
    policy = doc.new_map({"DynamoDBCrudPolicy": doc.new_map({"TableName": doc.ref(table)})})
    add_policy(doc, properties, policy, present=lambda item: _crud_on(item, table))


def _crud_on(policy: Any, table: str) -> bool:
    crud = policy.get("DynamoDBCrudPolicy") if isinstance(policy, Mapping) else None
    return isinstance(crud, Mapping) and intrinsic(crud.get("TableName")) == ("Ref", table)


def has_powertools_layer(template: Mapping[str, Any], function_id: str) -> bool:
    """The function (or Globals) lists the Powertools layer (``...:layer:AWSLambdaPowertoolsPythonV3...``)."""
    globals_ = template.get("Globals")
    function = ((template.get("Resources") or {}).get(function_id) or {}).get("Properties") or {}
    layers = [function.get("Layers")]
    if isinstance(globals_, Mapping) and isinstance(globals_.get("Function"), Mapping):
        layers.append(globals_["Function"].get("Layers"))
    return "AWSLambdaPowertoolsPython" in str(layers)


def with_requirement(text: str | None) -> str:
    """requirements.txt with ``aws-lambda-powertools`` (unchanged if it is there in any
    spelling); its line endings kept."""
    if text is None:
        return f"{REQUIREMENT}\n"
    for line in text.splitlines():
        name = re.split(r"[\s\[<>=!~;@]", line.strip(), maxsplit=1)[0]
        if re.sub(r"[-_.]+", "-", name).lower() == REQUIREMENT:
            return text
    newline = "\r\n" if "\r\n" in text else "\n"
    if text and not text.endswith(("\n", "\r")):
        text += newline
    return f"{text}{REQUIREMENT}{newline}"
