"""Routing one action at its event source: what the new function gets, what the monolith keeps."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from strangler.model import ANY_CASE, DELETE, EACH, JSON, EventPath, RoutePlan
from strangler.sources.base import Refusal
from strangler.sources.route import plan_route
from strangler.template.document import TemplateDocument
from tests.support.templates import plain

WHERE = "template.yaml: Resources.OrdersFunction"
DETAIL_TYPE = EventPath(("detail-type",))
ROUTE_KEY = EventPath(("routeKey",))
SNS_BODY_KIND = EventPath(("Records", EACH, "Sns", "Message", JSON, "kind"))
SNS_ATTRIBUTE_KIND = EventPath(("Records", EACH, "Sns", "MessageAttributes", "kind", "Value"))


@pytest.fixture
def events(tmp_path: Path):
    """The ``Events`` of ``OrdersFunction`` in a YAML template, as ruamel loads it."""

    def load(events_yaml: str) -> Any:
        template = tmp_path / "template.yaml"
        template.write_text(
            "Resources:\n  OrdersFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n"
            + textwrap.indent(textwrap.dedent(events_yaml), " " * 8)
        )
        return TemplateDocument.load(template).data["Resources"]["OrdersFunction"]["Properties"]["Events"]

    return load


def route(events: Any, key: str, path: EventPath) -> RoutePlan:
    return plan_route(events, key, path, WHERE)


def refusal(events: Any, key: str, path: EventPath) -> str:
    with pytest.raises(Refusal) as caught:
        plan_route(events, key, path, WHERE)
    return str(caught.value)


# --- EventBridge ----------------------------------------------------------------------------


def test_eventbridge_list_is_narrowed_and_every_other_filter_is_kept(events):
    source = events(
        """\
        Lifecycle:
          Type: EventBridgeRule
          Properties:
            RuleName: orders-lifecycle
            Pattern:
              source: [shop.orders]
              detail-type:
                - OrderPlaced
                - OrderCancelled
              detail:
                changed: [true]
        """
    )

    plan = route(source, "OrderPlaced", DETAIL_TYPE)

    assert plan.kind == "EventBridgeRule"
    assert plain(plan.new_events) == {
        "Lifecycle": {
            "Type": "EventBridgeRule",
            "Properties": {
                "Pattern": {"source": ["shop.orders"], "detail-type": ["OrderPlaced"], "detail": {"changed": [True]}}
            },
        }
    }
    assert plain(plan.monolith_events) == {
        "Lifecycle": {
            "Type": "EventBridgeRule",
            "Properties": {
                "RuleName": "orders-lifecycle",
                "Pattern": {"source": ["shop.orders"], "detail-type": ["OrderCancelled"], "detail": {"changed": [True]}},
            },
        }
    }


def test_eventbridge_routing_leaves_the_template_events_untouched(events):
    source = events(
        """\
        Lifecycle:
          Type: EventBridgeRule
          Properties:
            Pattern: {detail-type: [OrderPlaced, OrderCancelled]}
        """
    )

    route(source, "OrderPlaced", DETAIL_TYPE)

    assert plain(source)["Lifecycle"]["Properties"]["Pattern"] == {"detail-type": ["OrderPlaced", "OrderCancelled"]}


def test_eventbridge_narrowed_list_keeps_the_flow_style(events):
    source = events(
        """\
        Lifecycle:
          Type: EventBridgeRule
          Properties:
            Pattern:
              detail-type: [OrderPlaced, OrderCancelled]
        """
    )

    plan = route(source, "OrderCancelled", DETAIL_TYPE)

    assert plan.new_events["Lifecycle"]["Properties"]["Pattern"]["detail-type"].fa.flow_style()
    assert plan.monolith_events["Lifecycle"]["Properties"]["Pattern"]["detail-type"].fa.flow_style()


def test_eventbridge_rule_left_with_no_type_is_deleted_from_the_monolith(events):
    source = events(
        """\
        Placed:
          Type: EventBridgeRule
          Properties:
            Pattern:
              detail-type: [OrderPlaced]
        Cancelled:
          Type: EventBridgeRule
          Properties:
            Pattern:
              detail-type: [OrderCancelled]
        """
    )

    plan = route(source, "OrderPlaced", DETAIL_TYPE)

    assert plain(plan.new_events) == {"Placed": {"Type": "EventBridgeRule", "Properties": {"Pattern": {"detail-type": ["OrderPlaced"]}}}}
    assert plan.monolith_events == {"Placed": DELETE}


def test_eventbridge_rule_without_detail_type_gets_anything_but_in_the_monolith(events):
    source = events(
        """\
        Everything:
          Type: CloudWatchEvent
          Properties:
            Pattern:
              source: [shop.orders]
        """
    )

    plan = route(source, "OrderPlaced", DETAIL_TYPE)

    assert plain(plan.new_events)["Everything"]["Properties"]["Pattern"] == {
        "source": ["shop.orders"],
        "detail-type": ["OrderPlaced"],
    }
    assert plain(plan.monolith_events)["Everything"]["Properties"]["Pattern"] == {
        "source": ["shop.orders"],
        "detail-type": [{"anything-but": ["OrderPlaced"]}],
    }
    assert plan.notes == () and plan.monolith_notes == ("Everything: the monolith's rule now excludes OrderPlaced",)


def test_eventbridge_anything_but_grows_by_the_extracted_type(events):
    source = events(
        """\
        Rest:
          Type: EventBridgeRule
          Properties:
            Pattern:
              detail-type: [{anything-but: [OrderPlaced]}]
        """
    )

    plan = route(source, "OrderCancelled", DETAIL_TYPE)

    assert plain(plan.new_events)["Rest"]["Properties"]["Pattern"] == {"detail-type": ["OrderCancelled"]}
    assert plain(plan.monolith_events)["Rest"]["Properties"]["Pattern"] == {
        "detail-type": [{"anything-but": ["OrderPlaced", "OrderCancelled"]}]
    }


def test_eventbridge_prefix_filter_is_refused(events):
    source = events(
        """\
        Orders:
          Type: EventBridgeRule
          Properties:
            Pattern:
              detail-type: [{prefix: Order}]
        """
    )

    assert refusal(source, "OrderPlaced", DETAIL_TYPE) == (
        f'{WHERE} event Orders: the rule\'s detail-type filter [{{"prefix": "Order"}}] cannot be split safely'
    )


def test_eventbridge_only_rules_listing_the_key_change(events):
    source = events(
        """\
        Orders:
          Type: EventBridgeRule
          Properties:
            Pattern: {detail-type: [OrderPlaced, OrderCancelled]}
        Payments:
          Type: EventBridgeRule
          Properties:
            Pattern: {detail-type: [PaymentFailed]}
        """
    )

    plan = route(source, "PaymentFailed", DETAIL_TYPE)

    assert list(plan.new_events) == ["Payments"]
    assert plan.monolith_events == {"Payments": DELETE}


def test_a_key_in_no_rule_is_refused(events):
    source = events(
        """\
        Orders:
          Type: EventBridgeRule
          Properties:
            Pattern: {detail-type: [OrderPlaced, OrderCancelled]}
        """
    )

    assert refusal(source, "OrderShipped", DETAIL_TYPE) == (
        f"{WHERE}: no event source routes 'OrderShipped' (selected by detail-type) to this function, "
        "so a new function would get nothing\n"
        "  hint: add the key to the event source first, or leave this action in the monolith"
    )


def test_eventbridge_refuses_a_key_read_from_the_detail(events):
    source = events(
        """\
        Orders:
          Type: EventBridgeRule
          Properties:
            Pattern: {source: [shop.orders]}
        """
    )

    assert refusal(source, "placed", EventPath(("detail", "kind"))) == (
        f"{WHERE} event Orders: the dispatch key comes from detail.kind, but EventBridge routes on detail-type"
    )


# --- HTTP APIs ------------------------------------------------------------------------------

HTTP_EVENTS = """\
    GetProduct:
      Type: HttpApi
      Properties:
        Path: /products/{id}
        Method: get
    Everything:
      Type: HttpApi
      Properties:
        Path: /{proxy+}
        Method: ANY
