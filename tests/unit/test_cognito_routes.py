"""Cognito triggers: a dispatch on triggerSource moves the trigger of each source, from a SAM
Cognito event's Trigger list or a user pool's LambdaConfig; a trigger that sends other
sources too, or one left on the monolith when it retires, refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from strangler.model import ANY_CASE, DELETE, EventPath
from strangler.sources.cognito import COGNITO, TRIGGER_SOURCES, trigger_of
from strangler.sources.registry import source_for
from strangler.sources.resources.registry import route_for
from strangler.sources.resources.user_pool import USER_POOLS
from strangler.sources.route import plan_route, retire_events
from strangler.template.document import TemplateDocument
from strangler.template.invokers import invokers_of
from tests.support.templates import function_events, plain, refusal, resources_doc

WHERE = "template.yaml: Resources.AuthFunction"
SOURCE = EventPath(("triggerSource",))


def load(tmp_path: Path, resources_yaml: str) -> TemplateDocument:
    return resources_doc(tmp_path, resources_yaml)


def events(tmp_path: Path, events_yaml: str) -> Any:
    return function_events(tmp_path, "AuthFunction", events_yaml)


FLOW = """\
CustomAuth:
  Type: Cognito
  Properties:
    UserPool: !Ref Pool
    Trigger: [DefineAuthChallenge, CreateAuthChallenge, VerifyAuthChallengeResponse]
Audit:
  Type: Cognito
  Properties:
    UserPool: !Ref Pool
    Trigger: PostAuthentication
"""


def test_one_trigger_of_a_list_moves_and_the_monolith_keeps_the_others(tmp_path):
    plan = plan_route(events(tmp_path, FLOW), "CreateAuthChallenge_Authentication", SOURCE, WHERE)

    assert plain(plan.new_events) == {"CustomAuth": {"Type": "Cognito", "Properties": {
        "UserPool": "Pool", "Trigger": ["CreateAuthChallenge"]}}}
    assert plain(plan.monolith_events) == {"CustomAuth": {"Type": "Cognito", "Properties": {
        "UserPool": "Pool", "Trigger": ["DefineAuthChallenge", "VerifyAuthChallengeResponse"]}}}


def test_a_single_trigger_moves_whole(tmp_path):
    plan = plan_route(events(tmp_path, FLOW), "PostAuthentication_Authentication", SOURCE, WHERE)

    assert plain(plan.new_events)["Audit"]["Properties"]["Trigger"] == "PostAuthentication"
    assert plan.monolith_events == {"Audit": DELETE}


def test_the_code_may_compare_in_any_case(tmp_path):
    plan = plan_route(events(tmp_path, FLOW), "POSTAUTHENTICATION_AUTHENTICATION", EventPath(("triggerSource", ANY_CASE)), WHERE)
    assert list(plan.new_events) == ["Audit"]


def test_a_trigger_that_sends_other_sources_refuses_naming_them(tmp_path):
    source = events(tmp_path, "SignUp:\n  Type: Cognito\n  Properties:\n    UserPool: !Ref Pool\n    Trigger: PreSignUp\n")

    message = refusal(plan_route, source, "PreSignUp_SignUp", SOURCE, WHERE)

    assert "Cognito sends PreSignUp_AdminCreateUser, PreSignUp_ExternalProvider to the PreSignUp trigger too" in message
    assert "hint: " in message


def test_a_source_no_event_carries_is_not_routed(tmp_path):
    message = refusal(plan_route, events(tmp_path, FLOW), "PreAuthentication_Authentication", SOURCE, WHERE)
    assert "no event source routes 'PreAuthentication_Authentication'" in message


def test_a_dispatch_on_another_field_refuses(tmp_path):
    message = refusal(plan_route, events(tmp_path, FLOW), "admin", EventPath(("request", "userAttributes", "role")), WHERE)
    assert "a user pool chooses the function by trigger" in message


def test_a_trigger_written_as_an_intrinsic_refuses(tmp_path):
    source = events(tmp_path, "Any:\n  Type: Cognito\n  Properties:\n    UserPool: !Ref Pool\n    Trigger: !Ref Triggers\n")
    assert "Trigger is an intrinsic function (!Ref)" in refusal(plan_route, source, "PreSignUp_SignUp", SOURCE, WHERE)


def test_a_trigger_left_on_the_monolith_refuses_its_retirement(tmp_path):
    source = events(tmp_path, FLOW)
    message = refusal(retire_events, {"Audit": source["Audit"]}, WHERE)
    assert "event Audit (Cognito) still sends the PostAuthentication trigger" in message and "--keep-monolith" in message


def test_every_trigger_source_names_its_trigger():
    for trigger, sources in TRIGGER_SOURCES.items():
        for name in sources:
            assert trigger_of(name, SOURCE, WHERE) == trigger
    assert trigger_of("OrderPlaced", SOURCE, WHERE) is None
    assert source_for("Cognito") is COGNITO


# --- a user pool's own LambdaConfig ----------------------------------------------------------------
POOLS = """\
AuthFunction:
  Type: AWS::Serverless::Function
  Properties:
    Handler: app.handler
