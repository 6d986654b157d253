"""AppSync inputs strangler must not guess at: each refuses, names what it found, and
writes nothing; the variants it can route are accepted with what they need."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import samcheck
from tests.support.hostile import accepted, app_copy, edit, refused

APP = "appsync-blog"
RESOLVERS = "  # --- resolvers: one per field, all on the Lambda data source ---------------\n"


def blog(tmp_path: Path) -> Path:
    return app_copy(APP, tmp_path)


def resources(app: Path) -> dict:
    return samcheck.load_template(app / "template.yaml")["Resources"]


PIPELINE = """  InvokeBlogFunction:
    Type: AWS::AppSync::FunctionConfiguration
    DependsOn: BlogDataSource
    Properties:
      ApiId: !GetAtt BlogApi.ApiId
      Name: invokeBlog
      DataSourceName: !GetAtt BlogDataSource.Name
      FunctionVersion: '2018-05-29'

"""
LIST_POSTS = """      TypeName: Query
      FieldName: listPosts
      DataSourceName: !GetAtt BlogDataSource.Name
"""
AS_PIPELINE = """      TypeName: Query
      FieldName: listPosts
      Kind: PIPELINE
      PipelineConfig:
        Functions:
          - !GetAtt InvokeBlogFunction.FunctionId
      Runtime:
        Name: APPSYNC_JS
        RuntimeVersion: 1.0.0
      Code: |
        export function request(ctx) { return {}; }
        export function response(ctx) { return ctx.prev.result; }
