"""The idempotency fix, replayed under moto: the fixed handler does on the first delivery
what the original did, and a redelivery of the same event changes nothing more.

Each side stands up the resources of its translated template (the persistence table is
made from the fixed template's own definition) and runs the handler in-process, as
``strangler verify`` does; the partner's webhook is answered by ``responses``.
"""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
import responses

from strangler.check.idempotency import RULE
from strangler.verify import lambdaload, world
from strangler.verify.intrinsics import resolve
from tests.support import samcheck
from tests.support.apps import FIXTURES, copy_app
from tests.support.checkfix import findings, fixed

APP = "unguarded-writes"
FUNCTIONS = ("IntakeFunction", "NotificationsFunction", "PartnerSyncFunction", "InventoryFunction")


def _scenario() -> Any:
    spec = importlib.util.spec_from_file_location("unguarded_writes_scenario", FIXTURES / APP / "scenario.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


STORY = _scenario()


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("idempotency")
    before = copy_app(APP, root / "before")
    after = copy_app(APP, root / "after")
    fixed(RULE, after)
    return before, after


def test_fixed_template_translates_and_lints(apps: tuple[Path, Path]) -> None:
    cfn = samcheck.assert_valid(apps[1] / "template.yaml")
    table = cfn["Resources"]["ReceiptsIdempotencyStore"]["Properties"]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}


def test_nothing_left_to_fix(apps: tuple[Path, Path]) -> None:
    assert [f for f in findings(RULE, apps[1]) if f.fixable] == []


@pytest.mark.parametrize("function_id", FUNCTIONS)
def test_first_delivery_as_before_and_a_repeat_changes_nothing(apps: tuple[Path, Path], function_id: str) -> None:
    before, after = apps
    event = STORY.EVENTS[function_id]
    original = _play(before, function_id, event)
    repaired = _play(after, function_id, event)
    assert repaired["first"] == original["first"]  # same result, same side effects
    assert repaired["again"]["state"] == repaired["meanwhile"]
    assert repaired["again"]["result"] == repaired["first"]["result"]
    # The original does repeat itself: without this the test above could not fail.
    assert original["again"]["state"] != original["meanwhile"]


def _play(app: Path, function_id: str, event: dict[str, Any]) -> dict[str, Any]:
    """The event delivered, the world moved on, the event delivered again: what was
    returned and what AWS and the webhook held after each step."""
    cfn = samcheck.translate(app / "template.yaml")
    code = samcheck.function_code(app / "template.yaml")[function_id]
    persistence = {world.physical(i) for i, r in cfn["Resources"].items()
                   if (r.get("Properties") or {}).get("TimeToLiveSpecification")}
    seen: dict[str, Any] = {}
    with world.standing(cfn) as aws, responses.RequestsMock(assert_all_requests_are_fired=False) as webhook:
        webhook.add(responses.POST, STORY.WEBHOOK_URL, json={"accepted": True}, status=202)
        variables = cfn["Resources"][function_id]["Properties"]["Environment"]["Variables"]
        env = {**{k: str(v) for k, v in resolve(variables, aws.names).items()}, **aws.environment()}
        tables = _tables(aws)

        def state() -> dict[str, Any]:
            found = {k: v for k, v in aws.snapshot().items() if k.removeprefix("table ") not in persistence}
            return {**found, "webhook": [json.loads(call.request.body) for call in webhook.calls]}

        seen["first"] = {"result": _outcome(code.code_dir, code.handler, event, env, function_id), "state": state()}
        STORY.BETWEEN[function_id](tables)  # the world moves on before the event comes again
        seen["meanwhile"] = state()
        seen["again"] = {"result": _outcome(code.code_dir, code.handler, event, env, function_id), "state": state()}
    return seen


def _tables(aws: world.World) -> dict[str, Any]:
    import boto3

    resource = boto3.resource("dynamodb", endpoint_url=aws.endpoint, region_name=world.REGION,
                              aws_access_key_id="testing", aws_secret_access_key="testing")
    return {logical_id: resource.Table(name) for logical_id, name in aws.names.refs.items() if name in aws.tables}


def _outcome(code_dir: Path, handler: str, event: dict[str, Any], env: dict[str, str], name: str) -> Any:
    context = lambdaload.FakeContext(function_name=name)
    try:
        return ("returned", json.loads(json.dumps(
            lambdaload.invoke(code_dir, handler, copy.deepcopy(event), env, context=context), default=str)))
    except Exception as exc:  # noqa: BLE001  (a handler that raises is an outcome too)
        return ("raised", type(exc).__name__, str(exc))
