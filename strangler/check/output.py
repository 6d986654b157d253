"""How ``strangler check`` shows its findings: ruff-style text, JSON, or SARIF 2.1.0."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from strangler import __version__
from strangler.check.model import Finding, Location, RuleInfo

INFORMATION_URI = "https://github.com/strangler/strangler#strangler-check"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def text_lines(findings: Sequence[Finding], *, quiet: bool = False,
               style: Callable[[str, str], str] | None = None) -> list[str]:
    """``path:line:col: CODE message`` per finding; unless ``quiet``, the explanation and
    the fix (or the advice) indented under it. ``style(kind, text)`` colours a part."""
    paint = style or (lambda kind, text: text)
    lines: list[str] = []
    for finding in findings:
        lines.append(f"{paint('where', str(finding.location))}: {paint('code', finding.code)} {finding.message}")
        if quiet:
            continue
        if finding.explanation:
            lines.append(f"  {finding.explanation}")
        if finding.fix is not None:
            lines.append(f"  {paint('fix', 'fix:')} {finding.fix}")
        if finding.advice:
            lines.append(f"  {paint('advice', 'advice:')} {finding.advice}")
    return lines


def summary(found: int, remaining: Sequence[Finding], fixed: int | None) -> str:
    """The last line: how many problems, how many ``--fix`` can fix (or fixed)."""
    if fixed is not None:
        if not found:
            return "All checks passed."
        left = len(remaining)
        return f"Found {_problems(found)} ({fixed} fixed, {left} remaining)."
    if not remaining:
        return "All checks passed."
    fixable = sum(1 for finding in remaining if finding.fixable)
    return f"Found {_problems(len(remaining))} ({fixable} fixable with --fix)."


def _problems(count: int) -> str:
    return f"{count} problem{'' if count == 1 else 's'}"


def as_json(findings: Sequence[Finding], infos: Sequence[RuleInfo]) -> list[dict[str, Any]]:
    """The findings for tools: Finding's own field names, plus the rule's name and fixable."""
    names = {info.code: info.name for info in infos}
    return [{
        "code": finding.code,
        "rule": names.get(finding.code, ""),
        "message": finding.message,
        "location": _location(finding.location),
        "function_id": finding.function_id,
        "explanation": finding.explanation,
        "fix": finding.fix,
        "advice": finding.advice,
        "fixable": finding.fixable,
        "related": [_location(where) for where in finding.related],
    } for finding in findings]


def _location(where: Location) -> dict[str, Any]:
    return {"path": where.path, "line": where.line, "col": where.col}


def as_sarif(findings: Sequence[Finding], infos: Sequence[RuleInfo]) -> dict[str, Any]:
    """One SARIF 2.1.0 log with one run: the rules checked and a result per finding.

    Fixes are not carried as SARIF ``fixes``: a fix edits the template and several files
    at once, which only ``strangler check --fix`` applies safely."""
    index = {info.code: number for number, info in enumerate(infos)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "strangler",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(info) for info in infos],
            }},
            "results": [_result(finding, index) for finding in findings],
        }],
    }


def _rule(info: RuleInfo) -> dict[str, Any]:
    return {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.explanation},
        "helpUri": f"{INFORMATION_URI}-{info.code.lower()}",
        "defaultConfiguration": {"level": "warning"},
    }


def _result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    said = " ".join(part for part in (finding.message, finding.explanation,
                                      f"Fix: {finding.fix}" if finding.fix else "",
                                      f"Advice: {finding.advice}" if finding.advice else "") if part)
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": "warning",
        "message": {"text": said},
        "locations": [_physical(finding.location)],
    }
    if finding.code in index:
        result["ruleIndex"] = index[finding.code]
    if finding.related:
        result["relatedLocations"] = [dict(_physical(where), id=number) for number, where in enumerate(finding.related)]
    return result


def _physical(where: Location) -> dict[str, Any]:
    return {"physicalLocation": {
        "artifactLocation": {"uri": _uri(where.path), "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": max(1, where.line), "startColumn": max(1, where.col)},
    }}


def _uri(path: str) -> str:
    """A relative URI reference: the path with the characters a URI cannot hold escaped."""
    return quote(path.replace("\\", "/"), safe="/._-~")
