"""STR100: a function whose handler dispatches several actions (the first Lambda pitfall).

Found the way ``strangler scan`` finds monoliths (the pipeline's survey), reported at the
handler's ``def``; fixed by ``strangler migrate``, never by ``check --fix``."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence

from strangler.analyse.dispatch import Analysis
from strangler.check.app import CheckedApp
from strangler.check.edits import Edits
from strangler.check.model import Finding, Location, RuleInfo
from strangler.errors import StranglerError
from strangler.pipeline import survey

MONOLITH = RuleInfo(
    code="STR100",
    name="lambda-monolith",
    summary="One function's handler dispatches several actions",
    explanation=("Every action shares one function's memory, timeout, permissions, package and cold start, "
                 "and one action's bug or deploy takes the others down; each action can have its own "
                 "function, routed at its event source."),
)


class MonolithRule:
    infos = (MONOLITH,)

    def find(self, app: CheckedApp) -> Iterable[Finding]:
        try:
            found = survey(app.project, None)
        except (StranglerError, RecursionError):
            return []
        return [self._finding(app, analysis) for analysis in found.monoliths]

    def fix(self, app: CheckedApp, findings: Sequence[Finding], edits: Edits) -> None:
        """Nothing: splitting is ``strangler migrate``'s (the findings are not fixable)."""

    def _finding(self, app: CheckedApp, analysis: Analysis) -> Finding:
        function = analysis.function
        keys = [action.key for action in analysis.dispatch.actions]
        line, col = handler_position(analysis.source, function.handler.rpartition(".")[2])
        count = f"{len(keys)} action{'' if len(keys) == 1 else 's'}"
        return Finding(
            code=MONOLITH.code,
            message=f"{function.logical_id} dispatches {count} in one function (strangler scan shows how to split it)",
            location=Location(app.relative(function.module_path), line, col),
            function_id=function.logical_id,
            explanation=f"Its actions ({', '.join(keys[:6])}{', ...' if len(keys) > 6 else ''}) share one "
                        "function's memory, timeout, permissions and cold start.",
            advice=f"strangler scan, then strangler migrate --function {function.logical_id} "
                   "(or strangler extract ACTION, one at a time)",
            related=(Location(app.relative(function.module_path), analysis.dispatch.line, 1),),
        )


def handler_position(source: str, name: str) -> tuple[int, int]:
    """Line and column (from 1) of the module-level ``def name``; (1, 1) when not found."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return 1, 1
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return node.lineno, node.col_offset + 1
    return 1, 1
