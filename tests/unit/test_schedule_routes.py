"""Schedules whose Input names the action: a SAM Schedule/ScheduleV2 event moves whole, a
standalone Scheduler schedule or scheduled rule is re-pointed; what cannot be read refuses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from strangler.model import ANY_CASE, DELETE, EACH, JSON, EventPath
from strangler.sources.registry import source_for
from strangler.sources.resources.registry import route_for
from strangler.sources.resources.scheduler import (
    SCHEDULED_RULES,
    SCHEDULES,
    is_scheduled_rule,
)
from strangler.sources.route import plan_route, retire_events
from strangler.sources.schedule import SCHEDULES as SCHEDULE_EVENTS
from strangler.template.document import TemplateDocument
from strangler.template.invokers import Invoker, invokers_of
from tests.support.templates import function_events, plain, refusal, resources_doc

WHERE = "template.yaml: Resources.JobsFunction"
JOB = EventPath(("job",))


def load(tmp_path: Path, resources_yaml: str) -> TemplateDocument:
    return resources_doc(tmp_path, resources_yaml)


def events(tmp_path: Path, events_yaml: str) -> Any:
    return function_events(tmp_path, "JobsFunction", events_yaml)


NIGHTLY = """\
Nightly:
  Type: Schedule
  Properties:
    Schedule: cron(0 3 * * ? *)
    Name: jobs-nightly
    Input: '{"job": "cleanup"}'
Hourly:
  Type: ScheduleV2
  Properties:
    ScheduleExpression: rate(1 hour)
    Input: '{"job": "digest", "window": "hourly"}'