"""


def test_http_api_exact_route_moves_and_the_catch_all_gets_no_copy(events):
    plan = route(events(HTTP_EVENTS), "GET /products/{id}", ROUTE_KEY)

    assert plain(plan.new_events) == {"GetProduct": {"Type": "HttpApi", "Properties": {"Path": "/products/{id}", "Method": "get"}}}
    assert plan.monolith_events == {"GetProduct": DELETE}


def test_http_api_route_key_in_the_request_context_is_the_same_route(events):
    plan = route(events(HTTP_EVENTS), "GET /products/{id}", EventPath(("requestContext", "routeKey")))

    assert list(plan.new_events) == ["GetProduct"]


def test_http_api_catch_all_gets_an_exact_copy_when_no_exact_route_exists(events):
    plan = route(events(HTTP_EVENTS), "DELETE /products/{id}", ROUTE_KEY)

    assert plain(plan.new_events) == {"Everything": {"Type": "HttpApi", "Properties": {"Path": "/products/{id}", "Method": "delete"}}}
    assert plan.monolith_events == {}
    assert plan.notes == () and plan.monolith_notes == ("Everything: exact route DELETE /products/{id} added in front of the catch-all",)


def test_http_api_default_route_without_properties_is_a_catch_all(events):
    plan = route(events("Default:\n  Type: HttpApi\n"), "POST /orders", ROUTE_KEY)

    assert plain(plan.new_events) == {"Default": {"Type": "HttpApi", "Properties": {"Path": "/orders", "Method": "post"}}}


@pytest.mark.parametrize("method", ["GET", "get", "Get"])
def test_http_api_method_is_compared_case_insensitively(events, method):
    source = events(
        f"""\
        ListProducts:
          Type: HttpApi
          Properties: {{Path: /products, Method: {method}}}
        """
    )

    assert route(source, "GET /products", ROUTE_KEY).monolith_events == {"ListProducts": DELETE}


def test_http_api_refuses_a_key_that_is_not_a_route_key(events):
    assert refusal(events(HTTP_EVENTS), "$default", ROUTE_KEY) == (
        f"{WHERE} event GetProduct: '$default' is not a route key of the form 'METHOD /path'"
    )


# --- HTTP method alone ------------------------------------------------------------------------
REST_METHOD = EventPath(("httpMethod",))
REST_METHOD_EVENTS = """\
Orders:
  Type: Api
  Properties: {RestApiId: !Ref OrdersApi, Path: /orders, Method: ANY, Auth: {ApiKeyRequired: true}}
