"""Local modules: the files of the code folder that an action's imports need, transitively."""

from __future__ import annotations

import gc
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from strangler.analyse.facts import FactCache, Import
from strangler.analyse.localmods import LocalModules
from strangler.errors import StranglerError

CODE = Path("/project/src")

BILLING = {
    "app.py": "import boto3\nfrom lib.money import to_cents\n",
    "requirements.txt": "boto3\n",
    "lib/__init__.py": "",
    "lib/money.py": "from decimal import Decimal\nfrom .rounding import half_up\n",
    "lib/rounding.py": "import math\n",
    "lib/refunds.py": "from . import money\nimport requests\n",
    "lib/unused.py": "X = 1\n",
    "web/__init__.py": "from .responses import ok\n",
    "web/responses.py": "import json\n",
    "web/api/__init__.py": "",
    "web/api/v1.py": "from ..responses import ok\nfrom .. import legacy\n",
    "web/legacy.py": "",
    "shared.py": "from lib.rounding import half_up\n",
}


def needed(imports: str, package: str = "", files: dict[str, str] = BILLING) -> list[str]:
    """The local files the import statements ``imports``, written in ``package``, need."""
    sources = {CODE / name: text for name, text in files.items()}
    facts = FactCache()
    modules = LocalModules(CODE, sources, lambda path: path.relative_to(CODE.parent).as_posix())
    module = cst.parse_module(textwrap.dedent(imports))
    files_needed = modules.files(facts.of(module).imports, package)
    return [path.relative_to(CODE).as_posix() for path in files_needed]


def test_from_a_submodule_import_brings_the_package_init_and_the_submodule():
    assert needed("from lib.money import to_cents\n") == ["lib/__init__.py", "lib/money.py", "lib/rounding.py"]


def test_from_a_package_import_a_submodule():
    assert needed("from lib import refunds\n") == [
        "lib/__init__.py",
        "lib/money.py",
        "lib/refunds.py",
        "lib/rounding.py",
    ]


def test_import_of_a_dotted_module():
    assert needed("import lib.rounding\n") == ["lib/__init__.py", "lib/rounding.py"]


def test_relative_imports_inside_a_package_are_resolved_from_that_package():
    assert needed("from .responses import ok\n", package="web") == ["web/__init__.py", "web/responses.py"]


def test_parent_relative_imports_of_a_subpackage():
    assert needed("import web.api.v1\n") == [
        "web/__init__.py",
        "web/api/__init__.py",
        "web/api/v1.py",
        "web/legacy.py",
        "web/responses.py",
    ]


def test_imports_are_followed_transitively_through_top_level_modules():
    assert needed("import shared\n") == ["lib/__init__.py", "lib/rounding.py", "shared.py"]


def test_third_party_and_standard_library_imports_are_ignored():
    assert needed("import boto3\nimport json\nfrom botocore.exceptions import ClientError\n") == []


def test_a_local_module_with_a_syntax_error_is_refused_with_its_path_and_line():
    files = {**BILLING, "lib/money.py": "from decimal import Decimal\ndef to_cents(:\n    pass\n"}

    with pytest.raises(StranglerError) as caught:
        needed("from lib.money import to_cents\n", files=files)

    assert caught.value.where == "src/lib/money.py:2"
    assert caught.value.message.startswith("syntax error:")


def test_successive_renders_give_the_same_files():
    chain = {CODE / f"step{i}.py": f"import step{i + 1}\n" for i in range(30)}
    chain[CODE / "step30.py"] = ""
    counts = []
    for _ in range(10):
        modules = LocalModules(CODE, chain, str)
        counts.append(len(modules.files([Import("step0", (), 0)], "")))
        del modules
        gc.collect()

    assert counts == [31] * 10
