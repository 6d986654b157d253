"""A dispatching helper in another local module (``from router import process_record``,
``import router as r``): not followed yet, so the handler is no monolith strangler can
split; the reason names the helper, its file and its actions instead of "no dispatch"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.apps import snapshot, strangler

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Topic:
    Type: AWS::SNS::Topic
  NotifyFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.lambda_handler
      Runtime: python3.12
      Events:
        Notify:
          Type: SNS
          Properties:
            Topic: !Ref Topic
"""

ROUTER = """\
import json


def process_record(record):
    kind = record["Sns"]["MessageAttributes"]["kind"]["Value"]
    if kind == "welcome":
        return send("welcome", record)
    elif kind == "reset":
        return send("reset", record)


def send(template, record):
    print(template, json.loads(record["Sns"]["Message"]))
"""

HANDLERS = {
    "from-import": "from router import process_record\n\n\ndef lambda_handler(event, context):\n"
    "    for record in event[\"Records\"]:\n        process_record(record)\n",
    "from-import-alias": "from router import process_record as handle\n\n\ndef lambda_handler(event, context):\n"
    "    for record in event[\"Records\"]:\n        handle(record)\n",
    "module-alias": "import router as r\n\n\ndef lambda_handler(event, context):\n"
    "    for record in event[\"Records\"]:\n        r.process_record(record)\n",
    "package-relative": "from .router import process_record\n\n\ndef lambda_handler(event, context):\n"
    "    for record in event[\"Records\"]:\n        process_record(record)\n",
}


def app(folder: Path, handler: str, router: str = ROUTER, package: bool = False) -> Path:
    code = folder / "src" / ("pkg" if package else "")
    code.mkdir(parents=True)
    template = TEMPLATE.replace("app.lambda_handler", "pkg.app.lambda_handler") if package else TEMPLATE
    (folder / "template.yaml").write_text(template, encoding="utf-8")
    if package:
        (code / "__init__.py").write_text("", encoding="utf-8")
    (code / "app.py").write_text(handler, encoding="utf-8")
    (code / "router.py").write_text(router, encoding="utf-8")
    return folder


@pytest.mark.parametrize("shape", list(HANDLERS))
def test_the_reason_names_the_helper_its_file_and_its_actions(tmp_path: Path, shape: str) -> None:
    folder = app(tmp_path / "app", HANDLERS[shape], package=shape == "package-relative")
    before = snapshot(folder)
    for command in (("scan",), ("extract", "welcome"), ("migrate",)):
        result = strangler(folder, *command)
        assert result.exit_code == 1, result.output
        assert "calls process_record() of src/" in result.output and "router.py" in result.output
        assert "dispatches on 2 actions (welcome, reset)" in result.output
        assert "only in the handler's own module" in result.output and "Traceback" not in result.output
    assert snapshot(folder) == before


def test_a_helper_elsewhere_that_does_not_dispatch_keeps_the_plain_reason(tmp_path: Path) -> None:
    router = "def process_record(record):\n    print(record)\n"
    folder = app(tmp_path / "app", HANDLERS["from-import"], router)
    result = strangler(folder, "scan")
    assert result.exit_code == 1
    assert "no dispatch found" in result.output and "router.py" not in result.output


def test_another_function_of_the_template_is_still_split(tmp_path: Path) -> None:
    folder = app(tmp_path / "app", HANDLERS["from-import"])
    (folder / "other").mkdir()
    (folder / "other" / "app.py").write_text(
        "def lambda_handler(event, context):\n"
        "    kind = event[\"detail-type\"]\n"
        "    if kind == \"A\":\n        return 1\n"
        "    elif kind == \"B\":\n        return 2\n",
        encoding="utf-8",
    )
    (folder / "template.yaml").write_text(
        TEMPLATE + """\
  OtherFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: other/
      Handler: app.lambda_handler
      Runtime: python3.12
      Events:
        Rule:
          Type: EventBridgeRule
          Properties:
            Pattern:
              detail-type: [A, B]
""",
        encoding="utf-8",
    )
    scan = strangler(folder, "scan")
    assert scan.exit_code == 0, scan.output
    assert "NotifyFunction" in scan.output and "calls process_record() of src/router.py" in scan.output
    result = strangler(folder, "migrate")
    assert result.exit_code == 0, result.output
    assert "src/app.py" in snapshot(folder) and "AFunction" in (folder / "template.yaml").read_text(encoding="utf-8")
