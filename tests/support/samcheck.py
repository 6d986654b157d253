"""Translate and lint a SAM template offline, the way ``sam deploy`` would see it.

``translate`` runs the real SAM translator (the code CloudFormation's
``AWS::Serverless-2016-10-31`` transform runs), after doing what ``sam package``
does to local paths: every local ``CodeUri``/``ContentUri``/``DefinitionUri`` becomes
``s3://bucket/<path>.zip``.  ``lint`` runs cfn-lint on the resulting plain
CloudFormation, so rules see exactly what would be deployed.

A template without the SAM transform is plain CloudFormation: it is not translated, only
packaged as ``aws cloudformation package`` does it (a local ``Code`` folder of an
``AWS::Lambda::Function`` becomes ``{S3Bucket, S3Key}``) and linted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

# Translation and function code live in the package: ``strangler verify`` uses them too.
from strangler.verify.translate import (  # noqa: F401  (re-exported for the tests)
    FunctionCode,
    function_code,
    inline_includes,
    is_local_uri,
    is_sam,
    load_template,
    package,
    s3_uri,
    translate,
)

# cfn-lint rules whose verdict depends on today's date (runtime deprecation
# calendars), not on the template: a fixture on python3.11 went from clean to
# "E2533" on 2026-08-31.  Ignored by default so tests do not rot.
DATE_DEPENDENT_RULES: tuple[str, ...] = ("E2531", "E2533", "W2531")


# --------------------------------------------------------------------------- lint


def lint(
    cfn: Mapping[str, Any],
    *,
    ignore_rules: Iterable[str] = DATE_DEPENDENT_RULES,
    regions: Iterable[str] = ("us-east-1",),
) -> list[str]:
    """cfn-lint error findings for a translated template, as ``"E1234 message @ path"``.

    Warnings (W) and informational findings (I) are dropped: they flag style, not
    templates CloudFormation would reject.  Runs in-process via ``cfnlint.api.lint``.
    """
    from cfnlint.api import ManualArgs
    from cfnlint.api import lint as cfn_lint

    config = ManualArgs(regions=list(regions), ignore_checks=list(ignore_rules))
    matches = cfn_lint(json.dumps(cfn, indent=1, default=str), config=config)
    return [_describe(m) for m in matches if m.rule.severity == "error"]


def _describe(match: Any) -> str:
    where = getattr(match, "path_string", None) or f"line {match.linenumber}"
    return f"{match.rule.id} {match.message} @ {where}"


def assert_valid(template_path: Path, *, require_paths: bool = True) -> dict[str, Any]:
    """Translate and lint; fail with every finding, else return the CloudFormation."""
    cfn = translate(template_path, require_paths=require_paths)
    findings = lint(cfn)
    if findings:
        listing = "\n".join(f"  - {finding}" for finding in findings)
        raise AssertionError(f"cfn-lint errors in translated {template_path}:\n{listing}")
    return cfn
