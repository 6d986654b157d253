"""The next steps after a real run, and the deploy-order advice for direct-invoke callers,
read from the change's structured routes (``ChangeSet.routed``), never from the report's
wording."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from strangler import pipeline
from strangler.apply.sink import WriteOptions
from strangler.cliout import deploy_order, next_steps
from strangler.model import Report, Routed
from tests.support.apps import copy_app


def test_each_new_function_says_how_it_is_routed(tmp_path: Path) -> None:
    outcome = pipeline.run(copy_app("eventbridge-orders", tmp_path / "orders"), None, None,
                           ("OrderShipped", "PaymentFailed"), retire=False)
    assert outcome.changes.routed == (
        Routed("OrderShipped", "OrderShippedFunction", "EventBridgeRule event OrderLifecycle", False),
        Routed("PaymentFailed", "PaymentFailedFunction", "EventBridgeRule event OrderLifecycle", False),
    )
    assert outcome.changes.direct == () and deploy_order(outcome) is None


def test_a_direct_invoke_action_is_flagged_and_gets_the_deploy_order(tmp_path: Path) -> None:
    outcome = pipeline.run(copy_app("direct-invoke-billing", tmp_path / "billing"), None, None, ("refund",),
                           retire=False)
    assert outcome.changes.direct == (Routed("refund", "RefundFunction", "direct invoke", True),)
    assert deploy_order(outcome).startswith("1 action is invoked directly. Deploy first")
    assert "the monolith keeps serving them until then" in deploy_order(outcome)


def test_the_stepwise_run_carries_every_step_s_routes(tmp_path: Path) -> None:
    outcome = pipeline.run(copy_app("direct-invoke-billing", tmp_path / "billing"), None, None, None,
                           retire=False, steps=True)
    count = len(outcome.plan.actions)
    assert len(outcome.changes.direct) == count > 1
    assert [len(step.routed) for step in outcome.steps] == list(range(1, count + 1))
    assert deploy_order(outcome).startswith(f"{count} actions are invoked directly")


def test_a_run_that_retires_the_monolith_says_to_keep_it_first(tmp_path: Path) -> None:
    app = copy_app("eventbridge-orders", tmp_path / "orders")
    outcome = pipeline.run(app, None, None, None, retire=True)
    flagged = dataclasses.replace(outcome.changes, routed=(Routed("OrderShipped", "OrderShippedFunction",
                                                                  "direct invoke", True),))
    said = deploy_order(dataclasses.replace(outcome, changes=flagged))
    assert "this run retires the monolith" in said and "strangler migrate --keep-monolith" in said


def test_the_advice_follows_the_flag_not_the_report_s_wording(tmp_path: Path) -> None:
    outcome = pipeline.run(copy_app("direct-invoke-billing", tmp_path / "billing"), None, None, ("refund",),
                           retire=False)
    reworded = dataclasses.replace(outcome.changes, report=Report(manual=("switch the callers of refund",)))
    advised = next_steps(dataclasses.replace(outcome, changes=reworded), WriteOptions())
    assert advised[-1].startswith("  Deploy order: 1 action is invoked directly")
    routed = pipeline.run(copy_app("eventbridge-orders", tmp_path / "orders"), None, None, ("OrderShipped",),
                          retire=False)
    worded = dataclasses.replace(routed.changes, report=Report(manual=("'OrderShipped' is invoked directly",)))
    assert not any("Deploy order" in line
                   for line in next_steps(dataclasses.replace(routed, changes=worded), WriteOptions()))
