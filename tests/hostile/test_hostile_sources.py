"""Hostile Python sources: line endings, BOMs, encodings, symlinks under CodeUri.

A file strangler does not change stays byte for byte; what it writes follows the file it
comes from (CRLF, BOM, encoding line). A file that is not UTF-8 is refused, named with its
line, when the run needs it. A symlinked module or package is copied into a new function as
``sam build`` would, and the run says so; a symlinked file is never rewritten nor replaced
by a regular file; dangling links and loops do not crash.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import git
import pytest

from tests.support.apps import FIXTURES
from tests.support.hostile import accepted, app_copy, refused, repository

BOM = b"\xef\xbb\xbf"
ORDERS = ("eventbridge-orders", "extract-ordershipped", ("extract", "OrderShipped"))
INVENTORY = ("match-inventory", "extract-stock-counted", ("extract", "stock_counted"))


def _python(path: str) -> bool:
    return path.endswith(".py") or path.rsplit("/", 1)[-1] == "requirements.txt"


def _crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


def _with_bom(data: bytes) -> bytes:
    return BOM + data if data else data


def _rewrite_sources(app: Path, change: Callable[[bytes], bytes]) -> None:
    for path in app.rglob("*"):
        if path.is_file() and not path.is_symlink() and _python(path.name) and ".git" not in path.parts:
            path.write_bytes(change(path.read_bytes()))


def _files(root: Path) -> dict[str, bytes]:
    """Files below ``root`` by relative path; a symlink (to a file or a folder) as its
    target's text, not followed."""
    found = {}
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in (".git", "__pycache__")]
        here = Path(folder)
        for name in [*filenames, *(d for d in dirnames if (here / d).is_symlink())]:
            path = here / name
            found[path.relative_to(root).as_posix()] = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
    return found


def _app(fixture: str, tmp_path: Path, prepare: Callable[[Path], None]) -> Path:
    """A fixture copy, changed by ``prepare``, then committed as the user's repository."""
    app = app_copy(fixture, tmp_path)
    prepare(app)
    repository(app)
    return app


def _expected(fixture: str, scenario: str, change: Callable[[bytes], bytes] = lambda d: d) -> dict[str, bytes]:
    tree = _files(FIXTURES / fixture / "expected" / scenario)
    return {path: change(data) if _python(path) else data for path, data in tree.items()}


# --- line endings and BOM: the result is the reviewed tree, in the sources' own form ------
@pytest.mark.parametrize("fixture, scenario, args", [ORDERS, INVENTORY], ids=["eventbridge-orders", "match-inventory"])
def test_a_crlf_app_gives_the_reviewed_result_with_crlf_on_every_line(tmp_path, fixture, scenario, args):
    app = _app(fixture, tmp_path, lambda app: _rewrite_sources(app, _crlf))
    accepted(app, *args)
    assert _files(app) == _expected(fixture, scenario, _crlf)


def test_a_bom_on_every_python_file_stays_and_new_files_copy_it(tmp_path):
    fixture, scenario, args = ORDERS
    app = app_copy(fixture, tmp_path)
    _rewrite_sources(app, _with_bom)
    accepted(app, *args)
    assert _files(app) == _expected(fixture, scenario, _with_bom)


def test_a_crlf_app_with_boms_migrates_to_the_reviewed_tree(tmp_path):
    both = lambda data: _with_bom(_crlf(data))  # noqa: E731
    app = _app("match-inventory", tmp_path, lambda app: _rewrite_sources(app, both))
    accepted(app, "migrate")
    assert _files(app) == _expected("match-inventory", "migrate", both)


def test_only_requirements_txt_in_crlf_keeps_crlf_in_the_narrowed_copies(tmp_path):
    fixture, scenario, args = INVENTORY
    app = app_copy(fixture, tmp_path)
    requirements = app / "src" / "requirements.txt"
    requirements.write_bytes(_crlf(requirements.read_bytes()))
    accepted(app, *args)
    crlf_requirements = lambda path: path.endswith("requirements.txt")  # noqa: E731
    expected = {p: _crlf(d) if crlf_requirements(p) else d for p, d in _expected(fixture, scenario).items()}
    assert _files(app) == expected


def test_old_mac_line_endings_give_the_reviewed_result_with_cr_on_every_line(tmp_path):
    fixture, scenario, args = ORDERS
    app = app_copy(fixture, tmp_path)
    cr = lambda data: data.replace(b"\n", b"\r")  # noqa: E731
    _rewrite_sources(app, cr)
    accepted(app, *args)
    assert _files(app) == _expected(fixture, scenario, cr)