"""


# --- SAM events ---------------------------------------------------------------------------------
def test_the_schedule_whose_input_names_the_action_moves_whole_without_its_name(tmp_path):
    plan = plan_route(events(tmp_path, NIGHTLY), "cleanup", JOB, WHERE)

    assert plain(plan.new_events) == {"Nightly": {"Type": "Schedule", "Properties": {
        "Schedule": "cron(0 3 * * ? *)", "Input": '{"job": "cleanup"}'}}}
    assert plan.monolith_events == {"Nightly": DELETE}
    assert "its Name is not carried over" in " ".join(plan.notes)


def test_two_schedules_of_one_job_both_move(tmp_path):
    both = NIGHTLY + NIGHTLY.replace("Nightly:", "Again:").replace("Hourly:", "Daily:").replace("cleanup", "digest")

    plan = plan_route(events(tmp_path, both), "digest", JOB, WHERE)

    assert sorted(plan.new_events) == ["Again", "Daily", "Hourly"]
    assert plan.monolith_events == {"Again": DELETE, "Daily": DELETE, "Hourly": DELETE}


def test_schedules_without_the_key_stay_and_an_action_no_schedule_names_refuses(tmp_path):
    source = events(tmp_path, NIGHTLY + "Tick:\n  Type: Schedule\n  Properties:\n    Schedule: rate(5 minutes)\n")

    assert "no event source routes 'vacuum'" in refusal(plan_route, source, "vacuum", JOB, WHERE)
    assert SCHEDULE_EVENTS.split("Tick", source["Tick"], "cleanup", JOB, WHERE).new_event is None
    assert SCHEDULE_EVENTS.split("Hourly", source["Hourly"], "cleanup", JOB, WHERE).new_event is None


@pytest.mark.parametrize(("written", "why"), [
    ("!GetAtt Jobs.Input", "is an intrinsic function (!GetAtt)"),
    ("'job=cleanup'", "is not JSON"),
    ("'{\"job\": 7}'", "holds 7 at job, not a string"),
    ("!Sub '{\"job\": \"${Job}\"}'", "names its action through ${Job}"),
    ("!Sub '{\"job\": ${Job}}'", "is not JSON"),
])
def test_an_input_that_cannot_be_read_refuses(tmp_path, written, why):
    source = events(tmp_path, f"Nightly:\n  Type: Schedule\n  Properties:\n    Schedule: rate(1 day)\n    Input: {written}\n")

    message = refusal(plan_route, source, "cleanup", JOB, WHERE)

    assert why in message and "event Nightly" in message and "hint: " in message


def test_a_sub_input_is_read_around_its_variables(tmp_path):
    source = events(tmp_path, "Weekly:\n  Type: ScheduleV2\n  Properties:\n    ScheduleExpression: rate(7 days)\n"
                              "    Input: !Sub '{\"job\": \"report\", \"to\": \"${OpsEmail}\", \"raw\": \"${!Literal}\"}'\n")

    assert list(plan_route(source, "report", JOB, WHERE).new_events) == ["Weekly"]


def test_paths_into_the_input(tmp_path):
    written = json.dumps({"task": {"name": "Cleanup", "args": json.dumps({"kind": "deep"})}})
    source = events(tmp_path, f"Nightly:\n  Type: Schedule\n  Properties:\n    Schedule: rate(1 day)\n    Input: '{written}'\n")

    assert plan_route(source, "CLEANUP", EventPath(("task", "name", ANY_CASE)), WHERE).new_events
    assert plan_route(source, "deep", EventPath(("task", "args", JSON, "kind")), WHERE).new_events
    assert "matched on plain fields only" in refusal(plan_route, source, "x", EventPath(("task", EACH, "name")), WHERE)


def test_a_schedule_without_input_sends_the_scheduled_event_which_may_be_the_key(tmp_path):
    source = events(tmp_path, "Tick:\n  Type: Schedule\n  Properties:\n    Schedule: rate(5 minutes)\n"
                              "Next:\n  Type: ScheduleV2\n  Properties:\n    ScheduleExpression: rate(5 minutes)\n")

    plan = plan_route(source, "Scheduled Event", EventPath(("detail-type",)), WHERE)
    nested = plan_route(source, "aws.events/Scheduled Event",
                        EventPath.nested(EventPath(("source",)), EventPath(("detail-type",))), WHERE)

    # EventBridge Scheduler sends no scheduled event of its own: that one stays
    assert plan.monolith_events == nested.monolith_events == {"Tick": DELETE}
    assert "its scheduled event is 'Scheduled Event'" in plan.notes[0]
    assert SCHEDULE_EVENTS.split("Tick", source["Tick"], "OrderPlaced", EventPath(("detail-type",)), WHERE).new_event is None


def test_a_role_the_schedule_names_is_reported(tmp_path):
    source = events(tmp_path, "Hourly:\n  Type: ScheduleV2\n  Properties:\n    ScheduleExpression: rate(1 hour)\n"
                              "    RoleArn: arn:aws:iam::123456789012:role/scheduler\n    Input: '{\"job\": \"digest\"}'\n")

    notes = " ".join(plan_route(source, "digest", JOB, WHERE).notes)

    assert "RoleArn arn:aws:iam::123456789012:role/scheduler: that role must be allowed lambda:InvokeFunction" in notes


def test_a_schedule_left_on_the_monolith_refuses_its_retirement(tmp_path):
    source = events(tmp_path, "Tick:\n  Type: Schedule\n  Properties:\n    Schedule: rate(5 minutes)\n"
                              "Typo:\n  Type: ScheduleV2\n  Properties:\n    ScheduleExpression: rate(1 day)\n"
                              "    Input: '{\"job\": \"clenup\"}'\n")

    tick = refusal(retire_events, {"Tick": source["Tick"]}, WHERE)
    typo = refusal(retire_events, {"Typo": source["Typo"]}, WHERE)

    assert "event Tick (Schedule) has no Input" in tick and f"{WHERE} event Tick" in tick
    assert "sends Input {\"job\": \"clenup\"}, which names no action" in typo and "--keep-monolith" in typo


def test_other_events_leave_with_the_monolith():
    retire_events({"Bus": {"Type": "EventBridgeRule", "Properties": {}}}, WHERE)


def test_the_registry_has_the_schedule_source():
    assert source_for("Schedule") is SCHEDULE_EVENTS and source_for("ScheduleV2") is SCHEDULE_EVENTS


# --- standalone resources -------------------------------------------------------------------------
STANDALONE = """\
JobsFunction:
  Type: AWS::Serverless::Function
  Properties:
    Handler: app.handler
CleanupFunction:
  Type: AWS::Serverless::Function
  Metadata:
    Strangler: {Action: cleanup, ExtractedFrom: JobsFunction}
  Properties:
    Handler: app.handler
SchedulerRole:
  Type: AWS::IAM::Role
  Properties:
    AssumeRolePolicyDocument: {}
Rotation:
  Type: AWS::Scheduler::Schedule
  Properties:
    ScheduleExpression: rate(30 days)
    FlexibleTimeWindow: {Mode: "OFF"}
    Target:
      Arn: !GetAtt JobsFunction.Arn
      RoleArn: !GetAtt SchedulerRole.Arn
      Input: '{"job": "rotate_keys"}'