"""


def test_a_pipeline_resolver_gets_a_copy_of_its_function_on_the_new_data_source(tmp_path: Path) -> None:
    from strangler.verify import routing

    app = blog(tmp_path)
    edit(app / "template.yaml", RESOLVERS, PIPELINE + RESOLVERS)
    edit(app / "template.yaml", LIST_POSTS, AS_PIPELINE)
    samcheck.assert_valid(app / "template.yaml")
    result = accepted(app, "extract", "Query.listPosts")
    assert "QueryListPostsInvokeBlogFunction, copied for it" in result.output
    left = resources(app)
    copy = left["QueryListPostsInvokeBlogFunction"]
    assert copy["DependsOn"] == "QueryListPostsBlogDataSource"
    assert copy["Properties"]["DataSourceName"] == {"Fn::GetAtt": ["QueryListPostsBlogDataSource", "Name"]}
    assert copy["Properties"]["Name"] == "QueryListPostsInvokeBlogFunction"
    assert left["ListPostsResolver"]["Properties"]["PipelineConfig"]["Functions"] == [
        {"Fn::GetAtt": ["QueryListPostsInvokeBlogFunction", "FunctionId"]}]
    samcheck.assert_valid(app / "template.yaml")
    event = {"info": {"parentTypeName": "Query", "fieldName": "listPosts"}, "arguments": {}}
    assert routing.targets(samcheck.translate(app / "template.yaml"), event) == {"QueryListPostsFunction"}
    accepted(app, "migrate")
    left = resources(app)
    assert "InvokeBlogFunction" not in left and "BlogDataSource" not in left
    samcheck.assert_valid(app / "template.yaml")


def test_a_pipeline_function_named_by_its_id_refuses(tmp_path: Path) -> None:
    app = blog(tmp_path)
    edit(app / "template.yaml", RESOLVERS, PIPELINE + RESOLVERS)
    edit(app / "template.yaml", LIST_POSTS, AS_PIPELINE.replace("!GetAtt InvokeBlogFunction.FunctionId", "abcdefghijklmnop"))
    refused(app, "extract", "Query.getPost", names=("ListPostsResolver", "cannot follow", "FunctionId"))


def test_an_unused_pipeline_function_on_the_data_source_goes_with_it(tmp_path: Path) -> None:
    app = blog(tmp_path)
    edit(app / "template.yaml", RESOLVERS, PIPELINE + RESOLVERS)
    result = accepted(app, "migrate")
    assert "with InvokeBlogFunction" in result.output
    assert "InvokeBlogFunction" not in resources(app)
    samcheck.assert_valid(app / "template.yaml")


def test_a_resolver_naming_its_data_source_by_a_parameter_refuses(tmp_path: Path) -> None:
    app = blog(tmp_path)
    edit(app / "template.yaml", "    Default: dev\n", "    Default: dev\n  LambdaSourceName:\n    Type: String\n    Default: BlogLambda\n")
    edit(app / "template.yaml", "      FieldName: listPosts\n      DataSourceName: !GetAtt BlogDataSource.Name",
         "      FieldName: listPosts\n      DataSourceName: !Ref LambdaSourceName")
    refused(app, "extract", "Query.getPost", names=("ListPostsResolver", "cannot follow"))


def test_a_resolver_with_a_computed_field_name_refuses(tmp_path: Path) -> None:
    app = blog(tmp_path)
    edit(app / "template.yaml", "      FieldName: listPosts\n", "      FieldName: !Sub '${Stage}Posts'\n")
    refused(app, "extract", "Query.getPost", names=("ListPostsResolver", "FieldName", "not written out"))


def test_a_resolver_for_every_type_refuses(tmp_path: Path) -> None:
    app = blog(tmp_path)
    edit(app / "blog" / "app.py", '@app.resolver(type_name="Query", field_name="listPosts")', '@app.resolver(field_name="listPosts")')
    refused(app, "extract", "Query.getPost", names=("list_posts()", "every type", "blog/app.py:36"))


def test_a_field_name_from_a_call_refuses(tmp_path: Path) -> None:
    app = blog(tmp_path)
    edit(app / "blog" / "app.py", 'field_name="listPosts")', 'field_name="list" + "Posts".title())')
    refused(app, "extract", "Query.getPost", names=("list_posts()", "not a literal string"))


def test_a_field_registered_twice_refuses(tmp_path: Path) -> None:
    app = blog(tmp_path)
    edit(app / "blog" / "app.py", 'field_name="listPosts")', 'field_name="getPost")')
    refused(app, "scan", names=("Query.getPost", "registered twice"))


def test_a_data_source_naming_the_function_by_arn_refuses(tmp_path: Path) -> None:
    app = blog(tmp_path)
    edit(app / "template.yaml", "      Description: Blog GraphQL resolvers\n",
         "      Description: Blog GraphQL resolvers\n      FunctionName: !Sub blog-resolvers-${Stage}\n")
    edit(app / "template.yaml", "        LambdaFunctionArn: !GetAtt BlogFunction.Arn",
         "        LambdaFunctionArn: !Sub arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:blog-resolvers-${Stage}")
    refused(app, "extract", "Query.getPost", names=("BlogDataSource", "ARN or name", "!GetAtt BlogFunction.Arn"))


def test_a_policy_beside_the_role_that_lets_it_invoke_refuses(tmp_path: Path) -> None:
    app = blog(tmp_path)
    edit(app / "template.yaml", RESOLVERS, """  ExtraInvoke:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: invoke-versions
      Roles: [!Ref BlogDataSourceRole]
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: lambda:InvokeFunction
            Resource: !Sub '${BlogFunction.Arn}:live'

""" + RESOLVERS)
    refused(app, "extract", "Query.getPost", names=("ExtraInvoke", "BlogDataSourceRole", "copy of the role"))


def test_migrate_refuses_while_a_resolver_has_no_action_in_the_code(tmp_path: Path) -> None:
    app = blog(tmp_path)
    edit(app / "template.yaml", RESOLVERS, RESOLVERS + """  SearchPostsResolver:
    Type: AWS::AppSync::Resolver
    DependsOn: BlogSchema
    Properties:
      ApiId: !GetAtt BlogApi.ApiId
      TypeName: Query
      FieldName: searchPosts
      DataSourceName: !GetAtt BlogDataSource.Name

