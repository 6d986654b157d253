"""Dispatch on the kind of event: each test form, the Types it serves, the refusals, routing."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from strangler.analyse.dispatch import analyse
from strangler.errors import StranglerError
from strangler.model import BY_TYPE, DELETE, EventPath, FunctionRef
from strangler.render import codegen
from strangler.sources.base import Refusal
from strangler.sources.by_type import served
from strangler.sources.route import plan_route

PATH = "src/app.py"
FUNCTION = FunctionRef("OrdersFunction", "src/", Path("/app/src"), "app.lambda_handler", Path("/app/src/app.py"), "lambda_handler")


def analysed(body: str, earlier: tuple[str, ...] = ()):
    source = "import json\n\n\ndef lambda_handler(event, context):\n" + textwrap.indent(textwrap.dedent(body), "    ")
    return analyse(FUNCTION, source, PATH, earlier)


def actions(body: str) -> dict[str, frozenset[str]]:
    analysis = analysed(body)
    assert analysis.dispatch.event_path.parts[0] == BY_TYPE
    keys = [a.key for a in analysis.dispatch.actions]
    types = served(analysis.dispatch.event_path)
    assert list(types) == keys
    return types


def refused(body: str) -> StranglerError:
    with pytest.raises(StranglerError) as caught:
        analysed(body)
    return caught.value


def test_records_and_the_record_source_tell_sqs_from_sns():
    types = actions('''
        if "Records" in event and event["Records"][0]["eventSource"] == "aws:sqs":
            return "sqs"
        elif "Records" in event and event["Records"][0]["EventSource"] == "aws:sns":
            return "sns"
        elif "detail-type" in event:
            return "bus"
        elif "routeKey" in event:
            return "http"
        return None
    ''')
    assert types == {
        "SQS": {"SQS"}, "SNS": {"SNS"},
        "EventBridgeRule": {"EventBridgeRule", "CloudWatchEvent", "Schedule"}, "HttpApi": {"HttpApi"},
    }


def test_a_record_read_through_a_local_name_and_get_and_a_key_in_the_record():
    types = actions('''
        records = event.get("Records") or []
        first = event.get("Records")[0] if records else {}
        if "Sns" in event["Records"][0]:
            return "sns"
        if "httpMethod" in event:
            return "rest"
        raise ValueError("unknown")
    ''')
    assert types == {"SNS": {"SNS"}, "Api": {"Api"}}


def test_an_earlier_scheduled_event_test_leaves_the_rules_to_the_detail_type_branch():
    types = actions('''
        if event.get("source") == "aws.events":
            return "tick"
        elif "detail-type" in event:
            return "bus"
    ''')
    assert types == {"Schedule": {"Schedule"}, "EventBridgeRule": {"EventBridgeRule", "CloudWatchEvent"}}
    assert str(EventPath(("(event type)", "Schedule=Schedule"))) == "(event type) Schedule"


def test_records_alone_cannot_tell_the_record_sources_apart():
    error = refused('''
        if "Records" in event:
            return "records"
        elif "routeKey" in event:
            return "http"
    ''')
    assert "cannot tell DynamoDB, Kinesis, S3, SNS, SQS events apart" in error.message
    assert error.where == f"{PATH}:6"


def test_sns_records_read_with_the_sqs_spelling_never_match():
    error = refused('''
        if event["Records"][0].get("eventSource") == "aws:sns":
            return "sns"
        elif "routeKey" in event:
            return "http"
    ''')
    assert "carry EventSource" in error.message
    assert error.where == f"{PATH}:6"


def test_a_branch_that_dispatches_again_is_refused_as_nested():
    error = refused('''
        if "Records" in event:
            record = event["Records"][0]
            if record["eventSource"] == "aws:sqs":
                return "sqs"
            elif record.get("EventSource") == "aws:sns":
                return "sns"
        elif "routeKey" in event:
            if event["routeKey"] == "GET /a":
                return "a"
            elif event["routeKey"] == "GET /b":
                return "b"
    ''')
    assert "dispatches again" in error.message and "outer level is the event's source" in error.message
    # The record's source tested inside "Records" in event refines that test (split since);
    # the route keys tested inside "routeKey" in event are a dispatch on a key: refused.
    assert error.where == f"{PATH}:13"


def test_a_branch_no_event_can_reach_is_refused():
    error = refused('''
        if "detail-type" in event:
            return "bus"
        elif event.get("source") == "aws.events":
            return "tick"
    ''')
    assert "no event reaches this branch" in error.message


def test_an_ordinary_chain_on_a_key_is_not_taken_for_a_dispatch_on_the_kind_of_event():
    analysis = analysed('''
        kind = event["detail-type"]
        if kind == "A":
            return "a"
        elif kind == "B":
            return "b"
    ''')
    assert analysis.dispatch.event_path == EventPath(("detail-type",))


def test_one_lone_test_on_the_event_shape_is_no_dispatch():
    with pytest.raises(StranglerError) as caught:
        analysed('''
            if "Records" in event and event["Records"][0]["eventSource"] == "aws:sqs":
                return "sqs"
            return "other"
        ''')
    assert "no dispatch found" in caught.value.message


def test_the_branch_is_the_new_entrypoint_and_leaves_the_monolith():
    body = '''
        if "Records" in event and event["Records"][0]["eventSource"] == "aws:sqs":
            return [json.loads(r["body"]) for r in event["Records"]]
        elif "routeKey" in event:
            return {"statusCode": 200}
        raise ValueError("unknown")
    '''
    analysis = analysed(body)
    new = codegen.extracted_module(analysis, "SQS", '"""extracted"""')[0]
    assert 'return [json.loads(r["body"]) for r in event["Records"]]' in new
    assert "eventSource" not in new and "routeKey" not in new
    monolith = codegen.monolith_module(analysis, ["SQS"])[0]
    assert "aws:sqs" not in monolith and 'if "routeKey" in event:' in monolith
    # what is left is still read as the same dispatch once SQS has left
    source = monolith
    left = analyse(FUNCTION, source, PATH, ("SQS",))
    assert [a.key for a in left.dispatch.actions] == ["HttpApi"]


# --- routing ---------------------------------------------------------------------------
PATH_OF = EventPath((BY_TYPE, "SQS=SQS", "EventBridgeRule=CloudWatchEvent+EventBridgeRule+Schedule", "HttpApi=HttpApi"))
EVENTS = {
    "Intake": {"Type": "SQS", "Properties": {"Queue": "arn:aws:sqs:us-east-1:1:q"}},
    "Bus": {"Type": "EventBridgeRule", "Properties": {"Pattern": {"source": ["shop"]}}},
    "Tick": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 hour)"}},
    "Get": {"Type": "HttpApi", "Properties": {"Path": "/a", "Method": "get"}},
}


def test_an_action_takes_every_event_of_its_types_whole():
    plan = plan_route(EVENTS, "EventBridgeRule", PATH_OF, "template.yaml: Resources.OrdersFunction")
    assert plan.new_events == {"Bus": EVENTS["Bus"], "Tick": EVENTS["Tick"]}
    assert plan.monolith_events == {"Bus": DELETE, "Tick": DELETE}
    sqs = plan_route(EVENTS, "SQS", PATH_OF, "template.yaml: Resources.OrdersFunction")
    assert sqs.new_events == {"Intake": EVENTS["Intake"]} and sqs.kind == "SQS"


def test_a_schedule_whose_input_replaces_the_event_is_refused():
    events = {**EVENTS, "Tick": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 hour)", "Input": "{}"}}}
    with pytest.raises(Refusal) as caught:
        plan_route(events, "EventBridgeRule", PATH_OF, "template.yaml: Resources.OrdersFunction")
    assert "delivers its Input" in caught.value.message
    assert caught.value.where == "template.yaml: Resources.OrdersFunction event Tick"


def test_an_http_api_on_payload_one_is_refused_and_a_type_with_no_event_gets_nothing():
    events = {"Get": {"Type": "HttpApi", "Properties": {"Path": "/a", "Method": "get", "PayloadFormatVersion": "1.0"}}}
    with pytest.raises(Refusal) as caught:
        plan_route(events, "HttpApi", PATH_OF, "here")
    assert "payload format 1.0" in caught.value.message
    with pytest.raises(Refusal) as caught:
        plan_route({"Get": EVENTS["Get"]}, "SQS", PATH_OF, "here")
    assert "no SQS event" in caught.value.message
    with pytest.raises(Refusal):
        plan_route({}, "SQS", PATH_OF, "here")


# --- the record's source tested inside "Records" in event ------------------------------------
NESTED = '''
    if "Records" in event:
        source = event["Records"][0].get("eventSource") or event["Records"][0].get("EventSource")
        if source == "aws:sqs":
            return handle_sqs(event)
        elif source == "aws:sns":
            return handle_sns(event)
    elif "detail-type" in event:
        return handle_bus(event)
    return handle_http(event)
'''


def test_an_inner_chain_on_the_record_source_refines_the_outer_branch():
    types = actions(NESTED)
    assert types == {"SQS": {"SQS"}, "SNS": {"SNS"}, "EventBridgeRule": {"EventBridgeRule", "CloudWatchEvent", "Schedule"}}


def test_the_record_source_tested_in_a_loop_over_the_records():
    types = actions('''
        if "Records" in event:
            for record in event["Records"]:
                if record["eventSource"] == "aws:sqs":
                    handle_sqs(record)
                elif record.get("EventSource") == "aws:sns":
                    handle_sns(record)
            return {}
        elif "routeKey" in event:
            return handle_http(event)
    ''')
    assert types == {"SQS": {"SQS"}, "SNS": {"SNS"}, "HttpApi": {"HttpApi"}}


def test_the_code_after_the_chain_is_the_action_of_the_one_type_left():
    events = {"Queue": {"Type": "SQS"}, "Topic": {"Type": "SNS"}, "Bus": {"Type": "EventBridgeRule"}, "Api": {"Type": "HttpApi"}}
    source = "def lambda_handler(event, context):\n" + textwrap.indent(textwrap.dedent(NESTED), "    ")
    analysis = analyse(FUNCTION, source, PATH, (), None, events)
    assert [a.key for a in analysis.dispatch.actions] == ["SQS", "SNS", "EventBridgeRule", "HttpApi"]
    assert served(analysis.dispatch.event_path)["HttpApi"] == {"HttpApi"}
    assert codegen.specialise(analysis, "HttpApi").body.body[-1].body[0].value.func.value == "handle_http"
    # two Types left: the code after the chain is nobody's action
    events["Rest"] = {"Type": "Api"}
    analysis = analyse(FUNCTION, source, PATH, (), None, events)
    assert "HttpApi" not in [a.key for a in analysis.dispatch.actions]


def test_an_inner_branch_that_dispatches_again_is_refused():
    error = refused('''
        if "Records" in event:
            record = event["Records"][0]
            if record["eventSource"] == "aws:sqs":
                if "Sns" in record:
                    return "odd"
                elif "body" in record:
                    return "sqs"
            elif record.get("EventSource") == "aws:sns":
                return "sns"
        elif "routeKey" in event:
            return "http"
    ''')
    assert "dispatches again" in error.message
    assert error.where == f"{PATH}:9"


def test_an_inner_test_the_outer_one_excludes_is_refused():
    error = refused('''
        if "Records" in event:
            if event["Records"][0]["eventSource"] == "aws:sqs":
                return "sqs"
            elif "routeKey" in event:
                return "http"
        elif "detail-type" in event:
            return "bus"
    ''')
    assert "no event reaches this branch" in error.message


def test_the_code_left_once_every_branch_is_gone_is_the_last_type_action():
    source = "def lambda_handler(event, context):\n    # the order API\n    return handle_http(event)\n"
    earlier = ("SQS", "SNS", "EventBridgeRule")
    analysis = analyse(FUNCTION, source, PATH, earlier, None, {"GetOrder": {"Type": "HttpApi"}})
    assert [(a.key, a.handler) for a in analysis.dispatch.actions] == [("HttpApi", "handle_http")]
    assert served(analysis.dispatch.event_path) == {"HttpApi": {"HttpApi"}}
    assert codegen.specialise(analysis, "HttpApi").body.body[-1].body[0].value.func.value == "handle_http"
    # no event left for it: nothing is left to split
    assert analyse(FUNCTION, source, PATH, earlier, None, {}).dispatch.actions == ()


def test_an_inner_chain_cut_down_to_one_if_in_a_loop_is_still_the_inner_level():
    body = '''
        if "Records" in event:
            for record in event["Records"]:
                if record.get("EventSource") == "aws:sns":
                    handle_sns(record)
            return {}
        elif "routeKey" in event:
            return handle_http(event)
    '''
    analysis = analysed(body, earlier=("SQS",))
    assert [a.key for a in analysis.dispatch.actions] == ["SNS", "HttpApi"]
    # without earlier runs, one record source under "Records" in event is no dispatch to trust
    with pytest.raises(StranglerError) as caught:
        analysed(body)
    assert "cannot tell" in caught.value.message


# --- a branch that dispatches again on its Type's key ------------------------------------
KEYED = '''
    if "Records" in event and event["Records"][0]["eventSource"] == "aws:sqs":
        return [json.loads(r["body"]) for r in event["Records"]]
    elif "detail-type" in event:
        detail = event["detail"]
        if event["detail-type"] == "OrderPlaced":
            return place(detail)
        elif event["detail-type"] == "OrderShipped":
            return ship(detail)
    raise ValueError("unknown")
'''


def test_a_branch_that_dispatches_on_detail_type_is_the_inner_level():
    types = actions(KEYED)
    assert list(types) == ["SQS", "EventBridgeRule/OrderPlaced", "EventBridgeRule/OrderShipped"]
    assert types["EventBridgeRule/OrderPlaced"] == frozenset({"EventBridgeRule", "CloudWatchEvent", "Schedule"})


def test_the_inner_branch_is_the_new_entrypoint_and_the_monolith_keeps_the_rest():
    analysis = analysed(KEYED)
    new = codegen.extracted_module(analysis, "EventBridgeRule/OrderPlaced", '"""extracted"""')[0]
    assert 'detail = event["detail"]' in new and "return place(detail)" in new
    assert "detail-type" not in new and "Records" not in new and "ship" not in new
    monolith = codegen.monolith_module(analysis, ["EventBridgeRule/OrderPlaced"])[0]
    assert "OrderPlaced" not in monolith and 'if event["detail-type"] == "OrderShipped":' in monolith
    assert '"aws:sqs"' in monolith
    left = analyse(FUNCTION, monolith, PATH, ("EventBridgeRule/OrderPlaced",))
    assert [a.key for a in left.dispatch.actions] == ["SQS", "EventBridgeRule/OrderShipped"]
    # once the last key has left, so has the branch on the kind of event
    rest = codegen.monolith_module(left, ["EventBridgeRule/OrderShipped"])[0]
    assert "detail-type" not in rest and '"aws:sqs"' in rest


def test_a_branch_that_dispatches_on_the_route_key_and_a_match():
    types = actions('''
        if "Records" in event and event["Records"][0]["eventSource"] == "aws:sqs":
            return "sqs"
        elif "routeKey" in event:
            match event["routeKey"]:
                case "GET /orders":
                    return list_orders(event)
                case "POST /orders":
                    return create_order(event)
    ''')
    assert list(types) == ["SQS", "HttpApi/GET /orders", "HttpApi/POST /orders"]


def test_a_key_the_branch_type_does_not_carry_is_still_refused():
    error = refused('''
        if "Records" in event and event["Records"][0]["eventSource"] == "aws:sqs":
            return "sqs"
        elif "routeKey" in event:
            if event["detail-type"] == "A":
                return "a"
            elif event["detail-type"] == "B":
                return "b"
    ''')
    assert "dispatches again" in error.message and error.where == f"{PATH}:9"


def test_two_branches_that_dispatch_again_are_still_refused():
    error = refused('''
        if "detail-type" in event:
            if event["detail-type"] == "A":
                return "a"
            elif event["detail-type"] == "B":
                return "b"
        elif "routeKey" in event:
            if event["routeKey"] == "GET /a":
                return "a"
            elif event["routeKey"] == "GET /b":
                return "b"
    ''')
    assert "dispatches again" in error.message


KEYED_PATH = EventPath((BY_TYPE, "SQS=SQS", "EventBridgeRule/OrderPlaced=CloudWatchEvent+EventBridgeRule+Schedule",
                        "EventBridgeRule/OrderShipped=CloudWatchEvent+EventBridgeRule+Schedule"))


def test_an_inner_key_narrows_the_rules_of_its_type_and_leaves_the_rest():
    events = {
        **EVENTS,
        "Orders": {"Type": "EventBridgeRule", "Properties": {"Pattern": {"source": ["shop"], "detail-type": ["OrderPlaced", "OrderShipped"]}}},
    }
    plan = plan_route(events, "EventBridgeRule/OrderPlaced", KEYED_PATH, "template.yaml: Resources.OrdersFunction")
    assert plan.new_events["Orders"]["Properties"]["Pattern"]["detail-type"] == ["OrderPlaced"]
    assert plan.monolith_events["Orders"]["Properties"]["Pattern"]["detail-type"] == ["OrderShipped"]
    assert "Intake" not in plan.new_events and "Get" not in plan.new_events and "Tick" not in plan.new_events
    assert "Intake" not in plan.monolith_events and "Get" not in plan.monolith_events


def test_an_inner_route_key_narrows_the_http_api_events():
    path = EventPath((BY_TYPE, "SQS=SQS", "HttpApi/GET /a=HttpApi", "HttpApi/GET /b=HttpApi"))
    events = {**EVENTS, "GetB": {"Type": "HttpApi", "Properties": {"Path": "/b", "Method": "get"}}}
    plan = plan_route(events, "HttpApi/GET /a", path, "template.yaml: Resources.OrdersFunction")
    assert set(plan.new_events) == {"Get"} and plan.monolith_events == {"Get": DELETE}


def test_what_earlier_runs_left_of_the_inner_chain_is_one_if_in_its_type_branch_only():
    left = analysed('''
        if "detail-type" in event:
            if event["detail-type"] == "OrderShipped":
                return ship(event)
        elif "routeKey" in event:
            if event["routeKey"] == "POST /cancel":
                return cancel(event)
            return get(event)
    ''', earlier=("EventBridgeRule/OrderPlaced",))
    assert [a.key for a in left.dispatch.actions] == ["EventBridgeRule/OrderShipped", "HttpApi"]