GetOrder:
  Type: Api
  Properties: {RestApiId: !Ref OrdersApi, Path: "/orders/{id}", Method: get}
DeleteOrder:
  Type: Api
  Properties: {RestApiId: !Ref OrdersApi, Path: "/orders/{id}", Method: DELETE}
"""


def test_method_alone_moves_events_of_that_method_and_adds_it_beside_any(events):
    plan = route(events(REST_METHOD_EVENTS), "GET", REST_METHOD)

    assert plain(plan.new_events) == {
        "Orders": {"Type": "Api", "Properties": {
            "RestApiId": "OrdersApi", "Path": "/orders", "Method": "get", "Auth": {"ApiKeyRequired": True}}},
        "GetOrder": {"Type": "Api", "Properties": {"RestApiId": "OrdersApi", "Path": "/orders/{id}", "Method": "get"}},
    }
    assert plan.monolith_events == {"GetOrder": DELETE}  # the monolith keeps ANY /orders for the rest
    assert plan.notes == () and plan.monolith_notes == ("Orders: GET /orders added beside ANY /orders",)


def test_method_alone_takes_only_any_when_no_event_names_it(events):
    plan = route(events(REST_METHOD_EVENTS), "POST", REST_METHOD)

    assert list(plan.new_events) == ["Orders"] and plan.monolith_events == {}


@pytest.mark.parametrize("path, key", [
    (EventPath(("requestContext", "http", "method")), "DELETE"),
    (EventPath(("requestContext", "httpMethod")), "DELETE"),
    (EventPath(("httpMethod", ANY_CASE)), "delete"),
])
def test_method_alone_from_http_api_payloads_and_in_any_case(events, path, key):
    source = events(REST_METHOD_EVENTS.replace("Type: Api", "Type: HttpApi").replace("RestApiId", "ApiId"))
    plan = route(source, key, path)

    assert plain(plan.new_events)["Orders"]["Properties"]["Method"] == "delete"
    assert plan.monolith_events == {"DeleteOrder": DELETE}


def test_method_alone_refuses_the_http_api_default_route_and_a_key_that_is_no_method(events):
    assert "has no path" in refusal(events("Default:\n  Type: HttpApi\n"), "GET", EventPath(("requestContext", "http", "method")))
    assert "'FETCH' is not an HTTP method" in refusal(events(REST_METHOD_EVENTS), "FETCH", REST_METHOD)


# --- SNS ------------------------------------------------------------------------------------


def test_sns_body_key_gets_a_message_body_filter_and_the_monolith_everything_else(events):
    source = events(
        """\
        Notifications:
          Type: SNS
          Properties:
            Topic: !Ref NotificationsTopic
        """
    )

    plan = route(source, "welcome_email", SNS_BODY_KIND)

    assert plain(plan.new_events)["Notifications"]["Properties"] == {
        "Topic": "NotificationsTopic",
        "FilterPolicy": {"kind": ["welcome_email"]},
        "FilterPolicyScope": "MessageBody",
    }
    assert plain(plan.monolith_events)["Notifications"]["Properties"] == {
        "Topic": "NotificationsTopic",
        "FilterPolicy": {"kind": [{"anything-but": ["welcome_email"]}, {"exists": False}]},
        "FilterPolicyScope": "MessageBody",
    }


def test_sns_nested_body_key_gets_a_nested_filter(events):
    source = events("Notifications:\n  Type: SNS\n  Properties:\n    Topic: !Ref NotificationsTopic\n")

    plan = route(source, "welcome_email", EventPath(("Records", EACH, "Sns", "Message", JSON, "meta", "kind")))

    assert plain(plan.new_events)["Notifications"]["Properties"]["FilterPolicy"] == {"meta": {"kind": ["welcome_email"]}}


def test_sns_message_attribute_key_filters_in_the_default_scope(events):
    source = events("Notifications:\n  Type: SNS\n  Properties:\n    Topic: !Ref NotificationsTopic\n")

    plan = route(source, "welcome_email", SNS_ATTRIBUTE_KIND)

    assert plain(plan.new_events)["Notifications"]["Properties"] == {
        "Topic": "NotificationsTopic",
        "FilterPolicy": {"kind": ["welcome_email"]},
    }
    assert plain(plan.monolith_events)["Notifications"]["Properties"] == {
        "Topic": "NotificationsTopic",
        "FilterPolicy": {"kind": [{"anything-but": ["welcome_email"]}, {"exists": False}]},
    }


def test_sns_existing_string_list_is_narrowed_and_other_fields_kept(events):
    source = events(
        """\
        Notifications:
          Type: SNS
          Properties:
            Topic: !Ref NotificationsTopic
            FilterPolicyScope: MessageBody
            FilterPolicy:
              kind: [welcome_email, password_reset, invoice_ready]
              region: [eu]
        """
    )

    plan = route(source, "password_reset", SNS_BODY_KIND)

    assert plain(plan.new_events)["Notifications"]["Properties"]["FilterPolicy"] == {"kind": ["password_reset"], "region": ["eu"]}
    assert plain(plan.monolith_events)["Notifications"]["Properties"]["FilterPolicy"] == {
        "kind": ["welcome_email", "invoice_ready"],
        "region": ["eu"],
    }


def test_sns_existing_list_with_only_the_key_moves_the_subscription(events):
    source = events(
        """\
        Welcome:
          Type: SNS
          Properties:
            Topic: !Ref NotificationsTopic
            FilterPolicy:
              kind: [welcome_email]
        """
    )

    plan = route(source, "welcome_email", SNS_ATTRIBUTE_KIND)

    assert plain(plan.new_events)["Welcome"]["Properties"]["FilterPolicy"] == {"kind": ["welcome_email"]}
    assert plan.monolith_events == {"Welcome": DELETE}


def test_sns_filter_in_the_other_scope_is_refused(events):
    source = events(
        """\
        Notifications:
          Type: SNS
          Properties:
            Topic: !Ref NotificationsTopic
            FilterPolicy:
              tenant: [acme]
        """
    )

    assert refusal(source, "welcome_email", SNS_BODY_KIND) == (
        f"{WHERE} event Notifications: the subscription already filters on MessageAttributes, the key is in MessageBody"
    )


def test_sns_with_sqs_subscription_is_refused(events):
    source = events(
        """\
        Notifications:
          Type: SNS
          Properties:
            Topic: !Ref NotificationsTopic
            SqsSubscription: true
        """
    )

    assert refusal(source, "welcome_email", SNS_BODY_KIND) == (
        f"{WHERE} event Notifications: an SNS event with SqsSubscription is not split yet"
    )


def test_sns_refuses_a_key_it_cannot_filter_on(events):
    source = events("Notifications:\n  Type: SNS\n  Properties:\n    Topic: !Ref NotificationsTopic\n")

    assert "the dispatch key comes from Records[*].Sns.Subject; SNS can filter on" in refusal(
        source, "welcome", EventPath(("Records", EACH, "Sns", "Subject"))
    )


# --- sources that cannot be split, and functions without sources ------------------------


@pytest.mark.parametrize(
    ("kind", "advice"),
    [
        ("SQS", "Lambda deletes an SQS message that a mapping's filter rejects"),
        ("S3", "S3 notifications cannot overlap on one bucket"),
    ],
)
def test_unsplittable_sources_are_refused_with_advice(events, kind, advice):
    source = events(f"Source:\n  Type: {kind}\n  Properties: {{}}\n")

    message = refusal(source, "OrderPlaced", DETAIL_TYPE)

    assert message.startswith(f"{WHERE}: event Source ({kind}) cannot be split safely: {advice}")


def test_a_kinesis_key_outside_the_records_data_is_refused_saying_filters_see_only_the_data(events):
    source = events("Source:\n  Type: Kinesis\n  Properties: {}\n")

    message = refusal(source, "OrderPlaced", DETAIL_TYPE)

    assert message.startswith(f"{WHERE} event Source: the dispatch key comes from detail-type; a Kinesis mapping "
                              "filters records only on their data")


def test_sqs_advice_says_what_to_do_instead(events):
    message = refusal(events("Queue:\n  Type: SQS\n  Properties: {}\n"), "welcome", SNS_BODY_KIND)

    assert "two mappings on one queue compete for its messages, so one filtered mapping per action would lose" in message
    assert "(1) one queue per action" in message
    assert "(2) an SNS topic with one subscription per action filtered on the type" in message
    assert "(3) an EventBridge Pipe from the queue to an event bus with one rule per action" in message


@pytest.mark.parametrize("no_events", [None, {}])
def test_a_function_without_events_is_invoked_directly(no_events):
    plan = route(no_events, "RefundRequested", EventPath(("action",)))

    assert plan.direct
    assert (plan.new_events, plan.monolith_events) == ({}, {})
    assert "callers invoke the function directly and must switch to the new function" in plan.notes[0]


def test_a_custom_resource_handler_is_refused():
    with pytest.raises(Refusal) as caught:
        plan_route(None, "Create", EventPath(("RequestType",)), WHERE, custom_resources=("SeedData",))

    assert caught.value.message.startswith("the function is the ServiceToken of SeedData: CloudFormation sends every RequestType")
    assert caught.value.hint == "keep the custom resource's handler whole"


def test_a_custom_resource_request_type_is_never_split() -> None:
    with pytest.raises(Refusal) as caught:
        plan_route(None, "Create", EventPath(("RequestType",)), "template.yaml: Resources.SeedFunction")
    assert "RequestType" in caught.value.message and caught.value.hint == "keep the custom resource's handler whole"


def test_alexa_intents_are_never_split() -> None:
    with pytest.raises(Refusal) as caught:
        plan_route(None, "OrderPizza", EventPath(("request", "intent", "name")), "template.yaml: Resources.Skill")
    assert "one endpoint" in caught.value.message


def test_requests_of_one_route_that_differ_by_body_are_never_split() -> None:
    events = {"Api": {"Type": "HttpApi", "Properties": {"Path": "/rpc", "Method": "post"}}}
    with pytest.raises(Refusal) as caught:
        plan_route(events, "create", EventPath(("body", JSON, "op")), "template.yaml: Resources.Rpc")
    assert "query string, header or body" in caught.value.message


def test_a_rest_route_of_method_and_path_is_carved_out_of_the_proxy() -> None:
    events = {"Proxy": {"Type": "Api", "Properties": {"Path": "/{proxy+}", "Method": "ANY"}}}
    route = plan_route(events, "GET /orders/{id}", EventPath(("method+path",)), "template.yaml: Resources.Api")
    assert route.new_events["Proxy"]["Properties"] == {"Path": "/orders/{id}", "Method": "get"}
    # REST matches the resource first: without ANY on it, PUT /orders/1 would reach no one.
    assert route.monolith_events == {"ProxyOrdersId": {"Type": "Api", "Properties": {"Path": "/orders/{id}", "Method": "ANY"}}}


def test_a_rest_resource_the_monolith_already_has_gets_no_second_any() -> None:
    events = {
        "Proxy": {"Type": "Api", "Properties": {"Path": "/{proxy+}", "Method": "ANY"}},
        "ProxyOrders": {"Type": "Api", "Properties": {"Path": "/orders", "Method": "ANY"}},
    }
    route = plan_route(events, "POST /orders", EventPath(("method+path",)), "template.yaml: Resources.Api")
    assert plain(route.new_events) == {"ProxyOrders": {"Type": "Api", "Properties": {"Path": "/orders", "Method": "post"}}}
    assert route.monolith_events == {}


def test_a_whole_rest_resource_carved_out_of_the_proxy_leaves_the_monolith_nothing_there() -> None:
    events = {"Proxy": {"Type": "Api", "Properties": {"Path": "/{proxy+}", "Method": "ANY"}}}
    route = plan_route(events, "/orders", EventPath(("resource",)), "template.yaml: Resources.Api")
    assert route.new_events["Proxy"]["Properties"] == {"Path": "/orders", "Method": "ANY"}
    assert route.monolith_events == {}


def test_a_second_any_beside_the_proxy_gets_a_name_of_its_own() -> None:
    events = {
        "Proxy": {"Type": "Api", "Properties": {"Path": "/{proxy+}", "Method": "ANY"}},
        "ProxyOrders": {"Type": "Api", "Properties": {"Path": "/orders", "Method": "GET"}},
    }
    route = plan_route(events, "DELETE /orders", EventPath(("method+path",)), "template.yaml: Resources.Api")
    assert list(route.monolith_events) == ["ProxyOrders2"]


def test_an_http_route_of_method_and_path_moves_its_own_event() -> None:
    events = {
        "GetOrder": {"Type": "HttpApi", "Properties": {"Path": "/orders/{id}", "Method": "GET"}},
        "Proxy": {"Type": "HttpApi", "Properties": {"Path": "/{proxy+}", "Method": "ANY"}},
    }
    route = plan_route(events, "GET /orders/{id}", EventPath(("method+path",)), "template.yaml: Resources.Api")
    assert list(route.new_events) == ["GetOrder"] and route.monolith_events == {"GetOrder": DELETE}


def test_an_upper_cased_detail_type_is_routed_ignoring_case() -> None:
    events = {"Rule": {"Type": "EventBridgeRule", "Properties": {"Pattern": {"source": ["shop"], "detail-type": ["OrderPlaced", "OrderShipped"]}}}}
    route = plan_route(events, "ORDERPLACED", EventPath(("detail-type", ANY_CASE)), "template.yaml: Resources.Orders")
    assert route.new_events["Rule"]["Properties"]["Pattern"] == {"source": ["shop"], "detail-type": ["OrderPlaced"]}
    assert route.monolith_events["Rule"]["Properties"]["Pattern"]["detail-type"] == ["OrderShipped"]


def test_an_upper_cased_key_without_a_detail_type_filter_is_matched_ignoring_case() -> None:
    events = {"Rule": {"Type": "EventBridgeRule", "Properties": {"Pattern": {"source": ["shop"]}}}}
    route = plan_route(events, "ORDERPLACED", EventPath(("detail-type", ANY_CASE)), "template.yaml: Resources.Orders")
    assert route.new_events["Rule"]["Properties"]["Pattern"]["detail-type"] == [{"equals-ignore-case": "ORDERPLACED"}]
    assert route.monolith_events["Rule"]["Properties"]["Pattern"]["detail-type"] == [{"anything-but": {"equals-ignore-case": ["ORDERPLACED"]}}]


# --- EventBridge, nested dispatch (source, then detail-type) ------------------------------------
NESTED = EventPath.nested(EventPath(("source",)), EventPath(("detail-type",)))
_SOURCES = ("shop.orders", "shop.payments", "shop.warehouse", "shop.other")
_TYPES = ("Placed", "Cancelled", "Captured", "Packed")


def _accepts(pattern: Any, source: str, detail_type: str) -> bool:
    from strangler.verify.patterns import matches

    return matches(plain(pattern), {"source": source, "detail-type": detail_type, "detail": {"channel": "web"}})


@pytest.mark.parametrize(
    "pattern",
    [
        "source: [shop.orders, shop.payments, shop.warehouse]",
        "source: [shop.orders, shop.payments]\n  detail-type: [Placed, Cancelled, Captured]",
        "detail-type: [{anything-but: [Packed]}]",
        "detail: {channel: [web]}",
    ],
    ids=["sources-listed", "both-listed", "types-excluded", "neither-filtered"],
)
def test_nested_pairs_leave_the_monolith_every_event_it_had_but_theirs(events, pattern):
    """Extract pairs one by one; after each step every (source, detail-type) reaches exactly
    one of: the monolith (if it did before and no extracted pair claims it) or its pair's rule."""
    current = events(f"Shop:\n  Type: EventBridgeRule\n  Properties:\n    Pattern:\n      {pattern.replace(chr(10), chr(10) + '    ')}\n")
    original = plain(current["Shop"]["Properties"]["Pattern"])
    taken: dict[tuple[str, str], Any] = {}
    for pair in [("shop.orders", "Placed"), ("shop.orders", "Cancelled"), ("shop.payments", "Captured"), ("shop.orders", "Captured")]:
        if not _accepts(original, *pair):
            assert "no event source routes" in refusal(current, "/".join(pair), NESTED)
            continue
        plan = route(current, "/".join(pair), NESTED)
        taken[pair] = plan.new_events["Shop"]["Properties"]["Pattern"]
        current = plan.monolith_events
        monolith = None if current.get("Shop") is DELETE else current["Shop"]["Properties"]["Pattern"]
        for source in _SOURCES:
            for detail_type in _TYPES:
                before = _accepts(original, source, detail_type)
                owners = [p for p, rule in taken.items() if _accepts(rule, source, detail_type)]
                in_monolith = monolith is not None and _accepts(monolith, source, detail_type)
                assert owners == ([(source, detail_type)] if (source, detail_type) in taken else [])
                assert in_monolith == (before and not owners), (source, detail_type, plain(monolith))
        if monolith is None:
            break


