"""Write a SAM monolith whose handler dispatches through one long chain of branches.

``benchmarks.generate`` grows a realistic app around a dispatch *table*; this one grows the
dispatch *itself*: ``lambda_handler`` compares ``event["detail-type"]`` with N string
constants in one of three shapes, and each branch calls a one-line handler, so the size of
the chain and nothing else grows with N. It is what deep inputs look like to strangler and
to the libraries under it: an ``elif`` chain is a ``If.orelse`` nested N deep.

- ``chain``: ``if k == "A0": ... elif k == "A1": ... else: <default>``
- ``match``: ``match k: case "A0": ... case _: <default>``
- ``sequence``: ``if k == "A0": return ...`` N times, then the default

The same ``(actions, shape)`` always writes the same bytes.

    python -m benchmarks.branches 5000 /tmp/chain5000 --shape chain
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

SHAPES = ("chain", "match", "sequence")

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: A monolith dispatching {count} detail-types through one {shape}

Globals:
  Function:
    Runtime: python3.12
    Timeout: 10

Resources:
  MonolithFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.lambda_handler
      Events:
        Everything:
          Type: EventBridgeRule
          Properties:
            Pattern:
              source:
                - shop.core
              detail-type:
{detail_types}"""

HEAD = '''\
"""Every shop.core event, dispatched on its detail-type ({count} of them, one {shape})."""
import logging

logger = logging.getLogger()


def record(kind, number, detail):
    logger.info("%s %s", kind, number)
    return {{"kind": kind, "number": number, "id": detail.get("id")}}
'''

HANDLER = '''

def {function}(detail):
    return record("{key}", {number}, detail)
'''

DISPATCH = '''

def lambda_handler(event, context):
    detail_type = event["detail-type"]
    detail = event.get("detail") or {{}}
{dispatch}'''

DEFAULT = 'logger.warning("no handler for %s", detail_type)\n{pad}return {{"status": "ignored"}}\n'


def key(number: int) -> str:
    return f"Event{number:05d}Happened"


def function(number: int) -> str:
    return f"on_event_{number:05d}"


def keys_of(actions: int) -> list[str]:
    return [key(i) for i in range(actions)]


def _dispatch(actions: int, shape: str) -> str:
    lines = []
    if shape == "chain":
        for i in range(actions):
            word = "if" if i == 0 else "elif"
            lines.append(f'    {word} detail_type == "{key(i)}":\n        return {function(i)}(detail)\n')
        lines.append("    else:\n        " + DEFAULT.format(pad="        "))
    elif shape == "match":
        lines.append("    match detail_type:\n")
        for i in range(actions):
            lines.append(f'        case "{key(i)}":\n            return {function(i)}(detail)\n')
        lines.append("        case _:\n            " + DEFAULT.format(pad="            "))
    elif shape == "sequence":
        for i in range(actions):
            lines.append(f'    if detail_type == "{key(i)}":\n        return {function(i)}(detail)\n')
        lines.append("    " + DEFAULT.format(pad="    "))
    else:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}")
    return "".join(lines)


def render_app(actions: int, shape: str) -> str:
    parts = [HEAD.format(count=actions, shape=shape)]
    parts.extend(HANDLER.format(function=function(i), key=key(i), number=i) for i in range(actions))
    parts.append(DISPATCH.format(dispatch=_dispatch(actions, shape)))
    return "".join(parts)


def generate(root: Path, actions: int, shape: str = "chain") -> Path:
    """Write the app into ``root`` (created if needed) and return ``root``."""
    if actions < 1:
        raise ValueError("actions must be at least 1")
    root = Path(root)
    source = render_app(actions, shape)
    (root / "src").mkdir(parents=True, exist_ok=True)
    detail_types = "".join(f"                - {k}\n" for k in keys_of(actions))
    (root / "template.yaml").write_text(TEMPLATE.format(count=actions, shape=shape, detail_types=detail_types), encoding="utf-8")
    (root / "src" / "app.py").write_text(source, encoding="utf-8")
    (root / "src" / "requirements.txt").write_text("", encoding="utf-8")
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.branches", description=__doc__.split("\n\n")[0])
    parser.add_argument("actions", type=int, help="number of branches")
    parser.add_argument("directory", type=Path, help="where to write the app (created if needed)")
    parser.add_argument("--shape", choices=SHAPES, default="chain")
    args = parser.parse_args(argv)
    generate(args.directory, args.actions, args.shape)
    print(f"{args.directory}: {args.actions} branches, one {args.shape}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
