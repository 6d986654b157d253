"""Resources that watch the monolith and cannot follow it safely: migrate refuses, naming
the resource and what to do, and leaves the tree as it was; extract reports them."""

from __future__ import annotations

from pathlib import Path

from samtranslator.yaml_helper import yaml_parse

from tests.support import samcheck
from tests.support.hostile import accepted, app_copy, edit, refused

APP = "observed-orders"
BEFORE_OUTPUTS = "\nOutputs:"


def observed(tmp_path: Path, resource: str = "") -> Path:
    app = app_copy(APP, tmp_path, git_repo=True)
    if resource:
        edit(app / "template.yaml", BEFORE_OUTPUTS, resource.rstrip("\n") + "\n" + BEFORE_OUTPUTS)
        _commit(app)
    return app


def _commit(app: Path) -> None:
    import git

    repo = git.Repo(app)
    repo.git.add(A=True)
    repo.index.commit("the team's change")


DASHBOARD = """
  OrdersDashboard:
    Type: AWS::CloudWatch::Dashboard
    Properties:
      DashboardBody: !Sub '{"widgets": [{"type": "metric", "properties": {"metrics": [["AWS/Lambda", "Errors", "FunctionName", "${OrdersFunction}"]], "region": "${AWS::Region}"}}]}'
"""
METRIC_FILTER = """
  OrderFailures:
    Type: AWS::Logs::MetricFilter
    Properties:
      LogGroupName: !Ref OrdersLogGroup
      FilterPattern: '"order failed"'
      MetricTransformations:
        - MetricName: OrderFailures
          MetricNamespace: Orders
          MetricValue: '1'
"""


def test_a_dashboard_on_the_monolith_is_reported_by_extract_and_refused_by_migrate(tmp_path: Path) -> None:
    app = observed(tmp_path, DASHBOARD)
    refused(app, "migrate", names=("Resources.OrdersDashboard", "refers to OrdersFunction in DashboardBody",
                                   "dashboard", "--keep-monolith"))
    result = accepted(app, "extract", "POST /orders")
    assert "OrdersDashboard (AWS::CloudWatch::Dashboard) refers to OrdersFunction" in result.output
    assert "add the new functions' widgets to the dashboard by hand" in result.output


def test_a_metric_filter_on_the_monolith_s_log_group_is_refused_at_retirement(tmp_path: Path) -> None:
    app = observed(tmp_path, METRIC_FILTER)
    refused(app, "migrate", names=("Resources.OrderFailures", "refers to OrdersLogGroup in LogGroupName",
                                   "OrdersLogGroup is removed with OrdersFunction", "log group"))


def test_a_preflight_the_handler_does_not_answer_before_its_dispatch_is_refused(tmp_path: Path) -> None:
    app = observed(tmp_path)
    edit(app / "src" / "app.py", '    if event["httpMethod"] == "OPTIONS":\n        return preflight(event)'
                                 "  # the browser asks before the real call\n", "")
    _commit(app)
    refused(app, "migrate", names=("OrdersPreflight, OrderPreflight", "CORS preflight", "Cors on the API"))


def test_a_preflight_route_of_the_dispatch_moves_with_its_action(tmp_path: Path) -> None:
    app = observed(tmp_path)
    edit(app / "src" / "app.py", '    if event["httpMethod"] == "OPTIONS":\n        return preflight(event)'
                                 "  # the browser asks before the real call\n", "")
    edit(app / "src" / "app.py", '    "DELETE /orders/{order_id}": cancel_order,\n',
         '    "DELETE /orders/{order_id}": cancel_order,\n    "OPTIONS /orders": preflight,\n'
         '    "OPTIONS /orders/{order_id}": preflight,\n')
    _commit(app)
    accepted(app, "migrate")
    resources = yaml_parse((app / "template.yaml").read_text())["Resources"]
    events = resources["OptionsOrdersFunction"]["Properties"]["Events"]
    assert list(events) == ["OrdersPreflight"]
    samcheck.assert_valid(app / "template.yaml")