StaffPool:
  Type: AWS::Cognito::UserPool
  Properties:
    LambdaConfig:
      PreAuthentication: !GetAtt AuthFunction.Arn
      PostAuthentication: !GetAtt AuditFunction.Arn
      CustomEmailSender:
        LambdaArn: !GetAtt AuthFunction.Arn
        LambdaVersion: V1_0
      KMSKeyID: !Ref MailKey
"""


def split(doc: TemplateDocument, key: str, new_id: str, path: EventPath = SOURCE):
    invoker = next(i for i in invokers_of(doc.data, "AuthFunction") if i.logical_id == "StaffPool")
    route = route_for(invoker.kind, doc.data["Resources"]["StaffPool"])
    assert route is USER_POOLS
    return route.split(doc, invoker, key, path, new_id, "template.yaml: Resources.StaffPool")


def test_the_trigger_is_re_pointed_and_the_new_function_gets_a_permission(tmp_path):
    doc = load(tmp_path, POOLS)

    result = split(doc, "PreAuthentication_Authentication", "PreAuthenticationFunction")

    config = plain(result.replacement["Properties"]["LambdaConfig"])
    assert config["PreAuthentication"] == "PreAuthenticationFunction.Arn"
    assert config["PostAuthentication"] == "AuditFunction.Arn" and config["CustomEmailSender"]["LambdaArn"] == "AuthFunction.Arn"
    (permission_id, permission), = result.added
    assert permission_id == "PreAuthenticationFunctionStaffPoolPermission"
    assert plain(permission["Properties"]) == {"Action": "lambda:InvokeFunction", "FunctionName": "PreAuthenticationFunction",
                                               "Principal": "cognito-idp.amazonaws.com", "SourceArn": "StaffPool.Arn"}
    assert result.delivers
    assert plain(doc.data["Resources"]["StaffPool"]["Properties"]["LambdaConfig"]["PreAuthentication"]) == "AuthFunction.Arn"


def test_a_permission_of_the_template_is_left_to_its_route(tmp_path):
    doc = load(tmp_path, POOLS + """\
StaffPoolPermission:
  Type: AWS::Lambda::Permission
  Properties:
    Action: lambda:InvokeFunction
    FunctionName: !GetAtt AuthFunction.Arn
    Principal: cognito-idp.amazonaws.com
    SourceArn: !GetAtt StaffPool.Arn
""")
    assert split(doc, "PreAuthentication_Authentication", "PreAuthenticationFunction").added == ()


def test_another_functions_trigger_or_a_source_of_no_trigger_is_left_alone(tmp_path):
    doc = load(tmp_path, POOLS)
    assert split(doc, "PostAuthentication_Authentication", "PostAuthenticationFunction").replacement is None
    assert split(doc, "DefineAuthChallenge_Authentication", "DefineFunction").replacement is None


def test_a_shared_trigger_refuses(tmp_path):
    message = refusal(split, load(tmp_path, POOLS), "CustomEmailSender_SignUp", "SignUpMailFunction")
    assert "to the CustomEmailSender trigger too" in message


def test_a_trigger_named_another_way_refuses(tmp_path):
    doc = load(tmp_path, POOLS.replace("PreAuthentication: !GetAtt AuthFunction.Arn",
                                       "PreAuthentication: !Sub ${AuthFunction.Arn}"))
    assert "only !GetAtt AuthFunction.Arn" in refusal(split, doc, "PreAuthentication_Authentication", "PreFunction")


def test_a_dispatch_on_another_field_names_the_pool(tmp_path):
    message = refusal(split, load(tmp_path, POOLS), "refund", "RefundFunction", EventPath(("action",)))
    assert message.startswith("template.yaml: Resources.StaffPool: StaffPool (AWS::Cognito::UserPool) delivers events to AuthFunction")


def test_a_pool_still_naming_the_monolith_refuses_retirement(tmp_path):
    doc = load(tmp_path, POOLS)
    invoker = next(i for i in invokers_of(doc.data, "AuthFunction") if i.logical_id == "StaffPool")
    assert USER_POOLS.retire(doc, invoker, WHERE) is None