def test_commit_steps_of_a_crlf_app_commit_the_crlf_bytes(tmp_path):
    fixture, scenario, args = ORDERS
    app = _app(fixture, tmp_path, lambda app: _rewrite_sources(app, _crlf))
    repo = git.Repo(app)
    accepted(app, *args, "--commit")
    expected = _expected(fixture, scenario, _crlf)
    assert _files(app) == expected
    for path in ("src/app.py", "functions/order_shipped/app.py", "functions/order_shipped/requirements.txt"):
        assert repo.head.commit.tree[path].data_stream.read() == expected[path]
    assert not repo.is_dirty(untracked_files=True)


def test_mixed_line_endings_keep_each_untouched_line_as_it_was(tmp_path):
    fixture, scenario, args = INVENTORY
    app = app_copy(fixture, tmp_path)
    handler = app / "src" / "handler.py"
    lines = handler.read_bytes().splitlines(keepends=True)
    handler.write_bytes(b"".join(_crlf(line) if i % 3 == 1 else line for i, line in enumerate(lines)))
    crlf_lines = {line.strip() for i, line in enumerate(lines) if i % 3 == 1}
    accepted(app, *args)
    expected = _expected(fixture, scenario)
    for path in ("src/handler.py", "functions/stock_counted/handler.py"):
        result = (app / path).read_bytes()
        assert result.replace(b"\r\n", b"\n") == expected[path]
        # LF first line: what strangler writes (the new docstring) ends in LF; a line ends in
        # CRLF only where the monolith's line did (re-indented, when its branch is inlined).
        for line in result.splitlines(keepends=True):
            if line.endswith(b"\r\n"):
                assert line.strip() in crlf_lines, line
        assert sum(line.endswith(b"\r\n") for line in result.splitlines(keepends=True)) > 10


def test_an_encoding_line_stays_on_top_of_the_monolith_and_of_the_new_module(tmp_path):
    fixture, scenario, args = ORDERS
    app = app_copy(fixture, tmp_path)
    cookie = b"# -*- coding: utf-8 -*-\n"
    module = app / "src" / "app.py"
    module.write_bytes(cookie + module.read_bytes())
    accepted(app, *args)
    expected = _expected(fixture, scenario)
    for path in ("src/app.py", "functions/order_shipped/app.py"):
        expected[path] = cookie + expected[path]
    assert _files(app) == expected


# --- encodings that are not UTF-8 -------------------------------------------------------
def test_a_latin1_monolith_without_encoding_line_is_refused_with_its_line(tmp_path):
    app = app_copy("eventbridge-orders", tmp_path, git_repo=True)
    module = app / "src" / "app.py"
    module.write_bytes(module.read_bytes().replace(b"# --- business constants", b"# --- constantes m\xe9tier", 1))
    line = next(number for number, text in enumerate(module.read_bytes().split(b"\n"), 1) if b"\xe9" in text)
    assert line > 1
    output = refused(app, "extract", "OrderShipped", names=(f"src/app.py:{line}", "not a UTF-8 file", "iconv"))
    assert "0xe9" in output


def test_a_monolith_that_declares_latin1_is_refused_at_its_encoding_line(tmp_path):
    app = app_copy("eventbridge-orders", tmp_path, git_repo=True)
    module = app / "src" / "app.py"
    module.write_bytes(b"# -*- coding: latin-1 -*-\n" + module.read_bytes().replace(b"constants", b"constantes m\xe9tier", 1))
    refused(app, "extract", "OrderShipped", names=("src/app.py:1", "'latin-1'", "UTF-8", "iconv -f latin-1"))


def test_an_ascii_monolith_that_declares_cp1252_on_line_two_is_refused(tmp_path):
    app = app_copy("eventbridge-orders", tmp_path, git_repo=True)
    module = app / "src" / "app.py"
    module.write_bytes(b"#!/usr/bin/env python3\n# vim: set fileencoding=cp1252 :\n" + module.read_bytes())
    refused(app, "migrate", names=("src/app.py:2", "'cp1252'"))


