"""Least privilege: what a new function keeps of the monolith's environment, policies and requirements."""

from __future__ import annotations

import textwrap
from pathlib import Path

from ruamel.yaml import YAML

from strangler.render.narrowing import library_services, narrow, summarise
from strangler.render.needs import Slice

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


# The monolith's code reads every variable of MONOLITH by name unless a test says otherwise.
NAMED = ("ORDERS_TABLE", "AUDIT_BUCKET", "POWERTOOLS_SERVICE_NAME", "STAGE")


def piece(env=(), services=(), modules=("boto3",), dynamic=False, named=NAMED, imports=(), kept_code=()) -> Slice:
    return Slice("OrderPlaced", "", frozenset(), frozenset(), (), tuple(env), dynamic, frozenset(services), frozenset(modules),
                 named_env=None if named is None else frozenset(named), imports=frozenset(imports), kept_code=tuple(kept_code))


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


# --- keep when in doubt -------------------------------------------------------------------
def test_a_variable_no_code_reads_by_name_is_kept_for_the_libraries_that_may() -> None:
    result = narrow(MONOLITH, piece(env=["ORDERS_TABLE"], named=("ORDERS_TABLE", "AUDIT_BUCKET")), None, {})
    by_item = {d.item: d for d in result.env}
    assert kept(result.env) == ["ORDERS_TABLE", "POWERTOOLS_SERVICE_NAME", "STAGE"]
    assert by_item["STAGE"].reason == "kept: no code reads it by name, so a library may"
    assert not by_item["AUDIT_BUCKET"].kept and "by name" in by_item["AUDIT_BUCKET"].reason


def test_without_knowing_what_the_monolith_reads_every_variable_is_kept() -> None:
    assert kept(narrow(MONOLITH, piece(named=None), None, {}).env) == ["ORDERS_TABLE", "AUDIT_BUCKET", "POWERTOOLS_SERVICE_NAME", "STAGE"]


def test_a_policy_whose_variable_no_code_reads_by_name_is_kept_with_it() -> None:
    result = narrow(MONOLITH, piece(named=("ORDERS_TABLE",)), None, {})
    by_item = {d.item: d for d in result.policies}
    assert by_item["S3WritePolicy(AuditBucket)"].kept
    assert not by_item["DynamoDBCrudPolicy(OrdersTable)"].kept  # ORDERS_TABLE: read by name, not by this code


def test_variables_libraries_and_the_runtime_read_stay_even_when_other_code_names_them() -> None:
    monolith = {"Environment": {"Variables": {"LOG_LEVEL": "INFO", "AWS_EMF_NAMESPACE": "orders",
                                              "AWS_LAMBDA_EXEC_WRAPPER": "/opt/wrapper", "SENTRY_DSN": "x"}}}
    named = ("LOG_LEVEL", "AWS_EMF_NAMESPACE", "AWS_LAMBDA_EXEC_WRAPPER", "SENTRY_DSN")
    plain = {d.item: d.kept for d in narrow(monolith, piece(named=named), None, {}).env}
    libraries = {d.item: d.kept for d in narrow(
        monolith, piece(named=named, modules=("aws_lambda_powertools", "aws_embedded_metrics", "sentry_sdk")), None, {}).env}
    assert plain == {"LOG_LEVEL": False, "AWS_EMF_NAMESPACE": False, "AWS_LAMBDA_EXEC_WRAPPER": True, "SENTRY_DSN": False}
    assert all(libraries.values())


def test_libraries_that_call_aws_themselves_are_matched_by_module_prefix() -> None:
    assert library_services(piece(modules=("pynamodb",), imports=("pynamodb.models", "pynamodb.models.Model"))) == {
        "pynamodb": ("dynamodb",)}
    params = piece(modules=("aws_lambda_powertools",), imports=("aws_lambda_powertools.utilities", "aws_lambda_powertools.utilities.parameters"))
    assert set(library_services(params)) == {"aws_lambda_powertools.utilities.parameters"}
    assert library_services(piece(modules=("aws_lambda_powertools",), imports=("aws_lambda_powertools", "aws_lambda_powertools.Logger"))) == {}
    assert library_services(piece(modules=("pynamodbx", "redis"))) == {}


def test_a_library_that_calls_aws_keeps_the_policies_of_its_services() -> None:
    wrangler = {d.item: d for d in narrow(MONOLITH, piece(modules=("awswrangler",)), None, {}).policies}
    pynamo = {d.item: d for d in narrow(MONOLITH, piece(modules=("pynamodb",)), None, {}).policies}
    assert wrangler["S3WritePolicy(AuditBucket)"].kept and wrangler["S3WritePolicy(AuditBucket)"].reason == "awswrangler may call s3"
    assert wrangler["DynamoDBCrudPolicy(OrdersTable)"].reason == "awswrangler may call dynamodb"  # wr.dynamodb
    assert wrangler["SQSSendMessagePolicy(ReplayQueue)"].kept  # no variable names it: kept, as before
    assert pynamo["DynamoDBCrudPolicy(OrdersTable)"].kept and not pynamo["S3WritePolicy(AuditBucket)"].kept
    assert not pynamo["AmazonSNSFullAccess"].kept and not pynamo["inline statement"].kept


def test_code_kept_for_its_effects_is_reported() -> None:
    result = narrow(MONOLITH, piece(env=["ORDERS_TABLE"], kept_code=["patch_all() (src/app.py:12)"]), None, {})
    assert [d.reason for d in result.code] == ["may have side effects"]
    assert "kept module-level code patch_all() (src/app.py:12) (may have side effects)" in summarise(result)


def test_installed_distributions_are_read_only_for_a_requirement_the_table_does_not_know(monkeypatch) -> None:
    """Reading every installed distribution's metadata costs tenths of a second a run."""
    import importlib.metadata

    from strangler.render.narrowing import installed_distributions

    reads: list[int] = []
    monkeypatch.setattr(importlib.metadata, "packages_distributions", lambda: reads.append(1) or {"acme_sdk": ["acme-sdk"]})
    installed = installed_distributions()
    known = narrow(MONOLITH, piece(modules=("boto3",)), "boto3>=1.34\naws-lambda-powertools\n", installed)
    assert reads == [] and all(d.kept or d.item == "aws-lambda-powertools" for d in known.requirements)
    unknown = narrow(MONOLITH, piece(modules=("acme_sdk",)), "acme-sdk==2.0\n", installed)
    assert reads == [1] and [(d.item, d.kept) for d in unknown.requirements] == [("acme-sdk", True)]
    narrow(MONOLITH, piece(modules=()), "acme-sdk==2.0\n", installed)
    assert reads == [1]  # read once
