"""Which module-level statements may act on the world when the module is imported.

Splitting a monolith drops the module-level code an action does not use; code that runs
for its effect (``patch_all()``, ``sentry_sdk.init(...)``, ``load_dotenv()``, a local
``config.init()``) has no name anyone uses, so the dependency graph alone would drop it.
The rule, "keep when in doubt":

- a statement that binds nothing (a call, ``stripe.api_key = ...``,
  ``os.environ["X"] = ...``, ``del``, ``assert``) has an effect;
- a compound statement at module level (``if``, ``try``, ``with``, ``for``, ``while``,
  ``match``), other than ``if __name__ == "__main__":``, has an effect, whatever it binds
  (``try: import ujson as json`` / ``except ImportError: import json`` included);
- a binding (``x = ...``) has an effect when its value calls something that may act on
  global state: a callable of the table below (``Tracer()`` patches boto3 for X-Ray),
  a callable whose name says it initialises, sets up, configures, registers, patches,
  installs, bootstraps, enables, activates or instruments (``client = init_everything()``),
  or a function or class of the same module whose body acts on module state (a
  ``global``, a call made for its effect, a store into an object it did not create);
- definitions, imports, docstrings and bindings of anything else are not effects: a
  library constructor (``requests.Session()``, ``boto3.client("s3")``) is bound for its
  users and goes with them.

The slicer keeps an effect statement in every new function unless every module-level
name it acts on belongs to code the function drops.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator

# Qualified callables known to act on process-wide state when called.
EFFECT_CALLS = (
    "aws_xray_sdk.core.patch", "aws_xray_sdk.core.patch_all", "aws_xray_sdk.core.xray_recorder.",
    "aws_lambda_powertools.Tracer", "aws_lambda_powertools.tracing.Tracer", "aws_lambda_powertools.tracing.tracer.Tracer",
    "sentry_sdk.init", "dotenv.load_dotenv", "logging.basicConfig", "logging.config.", "logging.disable",
    "logging.captureWarnings", "boto3.setup_default_session", "warnings.", "os.environ.setdefault",
    "os.environ.update", "os.putenv", "os.chdir", "sys.path.", "sys.setrecursionlimit", "ddtrace.",
    "datadog_lambda.", "newrelic.agent.initialize", "opentelemetry.trace.set_tracer_provider", "atexit.register",
    "signal.signal", "socket.setdefaulttimeout", "locale.setlocale", "nest_asyncio.apply", "django.setup",
    "mimetypes.add_type", "decimal.getcontext", "random.seed",
)
# Names that say a call sets something up (checked on the last part of the callee).
_EFFECT_VERB = re.compile(
    r"^_*(?:init|initiali[sz]e|setup|set_up|configure|register|patch|install|bootstrap|enable|activate|instrument)"
    r"(?:$|_|[A-Z])|^(?:load_dotenv|basicConfig|dictConfig|fileConfig|setdefault|filterwarnings|simplefilter)$"
)
# Calls inside a local function that only report: not effects on module state.
_REPORTING = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "print"}
_COMPOUND = (ast.If, ast.Try, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While, ast.Match) + (
    (ast.TryStar,) if hasattr(ast, "TryStar") else ()
)
_DEFERRED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


class Effects:
    """Classifies the top-level statements of one module (given as ``ast`` groups)."""

    def __init__(self, groups: list[list[ast.stmt]]) -> None:
        self.imports = dict(_import_map(node for group in groups for node in group))
        self.local: dict[str, ast.AST] = {}
        for group in groups:
            for node in group:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    self.local.setdefault(node.name, node)
        self._acting: dict[str, bool] = {}

    def of(self, group: list[ast.stmt]) -> bool:
        """Whether the statement (its ``ast`` nodes) may act on the world when it runs."""
        return any(self._statement(node) for node in group)

    def _statement(self, node: ast.stmt) -> bool:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom,
                             ast.Pass, ast.Global, ast.Nonlocal)):
            return False
        if isinstance(node, _COMPOUND):
            return not _is_main_guard(node)
        if isinstance(node, ast.Expr):
            return not isinstance(node.value, ast.Constant)  # docstrings and ``...``
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if not all(_binds_names_only(target) for target in targets):
                return True  # stores into an object: ``stripe.api_key = ...``
            return node.value is not None and self.calls_effect(node.value)
        if hasattr(ast, "TypeAlias") and isinstance(node, ast.TypeAlias):
            return False
        return True  # del, assert, raise, anything new: keep when in doubt

    def calls_effect(self, expression: ast.AST, local_names: frozenset[str] = frozenset()) -> bool:
        """Whether evaluating ``expression`` calls something that may act on global state."""
        for call in _calls(expression):
            if self._call_acts(call, local_names):
                return True
        return False

    def _call_acts(self, call: ast.Call, local_names: frozenset[str]) -> bool:
        dotted = _dotted(call.func)
        if dotted is None:
            return False
        first, _, rest = dotted.partition(".")
        if first in local_names:
            return False  # a method of something the function made itself
        qualified = self.imports.get(first, first) + ("." + rest if rest else "")
        if any(qualified == name or qualified.startswith(name if name.endswith(".") else name + ".") for name in EFFECT_CALLS):
            return True
        if _EFFECT_VERB.search(dotted.rpartition(".")[2]):
            return True
        if not rest and first in self.local and first not in self.imports:
            return self._local_acts(first)
        return False

    def _local_acts(self, name: str) -> bool:
        """Whether calling the module's own function (or class) ``name`` acts on module state."""
        if name in self._acting:
            return self._acting[name]
        self._acting[name] = False  # recursion: assume not while looking
        node = self.local[name]
        if isinstance(node, ast.ClassDef):
            bodies = [m for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
                      and m.name in ("__init__", "__new__", "__post_init__")]
        else:
            bodies = [node]
        acting = any(self._function_acts(body) for body in bodies)
        self._acting[name] = acting
        return acting

    def _function_acts(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        local_names = frozenset(_locals_of(function))
        for node in _own_nodes(function):
            if isinstance(node, ast.Global):
                return True
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                dotted = _dotted(node.value.func) or ""
                root, last = dotted.partition(".")[0], dotted.rpartition(".")[2]
                if last in _REPORTING or (root in local_names and root != dotted):
                    continue
                if root in self.local and root == dotted and not self._local_acts(root):
                    continue
                return True  # a call made for its effect
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                for target in targets:
                    if not _binds_names_only(target) and _root(target) not in local_names:
                        return True  # stores into an object it did not create
            if isinstance(node, ast.Call) and self._call_acts(node, local_names):
                return True
        return False


def _import_map(nodes: Iterable[ast.stmt]) -> Iterator[tuple[str, str]]:
    """Bound name -> what it imports, dotted (relative imports keep their dots)."""
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    yield alias.asname, alias.name
                else:
                    yield alias.name.split(".")[0], alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            for alias in node.names:
                if alias.name != "*":
                    yield alias.asname or alias.name, f"{base}.{alias.name}" if base else alias.name


def _calls(expression: ast.AST) -> Iterator[ast.Call]:
    """Calls that run when ``expression`` is evaluated (not those in lambdas)."""
    stack = [expression]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _own_nodes(function: ast.AST) -> Iterator[ast.AST]:
    """Every node of a function's body, not those of functions or classes nested in it."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, _DEFERRED):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _locals_of(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    args = function.args
    names = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a is not None}
    declared = set()
    for node in _own_nodes(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Global):
            declared.update(node.names)
    return names - declared


def _binds_names_only(target: ast.AST) -> bool:
    if isinstance(target, ast.Name):
        return True
    if isinstance(target, (ast.Tuple, ast.List)):
        return all(_binds_names_only(element) for element in target.elts)
    if isinstance(target, ast.Starred):
        return _binds_names_only(target.value)
    return False


def _root(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Call):  # boto3.resource("dynamodb").Table(...): the outer call's name
        inner = _dotted(node.func)
        return None if inner is None else ".".join([inner, *reversed(parts)])
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _is_main_guard(node: ast.stmt) -> bool:
    """``if __name__ == "__main__":`` and ``if TYPE_CHECKING:`` never run in Lambda."""
    test = node.test if isinstance(node, ast.If) else None
    if isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__":
        return True
    typing_only = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )
    return typing_only and not node.orelse


def describe(source_lines: list[str], group: list[ast.stmt], width: int = 60) -> str:
    """A statement as reports show it: its first line as written, cut to ``width``."""
    first = group[0]
    lines = source_lines[first.lineno - 1 : group[-1].end_lineno or first.lineno]
    text = lines[0].strip() if lines else ast.unparse(first)
    if len(lines) > 1 and not text.endswith(" ..."):
        text += " ..."
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."
