"""Where a function's code invokes another Lambda synchronously, and which function it is.

Read with :mod:`ast` (positions as people count them). What is recognised:

- a Lambda client made by ``boto3.client("lambda")`` (also ``import boto3 as b``,
  ``from boto3 import client``, ``boto3.Session(...).client("lambda")`` and a session
  bound to a name), bound to any name anywhere in the module, or used in place;
- ``<client>.invoke(...)`` with ``InvocationType`` omitted or ``"RequestResponse"``:
  ``"Event"`` and ``"DryRun"`` do not wait; a value that is not a literal may wait, and is
  reported as such (never fixed);
- a module-level helper that makes that call with its own parameters as ``FunctionName``:
  each call of the helper in the module is the invoke (one level of helper, no more).

``FunctionName`` is resolved to a function of the template through an environment
variable (``os.environ[...]``, ``os.environ.get``, ``os.getenv``, or a module constant
bound to one of them) set to ``!Ref F``, ``!GetAtt F.Arn`` or ``!Sub ${F}``/``${F.Arn}`` in
the function's Environment or Globals, or through a literal equal to a FunctionName.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from strangler.check.app import CheckedApp
from strangler.check.function_edits import variables
from strangler.model import FunctionRef
from strangler.template.intrinsics import intrinsic

SYNC = "RequestResponse"
_NO_WAIT = ("Event", "DryRun")
_FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")


@dataclass(frozen=True)
class Invoke:
    """One synchronous invoke: where it is, who makes it, whom it waits for."""

    path: str  # relative to the project
    line: int
    col: int
    caller: str  # the template's function whose code makes the call
    callee: str | None  # the template's function it resolves to, None when unknown
    target: str  # how the code names it: "os.environ['AUDIT_FUNCTION_ARN']"
    used: bool  # the response is read
    certain: bool = True  # False: InvocationType is not a literal (it may not wait)
    helper: str | None = None  # the module's helper that makes the call, when through one
    env_var: str | None = None  # the variable FunctionName is read from
    client: str | None = None  # the module-level name of the Lambda client, when it has one
    refusal: str | None = None  # why the code of this call cannot be rewritten (None: it can)


def sync_invokes(app: CheckedApp) -> tuple[Invoke, ...]:
    """Every synchronous invoke in the application's code, in path and line order."""
    found: list[Invoke] = []
    seen: set[tuple[str, int, int]] = set()
    for function in app.functions:
        for path in _files_of(app, function):
            tree = app.tree(path)
            if tree is None:
                continue
            relative = app.relative(path)
            for invoke in _ModuleInvokes(app, function, relative, tree).find():
                if (invoke.path, invoke.line, invoke.col) not in seen:
                    seen.add((invoke.path, invoke.line, invoke.col))
                    found.append(invoke)
    return tuple(sorted(found, key=lambda i: (i.path, i.line, i.col)))