def test_a_role_from_outside_the_template_is_shared_and_reported(tmp_path: Path) -> None:
    app = observed(tmp_path)
    edit(app / "template.yaml", "      Role: !GetAtt OrdersFunctionRole.Arn\n", "      Role: !Ref OrdersRoleArn\n")
    edit(app / "template.yaml", "Parameters:\n", "Parameters:\n  OrdersRoleArn:\n    Type: String\n")
    _commit(app)
    result = accepted(app, "extract", "POST /orders")
    assert "shares OrdersFunction's Role from outside the template" in result.output
    resources = yaml_parse((app / "template.yaml").read_text())["Resources"]
    assert resources["PostOrdersFunction"]["Properties"]["Role"] == {"Ref": "OrdersRoleArn"}
    # the role statements in the template still name the monolith's log group only: they were not its role's
    samcheck.assert_valid(app / "template.yaml")


def test_a_copy_whose_id_the_template_already_has_is_refused(tmp_path: Path) -> None:
    app = observed(tmp_path, "\n  PostOrdersFunctionLogGroup:\n    Type: AWS::SNS::Topic\n")
    refused(app, "extract", "POST /orders", names=("PostOrdersFunctionLogGroup", "already has", "rename"))


def test_a_literal_function_name_too_long_for_a_suffix_is_refused(tmp_path: Path) -> None:
    app = observed(tmp_path)
    long = "orders-" + "x" * 53
    edit(app / "template.yaml", "FunctionName: !Sub ${AWS::StackName}-orders", f"FunctionName: {long}")
    edit(app / "template.yaml", "LogGroupName: !Sub /aws/lambda/${AWS::StackName}-orders", f"LogGroupName: /aws/lambda/{long}")
    _commit(app)
    refused(app, "extract", "DELETE /orders/{order_id}", names=("longer than Lambda's 64 characters", "settings file"))


def test_cors_that_api_gateway_answers_stays_on_the_api_when_the_monolith_retires(tmp_path: Path) -> None:
    app = observed(tmp_path)
    edit(app / "src" / "app.py", '    if event["httpMethod"] == "OPTIONS":\n        return preflight(event)'
                                 "  # the browser asks before the real call\n", "")
    template = app / "template.yaml"
    start = template.read_text().index("        # browsers ask first")
    end = template.read_text().index("\n\n", start)
    edit(template, template.read_text()[start:end + 1], "")
    edit(template, "      TracingEnabled: true\n", "      TracingEnabled: true\n      Cors:\n"
                                                     "        AllowOrigin: \"'https://shop.example.com'\"\n")
    _commit(app)
    accepted(app, "migrate")
    resources = yaml_parse(template.read_text())["Resources"]
    assert resources["OrdersApi"]["Properties"]["Cors"] == {"AllowOrigin": "'https://shop.example.com'"}
    samcheck.assert_valid(template)


def test_a_log_group_named_by_reference_gets_copies_named_by_reference(tmp_path: Path) -> None:
    app = observed(tmp_path)
    template = app / "template.yaml"
    edit(template, "      FunctionName: !Sub ${AWS::StackName}-orders\n", "")
    edit(template, "    DependsOn: OrdersLogGroup\n", "")
    edit(template, "LogGroupName: !Sub /aws/lambda/${AWS::StackName}-orders", "LogGroupName: !Sub /aws/lambda/${OrdersFunction}")
    # the role cannot name a log group that names the function (a cycle): it allows every log group
    edit(template, "                Resource: !GetAtt OrdersLogGroup.Arn\n",
         "                Resource: !Sub arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/*\n")
    _commit(app)
    samcheck.assert_valid(template)
    accepted(app, "migrate")
    resources = yaml_parse(template.read_text())["Resources"]
    groups = {i: r["Properties"]["LogGroupName"] for i, r in resources.items() if r["Type"] == "AWS::Logs::LogGroup"}
    assert groups == {f"{f}LogGroup": {"Fn::Sub": f"/aws/lambda/${{{f}}}"} for f in (
        "GetOrdersFunction", "PostOrdersFunction", "GetOrdersOrderIdFunction", "DeleteOrdersOrderIdFunction")}
    assert not any("FunctionName" in r["Properties"] for r in resources.values() if r["Type"] == "AWS::Serverless::Function")
    samcheck.assert_valid(template)
