"""Least privilege: what a new function keeps of the monolith's environment, policies and requirements."""

from __future__ import annotations

import textwrap
from pathlib import Path

from ruamel.yaml import YAML

from strangler.narrowing import narrow
from strangler.needs import Slice

MONOLITH = YAML(typ="rt").load(
    textwrap.dedent(
        """\
        Environment:
          Variables:
            ORDERS_TABLE: !Ref OrdersTable
            AUDIT_BUCKET: !Ref AuditBucket
            POWERTOOLS_SERVICE_NAME: orders
            STAGE: prod
        Policies:
          - DynamoDBCrudPolicy:
              TableName: !Ref OrdersTable
          - S3WritePolicy:
              BucketName: !Ref AuditBucket
          - SQSSendMessagePolicy:
              QueueName: !GetAtt ReplayQueue.QueueName
          - AmazonSNSFullAccess
          - AWSLambdaBasicExecutionRole
          - Statement:
              - Effect: Allow
                Action: [ses:SendEmail]
                Resource: "*"
          - SomeCompanyPolicy
        """
    )
)
REQUIREMENTS = "# pinned\nboto3==1.34\naws-lambda-powertools==2.30\nPyYAML>=6\nacme-internal-lib==1.0\n"


def piece(env=(), services=(), modules=("boto3",), dynamic=False) -> Slice:
    return Slice("OrderPlaced", "", frozenset(), frozenset(), (), tuple(env), dynamic, frozenset(services), frozenset(modules))


def kept(decisions) -> list[str]:
    return [d.item for d in decisions if d.kept]


def test_variables_the_code_reads_are_kept_and_the_rest_dropped() -> None:
    result = narrow(MONOLITH, piece(env=["ORDERS_TABLE"]), None, {})
    assert kept(result.env) == ["ORDERS_TABLE"]
    assert result.env_keep == {"ORDERS_TABLE"}


def test_a_library_keeps_the_variables_it_reads_by_convention() -> None:
    result = narrow(MONOLITH, piece(env=["ORDERS_TABLE"], modules=("aws_lambda_powertools",)), None, {})
    assert "POWERTOOLS_SERVICE_NAME" in kept(result.env)


def test_computed_environment_reads_keep_every_variable() -> None:
    result = narrow(MONOLITH, piece(dynamic=True), None, {})
    assert kept(result.env) == ["ORDERS_TABLE", "AUDIT_BUCKET", "POWERTOOLS_SERVICE_NAME", "STAGE"]
    assert all("computed" in d.reason for d in result.env)


def test_a_policy_template_goes_with_the_variable_that_names_its_resource() -> None:
    result = narrow(MONOLITH, piece(env=["ORDERS_TABLE"], services=["dynamodb"]), None, {})
    by_item = {d.item: d for d in result.policies}
    assert by_item["DynamoDBCrudPolicy(OrdersTable)"].kept
    assert not by_item["S3WritePolicy(AuditBucket)"].kept
    assert "AUDIT_BUCKET" in by_item["S3WritePolicy(AuditBucket)"].reason


def test_a_policy_whose_resource_reaches_the_code_some_other_way_is_kept() -> None:
    # No variable names ReplayQueue: the code may know it another way, so when in doubt, keep.
    decision = {d.item: d for d in narrow(MONOLITH, piece(), None, {}).policies}["SQSSendMessagePolicy(ReplayQueue)"]
    assert decision.kept and "may reach" in decision.reason


def test_managed_policies_follow_the_services_the_code_uses() -> None:
    without = {d.item: d.kept for d in narrow(MONOLITH, piece(), None, {}).policies}
    with_sns = {d.item: d.kept for d in narrow(MONOLITH, piece(services=["sns"]), None, {}).policies}
    assert without["AmazonSNSFullAccess"] is False and with_sns["AmazonSNSFullAccess"] is True
    assert without["AWSLambdaBasicExecutionRole"] is True
    assert without["SomeCompanyPolicy"] is True  # unknown: kept


def test_inline_statements_follow_the_services_of_their_actions() -> None:
    assert {d.item: d.kept for d in narrow(MONOLITH, piece(), None, {}).policies}["inline statement"] is False
    assert {d.item: d.kept for d in narrow(MONOLITH, piece(services=["ses"]), None, {}).policies}["inline statement"]


def test_kept_policy_indexes_point_into_the_monolith_list() -> None:
    result = narrow(MONOLITH, piece(env=["ORDERS_TABLE"]), None, {})
    assert result.policy_keep == (0, 2, 4, 6)


def test_requirements_keep_what_is_imported_and_what_cannot_be_told() -> None:
    result = narrow(MONOLITH, piece(modules=("boto3", "yaml")), REQUIREMENTS, {})
    assert result.requirements_text == "# pinned\nboto3==1.34\nPyYAML>=6\nacme-internal-lib==1.0\n"
    reasons = {d.item: d.reason for d in result.requirements}
    assert reasons["aws-lambda-powertools"] == "not imported"
    assert "cannot tell" in reasons["acme-internal-lib"]


def test_installed_metadata_tells_what_an_unknown_distribution_provides() -> None:
    result = narrow(MONOLITH, piece(), "acme-internal-lib==1.0\n", {"acme-internal-lib": ("acme",)})
    assert result.requirements_text == ""
    assert not result.requirements[0].kept


def test_nothing_is_widened(tmp_path: Path) -> None:
    result = narrow(MONOLITH, piece(dynamic=True, services=["dynamodb", "s3", "sqs", "sns", "ses"]), REQUIREMENTS, {})
    assert len(kept(result.env)) == 4
    assert len(result.policy_keep) == 7