def _files_of(app: CheckedApp, function: FunctionRef) -> list[Any]:
    """The function's Python files: its handler module first, then the rest of its folder."""
    others = sorted(path for path in app.project.sources
                    if path.suffix == ".py" and path != function.module_path and function.code_dir in path.parents)
    return [function.module_path, *others]


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def _literal(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


class Names:
    """What the module calls boto3, its client factory, sessions, os.environ and getenv."""

    def __init__(self, tree: ast.Module) -> None:
        self.boto3: set[str] = set()
        self.client_factories: set[str] = set()
        self.session_factories: set[str] = set()
        self.environ: set[str] = {"os.environ"}
        self.getenv: set[str] = {"os.getenv"}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                self._import(node)
            elif isinstance(node, ast.ImportFrom):
                self._import_from(node)

    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "boto3":
                self.boto3.add(alias.asname or "boto3")
            elif alias.name == "boto3.session" and alias.asname:
                self.session_factories.add(f"{alias.asname}.Session")
            elif alias.name == "os" and alias.asname:
                self.environ.add(f"{alias.asname}.environ")
                self.getenv.add(f"{alias.asname}.getenv")

    def _import_from(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            bound = alias.asname or alias.name
            if node.module == "boto3" and alias.name == "client":
                self.client_factories.add(bound)
            elif node.module in ("boto3", "boto3.session") and alias.name == "Session":
                self.session_factories.add(bound)
            elif node.module == "os" and alias.name == "environ":
                self.environ.add(bound)
            elif node.module == "os" and alias.name == "getenv":
                self.getenv.add(bound)

    def is_session(self, node: ast.AST, sessions: set[str]) -> bool:
        if isinstance(node, ast.Name):
            return node.id in sessions
        if not isinstance(node, ast.Call):
            return False
        name = _dotted(node.func)
        return name in self.session_factories or any(name in (f"{b}.Session", f"{b}.session.Session") for b in self.boto3)

    def is_lambda_client(self, node: ast.AST, sessions: set[str]) -> bool:
        """``boto3.client("lambda")`` and its spellings."""
        return self.is_client(node, sessions, "lambda")

    def is_client(self, node: ast.AST, sessions: set[str], wanted: str) -> bool:
        """A boto3 client of the service ``wanted``, however the module spells it."""
        if not isinstance(node, ast.Call):
            return False
        service = _literal(node.args[0]) if node.args else _literal(keyword(node, "service_name"))
        if service != wanted:
            return False
        func = node.func
        name = _dotted(func)
        if name in self.client_factories or any(name == f"{b}.client" for b in self.boto3):
            return True
        return isinstance(func, ast.Attribute) and func.attr == "client" and self.is_session(func.value, sessions)


def assignments(tree: ast.Module) -> Iterator[tuple[str, ast.expr]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            yield node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            yield node.target.id, node.value


class _ModuleInvokes:
    def __init__(self, app: CheckedApp, function: FunctionRef, path: str, tree: ast.Module) -> None:
        self.app, self.function, self.path, self.tree = app, function, path, tree
        self.names = Names(tree)
        self.sessions = {name for name, value in assignments(tree) if self.names.is_session(value, set())}
        self.clients = {name for name, value in assignments(tree) if self.names.is_lambda_client(value, self.sessions)}
        self.constants = {node.targets[0].id: node.value for node in tree.body
                          if isinstance(node, ast.Assign) and len(node.targets) == 1
                          and isinstance(node.targets[0], ast.Name)}
        self.parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}

    def is_invoke(self, call: ast.Call) -> bool:
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr == "invoke"):
            return False
        owner = func.value
        return (isinstance(owner, ast.Name) and owner.id in self.clients) or self.names.is_lambda_client(owner, self.sessions)

    def find(self) -> Iterator[Invoke]:
        helpers = self._helpers()
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call):
                continue
            if self.is_invoke(node):
                enclosing = self._enclosing(node)
                if enclosing is not None and enclosing.name in helpers:
                    continue  # reported where the helper is called
                found = self._invoke(node, node, None, {})
            elif isinstance(node.func, ast.Name) and node.func.id in helpers:
                helper, inner = helpers[node.func.id]
                found = self._invoke(node, inner, helper.name, self._bound(helper, node))
            else:
                continue
            if found is not None:
                yield found

    def _invoke(self, site: ast.Call, call: ast.Call, helper: str | None, bound: Mapping[str, ast.expr]) -> Invoke | None:
        kind = keyword(call, "InvocationType")
        kind = bound.get(kind.id, kind) if isinstance(kind, ast.Name) and kind.id in bound else kind
        certain = True
        if kind is not None:
            literal = _literal(kind)
            if literal in _NO_WAIT or (literal is not None and literal != SYNC):
                return None
            certain = literal == SYNC
        if any(k.arg is None for k in call.keywords):
            certain = False  # **kwargs may carry InvocationType="Event"
        name = keyword(call, "FunctionName")
        if isinstance(name, ast.Name) and name.id in bound:
            name = bound[name.id]
        env_var = self._env_var(name)
        callee = self._callee(name, env_var)
        client = call.func.value.id if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name) else None
        return Invoke(self.path, site.lineno, site.col_offset + 1, self.function.logical_id, callee,
                      ast.unparse(name) if name is not None else "?", self._used(site), certain, helper, env_var,
                      client, self._refusal(call, helper, client))

    def _refusal(self, call: ast.Call, helper: str | None, client: str | None) -> str | None:
        """Why the call's code cannot become ``send_message`` (None: it can)."""
        if helper is not None:
            return f"the invoke is made inside the helper {helper}(): change the helper by hand"
        if client is None or client not in {n.targets[0].id for n in self.tree.body if isinstance(n, ast.Assign)
                                            and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name)}:
            return "the Lambda client is not bound to a name at module level"
        extra = sorted(k.arg or "**" for k in call.keywords if k.arg not in ("FunctionName", "InvocationType", "Payload"))
        if extra or call.args:
            return f"the invoke passes {', '.join(extra) or 'positional arguments'}, which a queue message cannot carry"
        return payload_refusal(keyword(call, "Payload"))

    # --- helpers: def call(name, payload): return client.invoke(FunctionName=name, ...) --
    def _helpers(self) -> dict[str, tuple[ast.FunctionDef, ast.Call]]:
        found = {}
        for node in self.tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            params = {arg.arg for arg in node.args.args}
            calls = [c for c in ast.walk(node) if isinstance(c, ast.Call) and self.is_invoke(c)]
            if len(calls) == 1:
                target = keyword(calls[0], "FunctionName")
                if isinstance(target, ast.Name) and target.id in params:
                    found[node.name] = (node, calls[0])
        return found

    @staticmethod
    def _bound(helper: ast.FunctionDef, site: ast.Call) -> dict[str, ast.expr]:
        params = [arg.arg for arg in helper.args.args]
        bound = dict(zip(params, site.args))
        bound.update({k.arg: k.value for k in site.keywords if k.arg in params})
        defaults = helper.args.defaults
        for param, default in zip(params[len(params) - len(defaults):], defaults):
            bound.setdefault(param, default)
        return bound

    def _enclosing(self, node: ast.AST) -> ast.FunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef):
                return node
        return None

    # --- is the response read? -----------------------------------------------------
    def _used(self, call: ast.Call) -> bool:
        parent = self.parents.get(call)
        if isinstance(parent, ast.Expr):
            return False
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
            name = parent.targets[0].id
            scope = self._enclosing(call) or self.tree
            return name != "_" and any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)
                                       for n in ast.walk(scope))
        return True

    # --- which function is it? --------------------------------------------------------
    def _env_var(self, node: ast.expr | None, depth: int = 0) -> str | None:
        if node is None or depth > 2:
            return None
        if isinstance(node, ast.Name) and node.id in self.constants:
            return self._env_var(self.constants[node.id], depth + 1)
        if isinstance(node, ast.Subscript) and _dotted(node.value) in self.names.environ:
            return _literal(node.slice)
        if isinstance(node, ast.Call) and node.args:
            func = _dotted(node.func)
            if func in self.names.getenv or func in {f"{e}.get" for e in self.names.environ}:
                return _literal(node.args[0])
        return None

    def _callee(self, node: ast.expr | None, env_var: str | None) -> str | None:
        if env_var is not None:
            return function_of(self.app, self._variable(env_var))
        literal = _literal(self.constants.get(node.id)) if isinstance(node, ast.Name) else _literal(node)
        return function_named(self.app, literal) if literal else None

    def _variable(self, name: str) -> Any:
        return variables(self.app.template, self.function.logical_id).get(name)


