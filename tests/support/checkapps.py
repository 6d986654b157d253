"""Small SAM applications written on the fly for the ``strangler check`` rule tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

HEADER = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: pk
          AttributeType: S
      KeySchema:
        - AttributeName: pk
          KeyType: HASH
  Queue:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          TABLE: !Ref Table
"""
SQS_EVENT = """\
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
"""


def sam_app(root: Path, code: str, *, events: str = SQS_EVENT, more: str = "", files: dict[str, str] | None = None) -> Path:
    """``root`` with a template of one function ``Worker`` (events, then ``more`` resources)
    and its code ``src/app.py`` (dedented), plus other files of ``src/``."""
    (root / "src").mkdir(parents=True, exist_ok=True)
    (root / "template.yaml").write_text(HEADER + events + more, encoding="utf-8")
    (root / "src" / "app.py").write_text(textwrap.dedent(code), encoding="utf-8")
    for name, text in (files or {}).items():
        (root / "src" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root