def test_a_monolith_branch_edited_after_a_split_is_read_again(events):
    """A branch strangler wrote is carried over, unparsed, to the next split while its box
    is unchanged; one edited in place since (a detail-type added by hand) is read afresh."""
    current = events("Shop:\n  Type: EventBridgeRule\n  Properties:\n    Pattern:\n      source: [shop.orders, shop.payments]\n"
                     "      detail-type: [Placed, Cancelled, Captured]\n")
    current = route(current, "shop.orders/Placed", NESTED).monolith_events
    current = route(current, "shop.payments/Captured", NESTED).monolith_events
    branches = current["Shop"]["Properties"]["Pattern"]["$or"]
    orders = next(b for b in branches if list(b["source"]) == ["shop.orders"])
    orders["detail-type"].append("Packed")
    monolith = route(current, "shop.orders/Cancelled", NESTED).monolith_events["Shop"]["Properties"]["Pattern"]
    assert _accepts(monolith, "shop.orders", "Packed")
    assert not _accepts(monolith, "shop.orders", "Cancelled") and not _accepts(monolith, "shop.orders", "Placed")
    assert _accepts(monolith, "shop.payments", "Placed") and not _accepts(monolith, "shop.payments", "Captured")


def test_nested_pair_rule_and_the_monolith_or(events):
    rule = events(
        """\
        Shop:
          Type: EventBridgeRule
          Properties:
            RuleName: shop-all
            Pattern:
              source: [shop.orders, shop.payments]
              detail: {channel: [web]}
        """
    )
    plan = route(rule, "shop.orders/Placed", NESTED)
    assert plain(plan.new_events["Shop"]["Properties"]) == {
        "Pattern": {"source": ["shop.orders"], "detail-type": ["Placed"], "detail": {"channel": ["web"]}}
    }
    assert plain(plan.monolith_events["Shop"]["Properties"]) == {
        "RuleName": "shop-all",
        "Pattern": {
            # no field is filtered both at the top and inside $or
            "$or": [
                {"source": ["shop.payments"]},
                {"source": ["shop.orders"], "detail-type": [{"anything-but": ["Placed"]}]},
            ],
            "detail": {"channel": ["web"]},
        },
    }