Sweep:
  Type: AWS::Events::Rule
  Properties:
    ScheduleExpression: rate(15 minutes)
    Targets:
      - Id: audit
        Arn: arn:aws:sqs:us-east-1:123456789012:audit
      - Id: expire
        Arn: !GetAtt JobsFunction.Arn
        Input: '{"job": "expire_sessions"}'
      - Id: vacuum
        Arn: !GetAtt JobsFunction.Arn
        Input: '{"job": "vacuum"}'
"""


def split(doc: TemplateDocument, logical_id: str, key: str, new_id: str, path: EventPath = JOB):
    invoker = next(i for i in invokers_of(doc.data, "JobsFunction") if i.logical_id == logical_id)
    route = route_for(invoker.kind, doc.data["Resources"][logical_id])
    return route.split(doc, invoker, key, path, new_id, f"template.yaml: Resources.{logical_id}")


def test_a_scheduler_schedule_is_re_pointed_and_its_template_role_may_invoke_the_new_function(tmp_path):
    doc = load(tmp_path, STANDALONE)

    result = split(doc, "Rotation", "rotate_keys", "RotateKeysFunction")

    assert result.delivers
    assert plain(result.replacement["Properties"]["Target"]) == {
        "Arn": "RotateKeysFunction.Arn", "RoleArn": "SchedulerRole.Arn", "Input": '{"job": "rotate_keys"}'}
    (policy_id, policy), = result.added
    assert policy_id == "RotationRotateKeysFunctionInvoke"
    assert plain(policy["Properties"]["Roles"]) == ["SchedulerRole"]
    assert plain(policy["Properties"]["PolicyDocument"]["Statement"]) == [
        {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "RotateKeysFunction.Arn"}]
    assert plain(policy["Metadata"]) == {"Strangler": {"SplitFrom": "Rotation", "Action": "rotate_keys"}}
    # the template as it is now is never changed by a route
    assert plain(doc.data["Resources"]["Rotation"]["Properties"]["Target"]["Arn"]) == "JobsFunction.Arn"


def test_a_role_from_elsewhere_is_reported(tmp_path):
    doc = load(tmp_path, STANDALONE.replace("!GetAtt SchedulerRole.Arn", "arn:aws:iam::123456789012:role/ops"))

    result = split(doc, "Rotation", "rotate_keys", "RotateKeysFunction")

    assert result.added == () and "grant it by hand" in result.note


def test_a_schedule_of_another_job_or_already_moved_is_left_alone(tmp_path):
    doc = load(tmp_path, STANDALONE)
    assert split(doc, "Rotation", "cleanup", "CleanupFunction").replacement is None
    moved = load(tmp_path, STANDALONE.replace("Arn: !GetAtt JobsFunction.Arn\n      RoleArn", "Arn: !GetAtt CleanupFunction.Arn\n      RoleArn"))
    # the invokers are listed once per run: an earlier action of the run re-pointed it
    stale = Invoker("JobsFunction", "Rotation", "AWS::Scheduler::Schedule", "Target.Arn", "")
    assert SCHEDULES.split(moved, stale, "rotate_keys", JOB, "RotateKeysFunction", WHERE).replacement is None


def test_a_scheduled_rule_re_points_the_target_of_the_action_and_adds_a_permission(tmp_path):
    doc = load(tmp_path, STANDALONE)

    result = split(doc, "Sweep", "expire_sessions", "ExpireSessionsFunction")

    targets = plain(result.replacement["Properties"]["Targets"])
    assert [t["Arn"] for t in targets] == [
        "arn:aws:sqs:us-east-1:123456789012:audit", "ExpireSessionsFunction.Arn", "JobsFunction.Arn"]
    (permission_id, permission), = result.added
    assert permission_id == "ExpireSessionsFunctionSweepPermission"
    assert plain(permission["Properties"]) == {"Action": "lambda:InvokeFunction", "FunctionName": "ExpireSessionsFunction",
                                               "Principal": "events.amazonaws.com", "SourceArn": "Sweep.Arn"}


def test_a_queue_target_with_the_same_input_is_not_the_function(tmp_path):
    doc = load(tmp_path, STANDALONE.replace("        Arn: arn:aws:sqs:us-east-1:123456789012:audit\n",
                                            "        Arn: arn:aws:sqs:us-east-1:123456789012:audit\n"
                                            "        Input: '{\"job\": \"expire_sessions\"}'\n"))

    targets = split(doc, "Sweep", "expire_sessions", "ExpireSessionsFunction").replacement["Properties"]["Targets"]

    assert [plain(t["Arn"]) for t in targets][:2] == ["arn:aws:sqs:us-east-1:123456789012:audit", "ExpireSessionsFunction.Arn"]


def test_a_function_arn_written_out_with_the_input_refuses(tmp_path):
    doc = load(tmp_path, STANDALONE.replace("        Arn: arn:aws:sqs:us-east-1:123456789012:audit\n",
                                            "        Arn: !Sub arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:jobs\n"
                                            "        Input: '{\"job\": \"expire_sessions\"}'\n"))

    assert "Sweep Targets[0].Arn names JobsFunction in a way" in refusal(split, doc, "Sweep", "expire_sessions", "ExpireSessionsFunction")


def test_a_permission_of_the_template_for_the_rule_is_left_to_its_own_route(tmp_path):
    doc = load(tmp_path, STANDALONE + """\
