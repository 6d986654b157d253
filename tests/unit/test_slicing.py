"""The module-level symbol graph: what each top-level statement and table entry needs."""

from __future__ import annotations

import textwrap

import libcst as cst

from strangler.analyse import slicing


def graph(source: str, table: str | None = None) -> slicing.SymbolGraph:
    """The graph of ``source``; with ``table``, its entries become units ("entry", key)."""
    module = cst.parse_module(textwrap.dedent(source))
    units = None
    if table is not None:
        for index, statement in enumerate(module.body):
            small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
            target = small.targets[0].target if isinstance(small, cst.Assign) else None
            if isinstance(target, cst.Name) and target.value == table:
                units = {element.key.evaluated_value: [element] for element in small.value.elements}
    return slicing.build(module, units)


def defined(g: slicing.SymbolGraph, statements) -> set[str]:
    """The module-level names the statements bind."""
    return {name for index in statements for name in g.defines[index]}


def first_lines(g: slicing.SymbolGraph, statements) -> list[str]:
    """The first line of each statement (decorator or keyword line), in source order."""
    return [
        cst.Module([]).code_for_node(g.statements[index].with_changes(leading_lines=())).splitlines()[0]
        for index in sorted(statements)
    ]


ORDERS = """\
    import json
    from decimal import Decimal

    TAX_RATE = Decimal("0.2")
    CANCEL_REASONS = ("customer", "fraud")

    def price(amount):
        return Decimal(amount) * (1 + TAX_RATE)

    def on_placed(detail):
        return {"total": str(price(detail["amount"]))}

    def on_refunded(detail):
        return {"refund": str(price(detail["amount"]))}

    def on_cancelled(detail):
        return json.dumps({"reason": detail.get("reason") in CANCEL_REASONS})

    HANDLERS = {
        "OrderPlaced": on_placed,
        "OrderRefunded": on_refunded,
        "OrderCancelled": on_cancelled,
    }

    def lambda_handler(event, context):
        return HANDLERS[event["detail-type"]](event["detail"])
"""


def test_a_helper_shared_by_two_actions_is_in_both_closures():
    g = graph(ORDERS, table="HANDLERS")

    placed = defined(g, g.closure([("entry", "OrderPlaced")])[0])
    refunded = defined(g, g.closure([("entry", "OrderRefunded")])[0])

    assert placed == {"on_placed", "price", "Decimal", "TAX_RATE"}
    assert refunded == {"on_refunded", "price", "Decimal", "TAX_RATE"}


def test_an_action_that_does_not_call_the_helper_does_not_get_it():
    g = graph(ORDERS, table="HANDLERS")

    assert defined(g, g.closure([("entry", "OrderCancelled")])[0]) == {"on_cancelled", "json", "CANCEL_REASONS"}


def test_table_entries_are_units_of_their_own():
    g = graph(
        """\
        import functools

        EMAIL, SMS = "email", "sms"

        def notify(message, channel):
            return channel

        def audit(message):
            return message

        HANDLERS = {
            "welcome": functools.partial(notify, channel=EMAIL),
            "audit": audit,
        }
        """,
        table="HANDLERS",
    )
    table_index = len(g.statements) - 1

    assert g.uses[("entry", "welcome")] == {"functools", "notify", "EMAIL"}
    assert g.uses[("entry", "audit")] == {"audit"}
    assert g.uses.get(table_index, frozenset()) == frozenset()


def test_a_constant_used_only_inside_a_function_body_is_found_through_the_scope_chain():
    g = graph(
        """\
        MAX_ITEMS = 50
        UNUSED = 1

        class Basket:
            def trimmed(self, items):
                def keep(index):
                    return index < MAX_ITEMS
                return [item for index, item in enumerate(items) if keep(index)]
        """
    )

    assert defined(g, g.name_closure(["Basket"])[0]) == {"Basket", "MAX_ITEMS"}


def test_a_global_read_inside_a_lazy_initialiser_brings_its_module_level_binding():
    g = graph(
        """\
        import boto3

        _client = None

        def client():
            global _client
            if _client is None:
                _client = boto3.client("s3")
            return _client
        """
    )

    assert defined(g, g.name_closure(["client"])[0]) == {"client", "_client", "boto3"}


def test_class_bases_keywords_and_body_count_as_uses():
    g = graph(
        """\
        DEFAULT_REGION = "eu-west-1"
        Base = object
        Registry = type

        class Order(Base, metaclass=Registry):
            region = DEFAULT_REGION
        """
    )

    assert g.uses[3] == {"Base", "Registry", "DEFAULT_REGION"}


def test_decorators_count_as_uses_of_the_decorated_definition():
    g = graph(
        """\
        import functools
        from dataclasses import dataclass

        RETRIES = 3

        def retry(times):
            return functools.partial

        @retry(times=RETRIES)
        def charge(order):
            return order

        @dataclass(frozen=True)
        class Receipt:
            total: int
        """
    )

    assert defined(g, g.name_closure(["charge"])[0]) == {"charge", "retry", "RETRIES", "functools"}
    assert defined(g, g.name_closure(["Receipt"])[0]) == {"Receipt", "dataclass"}


