"""A dispatcher that lower-cases the key: routed with equals-ignore-case, proven by routing."""

from __future__ import annotations

import textwrap
from pathlib import Path

from strangler.verify import routing
from tests.support import samcheck
from tests.support.apps import strangler

APP = '''\
"""Audit trail: every shop event, whatever the case its producer spelled it in."""
import json
import logging

logger = logging.getLogger()


def record(detail):
    return {"recorded": json.dumps(detail, sort_keys=True)}


def forget(detail):
    return {"forgotten": detail.get("customer_id")}


HANDLERS = {"customercreated": record, "customerdeleted": forget}


def lambda_handler(event, context):
    kind = event["detail-type"].lower()  # producers disagree on casing
    return HANDLERS[kind](event["detail"])
'''

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  AuditFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.lambda_handler
      Runtime: python3.12
      Events:
        Customers:
          Type: EventBridgeRule
          Properties:
            Pattern:
              source: [shop.customers]
              detail-type: [CustomerCreated, CUSTOMER_CREATED_V0, CustomerDeleted]
"""


def test_a_lower_cased_key_is_routed_in_any_case(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(APP)
    (tmp_path / "template.yaml").write_text(textwrap.dedent(TEMPLATE))
    result = strangler(tmp_path, "extract", "customercreated")
    assert result.exit_code == 0, result.output
    cfn = samcheck.assert_valid(tmp_path / "template.yaml")

    def reached(detail_type: str) -> set[str]:
        return routing.targets(cfn, {"source": "shop.customers", "detail-type": detail_type, "detail": {}})

    assert reached("CustomerCreated") == {"CustomercreatedFunction"}
    assert reached("CustomerDeleted") == {"AuditFunction"}
    # What the rule did not deliver before, it does not deliver now; what no action
    # claims stays with the monolith.
    assert reached("CUSTOMERCREATED") == set()
    assert reached("CUSTOMER_CREATED_V0") == {"AuditFunction"}


def test_a_lower_cased_key_on_a_rule_without_detail_type_matches_any_case(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(APP)
    (tmp_path / "template.yaml").write_text(TEMPLATE.replace("              detail-type: [CustomerCreated, CUSTOMER_CREATED_V0, CustomerDeleted]\n", ""))
    assert strangler(tmp_path, "extract", "customercreated").exit_code == 0
    cfn = samcheck.assert_valid(tmp_path / "template.yaml")

    def reached(detail_type: str) -> set[str]:
        return routing.targets(cfn, {"source": "shop.customers", "detail-type": detail_type, "detail": {}})

    assert reached("CustomerCreated") == reached("CUSTOMERCREATED") == {"CustomercreatedFunction"}
    assert reached("CustomerDeleted") == {"AuditFunction"}