def test_a_bom_with_an_encoding_line_python_refuses_is_refused(tmp_path):
    app = app_copy("eventbridge-orders", tmp_path, git_repo=True)
    module = app / "src" / "app.py"
    module.write_bytes(BOM + b"# coding=utf8\n" + module.read_bytes())
    refused(app, "extract", "OrderShipped", names=("src/app.py:1", "BOM", "'utf8'"))


def test_a_latin1_module_the_action_imports_is_refused_with_its_name_and_line(tmp_path):
    app = app_copy("eventbridge-orders", tmp_path, git_repo=True)
    shared = app / "src" / "handlers_extra.py"
    shared.write_bytes(b"# Exp\xe9dition des commandes\n" + shared.read_bytes())
    refused(app, "extract", "OrderShipped", names=("src/handlers_extra.py:1", "not a UTF-8 file"))


def test_a_latin1_file_nothing_imports_is_left_alone(tmp_path):
    fixture, scenario, args = ORDERS
    app = app_copy(fixture, tmp_path, git_repo=True)
    tool = app / "src" / "legacy_tool.py"
    tool.write_bytes(b"# outil l\xe9gu\xe9\nprint('ok')\n")
    accepted(app, *args)
    assert _files(app) == {**_expected(fixture, scenario), "src/legacy_tool.py": b"# outil l\xe9gu\xe9\nprint('ok')\n"}


def test_migrate_refuses_to_delete_a_latin1_file_it_cannot_show(tmp_path):
    def prepare(app: Path) -> None:
        (app / "src" / "legacy_tool.py").write_bytes(b"print('ok')\n# outil l\xe9gu\xe9\n")

    app = _app("eventbridge-orders", tmp_path, prepare)
    refused(app, "migrate", names=("src/legacy_tool.py:2", "not a UTF-8 file"))


def test_a_requirements_txt_that_is_not_utf8_is_refused_with_its_line(tmp_path):
    app = app_copy("match-inventory", tmp_path, git_repo=True)
    requirements = app / "src" / "requirements.txt"
    requirements.write_bytes(requirements.read_bytes() + b"# d\xe9pendances\n")
    refused(app, "extract", "stock_counted", names=("src/requirements.txt:3", "not a UTF-8 file"))


# --- symlinks under CodeUri ---------------------------------------------------------------
def _link_out(app: Path, relative: str, target: Path) -> None:
    """Move ``app/relative`` to ``target`` and leave a relative symlink in its place."""
    source = app / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    source.rename(target)
    source.symlink_to(os.path.relpath(target, source.parent))


def test_a_symlinked_module_is_copied_into_the_new_function_and_reported(tmp_path):
    fixture, scenario, args = ORDERS
    app = _app(fixture, tmp_path, lambda app: _link_out(app, "src/shared.py", app / "common" / "shared.py"))
    result = accepted(app, *args)
    copy = app / "functions" / "order_shipped" / "shared.py"
    assert not copy.is_symlink() and copy.read_bytes() == (app / "common" / "shared.py").read_bytes()
    assert os.readlink(app / "src" / "shared.py") == "../common/shared.py"
    expected = _expected(fixture, scenario)
    expected["common/shared.py"] = expected["src/shared.py"]
    expected["src/shared.py"] = b"../common/shared.py"
    assert _files(app) == expected
    assert "functions/order_shipped/shared.py is a copy of src/shared.py, which is a symlink to common/shared.py" in result.output


def test_a_symlinked_requirements_txt_is_narrowed_into_a_regular_file_and_reported(tmp_path):
    fixture, scenario, args = INVENTORY
    app = _app(fixture, tmp_path, lambda app: _link_out(app, "src/requirements.txt", app / "deps" / "requirements.txt"))
    result = accepted(app, *args)
    copy = app / "functions" / "stock_counted" / "requirements.txt"
    assert not copy.is_symlink() and copy.read_bytes() == _expected(fixture, scenario)[copy.relative_to(app).as_posix()]
    assert (app / "src" / "requirements.txt").is_symlink()
    assert "functions/stock_counted/requirements.txt is a copy of src/requirements.txt" in result.output


