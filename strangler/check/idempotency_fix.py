"""The code changes of the idempotency fixes, made with libcst so that everything the fix
does not touch (formatting, comments, line endings) stays as written.

- ``add_conditions``: a ``put_item`` statement gets ``ConditionExpression=
  "attribute_not_exists(<hash key>)"`` and a try/except that treats the
  ``ConditionalCheckFailedException`` of a repeat as success.
- ``make_idempotent``: the Powertools idempotency utility, on the handler (``@idempotent``)
  or on the per-record function it calls in its loop (``@idempotent_function``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from strangler.check.idempotency_scope import ModuleScope, decorator_names

_UTILITY = "aws_lambda_powertools.utilities.idempotency"
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# DynamoDB's reserved words are plain words; a name with "_" or a digit is none of them,
# except these. Any other name goes through ExpressionAttributeNames, which is always valid.
_RESERVED_WITH_UNDERSCORE = {"CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "CURRENT_USER", "SESSION_USER",
                             "SYSTEM_USER"}
_EXCEPT = '''try:
    pass
except ClientError as error:
    # A repeated delivery finds the item its first delivery wrote: nothing left to do.
    if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
        raise
'''


def _parse(module: cst.Module, text: str) -> cst.BaseStatement:
    """A statement written in the module's own newline and indentation (a CRLF file stays CRLF)."""
    text = text.replace("    ", module.default_indent).replace("\n", module.default_newline)
    return cst.parse_statement(text, config=module.config_for_parsing)


def condition_arguments(hash_key: str) -> tuple[str, dict[str, str] | None]:
    """The ConditionExpression for ``hash_key`` and the ExpressionAttributeNames it needs."""
    if _IDENTIFIER.match(hash_key) and re.search(r"[_0-9]", hash_key) and hash_key.upper() not in _RESERVED_WITH_UNDERSCORE:
        return f"attribute_not_exists({hash_key})", None
    return "attribute_not_exists(#pk)", {"#pk": hash_key}


