"""Typed event objects: attributes of Powertools data classes and of the EventBridge schema
bindings mapped back to the event keys they read."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from strangler.analyse.dispatch.eventpath import Locals, Unresolvable, resolve


def path_of(source: str) -> str:
    """The event path of the expression on the handler's last line (``return <key>``)."""
    module = cst.parse_module(textwrap.dedent(source))
    function = next(s for s in module.body if isinstance(s, cst.FunctionDef))
    last = function.body.body[-1]
    assert isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[0], cst.Return)
    value = last.body[0].value
    assert value is not None
    return str(resolve(value, Locals.of(function)))


@pytest.mark.parametrize(
    ("code", "path"),
    [
        ("EventBridgeEvent(event).detail_type", "detail-type"),
        ("EventBridgeEvent(event).source", "source"),
        ('EventBridgeEvent(event).detail["kind"]', "detail.kind"),
        ("data_classes.EventBridgeEvent(event).detail_type", "detail-type"),
        ("APIGatewayProxyEvent(event).http_method", "httpMethod"),
        ("APIGatewayProxyEvent(event).path", "path"),
        ("APIGatewayProxyEvent(event).resource", "resource"),
        ('APIGatewayProxyEvent(event).json_body["op"]', "body(json).op"),
        ("APIGatewayProxyEventV2(event).http_method", "requestContext.http.method"),
        ("APIGatewayProxyEventV2(event).raw_path", "rawPath"),
        ("APIGatewayProxyEventV2(event).route_key", "routeKey"),
        ("Marshaller.unmarshall(event, AWSEvent).detail_type", "detail-type"),
        ('Marshaller.unmarshall(event, AWSEvent).detail.get("status")', "detail.status"),
    ],
)
def test_each_typed_attribute_reads_its_event_key(code: str, path: str) -> None:
    assert path_of(f"def handler(event, context):\n    return {code}\n") == path


def test_the_sam_init_schema_binding_through_names() -> None:
    source = """
    def lambda_handler(event, context):
        # Deserialize event into strongly typed object
        awsEvent = Marshaller.unmarshall(event, AWSEvent)
        detail_type = awsEvent.detail_type
        return detail_type
    """
    assert path_of(source) == "detail-type"


def test_records_of_sqs_and_sns_data_classes() -> None:
    sqs = """
    def handler(event, context):
        for record in SQSEvent(event).records:
            return record.json_body["kind"]
    """
    module = cst.parse_module(textwrap.dedent(sqs))
    function = module.body[0]
    assert isinstance(function, cst.FunctionDef)
    value = cst.parse_expression('record.json_body["kind"]')
    assert str(resolve(value, Locals.of(function))) == "Records[*].body(json).kind"
    sns = """
    def handler(event, context):
        records = SNSEvent(event).records
        for record in records:
            pass
        return json.loads(record.sns.message)["kind"]
    """
    assert path_of(sns) == "Records[*].Sns.Message(json).kind"


def test_the_event_parameter_is_the_data_class_under_event_source() -> None:
    source = """
    @event_source(data_class=EventBridgeEvent)
    def lambda_handler(event: EventBridgeEvent, context):
        return event.detail_type
    """
    assert path_of(source) == "detail-type"
    plain = """
    @logger.inject_lambda_context
    def lambda_handler(event, context):
        return event.detail_type
    """
    with pytest.raises(Unresolvable, match="cannot map back"):
        path_of(plain)


def test_an_attribute_with_no_known_key_is_refused() -> None:
    with pytest.raises(Unresolvable, match="EventBridgeEvent.replay_name"):
        path_of("def handler(event, context):\n    return EventBridgeEvent(event).replay_name\n")
    with pytest.raises(Unresolvable, match="cannot map back"):
        path_of("def handler(event, context):\n    return SomethingElse(event).detail_type\n")


def test_a_chain_on_a_data_class_attribute_is_a_dispatch_on_detail_type() -> None:
    from pathlib import Path

    from strangler.analyse.dispatch import analyse
    from strangler.model import FunctionRef

    function = FunctionRef("BillingFunction", "src/", Path("/app/src"), "app.lambda_handler", Path("/app/src/app.py"), "lambda_handler")
    source = textwrap.dedent('''\
        from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source

        INVOICE_PAID = "InvoicePaid"


        @event_source(data_class=EventBridgeEvent)
        def lambda_handler(event: EventBridgeEvent, context):
            if event.detail_type == INVOICE_PAID:
                return {"paid": event.detail["id"]}
            elif event.detail_type == "InvoiceVoided":
                return {"voided": event.detail["id"]}
            return None
        ''')
    analysis = analyse(function, source, "src/app.py")
    assert [a.key for a in analysis.dispatch.actions] == ["InvoicePaid", "InvoiceVoided"]
    assert str(analysis.dispatch.event_path) == "detail-type"


def _function():
    from pathlib import Path

    from strangler.model import FunctionRef

    return FunctionRef("BillingFunction", "src/", Path("/app/src"), "app.lambda_handler", Path("/app/src/app.py"), "lambda_handler")


def test_an_event_source_handler_passing_its_event_to_a_helper() -> None:
    from strangler.analyse.dispatch import analyse

    source = textwrap.dedent('''\
        from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent, event_source

        import views


        def dispatch(request):
            if request.http_method == "GET":
                return views.read(request)
            elif request.http_method == "POST":
                return views.write(request)
            return {"statusCode": 405}


        @event_source(data_class=APIGatewayProxyEvent)
        def lambda_handler(event, context):
            return dispatch(event)
        ''')
    analysis = analyse(_function(), source, "src/app.py")
    assert str(analysis.dispatch.event_path) == "httpMethod"
    assert [a.key for a in analysis.dispatch.actions] == ["GET", "POST"]


def test_an_unmapped_attribute_in_a_chain_is_refused_with_file_and_line() -> None:
    from strangler.analyse.dispatch import analyse
    from strangler.errors import StranglerError

    source = textwrap.dedent('''\
        from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent


        def lambda_handler(event, context):
            replay = EventBridgeEvent(event).replay_name
            if replay == "a":
                return 1
            elif replay == "b":
                return 2
        ''')
    with pytest.raises(StranglerError) as caught:
        analyse(_function(), source, "src/app.py")
    assert "EventBridgeEvent.replay_name" in str(caught.value) and "src/app.py:5" in str(caught.value)
