"""One Lambda sandbox: a fresh interpreter that imports one function's handler from its
own folder and runs it on events sent one per line, like a warm Lambda.

Run as ``python -m strangler.verify.sandbox``. The first line is the function (code
folder, handler, environment, name); each following line an event with its seed and
clock. Each answer is one line: the result or the exception. The handler's own output
goes to stderr, so nothing it prints can be taken for an answer. Time is frozen and
``random``/``uuid4`` are seeded per event, so the same event gives the same answer in
every sandbox: a difference is the split's, not the clock's.
"""

from __future__ import annotations

import json
import os
import random
import sys
import traceback
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from strangler.verify.lambdaload import FakeContext, load

FROZEN_AT = "2024-01-01T00:00:00Z"


def main() -> None:
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # what the handler prints goes where logs go, never into the answers
    sys.stdout = sys.stderr
    config = json.loads(sys.stdin.readline())
    os.environ.update(config["env"])
    context = FakeContext(function_name=config["name"])
    try:
        with load(Path(config["code_dir"]), config["handler"], {}) as handler:
            _serve(answers, lambda request: _run(handler, request, context))
    except BaseException as exc:  # an import that fails is every event's answer, as on Lambda
        failed = {"raised": type(exc).__name__, "message": f"at import: {exc}", "where": _where(exc)}
        _serve(answers, lambda request: failed)


def _serve(answers: Any, answer: Any) -> None:
    for line in sys.stdin:
        answers.write(json.dumps(answer(json.loads(line)), default=str) + "\n")
        answers.flush()


def _run(handler: Any, request: dict[str, Any], context: Any) -> dict[str, Any]:
    rng = random.Random(request["seed"])
    random.seed(request["seed"])
    with ExitStack() as stack:
        stack.enter_context(_frozen(request.get("time", FROZEN_AT)))
        stack.enter_context(_seeded_uuid(rng))
        try:
            result = handler(request["event"], context)
        except BaseException as exc:  # the handler's exception is the answer, whatever it is
            return {"raised": type(exc).__name__, "message": str(exc), "where": _where(exc)}
    return {"returned": _plain(result)}


def _frozen(moment: str) -> Any:
    from freezegun import freeze_time

    return freeze_time(moment, ignore=["botocore", "boto3", "urllib3", "moto"])


class _seeded_uuid:
    def __init__(self, rng: random.Random):
        self.rng, self.saved = rng, uuid.uuid4

    def __enter__(self) -> None:
        uuid.uuid4 = lambda: uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def __exit__(self, *exc: object) -> None:
        uuid.uuid4 = self.saved


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""


if __name__ == "__main__":
    main()
