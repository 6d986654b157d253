"""An API's OpenAPI definition, inline or included from a file beside the template, carries
each action to its own function: its integrations re-pointed, ANY copied into the action's
method, and a permission for API Gateway when the monolith has none to copy."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from strangler.model import EventPath
from strangler.sources.base import Refusal
from strangler.sources.resources.openapi import OPENAPI
from strangler.sources.resources.registry import route_for
from strangler.template.document import TemplateDocument
from strangler.template.invokers import invokers_of
from strangler.template.resources import apply_resources

ROUTE = EventPath(("method+path",))
URI = "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Mono.Arn}/invocations"

HEAD = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Mono:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Architectures:
        - arm64

"""

INLINE = HEAD + """\
  # the public API
  PetsApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      DefinitionBody:
        openapi: "3.0.1"
        paths:
          /pets:
            get:   # list
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Mono.Arn}/invocations
            post:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Mono.Arn}/invocations

  Other:
    Type: AWS::SNS::Topic
"""


def document(tmp_path: Path, text: str, name: str = "template.yaml") -> TemplateDocument:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return TemplateDocument.load(path)


def split(doc: TemplateDocument, key: str, path: EventPath = ROUTE, new_id: str = "NewFunction"):
    invokers = [i for i in invokers_of(doc.data, "Mono", doc.read_file) if i.kind.startswith("AWS::Serverless::")]
    assert len(invokers) == 1, invokers
    return OPENAPI.split(doc, invokers[0], key, path, new_id, "template.yaml: Resources.PetsApi")


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_the_route_is_registered_for_both_sam_apis() -> None:
    assert route_for("AWS::Serverless::Api") is OPENAPI
    assert route_for("AWS::Serverless::HttpApi") is OPENAPI


def test_an_inline_route_is_re_pointed_and_the_rest_stays(tmp_path: Path) -> None:
    doc = document(tmp_path, INLINE)
    result = split(doc, "GET /pets")
    assert result.delivers and result.files == ()
    apply_resources(doc, [result])
    text = doc.dump()
    assert changed_lines(INLINE, text)[:2] == [
        "-                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Mono.Arn}/invocations",
        "+                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${NewFunction.Arn}/invocations",
    ]
    assert "            get:   # list\n" in text and "  # the public API\n" in text
    assert text.count("${Mono.Arn}") == 1  # POST /pets stays with the monolith


def test_a_permission_is_added_when_the_monolith_has_none_for_the_api(tmp_path: Path) -> None:
    doc = document(tmp_path, INLINE)
    result = split(doc, "POST /pets")
    (logical_id, permission), = result.added
    assert logical_id == "NewFunctionPetsApiPermission"
    assert permission["Metadata"]["Strangler"] == {"SplitFrom": "PetsApi", "Action": "POST /pets"}
    properties = permission["Properties"]
    assert properties["Principal"] == "apigateway.amazonaws.com" and properties["Action"] == "lambda:InvokeFunction"
    assert properties["FunctionName"].value == "NewFunction"
    assert properties["SourceArn"].value == "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${PetsApi}/*"
    apply_resources(doc, [result])
    resources = list(doc.data["Resources"])
    assert resources.index("NewFunctionPetsApiPermission") == resources.index("PetsApi") + 1


def test_the_monolith_permission_for_the_api_is_copied_by_its_own_route_instead(tmp_path: Path) -> None:
    text = INLINE + """\
  MonoApiPermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Mono
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${PetsApi}/*
"""
    assert split(document(tmp_path, text), "GET /pets").added == ()


def test_a_route_the_definition_does_not_carry_changes_nothing(tmp_path: Path) -> None:
    result = split(document(tmp_path, INLINE), "DELETE /pets")
    assert not result.delivers and result.replacement is None and result.added == ()