def add_conditions(module: cst.Module, keys: dict[tuple[int, int], str]) -> cst.Module:
    """Guard the put_item statements at ``keys`` ((line, col) of the call -> hash key)."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    changed = wrapper.visit(_Conditions(keys, module))
    if changed.code == module.code:
        return module
    return _with_import(changed, "botocore.exceptions", "ClientError")


class _Conditions(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, keys: dict[tuple[int, int], str], module: cst.Module) -> None:
        super().__init__()
        self.keys = keys
        self.module = module

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine) -> cst.BaseStatement:
        if len(original.body) != 1 or not isinstance(original.body[0], cst.Expr):
            return updated
        call = original.body[0].value
        if not isinstance(call, cst.Call):
            return updated
        start = self.get_metadata(PositionProvider, call).start
        key = self.keys.get((start.line, start.column + 1))
        if key is None:
            return updated
        guarded = updated.with_changes(body=[cst.Expr(_with_condition(call, key))], leading_lines=())
        template = _parse(self.module, _EXCEPT)
        assert isinstance(template, cst.Try)
        return template.with_changes(body=template.body.with_changes(body=[guarded]), leading_lines=updated.leading_lines)


def _with_condition(call: cst.Call, key: str) -> cst.Call:
    expression, names = condition_arguments(key)
    added = [cst.Arg(cst.SimpleString(f'"{expression}"'), keyword=cst.Name("ConditionExpression"))]
    if names is not None:
        pairs = ", ".join(f'"{k}": "{v}"' for k, v in names.items())
        added.append(cst.Arg(cst.parse_expression(f"{{{pairs}}}"), keyword=cst.Name("ExpressionAttributeNames")))
    return call.with_changes(args=_append_args(call, added))


def _append_args(call: cst.Call, added: list[cst.Arg]) -> list[cst.Arg]:
    """``added`` after the call's arguments, laid out like them: one per line when the
    call has a trailing comma (each on its own line), else inline."""
    args = list(call.args)
    equal = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
    added = [arg.with_changes(equal=equal) for arg in added]
    last = args[-1]
    if isinstance(last.comma, cst.Comma):  # trailing comma: the new ones go on their own lines
        between = cst.Comma(whitespace_after=call.whitespace_before_args)
        args[-1] = last.with_changes(comma=between)
        added = [arg.with_changes(comma=between) for arg in added[:-1]] + [added[-1].with_changes(comma=last.comma)]
        return args + added
    space = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    args[-1] = last.with_changes(comma=space)
    return args + [arg.with_changes(comma=space) for arg in added[:-1]] + [added[-1]]


# --- the Powertools idempotency utility -------------------------------------------------
@dataclass(frozen=True)
class Decoration:
    """How one handler is made idempotent."""

    handler: str
    event_key: str | None  # event_key_jmespath of the whole event (or of the record)
    record_function: str | None = None  # decorated with @idempotent_function instead
    record_argument: str | None = None  # its parameter that receives the record


def make_idempotent(module: cst.Module, scope: ModuleScope, decoration: Decoration) -> cst.Module:
    """The module with the handler (or its per-record function) made idempotent."""
    store = _binding_of(scope, "DynamoDBPersistenceLayer") or _free(scope, "persistence_layer")
    config = _free(scope, "idempotency_config") if decoration.record_function is None else \
        _free(scope, "record_idempotency_config")
    helper = "idempotent_function" if decoration.record_function else "idempotent"
    body = list(module.body)
    lines = []
    if store not in scope.bindings:
        lines.append(f'{store} = DynamoDBPersistenceLayer(table_name=os.environ["IDEMPOTENCY_TABLE"])')
    key = f"event_key_jmespath={decoration.event_key!r}".replace("'", '"') if decoration.event_key else ""
    lines.append(f"{config} = IdempotencyConfig({key})")
    statements = [_parse(module, line + "\n") for line in lines]
    statements[0] = statements[0].with_changes(leading_lines=[cst.EmptyLine()])
    at = _after_imports(body)
    body[at:at] = statements
    module = module.with_changes(body=body)
    module = module.visit(_Decorate(module, decoration, store, config))
    for name in ("DynamoDBPersistenceLayer", "IdempotencyConfig", helper):
        module = _with_import(module, _UTILITY, name)
    return _with_module_import(module, "os")


def _binding_of(scope: ModuleScope, constructor: str) -> str | None:
    for name, value in scope.bindings.items():
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == constructor:
            return name
    return None


def _free(scope: ModuleScope, base: str) -> str:
    name, n = base, 1
    while name in scope.bindings or name in scope.imports or name in scope.functions:
        n += 1
        name = f"{base}_{n}"
    return name


class _Decorate(cst.CSTTransformer):
    def __init__(self, module: cst.Module, decoration: Decoration, store: str, config: str) -> None:
        super().__init__()
        self.module, self.decoration, self.store, self.config = module, decoration, store, config
        # The def a name is bound to in the end: a wrapper defined under the handler's name
        # is what runs, and the function it wraps must not be decorated too.
        self.bound = {statement.name.value: statement for statement in module.body
                      if isinstance(statement, cst.FunctionDef)}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # module-level functions only

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False  # a method of the same name is not the handler

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        name = original.name.value
        decoration = self.decoration
        if self.bound.get(name) is not original:
            return updated
        if decoration.record_function is None and name == decoration.handler:
            return _decorated(updated, f"idempotent(persistence_store={self.store}, config={self.config})")
        if name == decoration.record_function:
            argument = f'data_keyword_argument="{decoration.record_argument}", '
            return _decorated(updated, f"idempotent_function({argument}persistence_store={self.store}, "
                                       f"config={self.config})")
        if name == decoration.handler:
            return _register_context(self.module, _keyword_calls(updated, decoration), self.config)
        return updated


def _decorated(function: cst.FunctionDef, text: str) -> cst.FunctionDef:
    """The Powertools decorator innermost (right above ``def``): it must see the event and
    context the other decorators (Logger, Tracer) pass on."""
    if decorator_names(function) and decorator_names(function)[-1] in ("idempotent", "idempotent_function"):
        return function
    decorator = cst.Decorator(cst.parse_expression(text))
    return function.with_changes(decorators=[*function.decorators, decorator])


def _keyword_calls(handler: cst.FunctionDef, decoration: Decoration) -> cst.FunctionDef:
    """``save_order(record)`` -> ``save_order(record=record)``: idempotent_function reads
    its data from a keyword argument."""
    name, argument = decoration.record_function, decoration.record_argument

    class _Keyword(cst.CSTTransformer):
        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
            if isinstance(updated.func, cst.Name) and updated.func.value == name and len(updated.args) == 1 \
                    and updated.args[0].keyword is None and not updated.args[0].star:
                equal = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
                return updated.with_changes(args=[updated.args[0].with_changes(keyword=cst.Name(argument), equal=equal)])
            return updated

    return handler.visit(_Keyword())  # type: ignore[return-value]


def _register_context(module: cst.Module, handler: cst.FunctionDef, config: str) -> cst.FunctionDef:
    """idempotent_function learns the remaining time from the handler's context."""
    params = handler.params.params
    if len(params) < 2 or not isinstance(handler.body, cst.IndentedBlock):
        return handler
    line = f"{config}.register_lambda_context({params[1].name.value})"
    if line in cst.Module([]).code_for_node(handler.body):
        return handler
    body = list(handler.body.body)
    docstring = 1 if body and _is_docstring(body[0]) else 0
    body.insert(docstring, _parse(module, line + "\n"))
    return handler.with_changes(body=handler.body.with_changes(body=body))


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.Expr) \
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))


