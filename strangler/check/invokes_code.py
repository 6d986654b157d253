"""The code side of STR101's fix: the caller's ``invoke`` becomes ``send_message`` and the
callee's handler learns to read SQS records.

The caller is edited with libcst (each call keeps its layout: its arguments' commas and
line breaks, its comments); the callee gets a wrapper added after its handler, which keeps
its name and its bytes: ``_<name>_direct = <name>`` and a new ``def <name>`` that unpacks
SQS records and hands anything else to the original. That is the smallest diff (nothing
removed, nothing renamed, the template's Handler unchanged) and a direct invoke by another
caller still behaves as before.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from strangler.check.app import CheckedApp
from strangler.check.edits import Edits
from strangler.check.invokes_find import Invoke, Names, assignments
from strangler.model import FunctionRef


def queue_ids(callee: str) -> tuple[str, str]:
    """The queue that carries the callee's events, and its dead-letter queue."""
    return f"{callee}Queue", f"{callee}DeadLetterQueue"


def env_var(callee: str) -> str:
    """``AuditFunction`` -> ``AUDIT_FUNCTION_QUEUE_URL``: where the caller reads the queue's URL."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", callee).upper() + "_QUEUE_URL"

ADAPTER = '''

_{name}_direct = {name}


def {name}(event, context):
    """The handler above, also fed by {queue}: each SQS record's body is an
    event {callee} used to be invoked with. A record that raises is reported back to
    SQS for another try (ReportBatchItemFailures); any other event goes to the handler
    as before."""
    records = event.get("Records") if isinstance(event, dict) else None
    if not records or not all(isinstance(r, dict) and r.get("eventSource") == "aws:sqs" for r in records):
        return _{name}_direct(event, context)
    failures = []
    for record in records:
        try:
            _{name}_direct(json.loads(record["body"]), context)
        except Exception:  # each record succeeds or fails on its own
            logging.getLogger(__name__).exception("SQS message %s failed", record.get("messageId"))
            failures.append({{"itemIdentifier": record["messageId"]}})
    return {{"batchItemFailures": failures}}
'''


def _function(app: CheckedApp, logical_id: str) -> FunctionRef | None:
    return next((f for f in app.functions if f.logical_id == logical_id), None)


def _handler_def(tree: ast.Module, name: str) -> ast.AST | None:
    return next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name), None)


def handler_refusal(app: CheckedApp, callee: str) -> str | None:
    """Why the callee's handler cannot get the SQS wrapper (None: it can)."""
    function = _function(app, callee)
    text = app.text(function.module_path) if function is not None else None
    if function is None or text is None:
        return f"the code of {callee} is not local Python code"
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return f"{app.relative(function.module_path)} does not parse"
    found = _handler_def(tree, function.function_name)
    if not isinstance(found, ast.FunctionDef):
        return (f"{callee}'s handler {function.function_name} is not a plain module-level def in "
                f"{app.relative(function.module_path)}")
    if any(isinstance(n, ast.Name) and n.id == f"_{function.function_name}_direct" for n in ast.walk(tree)):
        return f"{app.relative(function.module_path)} already has _{function.function_name}_direct"
    return None


def adapter(app: CheckedApp, callee: str, edits: Edits) -> None:
    """Add the SQS wrapper after the callee's handler (and ``import json``/``logging``)."""
    function = _function(app, callee)
    assert function is not None
    relative = app.relative(function.module_path)
    text = edits.text(relative) or ""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    handler = _handler_def(ast.parse(text), function.function_name)
    assert handler is not None and handler.end_lineno is not None
    added = ADAPTER.format(name=function.function_name, callee=callee, queue=queue_ids(callee)[0])
    head = lines[: handler.end_lineno]
    if head and not head[-1].endswith(("\n", "\r")):
        head[-1] += newline
    new = "".join(head) + added.replace("\n", newline) + "".join(lines[handler.end_lineno:])
    edits.replace(relative, _with_imports(new, ("json", "logging"), newline))
    edits.say("changed", f"{relative}: {function.function_name} also reads SQS records (the original is "
                         f"_{function.function_name}_direct)")


def _with_imports(text: str, modules: Sequence[str], newline: str) -> str:
    """``import <module>`` for each module not imported yet, before the first import."""
    tree = ast.parse(text)
    have = {alias.asname or alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names}
    missing = [name for name in modules if name not in have]
    if not missing:
        return text
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))
               and not (isinstance(n, ast.ImportFrom) and n.module == "__future__")]
    futures = [n for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == "__future__"]
    lines = text.splitlines(keepends=True)
    if imports:
        at = imports[0].lineno - 1
        block = "".join(f"import {name}{newline}" for name in missing)
    else:
        at = (futures[-1].end_lineno or 0) if futures else _after_docstring(tree)
        lines_of = "".join(f"import {name}{newline}" for name in missing)
        # After a docstring or __future__: a blank line above; at the very top: two below.
        block = newline + lines_of if at else lines_of + newline + newline
    return "".join(lines[:at]) + block + "".join(lines[at:])


def _after_docstring(tree: ast.Module) -> int:
    first = tree.body[0] if tree.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return first.end_lineno or 0
    return 0


def unchanged(app: CheckedApp, edits: Edits, invoke: Invoke) -> bool:
    """The caller's file is as on disk (no earlier fix of this run moved its lines)."""
    return edits.text(invoke.path) == app.text(app.root / invoke.path)


