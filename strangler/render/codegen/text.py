"""A module's text from the text of its statements, each written once per run.

Taking actions out of a monolith one commit at a time writes the trimmed module after
every action: most of its statements are the same objects step after step (LibCST nodes
are immutable, an edit makes new ones), so their text is kept and a step writes only the
statements it changed. ``module_code(m) == m.code``, token for token: this does what
``Module._codegen_impl`` does.
"""

from __future__ import annotations

import libcst as cst
from libcst._nodes.internal import CodegenState

# id(statement) -> (statement, config, text, last token). The statement is held so that its
# id is not reused while it is cached; the cache is emptied when it grows past the bound.
_CACHE: dict[int, tuple[cst.CSTNode, tuple[str, str], str, str | None]] = {}
_BOUND = 200_000


def module_code(module: cst.Module) -> str:
    config = (module.default_indent, module.default_newline)
    pieces = [_code(node, config, cached=False) for node in module.header]
    pieces += [_code(node, config, cached=True) for node in module.body]
    pieces += [_code(node, config, cached=False) for node in module.footer]
    written = [(text, last) for text, last in pieces if last is not None]
    if module.has_trailing_newline:
        return "".join(text for text, _ in written) if written else module.default_newline
    if not written:
        return ""
    # Like ``pop_trailing_newline``: the file's last token (a newline) goes.
    text, last = written[-1]
    written[-1] = (text[: len(text) - len(last or "")], last)
    return "".join(text for text, _ in written)


def statement_code(module: cst.Module, statement: cst.CSTNode) -> str:
    """The text of one of ``module``'s statements, as :func:`module_code` writes it."""
    return _code(statement, (module.default_indent, module.default_newline), cached=True)[0]


def _code(node: cst.CSTNode, config: tuple[str, str], cached: bool) -> tuple[str, str | None]:
    if cached:
        hit = _CACHE.get(id(node))
        if hit is not None and hit[0] is node and hit[1] == config:
            return hit[2], hit[3]
    state = CodegenState(default_indent=config[0], default_newline=config[1])
    node._codegen(state)
    text, last = "".join(state.tokens), (state.tokens[-1] if state.tokens else None)
    if cached:
        if len(_CACHE) >= _BOUND:
            _CACHE.clear()
        _CACHE[id(node)] = (node, config, text, last)
    return text, last