# --- imports ---------------------------------------------------------------------------
def _after_imports(body: list[cst.BaseStatement]) -> int:
    """The index after the module's docstring and top-level imports."""
    at = 1 if body and _is_docstring(body[0]) else 0
    for index, statement in enumerate(body):
        if isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], (cst.Import, cst.ImportFrom)):
            at = index + 1
    return at


def _imported(module: cst.Module, source: str, name: str) -> bool:
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and small.module is not None and not isinstance(small.names, cst.ImportStar) \
                    and cst.Module([]).code_for_node(small.module) == source \
                    and any(isinstance(a.name, cst.Name) and a.name.value == name and a.asname is None for a in small.names):
                return True
            if isinstance(small, cst.Import) and source == "" and any(
                    cst.Module([]).code_for_node(a.name) == name and a.asname is None for a in small.names):
                return True
    return False


def _with_import(module: cst.Module, source: str, name: str) -> cst.Module:
    if _imported(module, source, name):
        return module
    existing = _from_statement(module, source)
    if existing is not None:
        index, statement = existing
        small = statement.body[0]
        assert isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar)
        names = list(small.names)
        last = names[-1]
        comma = last.comma if isinstance(last.comma, cst.Comma) else cst.MaybeSentinel.DEFAULT
        between = cst.Comma(whitespace_after=small.lpar.whitespace_after if small.lpar else cst.SimpleWhitespace(" "))
        names = [*names[:-1], last.with_changes(comma=between), cst.ImportAlias(cst.Name(name), comma=comma)]
        body = list(module.body)
        body[index] = statement.with_changes(body=[small.with_changes(names=names)])
        return module.with_changes(body=body)
    return _insert_import(module, _parse(module, f"from {source} import {name}\n"))


def _with_module_import(module: cst.Module, name: str) -> cst.Module:
    if _imported(module, "", name):
        return module
    return _insert_import(module, _parse(module, f"import {name}\n"))


def _from_statement(module: cst.Module, source: str) -> tuple[int, cst.SimpleStatementLine] | None:
    for index, statement in enumerate(module.body):
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
            small = statement.body[0]
            if isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative \
                    and not isinstance(small.names, cst.ImportStar) and cst.Module([]).code_for_node(small.module) == source:
                return index, statement
    return None


def _insert_import(module: cst.Module, line: cst.BaseStatement) -> cst.Module:
    body = list(module.body)
    at = _after_imports(body)
    body.insert(at, line)
    return module.with_changes(body=body)
