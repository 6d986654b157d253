"""The template document: round trips byte for byte, errors with a location, intrinsics."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from strangler.errors import StranglerError
from strangler.template.document import TemplateDocument
from strangler.template.intrinsics import intrinsic, referenced_ids


def load(tmp_path: Path, text: str, name: str = "template.yaml") -> TemplateDocument:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return TemplateDocument.load(path)


def load_error(tmp_path: Path, text: str, name: str) -> tuple[str, str]:
    with pytest.raises(StranglerError) as caught:
        load(tmp_path, text, name)
    return caught.value.where, caught.value.message


ORDERS_TEMPLATE = """\
---
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: >
  Orders service

# Shared by every function
Globals:
  Function:
    Runtime: python3.12
    Timeout: 10  # seconds

Parameters:
  Stage:
    Type: String
    AllowedValues: [dev, prod]
  Enabled:
    Type: String
    Default: "yes"
    AllowedValues:
      - "yes"
      - 'no'

Conditions:
  IsProd: !Equals [!Ref Stage, prod]

Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.lambda_handler
      Environment:
        Variables:
          TABLE: !Ref OrdersTable
          QUEUE_ARN: !GetAtt Queue.Arn
          GREETING: !Sub "Hello ${Stage}"
          URL: !Sub
            - "https://${Domain}/${Stage}"
            - Domain: !If [IsProd, shop.example.com, !Ref AWS::NoValue]
      Events:
        Orders:
          Type: EventBridgeRule
          Properties:
            Pattern:
              source: [shop.orders]
              detail-type:
                - OrderPlaced   # new orders
                - OrderCancelled

  OrdersTable:
    Type: AWS::DynamoDB::Table
  Queue:
    Type: AWS::SQS::Queue

Outputs:
  OrdersFunctionArn:
    Value: !GetAtt OrdersFunction.Arn
"""


def test_an_untouched_yaml_template_dumps_byte_for_byte(tmp_path):
    assert load(tmp_path, ORDERS_TEMPLATE).dump() == ORDERS_TEMPLATE


def test_one_entry_mappings_in_flow_lists_keep_their_braces(tmp_path):
    text = "Pattern:\n  source: [{prefix: shop.}]\n  detail-type: [{anything-but: [A, B]}, {exists: true}]\n"
    assert load(tmp_path, text).dump() == text


def test_sequences_flush_with_their_key_dump_byte_for_byte(tmp_path):
    text = """\
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
      - DynamoDBCrudPolicy:
          TableName: !Ref OrdersTable
      - Statement:
        - Effect: Allow
          Action: s3:GetObject
          Resource: '*'
"""

    assert load(tmp_path, text).dump() == text


def test_four_space_mappings_dump_byte_for_byte(tmp_path):
    text = """\
# orders
Resources:
    OrdersFunction:
        Type: AWS::Serverless::Function
        Properties:
            Layers:
                - !Ref CommonLayer
            Role: !GetAtt [OrdersRole, Arn]
"""

    assert load(tmp_path, text).dump() == text


DESCRIPTION_BY_FOUR = """\
Description: >
    Orders service,
    one function per event.
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      Layers:
        - !Ref CommonLayer
"""


def test_a_description_indented_by_four_dumps_byte_for_byte(tmp_path):
    assert load(tmp_path, DESCRIPTION_BY_FOUR).dump() == DESCRIPTION_BY_FOUR


def test_a_description_indented_by_four_does_not_change_the_mapping_indent(tmp_path):
    dumped = load(tmp_path, DESCRIPTION_BY_FOUR).dump()
    assert dumped.splitlines()[3:] == DESCRIPTION_BY_FOUR.splitlines()[3:]


def test_a_dash_inside_a_block_scalar_does_not_change_the_sequence_indent(tmp_path):
    text = """\
