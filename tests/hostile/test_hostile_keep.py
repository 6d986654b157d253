"""Keep when in doubt: module-level code with effects, variables libraries read, and the
policies of libraries that call AWS survive the split; only what other actions' code
provably uses goes.

Each case is a small orders service in the shape `sam init` leaves and teams grow: one
EventBridge function whose handler dispatches on ``detail-type`` to two actions, with
module-level set-up on top. It extracts one action and looks at the new function's module,
its template entry and the run's report.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from strangler.verify import lambdaload
from tests.support import samcheck
from tests.support.hostile import accepted, cli

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: >
  orders service (sam init, then grown): one function for every shop.orders event

Globals:
  Function:
    Runtime: python3.12
    Timeout: 10
    Tracing: Active

Resources:
  OrdersTable:
    Type: AWS::Serverless::SimpleTable

  ShipmentsTopic:
    Type: AWS::SNS::Topic

  ArchiveBucket:
    Type: AWS::S3::Bucket

  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: orders/
      Handler: app.lambda_handler
      Environment:
        Variables:
          ORDERS_TABLE: !Ref OrdersTable
          SHIPMENTS_TOPIC_ARN: !Ref ShipmentsTopic
{env}      Policies:
        - DynamoDBCrudPolicy:
            TableName: !Ref OrdersTable
        # only shipping publishes
        - SNSPublishMessagePolicy:
            TopicName: !GetAtt ShipmentsTopic.TopicName
{policies}      Events:
        Lifecycle:
          Type: EventBridgeRule
          Properties:
            Pattern:
              source:
                - shop.orders
              detail-type:
                - OrderPlaced
                - OrderShipped
"""

APP = '''\
"""Orders service: one Lambda for every shop.orders event."""
import json
import logging
import os

import boto3
{imports}
{setup}
logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

dynamodb = boto3.resource("dynamodb")
sns = boto3.client("sns")


def on_order_placed(detail):
{placed}


def on_order_shipped(detail):
{shipped}


HANDLERS = {{
    "OrderPlaced": on_order_placed,
    "OrderShipped": on_order_shipped,
}}


def lambda_handler(event, context):
    logger.info("received %s", event["detail-type"])
    return HANDLERS[event["detail-type"]](event["detail"])
'''

PLACED = """\
    table = dynamodb.Table(os.environ["ORDERS_TABLE"])
    table.put_item(Item={"pk": detail["id"], "status": "PLACED"})
    return {"placed": detail["id"]}
"""
SHIPPED = """\
    sns.publish(TopicArn=os.environ["SHIPMENTS_TOPIC_ARN"], Message=json.dumps(detail))
    return {"shipped": detail["id"]}
"""


