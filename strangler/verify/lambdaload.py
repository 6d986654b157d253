"""Import and call a Lambda handler from a code folder, in isolation.

Split functions typically each ship an ``app.py`` and a copy of ``shared.py``; a plain
``import app`` in one test process would hand every folder the first folder's module.
``load``/``invoke`` make each call behave like a fresh Lambda sandbox whose
``/var/task`` is ``code_dir``: the folder is first on ``sys.path``, modules it
provides are imported fresh and forgotten afterwards (restoring whatever they
shadowed), and the environment is restored.  No ``__pycache__`` is written into
``code_dir``, so generated output trees stay byte-identical.

Not thread-safe: it edits process-global ``sys.path``, ``sys.modules`` and
``os.environ``.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

Handler = Callable[[Any, Any], Any]


@dataclass
class FakeContext:
    """The subset of the Lambda context object handlers commonly touch."""

    function_name: str = "function"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 128
    aws_request_id: str = "req-1"
    invoked_function_arn: str = ""
    log_group_name: str = "/aws/lambda/function"
    log_stream_name: str = "2024/01/01/[$LATEST]0"
    remaining_time_in_millis: int = 30_000

    def __post_init__(self) -> None:
        if not self.invoked_function_arn:
            self.invoked_function_arn = (
                f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"
            )

    def get_remaining_time_in_millis(self) -> int:
        """Fixed, so handlers that budget their time behave deterministically."""
        return self.remaining_time_in_millis


def parse_handler(handler: str) -> tuple[str, str]:
    """``"app.fn"``, ``"pkg/mod.fn"`` or ``"pkg.mod.fn"`` -> (module name, attribute)."""
    module_path, _, attribute = handler.rpartition(".")
    module = module_path.removeprefix("./").replace("/", ".")
    if not module or not attribute:
        raise ValueError(f"handler must look like 'module.function', got {handler!r}")
    return module, attribute


@contextmanager
def load(code_dir: Path, handler: str, env: Mapping[str, str] | None = None) -> Iterator[Handler]:
    """Yield the handler callable, imported fresh from ``code_dir`` under ``env``.

    Call it inside the ``with`` block: imports done lazily by the handler are only
    isolated while the block is open.
    """
    module_name, attribute = parse_handler(handler)
    with _environment(env or {}), _isolated_imports(Path(code_dir).resolve()):
        module = importlib.import_module(module_name)
        function = getattr(module, attribute, None)
        if not callable(function):
            raise AttributeError(f"{module_name} ({module.__file__}) has no callable {attribute!r}")
        yield function


def invoke(
    code_dir: Path,
    handler: str,
    event: Any,
    env: Mapping[str, str] | None = None,
    *,
    context: Any = None,
) -> Any:
    """Run ``handler(event, context)`` from ``code_dir``; handler exceptions propagate."""
    with load(code_dir, handler, env) as function:
        return function(event, context if context is not None else FakeContext())


# --------------------------------------------------------------------------- environment


@contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    """Overlay ``env`` on ``os.environ``; afterwards undo every change, the handler's too."""
    saved = dict(os.environ)
    os.environ.update({key: str(value) for key, value in env.items()})
    try:
        yield
    finally:
        for key in set(os.environ) - set(saved):
            del os.environ[key]
        for key, value in saved.items():
            if os.environ.get(key) != value:
                os.environ[key] = value


# --------------------------------------------------------------------------- imports


@contextmanager
def _isolated_imports(code_dir: Path) -> Iterator[None]:
    if not code_dir.is_dir():
        raise FileNotFoundError(f"code folder {code_dir} does not exist")
    local = _top_level_names(code_dir)
    before = set(sys.modules)
    shadowed = _pop_modules(lambda name, module: _top(name) in local)
    saved_path, saved_bytecode = list(sys.path), sys.dont_write_bytecode
    sys.path.insert(0, str(code_dir))
    sys.dont_write_bytecode = True
    importlib.invalidate_caches()
    try:
        yield
    finally:
        _pop_modules(
            lambda name, module: _top(name) in local
            or (name not in before and _lives_under(module, code_dir))
        )
        sys.modules.update(shadowed)
        sys.path[:] = saved_path
        sys.path_importer_cache.pop(str(code_dir), None)
        sys.dont_write_bytecode = saved_bytecode


def _top_level_names(code_dir: Path) -> set[str]:
    """Module/package names importable from the folder, minus the stdlib.

    The stdlib is excluded because Lambda's runtime has already imported it before
    ``/var/task`` is searched, so a local ``types.py`` would not shadow it there either.
    """
    names = set()
    for entry in code_dir.iterdir():
        if entry.is_dir() and entry.name.isidentifier():
            names.add(entry.name)
        elif entry.suffix in (".py", ".so", ".pyd"):
            names.add(entry.name.split(".", 1)[0])
    return names - set(sys.stdlib_module_names)


def _pop_modules(predicate: Callable[[str, ModuleType], bool]) -> dict[str, ModuleType]:
    popped = {name: module for name, module in list(sys.modules.items()) if predicate(name, module)}
    for name in popped:
        del sys.modules[name]
    return popped


def _top(name: str) -> str:
    return name.split(".", 1)[0]


def _lives_under(module: ModuleType, folder: Path) -> bool:
    locations = [getattr(module, "__file__", None), *(getattr(module, "__path__", None) or [])]
    prefix = str(folder) + os.sep
    return any(
        isinstance(location, str) and os.path.realpath(location).startswith(prefix)
        for location in locations
    )