Description: |
  Release notes:
  - first release
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - AWSLambdaBasicExecutionRole
"""

    assert load(tmp_path, text).dump() == text


@pytest.mark.parametrize("indent", [2, 4])
@pytest.mark.parametrize("newline", ["\n", ""])
def test_json_templates_keep_their_indent_and_trailing_newline(tmp_path, indent, newline):
    text = json.dumps(
        {
            "Transform": "AWS::Serverless-2016-10-31",
            "Resources": {
                "OrdersFunction": {
                    "Type": "AWS::Serverless::Function",
                    "Properties": {"Handler": "app.lambda_handler", "Role": {"Fn::GetAtt": ["OrdersRole", "Arn"]}},
                }
            },
        },
        indent=indent,
    ) + newline

    doc = load(tmp_path, text, "template.json")

    assert doc.is_json
    assert doc.dump() == text


def test_invalid_yaml_is_refused_with_file_and_line(tmp_path):
    text = "Resources:\n  OrdersFunction:\n    Type: [AWS::Serverless::Function\n  Queue: {}\n"

    assert load_error(tmp_path, text, "template.yaml") == (
        "template.yaml:4",
        "not valid YAML: expected ',' or ']', but got ':'",
    )


def test_a_duplicate_yaml_key_is_refused_with_file_and_line(tmp_path):
    text = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Queue:\n    Type: AWS::SNS::Topic\n"

    where, message = load_error(tmp_path, text, "template.yaml")

    assert where == "template.yaml:4"
    assert message.startswith('not valid YAML: found duplicate key "Queue"')


def test_invalid_json_is_refused_with_file_and_line(tmp_path):
    text = '{\n  "Resources": {\n    "Queue": {"Type": "AWS::SQS::Queue"},\n  }\n}\n'

    assert load_error(tmp_path, text, "template.json") == (
        "template.json:4",
        "not valid JSON: Expecting property name enclosed in double quotes",
    )


def test_a_template_that_is_not_a_mapping_is_refused(tmp_path):
    assert load_error(tmp_path, "- Resources\n", "template.yaml") == ("template.yaml", "the template is not a mapping")


# --- intrinsic functions ---------------------------------------------------------------------

PROPERTIES_YAML = """\
Resources:
  OrdersFunction:
    Properties:
      Table: !Ref OrdersTable
      Queue: !GetAtt Queue.Arn
      Bucket: !Sub "arn:aws:s3:::${AuditBucket}/*"
      Url: !Sub
        - "https://${Domain}/${Api}/${AWS::Region}/${!Literal}"
        - Domain: !Ref DomainName
      Plain: orders
