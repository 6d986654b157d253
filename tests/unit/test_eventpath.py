"""Following the dispatch key back to the part of the event it is read from."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from strangler.analyse.dispatch.eventpath import Locals, Unresolvable, resolve
from strangler.model import EACH, JSON


def _key_and_scope(source: str, variable: str) -> tuple[cst.Module, cst.BaseExpression, Locals]:
    module = cst.parse_module(textwrap.dedent(source))
    function = next(s for s in module.body if isinstance(s, cst.FunctionDef))
    values: list[cst.BaseExpression] = []

    class LastAssignment(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            if any(isinstance(t.target, cst.Name) and t.target.value == variable for t in node.targets):
                values.append(node.value)

    function.visit(LastAssignment())
    return module, values[-1], Locals.of(function)


def path_of(source: str, variable: str = "kind") -> str:
    """The event path of the last value assigned to ``variable`` in the first function."""
    _, value, scope = _key_and_scope(source, variable)
    return str(resolve(value, scope))


def refusal(source: str, variable: str = "kind") -> tuple[str, str]:
    """Why ``variable`` cannot be resolved, and the code of the node where resolution stopped."""
    module, value, scope = _key_and_scope(source, variable)
    with pytest.raises(Unresolvable) as caught:
        resolve(value, scope)
    return caught.value.reason, module.code_for_node(caught.value.node)


def test_a_direct_subscript_of_the_event():
    assert path_of(
        """\
        def lambda_handler(event, context):
            kind = event["detail-type"]
        """
    ) == "detail-type"


@pytest.mark.parametrize("read", ['event.get("detail-type")', 'event.get("detail-type", "unknown")'])
def test_get_with_or_without_a_default(read):
    assert path_of(
        f"""\
        def lambda_handler(event, context):
            kind = {read}
        """
    ) == "detail-type"


def test_chained_gets_with_an_empty_default():
    assert path_of(
        """\
        def lambda_handler(event, context):
            kind = event.get("requestContext", {}).get("routeKey")
        """
    ) == "requestContext.routeKey"


def test_local_aliases_are_followed():
    assert path_of(
        """\
        def lambda_handler(event, context):
            detail = event["detail"]
            body: dict = detail["body"]
            kind = body["type"]
        """
    ) == "detail.body.type"


def test_json_body_of_each_sns_record():
    source = """\
        import json

        def lambda_handler(event, context):
            for record in event["Records"]:
                message = json.loads(record["Sns"]["Message"])
                kind = message["kind"]
        """
    _, value, scope = _key_and_scope(source, "kind")

    assert resolve(value, scope).parts == ("Records", EACH, "Sns", "Message", JSON, "kind")
    assert path_of(source) == "Records[*].Sns.Message(json).kind"


def test_loads_imported_from_json():
    assert path_of(
        """\
        from json import loads

        def lambda_handler(event, context):
            kind = loads(event["body"])["action"]
        """
    ) == "body(json).action"


def test_an_sns_message_attribute_of_the_first_record():
    assert path_of(
        """\
        def lambda_handler(event, context):
            record = event["Records"][0]
            kind = record["Sns"]["MessageAttributes"]["kind"]["Value"]
        """
    ) == "Records[*].Sns.MessageAttributes.kind.Value"


def test_a_reassignment_that_cannot_carry_the_key_is_ignored():
    assert path_of(
        """\
        import json

        def lambda_handler(event, context):
            for record in event["Records"]:
                message = json.loads(record["Sns"]["Message"])
                if isinstance(message, str):
                    message = {"payload": message}
                kind = message["kind"]
        """
    ) == "Records[*].Sns.Message(json).kind"


def test_a_none_placeholder_is_ignored():
    assert path_of(
        """\
        def lambda_handler(event, context):
            detail = None
            detail = event["detail"]
            kind = detail["type"]
        """
    ) == "detail.type"


def test_names_bound_in_nested_functions_do_not_count():
    assert path_of(
        """\
        def lambda_handler(event, context):
            def fallback():
                detail = {}
                return detail
            detail = event["detail"]
            kind = detail["type"]
        """
    ) == "detail.type"


def test_a_reassignment_that_could_carry_the_key_is_refused():
    assert refusal(
        """\
        import json

        def lambda_handler(event, context):
            message = json.loads(event["body"])
            if isinstance(message, str):
                message = {"kind": message}
            kind = message["kind"]
        """
    ) == ("message is assigned 2 times, so the key is not static", "message")


def test_a_name_assigned_twice_from_the_event_is_refused():
    assert refusal(
        """\
        def lambda_handler(event, context):
            body = event["detail"]
            if "payload" in body:
                body = event["detail"]["payload"]
            kind = body["kind"]
        """
    ) == ("body is assigned 2 times, so the key is not static", "body")


def test_a_computed_key_is_refused():
    assert refusal(
        """\
        FIELD = "detail-type"

        def lambda_handler(event, context):
            kind = event[FIELD]
        """
    ) == ("the event is indexed with a computed key", "event[FIELD]")


def test_a_key_compared_in_one_case_matches_any_case():
    assert path_of(
        """\
        def lambda_handler(event, context):
            kind = event["detail-type"].upper()
        """
    ) == "detail-type(any case)"


def test_a_formatted_key_of_method_and_resource_is_the_route():
    assert path_of(
        """\
        def lambda_handler(event, context):
            kind = f"{event['httpMethod']} {event['resource']}"
        """
    ) == "method+path"


def test_a_formatted_key_of_anything_else_is_refused():
    assert refusal(
        """\
        def lambda_handler(event, context):
            kind = f"{event['source']}:{event['detail-type']}"
        """
    ) == ("the key is composed of more than an HTTP method and a path", "f\"{event['source']}:{event['detail-type']}\"")


@pytest.mark.parametrize(
    ("read", "stopped_at"),
    [
        ('parse(event)["kind"]', "parse(event)"),
        ('event["detail-type"].split(".")[0]', 'event["detail-type"].split(".")'),
    ],
)
def test_a_call_it_cannot_follow_is_refused(read, stopped_at):
    assert refusal(
        f"""\
        def lambda_handler(event, context):
            kind = {read}
        """
    ) == ("the key goes through a call strangler cannot follow", stopped_at)


def test_a_name_that_does_not_come_from_the_event_is_refused():
    assert refusal(
        """\
        def lambda_handler(event, context):
            with open("/tmp/route") as route:
                kind = route["kind"]
        """
    ) == ("route does not come from the event", "route")


def test_an_entrypoint_without_parameters_is_refused():
    function = cst.parse_module("def lambda_handler():\n    return None\n").body[0]

    with pytest.raises(Unresolvable) as caught:
        Locals.of(function)

    assert caught.value.reason == "lambda_handler() takes no event parameter"
    assert caught.value.node is function


def test_rebinding_the_event_parameter_is_followed_or_refused():
    source = """\
        def lambda_handler(event, context):
            event = event["detail"]
            kind = event["type"]
        """
    try:
        outcome = path_of(source)
    except Unresolvable:
        outcome = "refused"

    assert outcome in ("detail.type", "refused")


def test_a_loop_variable_reused_by_two_loops_is_not_confused():
    source = """\
        def lambda_handler(event, context):
            for record in event["Records"]:
                kind = record["kind"]
            for record in event["Failures"]:
                print(record)
        """
    try:
        outcome = path_of(source)
    except Unresolvable:
        outcome = "refused"

    assert outcome in ("Records[*].kind", "refused")


@pytest.mark.parametrize("read", [
    '"%s %s" % (event["httpMethod"], event["resource"])',
    '"{} {}".format(event["httpMethod"], event["path"])',
    '"{0} {1}".format(method, event["requestContext"]["resourcePath"])',
    '" ".join((method, event["resource"]))',
    '" ".join([event["requestContext"]["http"]["method"], event["rawPath"]])',
    'f"{method} {event[\'path\'].rstrip(\'/\')}"',
    '"%s %s" % (method, event.get("path", "/").rstrip("/"))',
    '"%s %s" % (method.upper(), event["resource"])',
])
def test_a_method_and_path_joined_by_percent_format_or_join_is_the_route(read):
    assert path_of(
        f"""\
        def lambda_handler(event, context):
            method = event["httpMethod"]
            kind = {read}
        """
    ) == "method+path"


def test_a_path_stripped_of_its_trailing_slash_is_the_same_path():
    # API Gateway treats /a/ as /a
    assert path_of(
        """\
        def lambda_handler(event, context):
            kind = event["resource"].rstrip("/")
        """
    ) == "resource"


@pytest.mark.parametrize(("read", "reason"), [
    ('"%s:%s" % (event["httpMethod"], event["resource"])', "the key is composed of more than an HTTP method and a path"),
    ('"%s %s" % (event["source"], event["detail-type"])', "the key is composed of more than an HTTP method and a path"),
    ('"{} {}".format(event["httpMethod"], event["resource"], 1)', "the key is composed of more than an HTTP method and a path"),
    ('"{} {}".format(m=event["httpMethod"])', "the key is composed of more than an HTTP method and a path"),
    ('" ".join(event["parts"])', "the key is composed of more than an HTTP method and a path"),
    ('"/".join((event["httpMethod"], event["resource"]))', "the key goes through a call strangler cannot follow"),
    ('event["detail-type"].rstrip("/")', "the key is stripped, which no event source filter can match"),
    ('event["path"].rstrip("x")', "the key is stripped, which no event source filter can match"),
])
def test_other_joins_and_strips_are_refused(read, reason):
    assert refusal(
        f"""\
        def lambda_handler(event, context):
            kind = {read}
        """
    )[0] == reason


def test_the_method_alone_is_a_key_in_any_payload():
    for read, path in [
        ('event["httpMethod"]', "httpMethod"),
        ('event["requestContext"]["http"]["method"].upper()', "requestContext.http.method(any case)"),
        ('event.get("httpMethod", "").lower()', "httpMethod(any case)"),
    ]:
        assert path_of(f"def lambda_handler(event, context):\n    kind = {read}\n") == path