def payload_refusal(payload: ast.expr | None) -> str | None:
    """None when ``Payload`` can become a MessageBody as it is: absent, ``json.dumps(...)``
    (``.encode()``d or not), or a str or bytes literal of UTF-8 text."""
    if payload is None or isinstance(payload, ast.Constant) and isinstance(payload.value, str):
        return None
    if isinstance(payload, ast.Call) and isinstance(payload.func, ast.Attribute) and payload.func.attr == "encode":
        payload = payload.func.value
    if isinstance(payload, ast.Call) and _dotted(payload.func) in ("json.dumps", "dumps"):
        return None
    if isinstance(payload, ast.Constant) and isinstance(payload.value, (str, bytes)):
        try:
            payload.value.decode("utf-8") if isinstance(payload.value, bytes) else payload.value
        except UnicodeDecodeError:
            return "the Payload literal is not UTF-8 text"
        return None
    return (f"the Payload is {ast.unparse(payload)}: only json.dumps(...), a str or a bytes literal "
            "is rewritten into a message body")


def is_function(app: CheckedApp, logical_id: Any) -> bool:
    return isinstance(logical_id, str) and app.resource(logical_id).get("Type") in _FUNCTION_TYPES


def function_of(app: CheckedApp, value: Any) -> str | None:
    """The function ``!Ref F``, ``!GetAtt F.Arn``, ``!Sub ${F}`` or ``${F.Arn}`` names."""
    found = intrinsic(value)
    if found is None:
        return function_named(app, value) if isinstance(value, str) else None
    name, arg = found
    if name == "Ref":
        candidate = arg
    elif name == "GetAtt" and isinstance(arg, str) and arg.endswith(".Arn"):
        candidate = arg[: -len(".Arn")]
    elif name == "Sub" and isinstance(arg, str) and arg.startswith("${") and arg.endswith("}"):
        candidate = arg[2:-1].removesuffix(".Arn")
    else:
        return None
    return candidate if is_function(app, candidate) else None


def function_named(app: CheckedApp, name: str) -> str | None:
    """The function whose FunctionName is ``name`` (or the last part of an ARN)."""
    short = name.rsplit(":function:", 1)[-1].split(":")[0]
    for logical_id, resource in (app.template.get("Resources") or {}).items():
        properties = resource.get("Properties") if isinstance(resource, Mapping) else None
        if is_function(app, logical_id) and isinstance(properties, Mapping) and properties.get("FunctionName") == short:
            return logical_id
    return None