SweepPermission:
  Type: AWS::Lambda::Permission
  Properties:
    Action: lambda:InvokeFunction
    FunctionName: !Ref JobsFunction
    Principal: events.amazonaws.com
    SourceArn: !GetAtt Sweep.Arn
""")
    assert split(doc, "Sweep", "expire_sessions", "ExpireSessionsFunction").added == ()


def test_a_rule_target_without_input_carries_the_scheduled_event(tmp_path):
    doc = load(tmp_path, STANDALONE.replace("        Input: '{\"job\": \"vacuum\"}'\n", ""))

    result = split(doc, "Sweep", "Scheduled Event", "ScheduledFunction", EventPath(("detail-type",)))

    assert [plain(t["Arn"]) for t in result.replacement["Properties"]["Targets"]][1:] == [
        "JobsFunction.Arn", "ScheduledFunction.Arn"]


def test_the_registry_tells_scheduled_rules_from_pattern_rules(tmp_path):
    doc = load(tmp_path, STANDALONE + "Bus:\n  Type: AWS::Events::Rule\n  Properties:\n    EventPattern: {source: [x]}\n")
    resources = doc.data["Resources"]
    assert is_scheduled_rule(resources["Sweep"]) and not is_scheduled_rule(resources["Bus"])
    assert route_for("AWS::Events::Rule", resources["Sweep"]) is SCHEDULED_RULES
    assert route_for("AWS::Events::Rule", resources["Bus"]) is not SCHEDULED_RULES
    assert route_for("AWS::Scheduler::Schedule", resources["Rotation"]) is SCHEDULES


@pytest.mark.parametrize(("target", "why"), [
    ("InputPath: $.detail", "shapes the scheduled event with InputPath"),
    ("InputTransformer: {InputTemplate: '{\"job\": \"vacuum\"}'}", "shapes the scheduled event with InputTransformer"),
])
def test_a_target_the_code_cannot_tell_refuses(tmp_path, target, why):
    doc = load(tmp_path, STANDALONE.replace("        Input: '{\"job\": \"vacuum\"}'", f"        {target}"))

    assert why in refusal(split, doc, "Sweep", "expire_sessions", "ExpireSessionsFunction")


@pytest.mark.parametrize("arn", [
    "!Ref JobsAlias", "arn:aws:lambda:us-east-1:123456789012:function:jobs-prod",
])
def test_a_target_named_another_way_refuses_when_its_input_names_the_action(tmp_path, arn):
    text = STANDALONE.replace("Arn: !GetAtt JobsFunction.Arn\n      RoleArn", f"Arn: {arn}\n      RoleArn")
    text = text.replace("    Handler: app.handler\nCleanup", "    Handler: app.handler\n    FunctionName: jobs-prod\nCleanup", 1)
    text += "JobsAlias:\n  Type: AWS::Lambda::Alias\n  Properties:\n    FunctionName: !Ref JobsFunction\n    FunctionVersion: '1'\n    Name: live\n"
    doc = load(tmp_path, text)

    message = refusal(split, doc, "Rotation", "rotate_keys", "RotateKeysFunction")

    assert "in a way strangler does not re-point (only !GetAtt JobsFunction.Arn)" in message


def test_standalone_schedules_still_on_the_monolith_refuse_retirement(tmp_path):
    doc = load(tmp_path, STANDALONE)
    for logical_id in ("Rotation", "Sweep"):
        invoker = next(i for i in invokers_of(doc.data, "JobsFunction") if i.logical_id == logical_id)
        assert route_for(invoker.kind, doc.data["Resources"][logical_id]).retire(doc, invoker, WHERE) is None