def make_app(
    tmp_path: Path, *, imports: str = "", setup: str = "", placed: str = PLACED, shipped: str = SHIPPED,
    env: str = "", policies: str = "", files: dict[str, str] | None = None,
) -> Path:
    """An orders app; ``env`` and ``policies`` are extra template lines (10 spaces in)."""
    app = tmp_path / "orders-app"
    (app / "orders").mkdir(parents=True)
    (app / "template.yaml").write_text(
        TEMPLATE.format(env=_lines(env, 10), policies=_lines(policies, 8)), encoding="utf-8"
    )
    code = APP.format(imports=textwrap.dedent(imports), setup=textwrap.dedent(setup), placed=placed.rstrip("\n"),
                      shipped=shipped.rstrip("\n"))
    (app / "orders" / "app.py").write_text(code, encoding="utf-8")
    (app / "orders" / "requirements.txt").write_text("boto3\n", encoding="utf-8")
    for name, text in (files or {}).items():
        (app / "orders" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return app


def _lines(text: str, indent: int) -> str:
    text = textwrap.dedent(text).strip("\n")
    return "".join(" " * indent + line + "\n" for line in text.splitlines()) if text else ""


def extract(app: Path, key: str = "OrderPlaced") -> str:
    """Extract ``key``; the run's output (report included)."""
    return accepted(app, "extract", key).output


def module(app: Path, folder: str = "order_placed") -> str:
    return (app / "functions" / folder / "app.py").read_text(encoding="utf-8")


def properties(app: Path, logical_id: str = "OrderPlacedFunction") -> dict[str, Any]:
    return samcheck.load_template(app / "template.yaml")["Resources"][logical_id]["Properties"]


def variables(app: Path, logical_id: str = "OrderPlacedFunction") -> set[str]:
    return set((properties(app, logical_id).get("Environment") or {}).get("Variables") or {})


def policy_names(app: Path, logical_id: str = "OrderPlacedFunction") -> list[str]:
    return [p if isinstance(p, str) else next(iter(p)) for p in properties(app, logical_id).get("Policies") or []]


# --- module-level statements with effects ------------------------------------------------
def test_xray_patch_all_stays_in_a_function_that_never_names_xray(tmp_path: Path) -> None:
    app = make_app(tmp_path, imports="from aws_xray_sdk.core import patch_all, xray_recorder\n",
                   setup="""\
                   # trace every boto3 call of every action
                   patch_all()
                   xray_recorder.configure(service="orders")
                   """)

    output = extract(app)

    code = module(app)
    assert "from aws_xray_sdk.core import patch_all, xray_recorder" in code
    assert "patch_all()\n" in code and 'xray_recorder.configure(service="orders")' in code
    assert "kept module-level code patch_all()" in output and "(may have side effects)" in output


def test_sentry_init_stays_and_the_dsn_it_reads_stays_with_it(tmp_path: Path) -> None:
    app = make_app(tmp_path, imports="import sentry_sdk\n",
                   setup='sentry_sdk.init(dsn=os.environ["SENTRY_DSN"], traces_sample_rate=0.1)\n',
                   env="SENTRY_DSN: https://key@o1.ingest.sentry.io/1\n")

    output = extract(app)

    assert 'sentry_sdk.init(dsn=os.environ["SENTRY_DSN"], traces_sample_rate=0.1)' in module(app)
    assert "SENTRY_DSN" in variables(app)
    assert "sentry_sdk.init(" in output


def test_sentry_reading_its_dsn_itself_keeps_a_variable_no_code_names(tmp_path: Path) -> None:
    # sentry_sdk.init() reads SENTRY_DSN and SENTRY_ENVIRONMENT from the environment.
    app = make_app(tmp_path, imports="import sentry_sdk\n", setup="sentry_sdk.init()\n",
                   env="SENTRY_DSN: https://key@o1.ingest.sentry.io/1\nSENTRY_ENVIRONMENT: prod\n")

    extract(app)

    assert "sentry_sdk.init()" in module(app)
    assert {"SENTRY_DSN", "SENTRY_ENVIRONMENT", "ORDERS_TABLE"} <= variables(app)
    assert "SHIPMENTS_TOPIC_ARN" not in variables(app)


def test_logging_basic_config_stays(tmp_path: Path) -> None:
    app = make_app(tmp_path, setup='logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")\n')

    output = extract(app, "OrderShipped")

    assert 'logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")' in module(app, "order_shipped")
    assert "logging.basicConfig(" in output


def test_load_dotenv_stays(tmp_path: Path) -> None:
    app = make_app(tmp_path, imports="from dotenv import load_dotenv\n", setup="load_dotenv()  # local runs read .env\n")

    extract(app)

    code = module(app)
    assert "from dotenv import load_dotenv" in code and "load_dotenv()  # local runs read .env" in code


def test_a_local_modules_init_that_sets_global_state_stays_and_the_module_is_copied(tmp_path: Path) -> None:
    app = make_app(
        tmp_path, imports="import config\n", setup="config.init()\n",
        placed='    return {"placed": detail["id"], "region": os.environ["ORDERS_REGION"]}\n',
        files={"config.py": '''\
            """Process-wide settings, set once per cold start."""
            import os


            def init():
                os.environ.setdefault("ORDERS_REGION", "eu-west-1")
            '''},
    )

    output = extract(app)

    assert "import config\n" in module(app) and "config.init()" in module(app)
    assert (app / "functions" / "order_placed" / "config.py").is_file()
    assert "config.init()" in output
    # The new function behaves: without config.init() it would raise KeyError.
    result = lambdaload.invoke(app / "functions" / "order_placed", "app.lambda_handler",
                               {"detail-type": "OrderPlaced", "detail": {"id": "o-1"}}, {})
    assert result == {"placed": "o-1", "region": "eu-west-1"}


def test_a_local_function_called_at_module_level_stays_with_its_definition(tmp_path: Path) -> None:
    app = make_app(tmp_path, setup='''\
        def _quiet_libraries():
            for name in ("botocore", "urllib3"):
                logging.getLogger(name).setLevel(logging.WARNING)


        _quiet_libraries()
        ''')

    extract(app)

    code = module(app)
    assert "def _quiet_libraries():" in code and "\n_quiet_libraries()\n" in code


def test_a_binding_whose_call_sets_up_the_process_keeps_its_call(tmp_path: Path) -> None:
    app = make_app(tmp_path, setup='''\
        def init_everything():
            boto3.setup_default_session(region_name=os.environ.get("AWS_REGION", "eu-west-1"))
            return boto3.client("sqs")


        legacy_queue = init_everything()
        ''', shipped='    legacy_queue.send_message(QueueUrl="q", MessageBody="x")\n    return {"shipped": detail["id"]}\n')

    output = extract(app)

    assert "legacy_queue = init_everything()" in module(app)
    assert "legacy_queue = init_everything()" in output
    # The monolith keeps it too once the only action that used legacy_queue has left.
    extract(app, "OrderShipped")
    monolith = (app / "orders" / "app.py").read_text(encoding="utf-8")
    assert "def init_everything():" in monolith and "legacy_queue = init_everything()" in monolith
    assert "def on_order_shipped" not in monolith


def test_a_binding_that_only_wraps_another_actions_handler_is_dropped(tmp_path: Path) -> None:
    app = make_app(tmp_path, setup='''\
        def logged(handler):
            def wrapper(detail):
                logger.info("handling %s", detail["id"])
                return handler(detail)
            return wrapper


        def _ship(detail):
            sns.publish(TopicArn=os.environ["SHIPMENTS_TOPIC_ARN"], Message=json.dumps(detail))
            return {"shipped": detail["id"]}


        ship = logged(_ship)
        ''', shipped="    return ship(detail)\n")

    output = extract(app)

    code = module(app)
    assert "ship = logged(_ship)" not in code and "def _ship" not in code and "sns" not in code
    assert "kept module-level code" not in output
    assert "SHIPMENTS_TOPIC_ARN" not in variables(app)


def test_warnings_environment_defaults_and_sys_path_stay(tmp_path: Path) -> None:
    app = make_app(tmp_path, imports="import sys\nimport warnings\n", setup='''\
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="botocore")
        os.environ.setdefault("AWS_STS_REGIONAL_ENDPOINTS", "regional")
        sys.path.insert(0, os.path.join(os.path.dirname(__file__), "vendor"))
        ''')

    extract(app)

    code = module(app)
    assert 'warnings.filterwarnings("ignore", category=DeprecationWarning, module="botocore")' in code
    assert 'os.environ.setdefault("AWS_STS_REGIONAL_ENDPOINTS", "regional")' in code
    assert 'sys.path.insert(0, os.path.join(os.path.dirname(__file__), "vendor"))' in code
    assert "import sys\nimport warnings\n" in code


def test_a_module_level_if_on_the_environment_stays_with_the_variable_it_reads(tmp_path: Path) -> None:
    app = make_app(tmp_path, setup='''\
        if os.environ.get("DEBUG_BOTO"):
            # wire-level logs while chasing throttling
            boto3.set_stream_logger("botocore", logging.DEBUG)
        ''', env='DEBUG_BOTO: ""\n')

    extract(app)

    assert 'if os.environ.get("DEBUG_BOTO"):' in module(app)
    assert "DEBUG_BOTO" in variables(app)


def test_an_optional_import_block_stays(tmp_path: Path) -> None:
    app = make_app(tmp_path, setup='''\
        try:
            import ujson as fast_json
        except ImportError:  # not in every build
            fast_json = json
        ''', shipped='    return {"shipped": fast_json.dumps(detail)}\n')

    extract(app)

    assert "try:\n    import ujson as fast_json\nexcept ImportError:" in module(app)


def test_a_powertools_tracer_stays_because_it_patches_boto3(tmp_path: Path) -> None:
    app = make_app(tmp_path, imports="from aws_lambda_powertools import Tracer\n", setup="tracer = Tracer()\n",
                   shipped='    tracer.put_annotation("order", detail["id"])\n    return {"shipped": detail["id"]}\n')

    output = extract(app)

    assert "tracer = Tracer()" in module(app)
    assert "tracer = Tracer()" in output


# --- statements that act only on what the function drops ---------------------------------
def test_setting_up_a_logger_only_another_action_uses_is_dropped(tmp_path: Path) -> None:
    app = make_app(tmp_path, setup='''\
        audit_log = logging.getLogger("audit")
        audit_log.setLevel(logging.WARNING)
        ''', shipped='    audit_log.warning("shipped %s", detail["id"])\n    return {"shipped": detail["id"]}\n')

    output = extract(app)

    assert "audit_log" not in module(app)
    assert "kept module-level code" not in output
    extract(app, "OrderShipped")
    assert 'audit_log = logging.getLogger("audit")\naudit_log.setLevel(logging.WARNING)' in module(app, "order_shipped")


def test_powertools_metrics_defaults_go_with_the_metrics_and_their_namespace_stays(tmp_path: Path) -> None:
    app = make_app(
        tmp_path, imports="from aws_lambda_powertools import Metrics\nfrom aws_lambda_powertools.metrics import MetricUnit\n",
        setup='metrics = Metrics()\nmetrics.set_default_dimensions(environment=os.environ.get("STAGE", "dev"))\n',
        shipped='    metrics.add_metric(name="Shipped", unit=MetricUnit.Count, value=1)\n'
                '    metrics.flush_metrics()\n    return {"shipped": detail["id"]}\n',
        env="POWERTOOLS_METRICS_NAMESPACE: Orders\nSTAGE: prod\n",
    )

    extract(app)

    placed = module(app)
    assert "metrics" not in placed and "set_default_dimensions" not in placed
    # STAGE is read by name, only by the shipping code: dropped. The namespace is read by
    # Powertools, never by name: kept.
    assert "STAGE" not in variables(app) and "POWERTOOLS_METRICS_NAMESPACE" in variables(app)
    extract(app, "OrderShipped")
    assert "metrics.set_default_dimensions(" in module(app, "order_shipped")
    assert {"STAGE", "POWERTOOLS_METRICS_NAMESPACE"} <= variables(app, "OrderShippedFunction")


# --- environment ---------------------------------------------------------------------------
def test_variables_libraries_read_stay_in_every_function(tmp_path: Path) -> None:
    app = make_app(tmp_path, env="""\
        AWS_EMF_NAMESPACE: Orders
        AWS_XRAY_CONTEXT_MISSING: IGNORE_ERROR
        DD_TRACE_ENABLED: "false"
        OTEL_SERVICE_NAME: orders
        AWS_LAMBDA_EXEC_WRAPPER: /opt/otel-instrument
        """)

    output = extract(app)

    assert {"AWS_EMF_NAMESPACE", "AWS_XRAY_CONTEXT_MISSING", "DD_TRACE_ENABLED", "OTEL_SERVICE_NAME",
            "AWS_LAMBDA_EXEC_WRAPPER", "ORDERS_TABLE"} <= variables(app)
    # The monolith keeps them too.
    assert "AWS_EMF_NAMESPACE" in variables(app, "OrdersFunction")
    assert "environment: kept" in output and "SHIPMENTS_TOPIC_ARN" in output


def test_a_variable_read_by_name_only_by_another_action_is_dropped_with_its_policy(tmp_path: Path) -> None:
    app = make_app(tmp_path)

    output = extract(app)

    assert variables(app) == {"ORDERS_TABLE"}
    assert policy_names(app) == ["DynamoDBCrudPolicy"]
    assert "dropped SHIPMENTS_TOPIC_ARN" in output and "dropped SNSPublishMessagePolicy(ShipmentsTopic)" in output


def test_a_variable_read_by_name_in_a_local_module_counts_as_read_by_name(tmp_path: Path) -> None:
    app = make_app(
        tmp_path, imports="from archive import archive_order\n",
        shipped="    archive_order(detail)\n    return {\"shipped\": detail[\"id\"]}\n",
        env="ARCHIVE_BUCKET: !Ref ArchiveBucket\n",
        policies="- S3WritePolicy:\n    BucketName: !Ref ArchiveBucket\n",
        files={"archive.py": '''\
            import json
            import os

            import boto3

            s3 = boto3.client("s3")


            def archive_order(detail):
                s3.put_object(Bucket=os.environ["ARCHIVE_BUCKET"], Key=detail["id"], Body=json.dumps(detail))
            '''},
    )

    extract(app)

    assert "ARCHIVE_BUCKET" not in variables(app)
    assert "S3WritePolicy" not in policy_names(app)


# --- libraries that call AWS with clients of their own -------------------------------------
def test_a_pynamodb_model_keeps_the_table_policy_though_the_variable_goes(tmp_path: Path) -> None:
    app = make_app(
        tmp_path, imports="from models import OrderModel\n",
        placed='    OrderModel(detail["id"], status="PLACED").save()\n    return {"placed": detail["id"]}\n',
        shipped='    dynamodb.Table(os.environ["ORDERS_TABLE"]).update_item(Key={"pk": detail["id"]})\n'
                '    return {"shipped": detail["id"]}\n',
        files={"models.py": '''\
            """PynamoDB models; the table name is fixed per stage by the deploy."""
            from pynamodb.attributes import UnicodeAttribute
            from pynamodb.models import Model


            class OrderModel(Model):
                class Meta:
                    table_name = "orders-prod"

                pk = UnicodeAttribute(hash_key=True)
                status = UnicodeAttribute()
            '''},
    )

    scan = json.loads(cli(app, "scan", "--json").output)
    extract(app)

    assert "ORDERS_TABLE" not in variables(app)
    assert "DynamoDBCrudPolicy" in policy_names(app)
    placed = next(a for a in scan["functions"][0]["actions"] if a["key"] == "OrderPlaced")["gain"]["policies"]
    assert {"item": "DynamoDBCrudPolicy(OrdersTable)", "kept": True, "reason": "pynamodb may call dynamodb"} in placed


def test_awswrangler_keeps_the_s3_managed_policy_and_inline_statement(tmp_path: Path) -> None:
    app = make_app(
        tmp_path, imports="import awswrangler as wr\n",
        placed='    wr.s3.to_json(df=None, path="s3://orders-archive/placed.json")\n    return {"placed": detail["id"]}\n',
        shipped='    boto3.client("s3").put_object(Bucket=os.environ["ARCHIVE_BUCKET"], Key=detail["id"], Body=b"")\n'
                '    return {"shipped": detail["id"]}\n',
        env="ARCHIVE_BUCKET: !Ref ArchiveBucket\n",
        policies='''\
            - S3CrudPolicy:
                BucketName: !Ref ArchiveBucket
            - AmazonS3ReadOnlyAccess
            - Statement:
                - Effect: Allow
                  Action: [s3:PutObject]
                  Resource: arn:aws:s3:::orders-archive/*
            ''',
    )

    extract(app)
    extract(app, "OrderShipped")

    # ARCHIVE_BUCKET is read by name by the shipping code only: it goes, the policies stay.
    assert "ARCHIVE_BUCKET" not in variables(app)
    assert {"S3CrudPolicy", "AmazonS3ReadOnlyAccess", "Statement"} <= set(policy_names(app))
    # The shipping action creates an S3 client and reads ARCHIVE_BUCKET: all its S3 policies stay.
    assert "ARCHIVE_BUCKET" in variables(app, "OrderShippedFunction")
    assert {"S3CrudPolicy", "AmazonS3ReadOnlyAccess", "Statement"} <= set(policy_names(app, "OrderShippedFunction"))


def test_powertools_idempotency_keeps_the_dynamodb_policy(tmp_path: Path) -> None:
    app = make_app(
        tmp_path,
        imports="from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, idempotent_function\n",
        setup='persistence = DynamoDBPersistenceLayer(table_name="idempotency")\n',
        placed='    return _place(detail=detail)\n\n\n@idempotent_function(data_keyword_argument="detail", '
               'persistence_store=persistence)\ndef _place(detail):\n    return {"placed": detail["id"]}\n',
        shipped='    dynamodb.Table(os.environ["ORDERS_TABLE"]).update_item(Key={"pk": detail["id"]})\n'
                '    return {"shipped": detail["id"]}\n',
        policies="- AmazonDynamoDBFullAccess\n",
    )

    extract(app)

    assert {"DynamoDBCrudPolicy", "AmazonDynamoDBFullAccess"} <= set(policy_names(app))


# --- what the user sees --------------------------------------------------------------------
def test_scan_lists_the_code_kept_for_its_effects(tmp_path: Path) -> None:
    app = make_app(tmp_path, imports="from aws_xray_sdk.core import patch_all\n", setup="patch_all()\n")

    output = cli(app, "scan").output
    data = cli(app, "scan", "--json").output

    assert "effects  kept module-level code patch_all() (orders/app.py:9) (may have side effects)" in output
    assert '"may have side effects"' in data


def test_an_import_nothing_reads_stays_for_its_effect_unless_it_is_the_standard_library(tmp_path: Path) -> None:
    app = make_app(tmp_path, imports="""\
                   import ddtrace.auto  # noqa: F401  instruments every library at import
                   import wiring  # noqa: F401  registers the audit hooks
                   import hashlib  # left over since the v1 checksum went
                   """,
                   files={"wiring.py": "import logging\n\nlogging.getLogger('audit').addHandler(logging.NullHandler())\n"})

    extract(app)

    code = module(app)
    assert "import ddtrace.auto  # noqa: F401  instruments every library at import" in code
    assert "import wiring  # noqa: F401  registers the audit hooks" in code
    assert (app / "functions" / "order_placed" / "wiring.py").is_file()
    assert "import hashlib" not in code
