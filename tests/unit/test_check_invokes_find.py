"""STR101/STR102: which calls are synchronous invokes, whom they wait for, and which
response is used. Each case is a small application: a caller whose code is given and a
callee named by the template."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from strangler.check.app import CheckedApp
from strangler.check.invokes import SyncInvokeRule, longest_chain
from strangler.check.invokes_find import sync_invokes
from strangler.load.project import load

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    MemorySize: 256
    Environment:
      Variables:
        GLOBAL_TARGET: !Sub "${Target.Arn}"
Resources:
  Caller:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: caller/
      Handler: app.handler
      Environment:
        Variables:
          TARGET_REF: !Ref Target
          TARGET_ARN: !GetAtt Target.Arn
          TARGET_SUB: !Sub ${Target}
          OTHER: plain
  Target:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: target/
      Handler: app.handler
      FunctionName: target-fn
"""


def app_with(tmp_path: Path, caller: str, template: str = TEMPLATE) -> CheckedApp:
    (tmp_path / "template.yaml").write_text(template, encoding="utf-8")
    for folder, code in (("caller", caller), ("target", "def handler(event, context):\n    return event\n")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "app.py").write_text(textwrap.dedent(code), encoding="utf-8")
    return CheckedApp(load(tmp_path))


def found(tmp_path: Path, caller: str) -> list[tuple[int, str | None, bool]]:
    return [(i.line, i.callee, i.used) for i in sync_invokes(app_with(tmp_path, caller))]


@pytest.mark.parametrize("code", [
    'import os\nimport boto3\nc = boto3.client("lambda")\ndef handler(e, x):\n    c.invoke(FunctionName=os.environ["TARGET_REF"])\n',
    'import os\nimport boto3 as b\nc = b.client("lambda")\ndef handler(e, x):\n    c.invoke(FunctionName=os.environ.get("TARGET_ARN"))\n',
    'import os\nfrom boto3 import client\nLAM = client("lambda")\ndef handler(e, x):\n    LAM.invoke(FunctionName=os.getenv("TARGET_SUB"))\n',
    ('import os\nimport boto3\ns = boto3.Session()\nc = s.client("lambda")\nNAME = os.environ["GLOBAL_TARGET"]\n'
     'def handler(e, x):\n    c.invoke(FunctionName=NAME, InvocationType="RequestResponse")\n'),
    'import boto3\ndef handler(e, x):\n    boto3.client("lambda").invoke(FunctionName="target-fn")\n',
    ('import boto3\nc = boto3.session.Session(region_name="eu-west-1").client("lambda")\n'
     'def handler(e, x):\n    c.invoke(FunctionName="arn:aws:lambda:eu-west-1:123456789012:function:target-fn")\n'),
])
def test_every_spelling_of_a_synchronous_invoke_resolves_to_the_callee(tmp_path: Path, code: str) -> None:
    [(line, callee, used)] = found(tmp_path, code)
    assert callee == "Target" and used is False
    assert line == code.count("\n", 0, code.index(".invoke(")) + 1


@pytest.mark.parametrize("code", [
    'import boto3\nc = boto3.client("lambda")\ndef handler(e, x):\n    c.invoke(FunctionName="target-fn", InvocationType="Event")\n',
    'import boto3\nc = boto3.client("lambda")\ndef handler(e, x):\n    c.invoke(FunctionName="target-fn", InvocationType="DryRun")\n',
    'import boto3\nc = boto3.client("stepfunctions")\ndef handler(e, x):\n    c.invoke(FunctionName="target-fn")\n',
    'class Chain:\n    def invoke(self, **kw):\n        return kw\ndef handler(e, x):\n    Chain().invoke(FunctionName="target-fn")\n',
    'import boto3\nc = boto3.client("lambda")\ndef handler(e, x):\n    c.get_function(FunctionName="target-fn")\n',
])
def test_no_finding_on_asynchronous_invokes_other_clients_or_other_invoke_methods(tmp_path: Path, code: str) -> None:
    assert found(tmp_path, code) == []


def test_the_response_is_used_when_read_and_not_when_dropped(tmp_path: Path) -> None:
    code = '''\
    import boto3
    c = boto3.client("lambda")
    def handler(e, x):
        c.invoke(FunctionName="target-fn")
        ignored = c.invoke(FunctionName="target-fn")
        _ = c.invoke(FunctionName="target-fn")
        answer = c.invoke(FunctionName="target-fn")
        return answer["Payload"].read()
    def other(e, x):
        return c.invoke(FunctionName="target-fn")
    '''
    assert found(tmp_path, code) == [(4, "Target", False), (5, "Target", False), (6, "Target", False),
                                     (7, "Target", True), (10, "Target", True)]


def test_an_invoke_through_a_helper_is_reported_where_the_helper_is_called(tmp_path: Path) -> None:
    code = '''\
    import json, os
    import boto3
    lam = boto3.client("lambda")
    def call(name, payload, kind="RequestResponse"):
        return lam.invoke(FunctionName=name, InvocationType=kind, Payload=json.dumps(payload))
    def handler(e, x):
        call(os.environ["TARGET_REF"], e)
        call(os.environ["TARGET_REF"], e, kind="Event")
        return call("target-fn", e)
    '''
    app = app_with(tmp_path, code)
    invokes = sync_invokes(app)
    assert [(i.line, i.callee, i.used, i.helper) for i in invokes] == [(7, "Target", False, "call"), (9, "Target", True, "call")]
    [unused, _] = SyncInvokeRule().find(app)
    assert unused.code == "STR101" and not unused.fixable and "helper call()" in unused.advice


def test_a_non_literal_invocation_type_is_reported_as_uncertain_and_not_fixed(tmp_path: Path) -> None:
    code = 'import boto3\nc = boto3.client("lambda")\ndef handler(e, x):\n    c.invoke(FunctionName="target-fn", InvocationType=e["mode"])\n'
    [finding] = SyncInvokeRule().find(app_with(tmp_path, code))
    assert "it may be synchronous" in finding.message and not finding.fixable


def test_an_unresolved_callee_is_reported_and_not_fixed(tmp_path: Path) -> None:
    code = 'import os, boto3\nc = boto3.client("lambda")\ndef handler(e, x):\n    c.invoke(FunctionName=os.environ["OTHER"])\n'
    [finding] = SyncInvokeRule().find(app_with(tmp_path, code))
    assert finding.code == "STR101" and not finding.fixable
    assert "does not resolve to a function of the template" in finding.advice
    assert "os.environ['OTHER']" in finding.message


def test_messages_name_the_callee_the_billed_memory_and_the_advice(tmp_path: Path) -> None:
    code = 'import boto3\nc = boto3.client("lambda")\ndef handler(e, x):\n    return c.invoke(FunctionName="target-fn")\n'
    [finding] = SyncInvokeRule().find(app_with(tmp_path, code))
    assert finding.code == "STR102" and finding.function_id == "Caller"
    assert finding.message == ("Caller waits for Target and uses its response; Caller is billed for its 256 MB "
                               "while it waits")
    assert "Step Functions" in finding.advice and finding.fix is None


def test_the_longest_chain_through_an_edge() -> None:
    edges = {("A", "B"), ("B", "C"), ("C", "D"), ("X", "B"), ("B", "A")}
    assert longest_chain(edges, "B", "C") == ["A", "B", "C", "D"]
    assert longest_chain(edges, "A", "B") == ["A", "B", "C", "D"]
    assert longest_chain(set(), "A", None) == ["A"]
