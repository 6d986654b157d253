"""The AppSync routes: which resolvers carry an action, by where the handler reads its key,
and what a split adds and re-points (the template itself is never changed by a route)."""

from __future__ import annotations

from pathlib import Path

import pytest

from strangler.model import DELETE, EventPath
from strangler.sources.base import Refusal
from strangler.sources.resources.appsync import (
    DATA_SOURCES,
    TYPE_AND_FIELD,
    _payload_field,
)
from strangler.template.document import TemplateDocument
from strangler.template.invokers import invokers_of
from strangler.template.resources import apply_resources

TEMPLATE = """\
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      Policies:
        - PolicyName: invoke
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: lambda:InvokeFunction
                Resource: !Sub '${Fn.Arn}:*'
  Source:
    Type: AWS::AppSync::DataSource
    Properties:
      ApiId: api
      Name: source
      Type: AWS_LAMBDA
      ServiceRoleArn: !GetAtt Role.Arn
      LambdaConfig:
        LambdaFunctionArn: !GetAtt Fn.Arn

  GetPost:
    Type: AWS::AppSync::Resolver
    Properties:
      ApiId: api
      TypeName: Query
      FieldName: getPost
      DataSourceName: !GetAtt Source.Name

  AuthorName:
    Type: AWS::AppSync::Resolver
    DependsOn: [Source]
    Properties:
      ApiId: api
      TypeName: Post
      FieldName: getPost
      DataSourceName: source
"""


def document(tmp_path: Path, text: str = TEMPLATE) -> TemplateDocument:
    path = tmp_path / "template.yaml"
    path.write_text(text, encoding="utf-8")
    return TemplateDocument.load(path)


def invoker(doc: TemplateDocument):
    (found,) = invokers_of(doc.data, "Fn")
    return found


@pytest.mark.parametrize(
    ("path", "key", "moved"),
    [
        (TYPE_AND_FIELD, "Query.getPost", ["GetPost"]),
        (EventPath(("info", "fieldName")), "getPost", ["GetPost", "AuthorName"]),  # a field of two types
        (EventPath(("info", "parentTypeName")), "Post", ["AuthorName"]),
    ],
)
def test_the_key_path_decides_which_resolvers_move(tmp_path: Path, path: EventPath, key: str, moved: list[str]) -> None:
    doc = document(tmp_path)
    before = doc.dump()
    split = DATA_SOURCES.split(doc, invoker(doc), key, path, "NewFunction", "template.yaml: Resources.Fn")
    assert [edit[0][0] for edit in split.edits if edit[0][1:] == ("Properties", "DataSourceName")] == moved
    assert split.delivers == bool(moved)
    assert doc.dump() == before  # routes answer; they never write


def test_a_split_adds_a_data_source_and_a_role_for_the_new_function_and_re_points(tmp_path: Path) -> None:
    doc = document(tmp_path)
    split = DATA_SOURCES.split(doc, invoker(doc), "getPost", EventPath(("info", "fieldName")), "NewFunction", "t")
    apply_resources(doc, [split])
    data = doc.data["Resources"]
    assert list(data)[3:5] == ["NewSource", "NewRole"]
    assert str(data["NewSource"]["Properties"]["LambdaConfig"]["LambdaFunctionArn"].value) == "NewFunction.Arn"
    assert str(data["NewSource"]["Properties"]["ServiceRoleArn"].value) == "NewRole.Arn"
    assert data["NewSource"]["Properties"]["Name"] == "NewSource"
    statement = data["NewRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]
    assert statement["Resource"].value == "${NewFunction.Arn}:*"
    assert str(data["AuthorName"]["Properties"]["DataSourceName"].value) == "NewSource.Name"
    assert list(data["AuthorName"]["DependsOn"]) == ["NewSource"]
    text = doc.dump()
    assert "      DataSourceName: !GetAtt NewSource.Name\n\n  AuthorName:" in text  # the blank line stays


def test_retirement_removes_the_data_source_and_its_role_once_no_resolver_uses_it(tmp_path: Path) -> None:
    doc = document(tmp_path)
    with pytest.raises(Refusal, match="GetPost .Query.getPost., AuthorName .Post.getPost. still resolve"):
        DATA_SOURCES.retire(doc, invoker(doc), "t")
    split = DATA_SOURCES.split(doc, invoker(doc), "getPost", EventPath(("info", "fieldName")), "NewFunction", "t")
    apply_resources(doc, [split])
    retired = DATA_SOURCES.retire(doc, invoker(doc), "t")
    assert retired.replacement is DELETE and retired.edits == ((("Role",), DELETE),)


def test_a_key_no_resolver_of_the_template_sends_refuses(tmp_path: Path) -> None:
    doc = document(tmp_path)
    with pytest.raises(Refusal, match="no AppSync resolver of the template resolves 'Mutation.getPost'"):
        DATA_SOURCES.split(doc, invoker(doc), "Mutation.getPost", TYPE_AND_FIELD, "NewFunction", "t")


def test_a_key_another_data_source_sends_is_no_delivery_here(tmp_path: Path) -> None:
    doc = document(tmp_path, TEMPLATE + """
  Other:
    Type: AWS::AppSync::Resolver
    Properties:
      ApiId: api
      TypeName: Mutation
      FieldName: getPost
      DataSourceName: elsewhere
""")
    split = DATA_SOURCES.split(doc, invoker(doc), "Mutation.getPost", TYPE_AND_FIELD, "NewFunction", "t")
    assert not split.delivers and not split.added and not split.edits


def test_a_key_read_from_elsewhere_refuses(tmp_path: Path) -> None:
    doc = document(tmp_path)
    with pytest.raises(Refusal, match="reads its key from action"):
        DATA_SOURCES.split(doc, invoker(doc), "getPost", EventPath(("action",)), "NewFunction", "t")


@pytest.mark.parametrize(
    ("template", "field"),
    [
        ('{"version": "2017-02-28", "operation": "Invoke", "payload": {"field": "getPost", "arguments": $utils.toJson($ctx.args)}}', "getPost"),
        ('{"operation": "Invoke", "payload": {"field": "$context.info.fieldName"}}', "listPosts"),
        ("return { operation: 'Invoke', payload: { field: ctx.info.fieldName, arguments: ctx.args } };", "listPosts"),
        ('{"payload": {"field": $util.toJson($ctx.info.fieldName)}}', "listPosts"),
    ],
)
def test_the_payload_field_is_read_from_the_request_template(template: str, field: str) -> None:
    resolver = {"Properties": {"TypeName": "Query", "FieldName": "listPosts", "RequestMappingTemplate": template}}
    assert _payload_field("R", resolver, "t") == field


@pytest.mark.parametrize(
    ("properties", "reason"),
    [
        ({}, "direct Lambda resolver"),
        ({"RequestMappingTemplateS3Location": "s3://b/k.vtl"}, "in a file"),
        ({"RequestMappingTemplate": '{"payload": {"field": "$ctx.args.which"}}'}, "cannot tell"),
        ({"RequestMappingTemplate": '{"payload": {"field": "a", "nested": {"field": "b"}}}'}, "cannot tell"),
    ],
)
def test_a_payload_field_that_cannot_be_read_refuses(properties: dict, reason: str) -> None:
    resolver = {"Properties": {"TypeName": "Query", "FieldName": "listPosts", **properties}}
    with pytest.raises(Refusal, match=reason):
        _payload_field("R", resolver, "t")
