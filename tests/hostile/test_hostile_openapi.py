"""OpenAPI definitions strangler cannot split refuse, name what and where, and write nothing;
the ones it can split are split whether inline, included as YAML or included as JSON."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from samtranslator.yaml_helper import yaml_parse

from strangler.verify import routing
from tests.support import samcheck
from tests.support.hostile import accepted, app_copy, edit, refused, repository

APP = "openapi-pets"
INCLUDE = """      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters:
            Location: ./openapi.yaml
"""
GET_PETS_URI = ("Fn::Sub: arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                "${PetsFunction.Arn}/invocations\n        passthroughBehavior")
HEALTH_ON_PETS_API = """            Path: /health
            Method: get
            RestApiId: !Ref PetsApi
"""


def pets(tmp_path: Path) -> Path:
    return app_copy(APP, tmp_path)


def test_an_integration_uri_naming_the_monolith_by_its_physical_name_refuses(tmp_path: Path) -> None:
    app = pets(tmp_path)
    edit(app / "template.yaml", "      Description: pets-api monolith\n",
         "      Description: pets-api monolith\n      FunctionName: !Sub pets-api-${Stage}\n")
    edit(app / "openapi.yaml", GET_PETS_URI,
         "Fn::Sub: arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
         "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:pets-api-${Stage}/invocations\n"
         "        passthroughBehavior")
    repository(app)
    message = refused(app, "extract", "GET /pets", names=("openapi.yaml", "paths./pets.get", "PetsFunction", "does not understand"))
    assert "hint: write it as Fn::Sub" in message and "long form" in message


def test_a_definition_uri_in_s3_refuses(tmp_path: Path) -> None:
    app = pets(tmp_path)
    edit(app / "template.yaml", INCLUDE, "      DefinitionUri: s3://pets-artifacts/openapi.yaml\n")
    edit(app / "template.yaml", "            Path: /health\n            Method: get\n", HEALTH_ON_PETS_API)
    repository(app)
    message = refused(app, "extract", "GET /pets", names=("PetsApi", "AWS::Serverless::Api", "DefinitionUri", "cannot read"))
    assert "hint: " in message


def test_a_definition_included_from_s3_refuses(tmp_path: Path) -> None:
    app = pets(tmp_path)
    edit(app / "template.yaml", "Location: ./openapi.yaml", "Location: s3://pets-artifacts/openapi.yaml")
    edit(app / "template.yaml", "            Path: /health\n            Method: get\n", HEALTH_ON_PETS_API)
    repository(app)
    refused(app, "extract", "GET /pets", names=("PetsApi", "s3://pets-artifacts/openapi.yaml", "cannot read"))
    refused(app, "migrate", names=("PetsApi",))


def test_an_authorizer_of_the_api_served_by_the_monolith_refuses(tmp_path: Path) -> None:
    app = pets(tmp_path)
    edit(app / "openapi.yaml", "components:\n", """components:
  securitySchemes:
    staff:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri:
          Fn::Sub: arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${PetsFunction.Arn}/invocations