def test_the_sub_list_form_re_points_its_variable(tmp_path: Path) -> None:
    text = INLINE.replace(
        "uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Mono.Arn}/invocations\n            post:",
        "uri: !Sub\n                  - arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn}/invocations\n"
        "                  - Fn: !GetAtt Mono.Arn\n            post:",
    )
    doc = document(tmp_path, text)
    apply_resources(doc, [split(doc, "GET /pets")])
    assert changed_lines(text, doc.dump())[:2] == [
        "-                  - Fn: !GetAtt Mono.Arn", "+                  - Fn: !GetAtt NewFunction.Arn",
    ]


def test_a_join_re_points_its_part(tmp_path: Path) -> None:
    join = ('uri: !Join ["", ["arn:aws:apigateway:", !Ref AWS::Region, ":lambda:path/2015-03-31/functions/", '
            '!GetAtt Mono.Arn, "/invocations"]]')
    text = INLINE.replace(
        "uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Mono.Arn}/invocations\n            post:",
        join + "\n            post:",
    )
    doc = document(tmp_path, text)
    apply_resources(doc, [split(doc, "GET /pets")])
    assert join.replace("Mono.Arn", "NewFunction.Arn") in doc.dump()


def test_any_method_is_copied_into_the_actions_method_and_stays_for_the_rest(tmp_path: Path) -> None:
    text = INLINE.replace("            post:\n", "            x-amazon-apigateway-any-method:\n")
    doc = document(tmp_path, text)
    result = split(doc, "DELETE /pets")
    assert result.note.startswith("DELETE /pets (added beside ANY)")
    apply_resources(doc, [result])
    paths = doc.data["Resources"]["PetsApi"]["Properties"]["DefinitionBody"]["paths"]["/pets"]
    assert list(paths) == ["get", "x-amazon-apigateway-any-method", "delete"]
    assert "${Mono.Arn}" in paths["x-amazon-apigateway-any-method"]["x-amazon-apigateway-integration"]["uri"].value
    assert "${NewFunction.Arn}" in paths["delete"]["x-amazon-apigateway-integration"]["uri"].value
    assert "${Mono.Arn}" in paths["get"]["x-amazon-apigateway-integration"]["uri"].value
    assert doc.dump().endswith("\n  Other:\n    Type: AWS::SNS::Topic\n")  # the blank line before Other kept


def test_an_explicit_method_beside_any_is_re_pointed_alone(tmp_path: Path) -> None:
    text = INLINE.replace("            post:\n", "            x-amazon-apigateway-any-method:\n")
    doc = document(tmp_path, text)
    apply_resources(doc, [split(doc, "GET /pets")])
    paths = doc.data["Resources"]["PetsApi"]["Properties"]["DefinitionBody"]["paths"]["/pets"]
    assert list(paths) == ["get", "x-amazon-apigateway-any-method"]


def test_a_method_only_key_takes_its_method_on_every_path(tmp_path: Path) -> None:
    text = INLINE.replace("            post:\n", "          /pets/{id}:\n            get:\n")
    doc = document(tmp_path, text)
    result = split(doc, "GET", EventPath(("httpMethod",)))
    assert result.note.startswith("GET /pets; GET /pets/{id} now reach NewFunction")


def test_a_rest_resource_key_takes_every_method_of_the_path(tmp_path: Path) -> None:
    result = split(document(tmp_path, INLINE), "/pets", EventPath(("resource",)))
    assert result.note.startswith("GET /pets; POST /pets now reach NewFunction")


def test_an_http_api_route_key(tmp_path: Path) -> None:
    text = INLINE.replace("AWS::Serverless::Api", "AWS::Serverless::HttpApi").replace("      StageName: v1\n", "")
    result = split(document(tmp_path, text), "POST /pets", EventPath(("routeKey",)))
    assert result.note.startswith("POST /pets now reaches NewFunction")


def test_an_http_api_default_route_cannot_take_a_method(tmp_path: Path) -> None:
    text = (INLINE.replace("AWS::Serverless::Api", "AWS::Serverless::HttpApi").replace("      StageName: v1\n", "")
            .replace("          /pets:\n", "          $default:\n").replace("            get:   # list\n", "            x-amazon-apigateway-any-method:\n")
            .replace("            post:\n", "            options:\n"))
    with pytest.raises(Refusal, match=r"\$default route"):
        split(document(tmp_path, text), "GET", EventPath(("requestContext", "http", "method")))