def rewrite_calls(app: CheckedApp, invokes: Sequence[Invoke], edits: Edits) -> None:
    """Every invoke of ``invokes`` becomes ``<sqs>.send_message(QueueUrl=..., MessageBody=...)``."""
    by_path: dict[str, list[Invoke]] = {}
    for invoke in invokes:
        by_path.setdefault(invoke.path, []).append(invoke)
    for path, found in by_path.items():
        text = edits.text(path) or ""
        edits.replace(path, _rewritten(text, found))
        for invoke in found:
            edits.say("changed", f"{path}:{invoke.line}: {invoke.caller} sends {invoke.callee} a message on "
                                 f"{invoke.callee}Queue instead of waiting for it")


def _rewritten(text: str, invokes: Sequence[Invoke]) -> str:
    tree = ast.parse(text)
    names = Names(tree)
    client = invokes[0].client
    assert client is not None
    sessions = {name for name, value in assignments(tree) if names.is_session(value, set())}
    existing = next((n.targets[0].id for n in tree.body if isinstance(n, ast.Assign) and len(n.targets) == 1
                     and isinstance(n.targets[0], ast.Name) and names.is_client(n.value, sessions, "sqs")), None)
    sqs = existing or _free_name(tree, "sqs")
    environ = _environ(tree)
    rewrites = {(i.line, i.col - 1): (sqs, f'{environ}["{env_var(i.callee or "")}"]') for i in invokes}
    loads = sum(1 for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == client and isinstance(n.ctx, ast.Load))
    keep_client = loads > len(invokes)
    wrapper = MetadataWrapper(cst.parse_module(text))
    module = wrapper.visit(_Rewriter(wrapper.resolve(PositionProvider), rewrites))
    if existing is None:
        module = _with_sqs_client(module, client, sqs, keep_client)
    new = module.code
    return _with_imports(new, ("os",), "\r\n" if "\r\n" in text else "\n") if environ == "os.environ" else new


def _free_name(tree: ast.Module, base: str) -> str:
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        a.asname or a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
        for a in n.names}
    return next(name for name in (base, f"{base}_client", *(f"{base}_{i}" for i in range(2, 100))) if name not in used)


def _environ(tree: ast.Module) -> str:
    for node in tree.body:
        if isinstance(node, ast.Import) and any(a.name == "os" for a in node.names):
            alias = next(a for a in node.names if a.name == "os")
            return f"{alias.asname or 'os'}.environ"
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            alias = next((a for a in node.names if a.name == "environ"), None)
            if alias is not None:
                return alias.asname or "environ"
    return "os.environ"


class _Rewriter(cst.CSTTransformer):
    def __init__(self, positions, rewrites: dict[tuple[int, int], tuple[str, str]]) -> None:
        super().__init__()
        self.positions = positions
        self.rewrites = rewrites

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        start = self.positions.get(original)
        wanted = self.rewrites.get((start.start.line, start.start.column)) if start is not None else None
        if wanted is None or not isinstance(updated.func, cst.Attribute) or updated.func.attr.value != "invoke":
            return updated
        sqs, queue_url = wanted
        args = list(updated.args)
        payload = next((a.value for a in args if a.keyword is not None and a.keyword.value == "Payload"), None)
        values = [("QueueUrl", cst.parse_expression(queue_url)), ("MessageBody", message_body(payload))]
        new_args = []
        for index, (name, value) in enumerate(values):
            model = args[index] if index < len(args) else args[-1]
            comma = model.comma
            if index == 0 and (len(args) < 2 or isinstance(comma, cst.MaybeSentinel)):
                comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            if index == len(values) - 1:
                comma = args[-1].comma
            new_args.append(model.with_changes(keyword=cst.Name(name), value=value, comma=comma))
        func = updated.func.with_changes(value=cst.Name(sqs), attr=cst.Name("send_message"))
        return updated.with_changes(func=func, args=new_args)


def message_body(payload: cst.BaseExpression | None) -> cst.BaseExpression:
    """The Payload as a message body (a str): ``.encode()`` dropped, a bytes literal made str."""
    if payload is None:
        return cst.SimpleString('"{}"')
    if (isinstance(payload, cst.Call) and isinstance(payload.func, cst.Attribute)
            and payload.func.attr.value == "encode"):
        return payload.func.value
    if isinstance(payload, cst.SimpleString) and payload.prefix.lower().startswith("b"):
        text = ast.literal_eval(payload.value).decode("utf-8")
        return cst.SimpleString(repr(text))
    return payload


def _with_sqs_client(module: cst.Module, client: str, sqs: str, keep_client: bool) -> cst.Module:
    """``sqs = <the Lambda client's factory>("sqs")`` beside the Lambda client's line, or in
    its place when nothing uses the Lambda client any more (its comments stay)."""
    body = list(module.body)
    for index, statement in enumerate(body):
        assign = _assign_of(statement, client)
        if assign is None:
            continue
        factory = assign.value
        assert isinstance(factory, cst.Call)
        first = factory.args[0]
        literal = first.value.value if isinstance(first.value, cst.SimpleString) else '"'
        quote = "'" if literal.startswith("'") else '"'
        made = factory.with_changes(args=[first.with_changes(value=cst.SimpleString(f"{quote}sqs{quote}")),
                                          *factory.args[1:]])
        line = cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(sqs))], made)])
        if keep_client:
            body.insert(index + 1, line)
        else:
            body[index] = line.with_changes(leading_lines=statement.leading_lines)
        return module.with_changes(body=body)
    return module


def _assign_of(statement: cst.CSTNode, name: str) -> cst.Assign | None:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    assign = statement.body[0]
    if (isinstance(assign, cst.Assign) and len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name)
            and assign.targets[0].target.value == name and isinstance(assign.value, cst.Call) and assign.value.args):
        return assign
    return None