def test_default_arguments_and_annotations_count_as_uses():
    g = graph(
        """\
        from decimal import Decimal

        TIMEOUT = 10
        Money = Decimal

        def fetch(order_id: str, timeout=TIMEOUT) -> Money:
            return Money(order_id)
        """
    )

    assert g.uses[3] == {"TIMEOUT", "Money"}
    assert defined(g, g.name_closure(["fetch"])[0]) == {"fetch", "TIMEOUT", "Money", "Decimal"}


def test_lambdas_and_comprehensions_at_module_level_charge_their_statement():
    g = graph(
        """\
        FACTOR = 2
        KINDS = ["a", "b"]

        double = lambda value: value * FACTOR
        LABELS = {kind: kind.upper() for kind in KINDS}
        """
    )

    assert g.uses[2] == {"FACTOR"}
    assert g.uses[3] == {"KINDS"}


def test_every_module_level_binding_of_a_name_is_kept():
    g = graph(
        """\
        try:
            import ujson as json
        except ImportError:
            json = None

        if json is None:
            import json

        def dumps(value):
            return json.dumps(value)
        """
    )

    assert sorted(g.name_closure(["dumps"])[0]) == [0, 1, 2]


LOGGING = """\
    import os
    import logging
    import boto3

    logger = logging.getLogger()
    logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

    s3 = boto3.client("s3")

    def on_shipped(detail):
        logger.info("shipped %s", detail["id"])

    def on_archived(detail):
        s3.put_object(Bucket="archive", Key=detail["id"], Body=b"")

    if __name__ == "__main__":
        on_shipped({"id": "local"})
    \"\"\"A stray string.\"\"\"
"""


def test_a_statement_acting_on_a_kept_name_is_its_companion_with_what_it_needs():
    g = graph(LOGGING)

    statements, names = g.with_companions(*g.name_closure(["on_shipped"]))

    assert first_lines(g, statements) == [
        "import os",
        "import logging",
        "logger = logging.getLogger()",
        'logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))',
        "def on_shipped(detail):",
    ]
    assert "os" in names


def test_a_statement_acting_on_a_name_that_is_not_kept_is_left_out():
    g = graph(LOGGING)

    statements, _ = g.with_companions(*g.name_closure(["on_archived"]))

    assert first_lines(g, statements) == ["import boto3", 's3 = boto3.client("s3")', "def on_archived(detail):"]


def test_docstrings_and_the_main_guard_are_not_companions():
    g = graph(LOGGING)

    assert first_lines(g, g.floating) == ['logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))']


def test_future_and_star_imports_are_always_kept():
    g = graph(
        """\
        from __future__ import annotations
        import json
        from shared.constants import *

        def dumps(value):
            return json.dumps(value)
        """
    )

    assert g.always == {0, 2}
    assert 0 not in g.name_closure(["dumps"])[0]


# --- statements that may have effects ---------------------------------------------------------
EFFECTS = """\
    \"\"\"Orders: set-up first, then the actions.\"\"\"
    import json
    import logging
    import os
    import sys

    import boto3
    import config
    import sentry_sdk
    from aws_lambda_powertools import Logger, Tracer
    from aws_xray_sdk.core import patch_all

    patch_all()
    sentry_sdk.init(dsn=os.environ["SENTRY_DSN"])
    config.init()
    sys.path.insert(0, "vendor")
    logging.basicConfig(level=logging.INFO)

    logger = Logger()
    tracer = Tracer()
    audit = logging.getLogger("audit")
    audit.setLevel(logging.WARNING)
    s3 = boto3.client("s3")
    TABLE = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])

    if os.environ.get("DEBUG"):
        logger.setLevel("DEBUG")

    try:
        import ujson as fast_json
    except ImportError:
        fast_json = json


    def init_everything():
        boto3.setup_default_session(region_name="eu-west-1")
        return boto3.client("sqs")


    def load_settings():
        logger.info("loading settings")
        return json.loads(os.environ.get("SETTINGS", "{}"))


    def _bump():
        global CALLS
        CALLS = 1


    def logged(handler):
        def wrapper(detail):
            return handler(detail)
        return wrapper


    queue = init_everything()
    settings = load_settings()
    counter = _bump()


    def on_archived(detail):
        audit.warning("archived")
        s3.put_object(Bucket="archive", Key=detail["id"], Body=b"")


    archived = logged(on_archived)


    def on_placed(detail):
        TABLE.put_item(Item=detail)


    HANDLERS = {"OrderPlaced": on_placed, "OrderArchived": archived}

    if __name__ == "__main__":
        on_placed({"id": "local"})
"""


def test_effect_statements_are_those_that_bind_nothing_blocks_and_bindings_whose_call_sets_up():
    g = graph(EFFECTS, table="HANDLERS")

    assert first_lines(g, g.floating) == [
        "patch_all()",
        'sentry_sdk.init(dsn=os.environ["SENTRY_DSN"])',
        "config.init()",
        'sys.path.insert(0, "vendor")',
        "logging.basicConfig(level=logging.INFO)",
        "tracer = Tracer()",
        "audit.setLevel(logging.WARNING)",
        'if os.environ.get("DEBUG"):',
        "try:",
        "queue = init_everything()",
        "counter = _bump()",
    ]


