"""STR101's fix on the code: how each shape of call becomes a message, what is kept, and
what is refused (left as it is, with the reason said)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from strangler.check.app import CheckedApp
from strangler.check.command import fixes
from strangler.check.invokes import SyncInvokeRule
from strangler.load.project import load
from tests.unit.test_check_invokes_find import TEMPLATE, app_with

RULES = [SyncInvokeRule()]
CODES = frozenset({"STR101", "STR102"})


def fixed(tmp_path: Path, caller: str, template: str = TEMPLATE) -> tuple[dict[str, str | None], tuple[str, ...]]:
    app = app_with(tmp_path, textwrap.dedent(caller), template)
    found = tuple(SyncInvokeRule().find(app))
    changes = fixes(app.project, RULES, CODES, found)
    return {c.path: c.new for c in changes.changes}, changes.report.manual + changes.report.changed


def test_payload_shapes_become_message_bodies(tmp_path: Path) -> None:
    files, manual = fixed(tmp_path, '''\
        import json
        import os
        import boto3
        lam = boto3.client('lambda', region_name="eu-west-1")
        def handler(e, x):
            lam.invoke(FunctionName=os.environ["TARGET_REF"], Payload=json.dumps(e).encode("utf-8"))
            lam.invoke(FunctionName="target-fn", Payload=b'{"a": 1}')
            lam.invoke(FunctionName="target-fn")
        ''')
    assert "Target now gets these events from SQS, at least once (STR2xx finds the writes a repeat would repeat)" in manual
    code = files["caller/app.py"]
    assert code is not None
    assert "sqs = boto3.client('sqs', region_name=\"eu-west-1\")" in code
    assert "lam = " not in code  # nothing else used the Lambda client
    assert 'sqs.send_message(QueueUrl=os.environ["TARGET_QUEUE_URL"], MessageBody=json.dumps(e))' in code
    assert '''sqs.send_message(QueueUrl=os.environ["TARGET_QUEUE_URL"], MessageBody='{"a": 1}')''' in code
    assert 'sqs.send_message(QueueUrl=os.environ["TARGET_QUEUE_URL"], MessageBody="{}")' in code
    compile(code, "app.py", "exec")


def test_the_lambda_client_stays_when_still_used_and_os_is_imported_when_missing(tmp_path: Path) -> None:
    files, _ = fixed(tmp_path, '''\
        import boto3
        lam = boto3.client("lambda")
        def handler(e, x):
            lam.invoke(FunctionName="target-fn", Payload="{}")
            return lam.invoke(FunctionName="target-fn")
        ''')
    code = files["caller/app.py"]
    assert code is not None
    assert code.startswith("import os\nimport boto3\n")
    assert 'lam = boto3.client("lambda")\nsqs = boto3.client("sqs")\n' in code
    assert 'sqs.send_message(QueueUrl=os.environ["TARGET_QUEUE_URL"], MessageBody="{}")' in code
    assert 'return lam.invoke(FunctionName="target-fn")' in code


def test_an_existing_sqs_client_is_reused(tmp_path: Path) -> None:
    files, _ = fixed(tmp_path, '''\
        import os
        import boto3
        queue = boto3.client("sqs")
        lam = boto3.client("lambda")
        def handler(e, x):
            lam.invoke(FunctionName="target-fn", Payload="{}")
        ''')
    code = files["caller/app.py"]
    assert code is not None and 'queue.send_message(QueueUrl=os.environ["TARGET_QUEUE_URL"]' in code
    assert code.count('boto3.client("sqs")') == 1


def test_refused_fixes_leave_the_code_and_say_why(tmp_path: Path) -> None:
    files, manual = fixed(tmp_path, '''\
        import boto3
        lam = boto3.client("lambda")
        def handler(e, x):
            lam.invoke(FunctionName="target-fn", Payload=e["raw"])
            lam.invoke(FunctionName="target-fn", Qualifier="live")
        ''')
    assert files == {} and manual == ()  # not fixable: found as advice, never attempted
    app = CheckedApp(load(tmp_path))
    advice = [f.advice for f in SyncInvokeRule().find(app)]
    assert "the Payload is e['raw']" in advice[0] and "Qualifier" in advice[1]


def test_the_callee_handler_keeps_its_name_and_bytes(tmp_path: Path) -> None:
    files, _ = fixed(tmp_path, '''\
        import boto3
        lam = boto3.client("lambda")
        def handler(e, x):
            lam.invoke(FunctionName="target-fn")
        ''')
    target = files["target/app.py"]
    assert target is not None
    assert target.startswith("import json\nimport logging\n\n\ndef handler(event, context):\n")  # no imports: on top
    assert "def handler(event, context):\n    return event\n\n\n_handler_direct = handler\n\n\ndef handler(" in target
    compile(target, "app.py", "exec")


def test_a_callee_without_a_plain_handler_is_refused(tmp_path: Path) -> None:
    template = TEMPLATE.replace("      Handler: app.handler\n      FunctionName", "      Handler: app.missing\n      FunctionName")
    app = app_with(tmp_path, 'import boto3\nlam = boto3.client("lambda")\ndef handler(e, x):\n    lam.invoke(FunctionName="target-fn")\n',
                   template)
    [finding] = SyncInvokeRule().find(app)
    assert not finding.fixable and "handler missing is not a plain module-level def" in finding.advice