""")
    refused(app, "migrate", names=("SearchPostsResolver (Query.searchPosts)", "BlogDataSource", "--keep-monolith"))
    accepted(app, "extract", "Query.getPost")  # the other fields still move one by one


def test_an_output_naming_the_data_source_keeps_it_until_pointed_elsewhere(tmp_path: Path) -> None:
    app = blog(tmp_path)
    edit(app / "template.yaml", "Outputs:\n", "Outputs:\n  LambdaSourceArn:\n    Value: !GetAtt BlogDataSource.DataSourceArn\n")
    refused(app, "migrate", names=("Output LambdaSourceArn", "BlogDataSource", "dangling"))


def test_a_role_with_a_name_is_copied_without_it(tmp_path: Path) -> None:
    app = blog(tmp_path)
    edit(app / "template.yaml", "  BlogDataSourceRole:\n    Type: AWS::IAM::Role\n    Properties:\n",
         "  BlogDataSourceRole:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !Sub blog-appsync-${Stage}\n")
    result = accepted(app, "extract", "Query.getPost")
    assert "without its RoleName" in result.output
    copy = resources(app)["QueryGetPostBlogDataSourceRole"]["Properties"]
    assert "RoleName" not in copy and resources(app)["BlogDataSourceRole"]["Properties"]["RoleName"]
    samcheck.assert_valid(app / "template.yaml")


def test_a_role_that_does_not_name_the_function_is_shared_and_reported(tmp_path: Path) -> None:
    app = blog(tmp_path)
    edit(app / "template.yaml", "                Resource:\n                  - !GetAtt BlogFunction.Arn\n                  - !Sub '${BlogFunction.Arn}:*'\n",
         "                Resource: !Sub 'arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:*'\n")
    result = accepted(app, "migrate")
    assert "shares the service role BlogDataSourceRole" in result.output
    left = resources(app)
    assert "BlogDataSourceRole" in left and not any(rid.endswith("BlogDataSourceRole") and rid != "BlogDataSourceRole" for rid in left)
    assert left["QueryGetPostBlogDataSource"]["Properties"]["ServiceRoleArn"] == {"Fn::GetAtt": ["BlogDataSourceRole", "Arn"]}
    samcheck.assert_valid(app / "template.yaml")


# --- SAM GraphQLApi ------------------------------------------------------------------------------
NOTES = "graphql-notes"
PAYLOAD = "payload: { info: ctx.info, arguments: ctx.arguments, identity: ctx.identity },"


def notes(tmp_path: Path) -> Path:
    return app_copy(NOTES, tmp_path)


def test_amplify_style_field_in_the_payload_is_routed(tmp_path: Path) -> None:
    app = notes(tmp_path)
    edit(app / "template.yaml", PAYLOAD, "payload: { field: ctx.info.fieldName, arguments: ctx.arguments },")
    edit(app / "src" / "handler.py", 'field = event["info"]["fieldName"]', 'field = event["field"]')
    accepted(app, "extract", "saveNote")
    api = resources(app)["NotesApi"]["Properties"]
    assert api["Resolvers"]["Mutation"]["saveNote"]["Pipeline"] == ["invokeNotesSaveNote"]
    assert api["Resolvers"]["Query"]["getNote"]["Pipeline"] == ["invokeNotes"]
    samcheck.assert_valid(app / "template.yaml")


def test_a_payload_field_strangler_cannot_read_refuses(tmp_path: Path) -> None:
    app = notes(tmp_path)
    edit(app / "template.yaml", PAYLOAD, "payload: { field: pick(ctx), arguments: ctx.arguments },")
    edit(app / "src" / "handler.py", 'field = event["info"]["fieldName"]', 'field = event["field"]')
    refused(app, "extract", "saveNote", names=("NotesApi Resolvers.Query.getNote", "request template", "$ctx.info.fieldName"))


def test_a_pipeline_function_in_a_file_with_a_payload_field_refuses(tmp_path: Path) -> None:
    app = notes(tmp_path)
    text = (app / "template.yaml").read_text(encoding="utf-8")
    start = text.index("          InlineCode: |\n")
    end = text.index("      Resolvers:\n")
    (app / "template.yaml").write_text(text[:start] + "          CodeUri: resolvers/invoke.js\n" + text[end:], encoding="utf-8")
    edit(app / "src" / "handler.py", 'field = event["info"]["fieldName"]', 'field = event["field"]')
    refused(app, "extract", "saveNote", names=("in a file", "CodeS3Location"))


def test_a_lambda_authorizer_on_the_monolith_refuses(tmp_path: Path) -> None:
    app = notes(tmp_path)
    edit(app / "template.yaml", "      Auth:\n        Type: API_KEY\n",
         "      Auth:\n        Type: AWS_LAMBDA\n        LambdaAuthorizer:\n          AuthorizerUri: !GetAtt NotesFunction.Arn\n")
    refused(app, "extract", "saveNote", names=("NotesApi", "Lambda authorizer", "NotesFunction"))


def test_a_data_source_by_arn_refuses(tmp_path: Path) -> None:
    app = notes(tmp_path)
    edit(app / "template.yaml", "      Description: Notes resolvers (all fields)\n",
         "      Description: Notes resolvers (all fields)\n      FunctionName: notes-resolvers\n")
    edit(app / "template.yaml", "FunctionArn: !GetAtt NotesFunction.Arn",
         "FunctionArn: !Sub arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:notes-resolvers")
    refused(app, "extract", "saveNote", names=("DataSources.Lambda.NotesLambda", "ARN or name"))


def test_migrate_refuses_while_a_resolver_has_no_branch(tmp_path: Path) -> None:
    app = notes(tmp_path)
    edit(app / "template.yaml", "        Mutation:\n", """          searchNotes:
            Runtime:
              Name: APPSYNC_JS
              Version: "1.0.0"
            Pipeline:
              - invokeNotes
        Mutation:
""")
    edit(app / "template.yaml", "          notesByTag(tag: String!): [Note]\n",
         "          notesByTag(tag: String!): [Note]\n          searchNotes(text: String!): [Note]\n")
    refused(app, "migrate", names=("Resolvers.Query.searchNotes", "NotesLambda", "--keep-monolith"))


def test_a_chain_on_type_and_field_joined_with_a_dot_is_routed(tmp_path: Path) -> None:
    app = notes(tmp_path)
    handler = app / "src" / "handler.py"
    edit(handler, 'field = event["info"]["fieldName"]',
         'field = f"{event[\'info\'][\'parentTypeName\']}.{event[\'info\'][\'fieldName\']}"')
    for field in ("getNote", "notesByTag", "saveNote", "deleteNote"):
        kind = "Query" if field in ("getNote", "notesByTag") else "Mutation"
        edit(handler, f'field == "{field}"', f'field == "{kind}.{field}"')
    accepted(app, "extract", "Mutation.saveNote")
    api = resources(app)["NotesApi"]["Properties"]
    assert api["Resolvers"]["Mutation"]["saveNote"]["Pipeline"] == ["invokeNotesMutationSaveNote"]
    assert api["DataSources"]["Lambda"]["MutationSaveNoteNotesLambda"]["FunctionArn"] == {
        "Fn::GetAtt": ["MutationSaveNoteFunction", "Arn"]}
    samcheck.assert_valid(app / "template.yaml")
    accepted(app, "migrate")
    assert "NotesLambda" not in resources(app)["NotesApi"]["Properties"]["DataSources"]["Lambda"]
    samcheck.assert_valid(app / "template.yaml")


def test_a_json_template_is_split_in_its_own_syntax(tmp_path: Path) -> None:
    import json

    app = blog(tmp_path)
    data = samcheck.load_template(app / "template.yaml")
    (app / "template.yaml").unlink()
    (app / "template.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    accepted(app, "migrate")
    left = samcheck.load_template(app / "template.json")["Resources"]
    assert left["AddCommentResolver"]["DependsOn"] == ["BlogSchema", "MutationAddCommentBlogDataSource"]
    assert left["AddCommentResolver"]["Properties"]["DataSourceName"] == {"Fn::GetAtt": ["MutationAddCommentBlogDataSource", "Name"]}
    assert "BlogDataSource" not in left and "BlogDataSourceRole" not in left
    samcheck.assert_valid(app / "template.json")


NESTED = '''
def handle(event, context):
    info = event["info"]
    args = event.get("arguments") or {}
    if info["parentTypeName"] == "Query":
        if info["fieldName"] == "getNote":
            return store.get(args["noteId"])
        elif info["fieldName"] == "notesByTag":
            return [n for n in store.all_notes() if args["tag"] in n.get("tags", [])]
    elif info["parentTypeName"] == "Mutation":
        if info["fieldName"] == "saveNote":
            return store.put({"noteId": args["noteId"], "title": args["title"]})
        elif info["fieldName"] == "deleteNote":
            return store.delete(args["noteId"])
    raise ValueError("unknown field")
'''
MATCHED = '''
def handle(event, context):
    args = event.get("arguments") or {}
    match (event["info"]["parentTypeName"], event["info"]["fieldName"]):
        case ("Query", "getNote"):
            return store.get(args["noteId"])
        case ("Query", "notesByTag"):
            return [n for n in store.all_notes() if args["tag"] in n.get("tags", [])]
        case ("Mutation", "saveNote"):
            return store.put({"noteId": args["noteId"], "title": args["title"]})
        case ("Mutation", "deleteNote"):
            return store.delete(args["noteId"])
    raise ValueError("unknown field")
'''


@pytest.mark.parametrize("handler", [NESTED, MATCHED], ids=["nested-if", "match-tuple"])
def test_a_dispatch_on_the_type_then_the_field_is_routed(tmp_path: Path, handler: str) -> None:
    app = notes(tmp_path)
    (app / "src" / "handler.py").write_text("import notes as store\n\n" + handler, encoding="utf-8")
    accepted(app, "extract", "Mutation/saveNote")
    api = resources(app)["NotesApi"]["Properties"]
    assert api["Resolvers"]["Mutation"]["saveNote"]["Pipeline"] == ["invokeNotesMutationSaveNote"]
    assert api["Resolvers"]["Mutation"]["deleteNote"]["Pipeline"] == ["invokeNotes"]
    samcheck.assert_valid(app / "template.yaml")
    accepted(app, "migrate")
    assert sorted(resources(app)["NotesApi"]["Properties"]["DataSources"]["Lambda"]) == [
        "MutationDeleteNoteNotesLambda", "MutationSaveNoteNotesLambda", "QueryGetNoteNotesLambda", "QueryNotesByTagNotesLambda"]
    samcheck.assert_valid(app / "template.yaml")


def test_a_graphql_api_data_source_role_of_the_template_is_copied_then_removed(tmp_path: Path) -> None:
    app = notes(tmp_path)
    edit(app / "template.yaml", "            FunctionArn: !GetAtt NotesFunction.Arn\n",
         "            FunctionArn: !GetAtt NotesFunction.Arn\n            ServiceRoleArn: !GetAtt NotesSourceRole.Arn\n")
    edit(app / "template.yaml", "  NotesApi:\n", """  NotesSourceRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: appsync.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: invoke
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: lambda:InvokeFunction
                Resource: !GetAtt NotesFunction.Arn

  NotesApi:
""")
    accepted(app, "extract", "saveNote")
    left = resources(app)
    entry = left["NotesApi"]["Properties"]["DataSources"]["Lambda"]["SaveNoteNotesLambda"]
    assert entry["ServiceRoleArn"] == {"Fn::GetAtt": ["SaveNoteNotesSourceRole", "Arn"]}
    statement = left["SaveNoteNotesSourceRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]
    assert statement["Resource"] == {"Fn::GetAtt": ["SaveNoteFunction", "Arn"]}
    samcheck.assert_valid(app / "template.yaml")
    accepted(app, "migrate")
    assert "NotesSourceRole" not in resources(app)
    samcheck.assert_valid(app / "template.yaml")


def test_a_resolver_in_the_code_with_none_in_the_template_refuses(tmp_path: Path) -> None:
    app = blog(tmp_path)
    edit(app / "blog" / "app.py", 'field_name="listPosts")', 'field_name="searchPosts")')
    refused(app, "extract", "Query.searchPosts", names=("no AppSync resolver of the template resolves 'Query.searchPosts'",))
