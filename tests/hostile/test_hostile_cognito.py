"""Cognito triggers that cannot follow one action: never moved on a guess, never deleted with
the monolith.

A trigger calls one function for all of its trigger sources; a trigger whose other sources
the monolith handled by its default (or by another action) refuses, and so does a trigger
no action claims when migrate would retire the monolith.
"""

from __future__ import annotations

import json
from pathlib import Path

from samtranslator.yaml_helper import yaml_parse

from tests.support import samcheck
from tests.support.hostile import accepted, app_copy, edit, refused

APP = "cognito-triggers"
TABLE_ENTRY = '    "PostAuthentication_Authentication": audit_sign_in,\n'
STAFF_PERMISSION = """  StaffPoolInvokePermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !GetAtt AuthTriggersFunction.Arn
      Principal: cognito-idp.amazonaws.com
      SourceArn: !GetAtt StaffPool.Arn

"""


def auth(tmp_path: Path) -> Path:
    return app_copy(APP, tmp_path, git_repo=False)


def resources(app: Path, name: str = "template.yaml") -> dict:
    return yaml_parse((app / name).read_text(encoding="utf-8"))["Resources"]


def test_a_trigger_with_sources_the_action_does_not_own_refuses(tmp_path: Path) -> None:
    app = auth(tmp_path)
    edit(app / "template.yaml", "            Trigger: PostAuthentication\n",
         "            Trigger: [PostAuthentication, PreSignUp]\n")
    edit(app / "auth_triggers/app.py", TABLE_ENTRY, TABLE_ENTRY + '    "PreSignUp_SignUp": audit_sign_in,\n')
    refused(app, "extract", "PreSignUp_SignUp",
            names=("PreSignUp_AdminCreateUser, PreSignUp_ExternalProvider", "PreSignUp trigger", "Resources.AuthTriggersFunction"))
    refused(app, "migrate", names=("PreSignUp trigger",))
    accepted(app, "extract", "PostAuthentication_Authentication")
    assert resources(app)["AuthTriggersFunction"]["Properties"]["Events"]["SignInAudit"]["Properties"]["Trigger"] == ["PreSignUp"]


def test_a_trigger_no_action_claims_refuses_retirement(tmp_path: Path) -> None:
    app = auth(tmp_path)
    edit(app / "template.yaml", "        SignInAudit:\n", "        Messages:\n          Type: Cognito\n"
         "          Properties:\n            UserPool: !Ref CustomerPool\n            Trigger: CustomMessage\n"
         "        SignInAudit:\n")
    refused(app, "migrate", names=("event Messages (Cognito) still sends the CustomMessage trigger", "--keep-monolith"))
    accepted(app, "migrate", "--keep-monolith")
    assert list(resources(app)["AuthTriggersFunction"]["Properties"]["Events"]) == ["Messages"]
    samcheck.assert_valid(app / "template.yaml")


def test_a_pool_trigger_written_another_way_refuses(tmp_path: Path) -> None:
    app = auth(tmp_path)
    edit(app / "template.yaml", "PreAuthentication: !GetAtt AuthTriggersFunction.Arn",
         "PreAuthentication: !Sub arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${AuthTriggersFunction}")
    refused(app, "extract", "PreAuthentication_Authentication", names=("StaffPool LambdaConfig.PreAuthentication",))


def test_a_pool_without_a_permission_of_its_own_gets_one_for_the_new_function(tmp_path: Path) -> None:
    app = auth(tmp_path)
    edit(app / "template.yaml", STAFF_PERMISSION, "")
    result = accepted(app, "extract", "PreAuthentication_Authentication")
    added = resources(app)["PreAuthenticationAuthenticationFunctionStaffPoolPermission"]
    assert added["Properties"]["Principal"] == "cognito-idp.amazonaws.com"
    assert added["Properties"]["SourceArn"] == {"Fn::GetAtt": ["StaffPool", "Arn"]}
    assert "lets the pool invoke it" in result.output
    samcheck.assert_valid(app / "template.yaml")


def test_the_json_template_is_split_alike(tmp_path: Path) -> None:
    app = auth(tmp_path)
    data = yaml_parse((app / "template.yaml").read_text(encoding="utf-8"))
    (app / "template.yaml").unlink()
    (app / "template.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    accepted(app, "extract", "PreAuthentication_Authentication", "VerifyAuthChallengeResponse_Authentication")
    data = json.loads((app / "template.json").read_text(encoding="utf-8"))["Resources"]
    assert data["StaffPool"]["Properties"]["LambdaConfig"]["PreAuthentication"] == {
        "Fn::GetAtt": ["PreAuthenticationAuthenticationFunction", "Arn"]}
    assert data["AuthTriggersFunction"]["Properties"]["Events"]["CustomAuthFlow"]["Properties"]["Trigger"] == [
        "DefineAuthChallenge", "CreateAuthChallenge"]
    samcheck.assert_valid(app / "template.json")