def test_effect_statements_come_along_unless_they_act_only_on_dropped_code():
    g = graph(EFFECTS, table="HANDLERS")

    statements, names = g.with_companions(*g.closure([("entry", "OrderPlaced")]))

    kept = first_lines(g, statements)
    assert "patch_all()" in kept and "config.init()" in kept and "queue = init_everything()" in kept
    assert "def init_everything():" in kept and "counter = _bump()" in kept
    # audit and logged(...) belong to the archiving action's code; settings has no effect.
    assert "audit.setLevel(logging.WARNING)" not in kept and 'audit = logging.getLogger("audit")' not in kept
    assert "archived = logged(on_archived)" not in kept and "settings = load_settings()" not in kept
    assert "s3" not in names


def test_a_name_only_effect_code_uses_belongs_to_no_one_and_a_called_function_is_not_acted_on():
    g = graph(EFFECTS, table="HANDLERS")
    lines = first_lines(g, range(len(g.statements)))
    index = lines.index("queue = init_everything()")

    assert g.targets(index) == frozenset()  # it runs init_everything, acts on nothing by name
    assert not g.acts_only_on_dropped(index, set())
    assert g.targets(lines.index("tracer = Tracer()")) == frozenset()  # an import
    assert g.acts_only_on_dropped(first_lines(g, range(len(g.statements))).index("audit.setLevel(logging.WARNING)"), set())


def test_the_code_kept_for_its_effects_leaves_out_companions_of_what_the_code_uses():
    g = graph(EFFECTS, table="HANDLERS")
    statements, _ = g.with_companions(*g.closure([("entry", "OrderArchived")]))

    reported = [g.descriptions[index] for index in g.kept_for_effect(statements)]

    assert "audit.setLevel(logging.WARNING)" not in reported  # acts on audit, which the action uses
    assert reported[:3] == ["patch_all()", 'sentry_sdk.init(dsn=os.environ["SENTRY_DSN"])', "config.init()"]
    assert "try: ..." in reported
    # The DEBUG block acts only on logger, which only load_settings (dropped) uses.
    assert 'if os.environ.get("DEBUG"):' not in first_lines(g, statements)


def test_blocks_that_never_run_in_lambda_are_not_effects():
    g = graph(
        """\
        from typing import TYPE_CHECKING
        import os

        if TYPE_CHECKING:
            from mypy_boto3_s3 import S3Client

        if __name__ == "__main__":
            print("local run")

        os.environ["AWS_STS_REGIONAL_ENDPOINTS"] = "regional"
        """
    )

    assert first_lines(g, g.floating) == ['os.environ["AWS_STS_REGIONAL_ENDPOINTS"] = "regional"']


def test_what_leaves_with_an_action_never_takes_a_statement_that_may_have_effects():
    g = graph(
        """\
        import boto3

        def init_everything():
            boto3.setup_default_session(region_name="eu-west-1")
            return boto3.client("sqs")

        queue = init_everything()
        s3 = boto3.client("s3")

        def on_shipped(detail):
            queue.send_message(QueueUrl="q", MessageBody=detail["id"])
            s3.put_object(Bucket="b", Key=detail["id"], Body=b"")

        HANDLERS = {"OrderShipped": on_shipped}
        """,
        table="HANDLERS",
    )

    leaving, names = g.closure([("entry", "OrderShipped")])

    assert first_lines(g, leaving) == ["import boto3", 's3 = boto3.client("s3")', "def on_shipped(detail):"]
    assert "queue" in names


def test_a_loop_acts_on_what_it_iterates_not_on_its_own_variable():
    g = graph(
        """\
        import logging

        audit = logging.getLogger("audit")
        PARTNERS = ("acme", "globex")

        for partner in PARTNERS:
            audit.info("partner %s enabled", partner)

        def on_audit(detail):
            audit.info("%s", detail)

        def on_other(detail):
            return PARTNERS

        HANDLERS = {"Audit": on_audit, "Other": on_other}
        """,
        table="HANDLERS",
    )
    loop = 3

    assert g.targets(loop) == {"PARTNERS", "audit"}
    assert loop in g.with_companions(*g.closure([("entry", "Audit")]))[0]
    assert loop in g.with_companions(*g.closure([("entry", "Other")]))[0]  # acts on PARTNERS, which it keeps
    assert g.acts_only_on_dropped(loop, set())


def test_a_function_called_at_module_level_runs_for_every_action_even_if_one_action_also_calls_it():
    g = graph(
        """\
        _cache = {}

        def warm_cache():
            _cache["rates"] = {"EUR": 1}

        warm_cache()

        def on_rates(detail):
            warm_cache()
            return _cache["rates"]

        def on_other(detail):
            return detail

        HANDLERS = {"Rates": on_rates, "Other": on_other}
        """,
        table="HANDLERS",
    )

    statements, _ = g.with_companions(*g.closure([("entry", "Other")]))

    assert first_lines(g, statements) == ["_cache = {}", "def warm_cache():", "warm_cache()", "def on_other(detail):"]
