"""How long a handler module takes to import: a cold-start proxy for ``scan --import-time``.

The module runs in a fresh interpreter from a temporary copy, with every environment
variable its function declares set (literal values as written, a placeholder for
intrinsics), so module-level ``os.environ[...]`` reads succeed. Clients are created but never called, so no AWS access happens.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

_SCRIPT = """
import sys, time
sys.path.insert(0, sys.argv[1])
start = time.perf_counter()
__import__(sys.argv[2])
print(time.perf_counter() - start)
"""


def import_seconds(files: Mapping[str, str], module: str, env: Mapping[str, str], runs: int = 3) -> float | None:
    """Best of ``runs`` imports of ``module`` from ``files``; None if it cannot be imported."""
    with tempfile.TemporaryDirectory(prefix="strangler-import-") as temp:
        for relative, text in files.items():
            target = Path(temp) / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        env = {**os.environ, **env, "PYTHONDONTWRITEBYTECODE": "1"}
        env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        best = None
        for _ in range(runs):
            done = subprocess.run(
                [sys.executable, "-c", _SCRIPT, temp, module], env=env, capture_output=True, text=True, timeout=60
            )
            if done.returncode != 0:
                return None
            seconds = float(done.stdout.strip().splitlines()[-1])
            best = seconds if best is None else min(best, seconds)
        return best