def test_a_key_read_from_the_query_string_refuses(tmp_path: Path) -> None:
    with pytest.raises(Refusal, match="PetsApi .*queryStringParameters"):
        split(document(tmp_path, INLINE), "list", EventPath(("queryStringParameters", "op")))


def test_a_path_reached_through_a_greedy_catch_all_refuses(tmp_path: Path) -> None:
    text = INLINE.replace("          /pets:\n", "          /{proxy+}:\n")
    with pytest.raises(Refusal, match=r"catch-all /\{proxy\+\}") as caught:
        split(document(tmp_path, text), "GET /pets")
    assert "add the path /pets" in caught.value.hint


# --- an included definition -------------------------------------------------------------
INCLUDED = """\
openapi: "3.0.1"
info: {title: pets, version: '1'}   # flow style, odd spacing

paths:
  /pets:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri:
          Fn::Sub: arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Mono.Arn}/invocations
    # creating pets is the monolith's for now
    post:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Mono.Arn}/invocations"}}
"""

INCLUDING = HEAD + """\
  PetsApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters:
            Location: ./api/openapi.yaml
"""


def included_app(tmp_path: Path) -> TemplateDocument:
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "openapi.yaml").write_text(INCLUDED, encoding="utf-8")
    return document(tmp_path, INCLUDING)


def test_an_included_file_is_edited_in_place_line_for_line(tmp_path: Path) -> None:
    doc = included_app(tmp_path)
    result = split(doc, "GET /pets")
    assert result.replacement is None and result.delivers
    (name, text), = result.files
    assert name == "api/openapi.yaml"
    assert changed_lines(INCLUDED, text) == [
        "-          Fn::Sub: arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Mono.Arn}/invocations",
        "+          Fn::Sub: arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${NewFunction.Arn}/invocations",
    ]
    assert result.added[0][0] == "NewFunctionPetsApiPermission"


def test_the_next_action_of_the_run_edits_the_file_as_the_last_one_left_it(tmp_path: Path) -> None:
    doc = included_app(tmp_path)
    apply_resources(doc, [split(doc, "GET /pets")])
    (_, text), = split(doc, "POST /pets", new_id="Second").files
    assert "${NewFunction.Arn}" in text and "${Second.Arn}" in text and "${Mono.Arn}" not in text
    assert (tmp_path / "api" / "openapi.yaml").read_text() == INCLUDED  # nothing written by a route


def test_an_included_file_that_no_longer_names_the_monolith_is_no_invoker(tmp_path: Path) -> None:
    doc = included_app(tmp_path)
    for index, key in enumerate(("GET /pets", "POST /pets")):
        apply_resources(doc, [split(doc, key, new_id=f"F{index}")])
    assert invokers_of(doc.data, "Mono", doc.read_file) == ()


def test_an_included_file_that_names_another_function_is_no_invoker(tmp_path: Path) -> None:
    (tmp_path / "openapi.yaml").write_text(INCLUDED.replace("Mono.Arn", "Other.Arn"), encoding="utf-8")
    doc = document(tmp_path, INCLUDING.replace("./api/openapi.yaml", "openapi.yaml"))
    assert invokers_of(doc.data, "Mono", doc.read_file) == ()


def test_an_included_file_is_an_invoker_found_by_reading_it(tmp_path: Path) -> None:
    doc = included_app(tmp_path)
    found, = invokers_of(doc.data, "Mono", doc.read_file)
    assert found.how == "x-amazon-apigateway-integration entries of its DefinitionBody (included from api/openapi.yaml)"