""")
    repository(app)
    refused(app, "extract", "GET /pets", names=("PetsApi", "authorizerUri", "outside its integrations' uri"))


def test_a_route_only_a_catch_all_carries_refuses(tmp_path: Path) -> None:
    app = pets(tmp_path)
    edit(app / "openapi.yaml", "  /pets/{petId}/adoption:\n", "  /pets/{petId}/{proxy+}:\n")
    repository(app)
    refused(app, "extract", "POST /pets/{petId}/adoption", names=("catch-all /pets/{petId}/{proxy+}", "add the path"))


def test_an_inline_definition_is_split_and_routed(tmp_path: Path) -> None:
    app = pets(tmp_path)
    definition = (app / "openapi.yaml").read_text(encoding="utf-8")
    edit(app / "template.yaml", INCLUDE, "      DefinitionBody:\n" + textwrap.indent(definition, "        "))
    (app / "openapi.yaml").unlink()
    repository(app)
    accepted(app, "extract", "GET /pets/{petId}", "POST /pets/{petId}/adoption")
    cfn = samcheck.assert_valid(app / "template.yaml")
    assert routing.targets(cfn, _rest("GET", "/pets/{petId}", "/pets/pet-rex")) == {"GetPetsPetIdFunction"}
    assert routing.targets(cfn, _rest("POST", "/pets/{petId}/adoption", "/pets/pet-rex/adoption")) == {"PostPetsPetIdAdoptionFunction"}
    assert routing.targets(cfn, _rest("DELETE", "/pets/{petId}", "/pets/pet-rex")) == {"PetsFunction"}
    text = (app / "template.yaml").read_text(encoding="utf-8")
    assert "# adoption was a separate service once" in text and "httpMethod: POST    # always POST for Lambda" in text


def test_an_included_json_definition_keeps_its_layout(tmp_path: Path) -> None:
    app = pets(tmp_path)
    data = yaml_parse((app / "openapi.yaml").read_text(encoding="utf-8"))
    original = json.dumps(data, indent=4) + "\n"
    (app / "openapi.json").write_text(original, encoding="utf-8")
    (app / "openapi.yaml").unlink()
    edit(app / "template.yaml", "Location: ./openapi.yaml", "Location: openapi.json")
    repository(app)
    accepted(app, "extract", "DELETE /pets/{petId}")
    written = (app / "openapi.json").read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(original.splitlines(), written.splitlines(), strict=True) if a != b]
    assert changed == [(
        '                        "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${PetsFunction.Arn}/invocations"',
        '                        "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${DeletePetsPetIdFunction.Arn}/invocations"',
    )]
    cfn = samcheck.assert_valid(app / "template.yaml")
    assert routing.targets(cfn, _rest("DELETE", "/pets/{petId}", "/pets/pet-rex")) == {"DeletePetsPetIdFunction"}


def _rest(method: str, resource: str, path: str) -> dict:
    return {"httpMethod": method, "path": path, "resource": resource, "requestContext": {"apiId": "x"}}


def test_any_left_on_the_monolith_keeps_it_from_retiring(tmp_path: Path) -> None:
    app = pets(tmp_path)
    edit(app / "openapi.yaml", "    delete:\n      summary: Remove a pet (staff only)\n",
         "    x-amazon-apigateway-any-method:\n      summary: Remove a pet (staff only), or anything else\n")
    repository(app)
    message = refused(app, "migrate", names=("PetsApi", "PetsFunction", "--keep-monolith"))
    assert "openapi.yaml" in message
    accepted(app, "migrate", "--keep-monolith")
    definition = (app / "openapi.yaml").read_text(encoding="utf-8")
    # the exact method beats ANY: DELETE goes to its function, the monolith keeps the rest
    assert "    delete:\n      summary: Remove a pet (staff only), or anything else\n" in definition
    assert definition.count("${PetsFunction.Arn}") == 1
    cfn = samcheck.assert_valid(app / "template.yaml")
    assert routing.targets(cfn, _rest("DELETE", "/pets/{petId}", "/pets/pet-rex")) == {"DeletePetsPetIdFunction"}
    assert routing.targets(cfn, _rest("PATCH", "/pets/{petId}", "/pets/pet-rex")) == {"PetsFunction"}


HTTP_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  ItemsApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        openapi: "3.0.1"
        info: {title: items, version: "1"}
        paths:
          /items:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                payloadFormatVersion: "2.0"
                uri: !Join ["", ["arn:aws:apigateway:", !Ref AWS::Region, ":lambda:path/2015-03-31/functions/", !GetAtt ItemsFunction.Arn, "/invocations"]]
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                payloadFormatVersion: "2.0"
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ItemsFunction.Arn}/invocations

  ItemsFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
"""
HTTP_CODE = '''\
def list_items(event):
    return {"statusCode": 200, "body": "[]"}


def add_item(event):
    return {"statusCode": 201, "body": event.get("body") or "{}"}


ROUTES = {"GET /items": list_items, "POST /items": add_item}


def handler(event, context):
    return ROUTES[event["routeKey"]](event)
'''


def test_an_http_api_definition_with_any_and_a_join_is_split_and_routed(tmp_path: Path) -> None:
    app = tmp_path / "items"
    (app / "src").mkdir(parents=True)
    (app / "template.yaml").write_text(HTTP_TEMPLATE, encoding="utf-8")
    (app / "src" / "app.py").write_text(HTTP_CODE, encoding="utf-8")
    repository(app)
    accepted(app, "extract", "GET /items", "POST /items")
    cfn = samcheck.assert_valid(app / "template.yaml")
    event = {"version": "2.0", "rawPath": "/items", "requestContext": {"http": {"method": "GET", "path": "/items"}}}
    assert routing.targets(cfn, event) == {"GetItemsFunction"}
    event["requestContext"]["http"]["method"] = "POST"
    assert routing.targets(cfn, event) == {"PostItemsFunction"}
    text = (app / "template.yaml").read_text(encoding="utf-8")
    assert "functions/${ItemsFunction.Arn}/invocations" in text  # ANY stays with the monolith for the rest
    assert '!GetAtt GetItemsFunction.Arn, "/invocations"]]' in text
    assert "GetItemsFunctionItemsApiPermission:" in text and "PostItemsFunctionItemsApiPermission:" in text


def test_a_local_definition_uri_refuses_with_the_include_to_use_instead(tmp_path: Path) -> None:
    app = pets(tmp_path)
    edit(app / "template.yaml", INCLUDE, "      DefinitionUri: ./openapi.yaml\n")
    edit(app / "template.yaml", "            Path: /health\n            Method: get\n", HEALTH_ON_PETS_API)
    repository(app)
    message = refused(app, "extract", "GET /pets", names=("PetsApi", "DefinitionUri ./openapi.yaml", "without intrinsics"))
    assert "AWS::Include" in message
