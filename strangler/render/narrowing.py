"""Least privilege: the environment, policies and requirements one action's code needs.

Every decision is kept with its reason so ``scan`` and the run's summary can show it.
The rule is "when in doubt, keep": something is dropped only when the code provably cannot
use it, and nothing is ever widened.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from strangler.model import Decision, Narrowing
from strangler.render.needs import Slice
from strangler.template.intrinsics import intrinsic, referenced_ids

# Variables libraries read by convention, by the top-level module that reads them. They
# matter when some code of the monolith also reads them by name (a variable no code reads
# by name is kept anyway: a library reads it).
CONVENTIONAL_ENV = {
    "aws_lambda_powertools": ("POWERTOOLS_", "LOG_LEVEL", "AWS_LAMBDA_LOG_LEVEL"),
    "aws_xray_sdk": ("AWS_XRAY_",),
    "aws_embedded_metrics": ("AWS_EMF_",),
    "sentry_sdk": ("SENTRY_",),
    "ddtrace": ("DD_",),
    "datadog_lambda": ("DD_",),
    "opentelemetry": ("OTEL_",),
    "newrelic": ("NEW_RELIC_",),
}
# Read by the Lambda runtime itself, whatever the code imports.
RUNTIME_ENV = frozenset({"AWS_LAMBDA_EXEC_WRAPPER", "TZ", "PYTHONPATH", "LD_PRELOAD", "LD_LIBRARY_PATH"})

# Libraries that call AWS with clients of their own (the code creates none), by the module
# imported (a prefix of the dotted import), and the services they may call. Their
# policies stay with every slice that imports them. A third-party import not listed here
# counts as calling AWS only through the boto3 clients the code itself creates.
AWS_LIBRARIES: dict[str, tuple[str, ...]] = {
    "pynamodb": ("dynamodb",),
    "dynamodb_encryption_sdk": ("dynamodb", "kms"),
    "aws_encryption_sdk": ("kms",),
    "awswrangler": ("s3", "glue", "athena", "dynamodb", "secretsmanager", "lakeformation"),
    "s3fs": ("s3",),
    "smart_open": ("s3",),
    "aws_lambda_powertools.utilities.idempotency": ("dynamodb",),
    "aws_lambda_powertools.utilities.parameters": ("ssm", "secretsmanager", "appconfig", "dynamodb", "kms"),
    "aws_lambda_powertools.utilities.feature_flags": ("appconfig",),
    "aws_lambda_powertools.utilities.streaming": ("s3",),
    "aws_lambda_powertools.utilities.data_masking": ("kms",),
    "aws_xray_sdk": ("xray",),
    "aurora_data_api": ("rds-data", "secretsmanager"),
    "sqlalchemy_aurora_data_api": ("rds-data", "secretsmanager"),
}

# Import names of distributions whose name says otherwise.
KNOWN_DISTRIBUTIONS = {
    "pyyaml": ("yaml",), "python-dateutil": ("dateutil",), "pyjwt": ("jwt",), "pillow": ("PIL",),
    "beautifulsoup4": ("bs4",), "scikit-learn": ("sklearn",), "opencv-python": ("cv2",),
    "opencv-python-headless": ("cv2",), "protobuf": ("google",), "attrs": ("attr", "attrs"),
    "psycopg2-binary": ("psycopg2",), "psycopg-binary": ("psycopg",), "pymysql": ("pymysql",),
    "aws-lambda-powertools": ("aws_lambda_powertools",), "aws-xray-sdk": ("aws_xray_sdk",),
    "boto3": ("boto3",), "botocore": ("botocore",), "requests": ("requests",), "pydantic": ("pydantic",),
    "python-jose": ("jose",), "msgpack-python": ("msgpack",), "pycryptodome": ("Crypto",),
    "google-api-python-client": ("googleapiclient",), "python-dotenv": ("dotenv",),
    "typing-extensions": ("typing_extensions",), "simplejson": ("simplejson",), "ujson": ("ujson",),
    "orjson": ("orjson",), "jinja2": ("jinja2",), "markupsafe": ("markupsafe",), "stripe": ("stripe",),
}

# Words in a managed policy's or policy template's name, and the service they grant.
_MANAGED_SERVICES = {
    "dynamodb": "dynamodb", "s3": "s3", "sns": "sns", "sqs": "sqs", "kinesis": "kinesis",
    "secretsmanager": "secretsmanager", "ses": "ses", "stepfunctions": "stepfunctions",
    "eventbridge": "events", "ssm": "ssm", "kms": "kms", "athena": "athena", "glue": "glue",
    "appconfig": "appconfig", "rdsdata": "rds-data",
}
_ALWAYS_KEPT_MANAGED = ("AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole", "AWSXRayDaemonWriteAccess",
                        "AWSLambdaExecute", "CloudWatchLambdaInsightsExecutionRolePolicy")
# IAM action prefixes whose service name differs from boto3's client name.
_IAM_TO_CLIENT = {"events": "events", "states": "stepfunctions", "logs": "logs", "execute-api": "apigatewaymanagementapi"}


def narrow(properties: Mapping[str, Any], piece: Slice, requirements: str | None,
           installed: Mapping[str, tuple[str, ...]]) -> Narrowing:
    """Decide what of the monolith's ``properties`` and ``requirements`` ``piece`` needs.

    ``installed`` maps distribution names (normalised) to the import names their installed
    metadata lists, for requirement lines this module's table does not know.
    """
    variables = ((properties.get("Environment") or {}).get("Variables")) or {}
    env = tuple(_env_decision(name, piece) for name in variables)
    kept_env = frozenset(d.item for d in env if d.kept)
    reachable = {target for name in kept_env for target in referenced_ids(variables[name])}
    passed = {name: set(referenced_ids(value)) for name, value in variables.items()}
    policies_value = properties.get("Policies")
    policies: tuple[Decision, ...] = ()
    keep_index: tuple[int, ...] = ()
    # A list of policies, not an intrinsic function (!If [cond, a, b]) that only looks like one.
    if isinstance(policies_value, list) and intrinsic(policies_value) is None:
        policies = tuple(_policy_decision(p, piece, reachable, passed) for p in policies_value)
        keep_index = tuple(i for i, d in enumerate(policies) if d.kept)
    lines = tuple(_requirements(requirements, piece, installed)) if requirements is not None else ()
    text = None if requirements is None else "".join(_line_text(line, keep) for line, keep in lines)
    code = tuple(Decision(text, True, "may have side effects") for text in piece.kept_code)
    return Narrowing(env, policies, tuple(d for _, d in lines if d is not None), kept_env, keep_index, text, code)


def library_services(piece: Slice) -> dict[str, tuple[str, ...]]:
    """The AWS libraries ``piece`` imports (AWS_LIBRARIES), with the services each may call."""
    found = {}
    for module in sorted(piece.imports | piece.top_modules):
        for library, services in AWS_LIBRARIES.items():
            if module == library or module.startswith(library + "."):
                found.setdefault(library, services)
    return found


def _by_libraries(piece: Slice, services: set[str]) -> str | None:
    """Why ``services`` may be called by a library ``piece`` imports, or None."""
    for library, reached in library_services(piece).items():
        common = services & set(reached)
        if common:
            return f"{library} may call {', '.join(sorted(common))}"
    return None


# --- environment --------------------------------------------------------------------------
def _env_decision(name: str, piece: Slice) -> Decision:
    """Kept unless some code of the monolith reads it by name and the slice does not: a
    variable no code names is read by a library (``AWS_EMF_NAMESPACE``, ``SENTRY_DSN``)."""
    if piece.dynamic_env:
        return Decision(name, True, "kept: the code reads os.environ with computed names")
    if name in piece.env_vars:
        return Decision(name, True, "read by the code")
    for module, prefixes in CONVENTIONAL_ENV.items():
        if module in piece.top_modules and name.startswith(prefixes):
            return Decision(name, True, f"read by {module} by convention")
    if name in RUNTIME_ENV or name.startswith("AWS_LAMBDA_"):
        return Decision(name, True, "read by the Lambda runtime")
    if piece.named_env is None or name not in piece.named_env:
        return Decision(name, True, "kept: no code reads it by name, so a library may")
    return Decision(name, False, "read by name only by code this function leaves out")


# --- policies -----------------------------------------------------------------------------
def _policy_decision(policy: Any, piece: Slice, reachable: set[str], passed: Mapping[str, set[str]]) -> Decision:
    label = _policy_label(policy)
    if isinstance(policy, str):
        return _managed_decision(label, policy, piece)
    if not isinstance(policy, dict) or intrinsic(policy) is not None:
        return Decision(label, True, "kept: not a shape strangler reads")
    if "Statement" in policy:
        return _statement_decision(label, policy["Statement"], piece)
    targets = set(referenced_ids(policy))
    if not targets:
        return Decision(label, True, "kept: names no template resource")
    if targets & reachable:
        return Decision(label, True, f"its {', '.join(sorted(targets & reachable))} is passed to the code")
    reason = _by_libraries(piece, _services_named(label))
    if reason:
        return Decision(label, True, reason)
    carriers = sorted(name for name, ids in passed.items() if ids & targets)
    if not carriers:
        return Decision(label, True, "kept: the code may reach its resource without an environment variable")
    return Decision(label, False, f"the code does not read {', '.join(carriers)}, the only way it learns of it")


def _managed_decision(label: str, name: str, piece: Slice) -> Decision:
    if name.split("/")[-1] in _ALWAYS_KEPT_MANAGED:
        return Decision(label, True, "execution basics")
    services = _services_named(name)
    if not services:
        return Decision(label, True, "kept: strangler does not know what it grants")
    if services & piece.services:
        return Decision(label, True, f"the code uses {', '.join(sorted(services & piece.services))}")
    reason = _by_libraries(piece, services)
    if reason:
        return Decision(label, True, reason)
    return Decision(label, False, f"the code creates no {', '.join(sorted(services))} client")


def _services_named(name: str) -> set[str]:
    words = name.split("/")[-1].lower()
    return {service for word, service in _MANAGED_SERVICES.items() if word in words}


def _statement_decision(label: str, statements: Any, piece: Slice) -> Decision:
    actions: list[str] = []
    for statement in statements if isinstance(statements, list) else [statements]:
        value = statement.get("Action") if isinstance(statement, dict) else None
        actions += value if isinstance(value, list) else [value]
    services = set()
    for action in actions:
        if not isinstance(action, str) or ":" not in action:
            return Decision(label, True, "kept: an action strangler cannot read")
        prefix = action.split(":", 1)[0].lower()
        services.add(_IAM_TO_CLIENT.get(prefix, prefix))
    if services & piece.services or "logs" in services or "xray" in services:
        return Decision(label, True, f"the code uses {', '.join(sorted(services & piece.services) or services)}")
    reason = _by_libraries(piece, services)
    if reason:
        return Decision(label, True, reason)
    return Decision(label, False, f"the code creates no {', '.join(sorted(services))} client")


def _policy_label(policy: Any) -> str:
    if isinstance(policy, str):
        return policy
    if isinstance(policy, dict) and "Statement" in policy:
        return "inline statement"
    if isinstance(policy, dict) and len(policy) == 1 and intrinsic(policy) is None:
        (name, value), = policy.items()
        ids = sorted(set(referenced_ids(value)))
        return f"{name}({', '.join(ids)})" if ids else str(name)
    return "policy"


# --- requirements -------------------------------------------------------------------------
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalise(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def _requirements(text: str, piece: Slice, installed: Mapping[str, tuple[str, ...]]) -> Iterable[tuple[str, Decision | None]]:
    for line in text.splitlines(keepends=True):
        match = _NAME.match(line)
        if not match or line.lstrip().startswith(("#", "-")):
            yield line, None
            continue
        distribution = normalise(match.group(1))
        modules = KNOWN_DISTRIBUTIONS.get(distribution) or installed.get(distribution)
        if not modules:
            guess = distribution.replace("-", "_")
            if guess in piece.top_modules:
                yield line, Decision(match.group(1), True, f"imports {guess}")
            else:
                yield line, Decision(match.group(1), True, "kept: strangler cannot tell what it provides")
            continue
        used = sorted(set(modules) & piece.top_modules)
        yield line, Decision(match.group(1), bool(used), f"imports {', '.join(used)}" if used else "not imported")


def _line_text(line: str, decision: Decision | None) -> str:
    return line if decision is None or decision.kept else ""


def summarise(narrowing: Narrowing) -> list[str]:
    """One line per kind of thing dropped, for the run's summary."""
    lines = []
    for kind, decisions in (("policies", narrowing.policies), ("environment", narrowing.env), ("requirements", narrowing.requirements)):
        dropped = [d.item for d in decisions if not d.kept]
        kept = [d.item for d in decisions if d.kept]
        if dropped:
            lines.append(f"{kind}: kept {', '.join(kept) or 'none'}; dropped {', '.join(dropped)}")
    if narrowing.code:
        lines.append(f"kept module-level code {', '.join(d.item for d in narrowing.code)} (may have side effects)")
    return lines


def installed_distributions() -> Mapping[str, tuple[str, ...]]:
    """Import names per installed distribution, from the environment's metadata."""
    return _Installed()


class _Installed(Mapping[str, tuple[str, ...]]):
    """Read on first use: reading every distribution's file list takes tenths of a second,
    and it is needed only for a requirement line :data:`KNOWN_DISTRIBUTIONS` lacks."""

    def __init__(self) -> None:
        self._found: dict[str, tuple[str, ...]] | None = None

    def _read(self) -> dict[str, tuple[str, ...]]:
        if self._found is None:
            from importlib.metadata import packages_distributions

            found: dict[str, set[str]] = {}
            for module, distributions in packages_distributions().items():
                for distribution in distributions:
                    found.setdefault(normalise(distribution), set()).add(module)
            self._found = {name: tuple(sorted(modules)) for name, modules in found.items()}
        return self._found

    def __getitem__(self, name: str) -> tuple[str, ...]:
        return self._read()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())
