"""The layers of strangler: no module imports from a layer above its own.

Each top-level module or package of ``strangler/`` has a rank; a module may import from
its own rank or a lower one, never a higher one. The ranks follow the pipeline (load ->
analyse -> plan -> render -> apply), with the plain data at the bottom, the template and
the event sources under the stages that use them, and the commands on top:

- ``errors``, ``model``, ``deep``, ``progress``: the data every stage speaks, the error, the large stack, what a long run tells
- ``template``: what a template holds and how it is read and written (SAM, the one dialect)
- ``sources``: one module per event source; they answer in template nodes
- ``load`` < ``analyse`` < ``plan`` < ``render``: the stages, each a pure function of the one before
- ``pipeline``: the stages wired together, everything but the write
- ``apply``: writes (or diffs) what the pipeline produced
- ``scan``: the scan report (analyse, plan and render, measured), ``verify``, the replay
  of events before and after a split, and ``check``, the other pitfalls found and fixed; then ``cli`` and ``__main__``

Imports inside functions count as much as those at the top: a late import that reaches up
is still a layer turned upside down.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "strangler"

RANKS: dict[str, int] = {
    "__init__": 0,
    "errors": 0,
    "model": 0,
    "deep": 0,
    "progress": 0,
    "template": 1,
    "sources": 2,
    "load": 3,
    "analyse": 4,
    "plan": 5,
    "render": 6,
    "pipeline": 7,
    "apply": 8,
    "scan": 9,
    "scan_graph": 9,
    "verify": 9,
    "check": 9,
    "cli": 10,
    "cliout": 10,
    "__main__": 10,
}

MODULES = sorted(PACKAGE.rglob("*.py"))


def layer_of(path: Path) -> str:
    """The top-level module or package of ``strangler/`` that ``path`` belongs to."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def imported_layers(path: Path) -> list[tuple[int, str]]:
    """(line, layer) for every strangler module ``path`` imports, wherever the import is."""
    found: list[tuple[int, str]] = []
    package = ("strangler", *path.relative_to(PACKAGE).parent.parts)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "strangler":
                    found.append((node.lineno, parts[1] if len(parts) > 1 else "__init__"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                parts = [*base, *(node.module.split(".") if node.module else [])]
            else:
                parts = (node.module or "").split(".")
            if parts[0] != "strangler":
                continue
            if len(parts) > 1:
                found.append((node.lineno, parts[1]))
                continue
            for alias in node.names:  # from strangler import x: x is a layer, or the package's own name
                found.append((node.lineno, alias.name if alias.name in RANKS else "__init__"))
    return found


def test_every_layer_has_a_rank():
    layers = {layer_of(path) for path in MODULES}
    assert layers == set(RANKS), "give every top-level module or package of strangler/ a rank in RANKS"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_module_imports_from_a_layer_above_its_own(path: Path):
    own = layer_of(path)
    upward = [
        f"line {line}: {own} (rank {RANKS[own]}) imports {layer} (rank {RANKS[layer]})"
        for line, layer in imported_layers(path)
        if RANKS[layer] > RANKS[own]
    ]
    assert not upward, "\n".join(upward)
