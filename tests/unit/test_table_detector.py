"""The mapping-table detector: the table, its actions, the event path, and its refusals."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from strangler.analyse.dispatch import Analysis, analyse
from strangler.analyse.dispatch.table import NoDispatch
from strangler.errors import StranglerError
from strangler.model import FunctionRef

PATH = "src/app.py"


def analysed(source: str, entrypoint: str = "lambda_handler") -> Analysis:
    function = FunctionRef(
        "OrdersFunction", "src/", Path("src"), f"app.{entrypoint}", Path(PATH), entrypoint
    )
    return analyse(function, textwrap.dedent(source), PATH)


def refused(source: str, entrypoint: str = "lambda_handler") -> tuple[str, str]:
    """(where, message) of the refusal."""
    with pytest.raises(StranglerError) as caught:
        analysed(source, entrypoint)
    return caught.value.where, caught.value.message


def actions(analysis: Analysis) -> list[tuple[str, str, int]]:
    return [(a.key, a.handler, a.line) for a in analysis.dispatch.actions]


HANDLERS_DEFS = textwrap.dedent(
    """\
    def on_placed(detail):
        return {"placed": detail["id"]}

    def on_cancelled(detail):
        return {"cancelled": detail["id"]}

    HANDLERS = {"OrderPlaced": on_placed, "OrderCancelled": on_cancelled}
    """
)


@pytest.mark.parametrize(
    "entrypoint",
    [
        # TABLE[key](event)
        """\
        def lambda_handler(event, context):
            return HANDLERS[event["detail-type"]](event["detail"])
        """,
        # TABLE.get(key) and a None guard
        """\
        def lambda_handler(event, context):
            handler = HANDLERS.get(event["detail-type"])
            if handler is None:
                return {"status": "ignored"}
            return handler(event["detail"])
        """,
        # try / except KeyError
        """\
        def lambda_handler(event, context):
            try:
                handler = HANDLERS[event["detail-type"]]
            except KeyError:
                return {"status": "ignored"}
            return handler(event["detail"])
        """,
        # key not in TABLE
        """\
        def lambda_handler(event, context):
            kind = event["detail-type"]
            if kind not in HANDLERS:
                raise ValueError(f"unknown detail-type {kind}")
            return HANDLERS[kind](event["detail"])
        """,
    ],
    ids=["subscript", "get-is-None", "try-except-KeyError", "not-in"],
)
def test_each_lookup_form_is_recognised(entrypoint):
    analysis = analysed(HANDLERS_DEFS + "\n" + textwrap.dedent(entrypoint))

    assert analysis.dispatch.table == "HANDLERS"
    assert analysis.dispatch.line == 7
    assert analysis.dispatch.entrypoint == "lambda_handler"
    assert str(analysis.dispatch.event_path) == "detail-type"
    assert actions(analysis) == [("OrderPlaced", "on_placed", 7), ("OrderCancelled", "on_cancelled", 7)]


def test_aliased_imports_and_module_attributes_are_handlers():
    analysis = analysed(
        """\
        import billing
        from shipping.handlers import on_order_shipped as handle_order_shipped

        HANDLERS = {
            "OrderShipped": handle_order_shipped,
            "PaymentFailed": billing.on_payment_failed,
        }

        def lambda_handler(event, context):
            return HANDLERS[event["detail-type"]](event)
        """
    )

    assert actions(analysis) == [
        ("OrderShipped", "handle_order_shipped", 5),
        ("PaymentFailed", "billing.on_payment_failed", 6),
    ]


def test_an_annotated_table_and_a_handler_named_by_the_template():
    analysis = analysed(
        """\
        from typing import Callable

        def on_welcome(message):
            return message

        NOTIFIERS: dict[str, Callable] = {"welcome_email": on_welcome}

        def handle(event, context):
            return NOTIFIERS[event["kind"]](event)
        """,
        entrypoint="handle",
    )

    assert (analysis.dispatch.table, analysis.dispatch.entrypoint) == ("NOTIFIERS", "handle")
    assert actions(analysis) == [("welcome_email", "on_welcome", 6)]


# --- refusals ------------------------------------------------------------------------------


def test_two_tables_are_refused_at_the_entrypoint():
    assert refused(
        """\
        def on_placed(detail): ...
        def on_v1(detail): ...

        HANDLERS = {"OrderPlaced": on_placed}
        LEGACY = {"order.placed": on_v1}

        def lambda_handler(event, context):
            if event["detail-type"] in LEGACY:
                return LEGACY[event["detail-type"]](event)
            return HANDLERS[event["detail-type"]](event)
        """
    ) == (f"{PATH}:7", "lambda_handler() looks up several tables (HANDLERS, LEGACY); strangler splits one")


def test_a_key_that_is_not_a_string_is_refused_at_its_entry():
    assert refused(
        """\
        def on_placed(detail): ...

        HANDLERS = {
            "OrderPlaced": on_placed,
            404: on_placed,
        }

        def lambda_handler(event, context):
            return HANDLERS[event["detail-type"]](event)
        """
    ) == (f"{PATH}:5", "HANDLERS has a key that is not a string literal: 404")


def test_a_duplicate_key_is_refused_at_its_second_entry():
    assert refused(
        """\
        def on_placed(detail): ...
        def on_placed_v2(detail): ...

        HANDLERS = {
            "OrderPlaced": on_placed,
            "OrderCancelled": on_placed,
            "OrderPlaced": on_placed_v2,
        }

        def lambda_handler(event, context):
            return HANDLERS[event["detail-type"]](event)
        """
    ) == (f"{PATH}:7", "HANDLERS lists 'OrderPlaced' twice; the later entry silently wins")


def test_unpacking_another_mapping_is_refused_at_its_entry():
    assert refused(
        """\
        from legacy import LEGACY_HANDLERS

        def on_placed(detail): ...

        HANDLERS = {
            "OrderPlaced": on_placed,
            **LEGACY_HANDLERS,
        }

        def lambda_handler(event, context):
            return HANDLERS[event["detail-type"]](event)
        """
    ) == (f"{PATH}:7", "HANDLERS unpacks another mapping (**...), so its keys are not static")


@pytest.mark.parametrize(
    ("mutation", "how"),
    [
        ('HANDLERS["OrderShipped"] = on_shipped', "HANDLERS[...] = ..."),
        ("HANDLERS.update(OrderShipped=on_shipped)", "HANDLERS.update(...)"),
        ('del HANDLERS["OrderPlaced"]', "del HANDLERS[...]"),
        ('def register():\n    HANDLERS.setdefault("OrderShipped", on_shipped)', "HANDLERS.setdefault(...)"),
    ],
)
def test_a_table_changed_at_run_time_is_refused_at_the_table(mutation, how):
    source = textwrap.dedent(
        """\
        def on_placed(detail): ...
        def on_shipped(detail): ...

        HANDLERS = {"OrderPlaced": on_placed}

        {mutation}

        def lambda_handler(event, context):
            return HANDLERS[event["detail-type"]](event)
        """
    ).replace("{mutation}", mutation)

    assert refused(source) == (f"{PATH}:4", f"HANDLERS is changed at run time ({how}), so its entries are not static")


def test_a_table_assigned_twice_is_refused():
    assert refused(
        """\
        def on_placed(detail): ...
        def on_placed_v2(detail): ...

        HANDLERS = {"OrderPlaced": on_placed}
        HANDLERS = {"OrderPlaced": on_placed_v2}

        def lambda_handler(event, context):
            return HANDLERS[event["detail-type"]](event)
        """
    ) == (f"{PATH}:5", "HANDLERS is assigned more than once at module level")


def test_no_dispatch_says_what_was_looked_for():
    with pytest.raises(NoDispatch) as caught:
        analysed(
            """\
            import os

            def lambda_handler(event, context):
                if os.environ["STAGE"] == "prod":  # one if on a value not from the event
                    return {"placed": True}
                return {"ignored": True}
            """
        )

    assert caught.value.where == f"{PATH}:3"
    assert caught.value.message == (
        "no dispatch found: looked for a module-level dict of string keys to functions, "
        "looked up in lambda_handler() with TABLE[key], TABLE.get(key) or `key in TABLE`, and for an "
        "if/elif chain, a sequence of ifs that each return, or a match statement in lambda_handler() "
        "comparing one value from the event with string constants"
    )


@pytest.mark.parametrize("value", ["make_handler('shipped')", "on_shipped"], ids=["call", "undefined-name"])
def test_a_value_that_is_not_a_module_level_name_is_refused(value):
    source = textwrap.dedent(
        """\
        def on_placed(detail): ...

        HANDLERS = {"OrderPlaced": on_placed, "OrderShipped": {value}}

        def lambda_handler(event, context):
            return HANDLERS[event["detail-type"]](event)
        """
    ).replace("{value}", value)
    with pytest.raises(StranglerError) as caught:
        analysed(source)

    assert (caught.value.where, caught.value.message) == (
        f"{PATH}:3",
        "the handler for 'OrderShipped' is not a function of this module, one it imports, or a lambda",
    )
    assert caught.value.hint == "point the table at a module-level function"


def test_a_lambda_value_is_an_action_of_its_own():
    analysis = analysed(
        """        def on_placed(detail): ...
        def audit(detail): ...

        HANDLERS = {"OrderPlaced": on_placed, "OrderShipped": lambda detail: audit(detail)}

        def lambda_handler(event, context):
            return HANDLERS[event["detail-type"]](event)
        """
    )
    assert [a.handler for a in analysis.dispatch.actions] == ["on_placed", "lambda detail: audit(detail)"]
    assert analysis.graph.uses[analysis.unit("OrderShipped")] == {"audit"}


def test_an_entrypoint_that_is_not_defined_is_refused():
    assert refused(HANDLERS_DEFS) == (
        PATH,
        "Handler app.lambda_handler of OrdersFunction names lambda_handler(), which is not a function defined at module level",
    )


def test_a_key_that_is_not_read_from_the_event_is_refused_at_the_lookup():
    entrypoint = textwrap.dedent(
        """
        def lambda_handler(event, context):
            kind = event["detail-type"]
            return HANDLERS[kind.strip()](event)
        """
    )

    assert refused(HANDLERS_DEFS + entrypoint) == (
        f"{PATH}:11",
        (
            "cannot tell statically which part of the event selects the handler: "
            "the key is stripped of spaces, which no event source filter can match"
        ),
    )


def test_keys_read_from_different_places_are_refused():
    entrypoint = textwrap.dedent(
        """
        def lambda_handler(event, context):
            if event["source"] not in HANDLERS:
                return None
            return HANDLERS[event["detail-type"]](event)
        """
    )

    assert refused(HANDLERS_DEFS + entrypoint) == (
        f"{PATH}:9",
        "the table is looked up with keys from different places (detail-type, source)",
    )


def test_a_value_that_is_not_a_module_level_name_is_refused_at_its_entry():
    assert refused(
        """\
        def on_placed(detail): ...

        HANDLERS = {
            "OrderPlaced": on_placed,
            "OrderShipped": make_handler("shipped"),
        }

        def lambda_handler(event, context):
            return HANDLERS[event["detail-type"]](event)
        """
    )[0] == f"{PATH}:5"


@pytest.mark.parametrize(
    "mutation",
    ['HANDLERS.setdefault("OrderShipped", on_shipped)', 'HANDLERS["OrderShipped"] = on_shipped'],
    ids=["setdefault", "setitem"],
)
def test_a_table_changed_inside_the_entrypoint_is_refused(mutation):
    source = textwrap.dedent(
        """\
        def on_placed(detail): ...
        def on_shipped(detail): ...

        HANDLERS = {"OrderPlaced": on_placed}

        def lambda_handler(event, context):
            {mutation}
            return HANDLERS[event["detail-type"]](event)
        """
    ).replace("{mutation}", mutation)
    with pytest.raises(StranglerError) as caught:
        analysed(source)

    assert "HANDLERS is changed at run time" in caught.value.message


def test_a_table_rebound_through_global_is_refused():
    with pytest.raises(StranglerError) as caught:
        analysed(
            """\
            def on_placed(detail): ...

            HANDLERS = {"OrderPlaced": on_placed}

            def reset_for_tests():
                global HANDLERS
                HANDLERS = {}

            def lambda_handler(event, context):
                return HANDLERS[event["detail-type"]](event)
            """
        )

    assert "HANDLERS" in caught.value.message
