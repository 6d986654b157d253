"""Reading the code folders: byte-exact text, encodings Python accepts, symlinks followed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from strangler.errors import StranglerError
from strangler.load.files import SourceFiles, as_written
from strangler.load.project import read_sources

BOM = b"\xef\xbb\xbf"


def _app(tmp_path: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return tmp_path


def test_crlf_and_lone_cr_are_kept_and_a_bom_is_taken_off_and_put_back(tmp_path):
    app = _app(tmp_path, {"src/a.py": BOM + b"x = 1\r\ny = 2\r\n", "src/b.py": b"x = 1\ry = 2\n"})
    sources = read_sources(app, [app / "src"])
    assert sources[app / "src/a.py"] == "x = 1\r\ny = 2\r\n"
    assert sources[app / "src/b.py"] == "x = 1\ry = 2\n"
    assert sources.bom == {app / "src/a.py"}
    assert as_written(sources, app / "src/a.py", "z = 3\r\n") == "\ufeffz = 3\r\n"
    assert as_written(sources, app / "src/b.py", "z = 3\n") == "z = 3\n"
    assert as_written({}, app / "src/a.py", "z\n") == "z\n"


@pytest.mark.parametrize("head", [
    b"# -*- coding: utf-8 -*-\n", b"#!/usr/bin/env python3\n# coding=utf8\n", b"# vim: set fileencoding=UTF-8 :\n",
    BOM + b"# -*- coding: utf-8 -*-\n", b"x = 1  # coding: latin-1 (not an encoding line: code comes first)\n",
])
def test_encoding_lines_that_say_utf8_are_read(tmp_path, head):
    app = _app(tmp_path, {"src/m.py": head + "name = 'caf\u00e9'\n".encode()})
    text = read_sources(app, [app / "src"])[app / "src/m.py"]
    assert text.endswith("name = 'caf\u00e9'\n") and not text.startswith("\ufeff")


@pytest.mark.parametrize("data, where, says", [
    (b"x = 1\n# caf\xe9\n", "src/m.py:2", "byte 0xe9 on line 2"),
    (b"# -*- coding: latin-1 -*-\nx = 1\n", "src/m.py:1", "'latin-1'"),
    (b"#!/usr/bin/env python3\n# coding: cp1252\n", "src/m.py:2", "'cp1252'"),
    (b"# coding: no-such-codec\n", "src/m.py:1", "unknown encoding"),
    (BOM + b"# coding: latin-1\n", "src/m.py:1", "BOM"),
])
def test_files_that_are_not_utf8_refuse_when_asked_for_naming_file_and_line(tmp_path, data, where, says):
    app = _app(tmp_path, {"src/m.py": data, "src/ok.py": b"x = 1\n"})
    sources = read_sources(app, [app / "src"])
    assert list(sources) == [app / "src/m.py", app / "src/ok.py"]  # listed: a local module, not a library
    assert sources[app / "src/ok.py"] == "x = 1\n"
    with pytest.raises(StranglerError) as raised:
        sources[app / "src/m.py"]
    assert raised.value.where == where and says in raised.value.message and "UTF-8" in (raised.value.hint or "")


def test_a_requirements_file_is_read_without_looking_for_an_encoding_line(tmp_path):
    app = _app(tmp_path, {"src/requirements.txt": b"# coding: latin-1\r\nboto3\r\n"})
    assert read_sources(app, [app / "src"])[app / "src/requirements.txt"] == "# coding: latin-1\r\nboto3\r\n"


def test_symlinked_files_and_folders_are_followed_and_remembered(tmp_path):
    app = _app(tmp_path / "app", {"src/app.py": b"", "common/util.py": b"U = 1\n"})
    _app(tmp_path, {"vendor/pkg/__init__.py": b"P = 1\n"})
    (app / "src/util.py").symlink_to("../common/util.py")
    (app / "src/pkg").symlink_to(tmp_path / "vendor/pkg")
    sources = read_sources(app, [app / "src"])
    assert sources[app / "src/util.py"] == "U = 1\n" and sources[app / "src/pkg/__init__.py"] == "P = 1\n"
    util, pkg = sources.links[app / "src/util.py"], sources.links[app / "src/pkg/__init__.py"]
    assert (util.link, util.target, util.inside) == (app / "src/util.py", app / "common/util.py", True)
    assert (pkg.link, pkg.target, pkg.inside) == (app / "src/pkg", tmp_path / "vendor/pkg", False)
    assert app / "src/app.py" not in sources.links


def test_folders_that_loop_are_not_walked_again_and_broken_links_refuse_when_asked_for(tmp_path):
    app = _app(tmp_path, {"src/app.py": b"", "src/lib/x.py": b""})
    (app / "src/lib/again").symlink_to("..")
    (app / "src/up").symlink_to("..")
    (app / "src/root").symlink_to("/")
    (app / "src/gone.py").symlink_to("missing.py")
    (app / "src/ping.py").symlink_to("pong.py")
    (app / "src/pong.py").symlink_to("ping.py")
    sources = read_sources(app, [app / "src"])
    assert sorted(p.relative_to(app).as_posix() for p in sources) == [
        "src/app.py", "src/gone.py", "src/lib/x.py", "src/ping.py", "src/pong.py"]
    for name, says in (("gone.py", "missing.py, which does not exist"), ("ping.py", "loops")):
        with pytest.raises(StranglerError, match=says):
            sources[app / "src" / name]


def test_skipped_folders_stay_skipped_and_a_missing_code_folder_gives_nothing(tmp_path):
    app = _app(tmp_path, {"src/app.py": b"", "src/.venv/lib.py": b"\xff", "src/__pycache__/app.py": b""})
    sources = read_sources(app, [app / "src", app / "nowhere"])
    assert list(sources) == [app / "src/app.py"] and isinstance(sources, SourceFiles)
    assert not os.path.exists(app / "nowhere")


def test_a_pipe_named_like_a_module_is_not_read(tmp_path):
    app = _app(tmp_path, {"src/app.py": b""})
    os.mkfifo(app / "src/pipe.py")
    (app / "src/to_pipe.py").symlink_to("pipe.py")
    assert list(read_sources(app, [app / "src"])) == [app / "src/app.py"]