"""

PROPERTIES_JSON = {
    "Resources": {
        "OrdersFunction": {
            "Properties": {
                "Table": {"Ref": "OrdersTable"},
                "Queue": {"Fn::GetAtt": ["Queue", "Arn"]},
                "Bucket": {"Fn::Sub": "arn:aws:s3:::${AuditBucket}/*"},
                "Url": {
                    "Fn::Sub": ["https://${Domain}/${Api}/${AWS::Region}/${!Literal}", {"Domain": {"Ref": "DomainName"}}]
                },
                "Plain": "orders",
            }
        }
    }
}


@pytest.fixture(params=["yaml", "json"])
def properties(request, tmp_path):
    if request.param == "yaml":
        doc = load(tmp_path, PROPERTIES_YAML)
    else:
        doc = load(tmp_path, json.dumps(PROPERTIES_JSON, indent=2), "template.json")
    return doc.data["Resources"]["OrdersFunction"]["Properties"]


def test_intrinsic_reads_short_tags_and_long_forms_alike(properties):
    assert intrinsic(properties["Table"]) == ("Ref", "OrdersTable")
    assert intrinsic(properties["Queue"]) == ("GetAtt", "Queue.Arn")
    assert intrinsic(properties["Bucket"]) == ("Sub", "arn:aws:s3:::${AuditBucket}/*")
    assert intrinsic(properties["Plain"]) is None


def test_referenced_ids_through_ref_getatt_and_sub(properties):
    assert list(referenced_ids(properties["Table"])) == ["OrdersTable"]
    assert list(referenced_ids(properties["Queue"])) == ["Queue"]
    assert list(referenced_ids(properties["Bucket"])) == ["AuditBucket"]
    assert list(referenced_ids(properties["Plain"])) == []


def test_referenced_ids_of_a_whole_mapping(properties):
    assert set(referenced_ids(properties)) >= {"OrdersTable", "Queue", "AuditBucket", "Api", "DomainName"}
    assert "!Literal" not in set(referenced_ids(properties))


def test_document_builds_references_in_its_own_syntax(tmp_path):
    yaml_doc = load(tmp_path, "Resources: {}\n")
    json_doc = load(tmp_path, '{"Resources": {}}\n', "template.json")

    assert intrinsic(yaml_doc.get_att("OrdersFunction", "Arn")) == ("GetAtt", "OrdersFunction.Arn")
    assert json_doc.get_att("OrdersFunction", "Arn") == {"Fn::GetAtt": ["OrdersFunction", "Arn"]}
    assert [intrinsic(doc.ref("OrdersTable")) for doc in (yaml_doc, json_doc)] == [("Ref", "OrdersTable")] * 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("!GetAtt [OrdersRole, Arn]", {"OrdersRole"}),
        ("!If [IsProd, !Ref ProdTopic, !Ref DevTopic]", {"ProdTopic", "DevTopic"}),
        ('!Join ["", [!Ref Prefix, !GetAtt Queue.QueueName]]', {"Prefix", "Queue"}),
    ],
    ids=["GetAtt-list", "If", "Join"],
)
def test_referenced_ids_inside_tagged_sequences(tmp_path, value, expected):
    doc = load(tmp_path, f"Outputs:\n  Value: {value}\n")

    assert set(referenced_ids(doc.data["Outputs"]["Value"])) >= expected


def test_sub_variables_defined_by_the_sub_are_not_references(properties):
    assert "Domain" not in set(referenced_ids(properties["Url"]))


# --- the user's bytes, YAML 1.1 and duplicate keys ---------------------------------------------

def test_an_edited_template_keeps_the_bytes_of_the_lines_strangler_did_not_touch(tmp_path):
    text = "\ufeffResources:   \r\n  Queue:\r\n    Type: AWS::SQS::Queue\r\n    Properties:\r\n      FifoQueue: True\r\n  \r\n      # odd\r\n"
    path = tmp_path / "template.yaml"
    path.write_bytes(text.encode("utf-8"))
    doc = TemplateDocument.load(path)

    doc.data["Resources"]["Topic"] = doc.new_map({"Type": "AWS::SNS::Topic"})

    assert doc.text == text
    assert doc.dump() == text + "  Topic:\r\n    Type: AWS::SNS::Topic\r\n"


def test_a_json_template_keeps_its_inline_arrays_when_edited(tmp_path):
    text = '{\n  "Resources": {\n    "Queue": {"Type": "AWS::SQS::Queue", "DependsOn": [ "A", "B" ]}\n  }\n}\n'
    doc = load(tmp_path, text, "template.json")

    doc.data["Outputs"] = {"QueueUrl": {"Value": {"Ref": "Queue"}}}

    dumped = doc.dump()
    assert dumped.startswith(text[: text.index("\n  }\n}")])
    assert json.loads(dumped)["Outputs"] == {"QueueUrl": {"Value": {"Ref": "Queue"}}}


@pytest.mark.parametrize("value", ["yes", "ON", "off", "null", "~", "123", "1.0", "12:30", "2001-01-01", "=", "<<", "#x", "`a", ""])
def test_strings_strangler_writes_read_back_as_strings_in_yaml_1_1(tmp_path, value):
    from samtranslator.yaml_helper import yaml_parse

    doc = load(tmp_path, "Resources: {}\n")
    doc.data["Resources"][value] = doc.new_map({"Type": value})

    assert yaml_parse(doc.dump())["Resources"] == {value: {"Type": value}}


def test_plain_scalars_copied_from_the_template_keep_their_yaml_1_1_meaning(tmp_path):
    from samtranslator.yaml_helper import yaml_parse

    doc = load(tmp_path, "A:\n  flag: yes\n  text: 'yes'\n  time: 12:30\n")
    doc.data["B"] = copy.deepcopy(doc.data["A"])

    assert yaml_parse(doc.dump())["B"] == {"flag": True, "text": "yes", "time": 750}


def test_a_duplicate_yaml_key_names_both_lines(tmp_path):
    text = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Topic:\n    Type: AWS::SNS::Topic\n  Queue:\n    Type: AWS::SNS::Topic\n"

    assert load_error(tmp_path, text, "template.yaml") == (
        "template.yaml:6", 'not valid YAML: found duplicate key "Queue" at lines 2 and 6',
    )


def test_a_duplicate_json_key_is_refused_naming_both_lines(tmp_path):
    text = '{\n  "Resources": {\n    "Queue": {"Type": "AWS::SQS::Queue"},\n    "Queue": {"Type": "AWS::SNS::Topic"}\n  },\n  "Outputs": {}\n}\n'

    assert load_error(tmp_path, text, "template.json") == (
        "template.json:4", 'not valid JSON: found duplicate key "Queue" at lines 3 and 4',
    )


def test_the_same_key_in_two_json_objects_is_no_duplicate(tmp_path):
    text = '{"Resources": {"A": {"Type": "X", "Properties": {"Type": 1}}, "B": {"Type": "Y"}}}'

    assert load(tmp_path, text, "template.json").data["Resources"]["B"] == {"Type": "Y"}


def test_what_a_template_means_is_read_back_before_writing(tmp_path):
    from strangler.apply.validate import translate

    doc = load(tmp_path, "Transform: AWS::Serverless-2016-10-31\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n")
    doc.data["Resources"]["Queue"]["Properties"] = doc.new_map({"QueueName": "on"})
    rendered = doc.dump()
    forged = type(rendered)(rendered.replace("'on'", "on"))
    forged.meant = rendered.meant

    translate(rendered, is_json=False, where="template.yaml")
    with pytest.raises(StranglerError) as caught:
        translate(forged, is_json=False, where="template.yaml")
    assert caught.value.where == "template.yaml: Resources.Queue"
    assert "Resources.Queue.Properties.QueueName as True instead of 'on'" in caught.value.message


def test_a_json_template_is_read_back_before_writing_too(tmp_path):
    from strangler.apply.validate import translate

    doc = load(tmp_path, '{"Transform": "AWS::Serverless-2016-10-31", "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}\n', "template.json")
    doc.data["Resources"]["Queue"]["Properties"] = {"DelaySeconds": 5}
    rendered = doc.dump()
    forged = type(rendered)(rendered.replace("5", '"5"'))
    forged.meant = rendered.meant

    translate(rendered, is_json=True, where="template.json")
    with pytest.raises(StranglerError) as caught:
        translate(forged, is_json=True, where="template.json")
    assert "Resources.Queue.Properties.DelaySeconds as '5' instead of 5" in caught.value.message