def test_nested_pair_taking_the_last_type_of_a_listed_rule_deletes_the_monolith_event(events):
    rule = events("Shop:\n  Type: EventBridgeRule\n  Properties:\n    Pattern:\n      source: [shop.orders]\n      detail-type: [Placed]\n")
    assert route(rule, "shop.orders/Placed", NESTED).monolith_events["Shop"] is DELETE


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("source: [{prefix: shop.}]", "cannot be split safely"),
        ("$or:\n        - source: [shop.orders]\n        - account: ['123']", "cannot be split safely"),
    ],
    ids=["prefix", "own-or"],
)
def test_nested_pair_refusals(events, pattern, message):
    rule = events(f"Shop:\n  Type: EventBridgeRule\n  Properties:\n    Pattern:\n      {pattern}\n")
    assert message in refusal(rule, "shop.orders/Placed", NESTED)


def test_nested_dispatch_on_other_fields_is_refused(events):
    rule = events("Shop:\n  Type: EventBridgeRule\n  Properties:\n    Pattern:\n      source: [shop.orders]\n")
    path = EventPath.nested(EventPath(("source",)), EventPath(("detail", "kind")))
    assert "on source and detail-type only" in refusal(rule, "shop.orders/Placed", path)


def test_nested_pairs_in_either_field_order_route_the_same(events):
    rule = events("Shop:\n  Type: EventBridgeRule\n  Properties:\n    Pattern:\n      source: [shop.orders, shop.payments]\n")
    reversed_path = EventPath.nested(EventPath(("detail-type",)), EventPath(("source",)))
    one = route(rule, "shop.orders/Placed", NESTED)
    other = route(rule, "Placed/shop.orders", reversed_path)
    assert plain(one.new_events) == plain(other.new_events)
    monolith = plain(other.monolith_events)["Shop"]["Properties"]["Pattern"]
    assert _accepts(monolith, "shop.orders", "Cancelled") and not _accepts(monolith, "shop.orders", "Placed")
