"""Schedules that do not say which action they run: never moved on a guess, never deleted
with the monolith.

A schedule sends its Input. When strangler cannot read which action that Input names, any
extraction refuses (the action might be the one moving); when the Input names no action
(or there is none), the schedule stays with the monolith and migrate refuses to retire it.
"""

from __future__ import annotations

import json
from pathlib import Path

from samtranslator.yaml_helper import yaml_parse

from tests.hostile.test_hostile_routes import OUTSIDE, billing
from tests.support import samcheck
from tests.support.hostile import accepted, app_copy, edit, refused

APP = "scheduled-jobs"
EVENTS_ANCHOR = "        # hard-delete accounts closed more than 30 days ago\n"
RULE_INPUT = "          Input: '{\"job\": \"expire_sessions\", \"idle_minutes\": 30}'\n"


def jobs(tmp_path: Path, event: str = "") -> Path:
    app = app_copy(APP, tmp_path, git_repo=False)
    if event:
        edit(app / "template.yaml", EVENTS_ANCHOR, event + EVENTS_ANCHOR)
    return app


def resources(app: Path) -> dict:
    return yaml_parse((app / "template.yaml").read_text(encoding="utf-8"))["Resources"]


HEARTBEAT = """\
        Heartbeat:
          Type: Schedule
          Properties:
            Schedule: rate(5 minutes)
"""


def test_a_schedule_without_input_stays_and_migrate_refuses_to_delete_it(tmp_path: Path) -> None:
    app = jobs(tmp_path, HEARTBEAT)
    refused(app, "migrate", names=("event Heartbeat (Schedule) has no Input", "Resources.JobsFunction", "--keep-monolith"))
    accepted(app, "extract", "cleanup")
    assert "Heartbeat" in resources(app)["JobsFunction"]["Properties"]["Events"]
    samcheck.assert_valid(app / "template.yaml")


def test_keep_monolith_keeps_the_schedule_no_action_claims(tmp_path: Path) -> None:
    app = jobs(tmp_path, HEARTBEAT)
    accepted(app, "migrate", "--keep-monolith")
    left = resources(app)["JobsFunction"]["Properties"]["Events"]
    assert list(left) == ["Heartbeat"]
    samcheck.assert_valid(app / "template.yaml")


def test_an_input_naming_no_action_refuses_retirement(tmp_path: Path) -> None:
    app = jobs(tmp_path, HEARTBEAT.replace("Heartbeat", "Vacuum").replace(
        "rate(5 minutes)\n", "rate(1 day)\n            Input: '{\"job\": \"vacuum\"}'\n"))
    refused(app, "migrate", names=("event Vacuum (Schedule)", "which names no action"))


def test_an_input_strangler_cannot_read_refuses_every_extraction(tmp_path: Path) -> None:
    app = jobs(tmp_path, HEARTBEAT.replace("rate(5 minutes)\n", "rate(5 minutes)\n            Input: !GetAtt Jobs.Input\n"))
    for action in ("cleanup", "digest"):
        refused(app, "extract", action, names=("event Heartbeat's Input is an intrinsic function (!GetAtt)", "hint: "))


def test_a_job_chosen_by_a_parameter_refuses(tmp_path: Path) -> None:
    app = jobs(tmp_path, HEARTBEAT.replace("rate(5 minutes)\n", "rate(5 minutes)\n            Input: !Sub '{\"job\": \"${Stage}\"}'\n"))
    refused(app, "extract", "cleanup", names=("names its action through ${Stage}",))


def test_a_rule_target_that_transforms_the_event_refuses(tmp_path: Path) -> None:
    app = jobs(tmp_path)
    edit(app / "template.yaml", RULE_INPUT, "          InputTransformer:\n"
                                            "            InputTemplate: '{\"job\": \"expire_sessions\"}'\n")
    refused(app, "extract", "expire_sessions", names=("ExpireSessionsRule", "InputTransformer"))


def test_a_rule_target_without_input_stays_and_refuses_retirement(tmp_path: Path) -> None:
    app = jobs(tmp_path)
    edit(app / "template.yaml", RULE_INPUT, "")
    accepted(app, "extract", "cleanup")
    assert resources(app)["ExpireSessionsRule"]["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": ["JobsFunction", "Arn"]}
    refused(app, "migrate", names=("ExpireSessionsRule (AWS::Events::Rule)",))


def test_a_scheduler_role_from_another_stack_is_reported(tmp_path: Path) -> None:
    app = jobs(tmp_path)
    edit(app / "template.yaml", "RoleArn: !GetAtt KeyRotationSchedulerRole.Arn",
         "RoleArn: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/shared-scheduler")
    result = accepted(app, "extract", "rotate_keys")
    assert "that role must be allowed lambda:InvokeFunction on RotateKeysFunction; grant it by hand" in result.output
    assert not any(r["Type"] == "AWS::IAM::Policy" for r in resources(app).values())
    samcheck.assert_valid(app / "template.yaml")


def test_a_schedule_that_names_the_function_by_arn_refuses(tmp_path: Path) -> None:
    app = jobs(tmp_path)
    edit(app / "template.yaml", "        Arn: !GetAtt JobsFunction.Arn\n        RoleArn",
         "        Arn: !Sub arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${JobsFunction}\n"
         "        RoleArn")
    refused(app, "extract", "rotate_keys", names=("KeyRotationSchedule Target.Arn", "!GetAtt JobsFunction.Arn"))


def test_the_json_template_is_split_alike(tmp_path: Path) -> None:
    app = jobs(tmp_path)
    data = yaml_parse((app / "template.yaml").read_text(encoding="utf-8"))
    (app / "template.yaml").unlink()
    (app / "template.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    accepted(app, "extract", "rotate_keys", "expire_sessions", "digest")
    data = json.loads((app / "template.json").read_text(encoding="utf-8"))["Resources"]
    assert data["KeyRotationSchedule"]["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": ["RotateKeysFunction", "Arn"]}
    assert data["KeyRotationScheduleRotateKeysFunctionInvoke"]["Properties"]["Roles"] == [{"Ref": "KeyRotationSchedulerRole"}]
    assert data["ExpireSessionsRule"]["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": ["ExpireSessionsFunction", "Arn"]}
    assert sorted(data["DigestFunction"]["Properties"]["Events"]) == ["DailyDigest", "HourlyDigest"]
    samcheck.assert_valid(app / "template.json")


def test_a_schedule_of_a_direct_invoke_function_moves_with_its_action(tmp_path: Path) -> None:
    """The monolith nothing else invokes: its schedule of refunds goes to the refund function,
    the other actions stay direct invoke."""
    app = billing(tmp_path, OUTSIDE["scheduler-schedule"][0].replace('"action": "invoice"', '"action": "refund"'))
    result = accepted(app, "extract", "refund")
    target = resources(app)["MonthlyInvoices"]["Properties"]["Target"]
    assert target["Arn"] == {"Fn::GetAtt": ["RefundFunction", "Arn"]}
    assert "grant it by hand" in result.output  # the role is another stack's
    samcheck.assert_valid(app / "template.yaml")
    # the schedule no longer delivers to the monolith: its other actions are invoked directly
    charge = accepted(app, "extract", "charge", "--allow-dirty")
    assert "switch its callers to ChargeFunction" in charge.output
    assert resources(app)["MonthlyInvoices"]["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": ["RefundFunction", "Arn"]}