@pytest.mark.parametrize(("location", "why"), [
    ("s3://bucket/openapi.yaml", "AWS::Include of s3://bucket/openapi.yaml"),
    ("../openapi.yaml", "cannot be read inside the template's folder"),
    ("./missing.yaml", "cannot be read inside the template's folder"),
])
def test_a_definition_strangler_cannot_read_refuses_for_a_function_with_events_on_the_api(
    tmp_path: Path, location: str, why: str,
) -> None:
    (tmp_path / "openapi.yaml").write_text(INCLUDED, encoding="utf-8")  # beside the app's folder, not in it
    (tmp_path / "app").mkdir()
    text = INCLUDING.replace("./api/openapi.yaml", location).replace(
        "        - arm64\n",
        "        - arm64\n      Events:\n        Get:\n          Type: Api\n"
        "          Properties: {RestApiId: !Ref PetsApi, Path: /status, Method: get}\n")
    with pytest.raises(Refusal, match="cannot read") as caught:
        split(document(tmp_path / "app", text), "GET /pets")
    assert why in caught.value.message


def test_a_definition_uri_refuses(tmp_path: Path) -> None:
    text = INLINE.split("      DefinitionBody:")[0] + "      DefinitionUri: s3://bucket/openapi.yaml\n"
    text = text.replace("        - arm64\n", "        - arm64\n      Events:\n        Get:\n          Type: Api\n"
                        "          Properties: {RestApiId: !Ref PetsApi, Path: /status, Method: get}\n")
    with pytest.raises(Refusal, match="DefinitionUri"):
        split(document(tmp_path, text), "GET /pets")


def test_a_uri_naming_the_monolith_some_other_way_refuses(tmp_path: Path) -> None:
    text = INLINE.replace(
        "uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Mono.Arn}/invocations\n            post:",
        "uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Mono.Alias}/invocations\n            post:",
    )
    with pytest.raises(Refusal, match="does not understand") as caught:
        split(document(tmp_path, text), "GET /pets")
    assert caught.value.where.endswith("DefinitionBody.paths./pets.get")


def test_an_authorizer_in_the_definition_refuses(tmp_path: Path) -> None:
    text = INLINE.replace("        paths:\n", """\
        components:
          securitySchemes:
            staff:
              type: apiKey
              x-amazon-apigateway-authorizer:
                type: token
                authorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Mono.Arn}/invocations
        paths:
""")
    with pytest.raises(Refusal, match="outside its integrations' uri.*authorizerUri"):
        split(document(tmp_path, text), "GET /pets")


def test_a_json_template_gets_long_forms(tmp_path: Path) -> None:
    data = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "Mono": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "src/", "Handler": "app.handler", "Runtime": "python3.12"}},
            "PetsApi": {"Type": "AWS::Serverless::Api", "Properties": {"StageName": "v1", "DefinitionBody": {"paths": {"/pets": {"get": {
                "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST", "uri": {"Fn::Sub": URI}}}}}}}},
        },
    }
    doc = document(tmp_path, json.dumps(data, indent=2) + "\n", "template.json")
    result = split(doc, "GET /pets")
    apply_resources(doc, [result])
    written = json.loads(doc.dump())
    uri = written["Resources"]["PetsApi"]["Properties"]["DefinitionBody"]["paths"]["/pets"]["get"]["x-amazon-apigateway-integration"]["uri"]
    assert uri == {"Fn::Sub": URI.replace("Mono.Arn", "NewFunction.Arn")}
    permission = written["Resources"]["NewFunctionPetsApiPermission"]["Properties"]
    assert permission["FunctionName"] == {"Ref": "NewFunction"} and "Fn::Sub" in permission["SourceArn"]


def test_an_api_whose_auth_names_the_monolith_refuses_as_an_authorizer(tmp_path: Path) -> None:
    text = INLINE.split("      DefinitionBody:")[0] + """\
      Auth:
        DefaultAuthorizer: Staff
        Authorizers:
          Staff:
            FunctionArn: !GetAtt Mono.Arn
"""
    with pytest.raises(Refusal, match=r"Properties\.Auth\.Authorizers\.Staff\.FunctionArn.*authorizer"):
        split(document(tmp_path, text), "GET /pets")