def test_a_symlinked_package_outside_the_app_is_copied_and_reported(tmp_path):
    app = app_copy("eventbridge-orders", tmp_path, git_repo=True)
    vendor = tmp_path / "vendor" / "shared"
    vendor.mkdir(parents=True)
    (vendor / "__init__.py").write_bytes((app / "src" / "shared.py").read_bytes())
    (app / "src" / "shared.py").unlink()
    (app / "src" / "shared").symlink_to(vendor)
    result = accepted(app, "extract", "OrderShipped")
    copy = app / "functions" / "order_shipped" / "shared" / "__init__.py"
    assert not copy.parent.is_symlink() and copy.read_bytes() == (vendor / "__init__.py").read_bytes()
    assert not (app / "functions" / "order_shipped" / "shared.py").exists()
    assert "functions/order_shipped/shared/__init__.py is a copy of src/shared/__init__.py" in result.output
    assert "outside the application" in result.output


def test_a_symlinked_monolith_module_is_refused_naming_the_link_and_its_target(tmp_path):
    app = _app("eventbridge-orders", tmp_path, lambda app: _link_out(app, "src/app.py", app / "real" / "app.py"))
    refused(app, "extract", "OrderShipped", names=("src/app.py", "symlink to real/app.py", "cp --remove-destination"))


def test_migrate_removes_a_symlinked_module_link_but_not_its_target(tmp_path):
    app = _app("eventbridge-orders", tmp_path, lambda app: _link_out(app, "src/shared.py", app / "common" / "shared.py"))
    before = (app / "common" / "shared.py").read_bytes()
    result = accepted(app, "migrate")
    assert not os.path.lexists(app / "src" / "shared.py")
    assert (app / "common" / "shared.py").read_bytes() == before
    assert "src/shared.py (the symlink only; common/shared.py stays)" in result.output
    assert (app / "functions" / "order_shipped" / "shared.py").read_bytes() == before


def test_migrate_leaves_the_files_of_a_symlinked_package_where_they_are(tmp_path):
    app = app_copy("eventbridge-orders", tmp_path)
    vendor = app / "vendor" / "shared"
    vendor.mkdir(parents=True)
    (vendor / "__init__.py").write_bytes((app / "src" / "shared.py").read_bytes())
    (app / "src" / "shared.py").unlink()
    (app / "src" / "shared").symlink_to("../vendor/shared")
    repository(app)  # the link and its target are committed, as a team would have them
    result = accepted(app, "migrate")
    assert (vendor / "__init__.py").is_file()
    assert (app / "src" / "shared").is_symlink()
    assert not (app / "src" / "app.py").exists()
    assert "src/shared/ is a symlink to vendor/shared: its files were left in place" in result.output
    assert (app / "functions" / "order_placed" / "shared" / "__init__.py").is_file()


def test_a_dangling_symlink_nothing_imports_is_left_alone(tmp_path):
    fixture, scenario, args = ORDERS
    app = app_copy(fixture, tmp_path, git_repo=True)
    (app / "src" / "old_tool.py").symlink_to("gone.py")
    accepted(app, *args)
    assert _files(app) == {**_expected(fixture, scenario), "src/old_tool.py": b"gone.py"}


def test_a_dangling_symlink_the_action_imports_is_refused(tmp_path):
    app = app_copy("eventbridge-orders", tmp_path, git_repo=True)
    (app / "src" / "handlers_extra.py").unlink()
    (app / "src" / "handlers_extra.py").symlink_to("../moved/handlers_extra.py")
    refused(app, "extract", "OrderShipped", names=("src/handlers_extra.py", "../moved/handlers_extra.py", "does not exist"))


def test_symlink_loops_neither_hang_nor_crash(tmp_path):
    fixture, scenario, args = ORDERS
    app = app_copy(fixture, tmp_path, git_repo=True)
    (app / "src" / "again").symlink_to(".")
    (app / "src" / "up").symlink_to("..")
    (app / "src" / "root").symlink_to("/")
    (app / "src" / "ping.py").symlink_to("pong.py")
    (app / "src" / "pong.py").symlink_to("ping.py")
    accepted(app, *args)
    links = {"src/again": b".", "src/up": b"..", "src/root": b"/", "src/ping.py": b"pong.py", "src/pong.py": b"ping.py"}
    assert _files(app) == {**_expected(fixture, scenario), **links}


def test_a_symlink_loop_the_action_imports_is_refused(tmp_path):
    app = app_copy("eventbridge-orders", tmp_path, git_repo=True)
    (app / "src" / "handlers_extra.py").unlink()
    (app / "src" / "handlers_extra.py").symlink_to("loop.py")
    (app / "src" / "loop.py").symlink_to("handlers_extra.py")
    refused(app, "extract", "OrderShipped", names=("src/handlers_extra.py", "loops"))
