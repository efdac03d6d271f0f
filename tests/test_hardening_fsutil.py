"""fsutil: regular files only, atomic single writes with the mode `cp` would give, all-or-nothing staging."""

from __future__ import annotations

import os
import stat

import pytest

from amts import fsutil
from amts.errors import InputError, OutputError
from amts.fsutil import (
    STAGE_PREFIX,
    atomic_write,
    read_regular_bytes,
    refuse_overwriting_input,
    staged_folder_writer,
)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _leftovers(root) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.name.startswith(STAGE_PREFIX) or p.suffix == ".tmp"]


@pytest.fixture
def umask():
    old = os.umask(0o022)
    yield lambda value: os.umask(value)
    os.umask(old)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_atomic_write_new_file_honours_umask(tmp_path, umask, mask, expected):
    umask(mask)
    atomic_write(tmp_path / "sub" / "a.md", "text")
    assert _mode(tmp_path / "sub" / "a.md") == expected
    assert (tmp_path / "sub" / "a.md").read_text() == "text"


def test_atomic_write_keeps_existing_mode_and_leaves_no_temp(tmp_path):
    target = tmp_path / "a.md"
    target.write_text("old")
    os.chmod(target, 0o640)
    atomic_write(target, b"new")
    assert _mode(target) == 0o640 and target.read_text() == "new"
    assert _leftovers(tmp_path) == []


def test_atomic_write_to_a_folder_is_one_line_error(tmp_path):
    with pytest.raises(OutputError, match="is a folder"):
        atomic_write(tmp_path, "x")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_atomic_write_unwritable_folder(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    os.chmod(locked, 0o500)
    try:
        with pytest.raises(OutputError, match="not writable"):
            atomic_write(locked / "a.md", "x")
    finally:
        os.chmod(locked, 0o700)


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="FIFO"):
        read_regular_bytes(fifo)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_device_is_refused():
    with pytest.raises(InputError, match="device"):
        read_regular_bytes("/dev/zero")


def test_folder_and_missing_are_refused(tmp_path):
    with pytest.raises(InputError, match="is a folder"):
        read_regular_bytes(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        read_regular_bytes(tmp_path / "nope")


def test_staging_moves_everything_on_success(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.md").write_text("old")
    with staged_folder_writer() as stage:
        stage.write(tmp_path / "out" / "old.md", "new")
        stage.write(tmp_path / "out" / "deep" / "er" / "b.md", "b")
        stage.write(tmp_path / "REPORT.json", "{}")
        assert not (tmp_path / "out" / "deep").exists()  # nothing visible before the end
        assert (tmp_path / "out" / "old.md").read_text() == "old"
    assert (tmp_path / "out" / "old.md").read_text() == "new"
    assert (tmp_path / "out" / "deep" / "er" / "b.md").read_text() == "b"
    assert (tmp_path / "REPORT.json").read_text() == "{}"
    assert _leftovers(tmp_path) == []


def test_staging_failure_leaves_everything_unchanged(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.md").write_text("old")
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    with pytest.raises(RuntimeError), staged_folder_writer() as stage:
        stage.write(tmp_path / "out" / "a.md", "new")
        stage.write(tmp_path / "out" / "sub" / "b.md", "b")
        raise RuntimeError("translation failed midway")
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before
    assert (tmp_path / "out" / "a.md").read_text() == "old"


def test_failure_while_moving_rolls_back(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    for name in "abc":
        (out / f"{name}.md").write_text(f"old {name}")
    real_replace = os.replace
    calls = {"n": 0}

    def flaky(src, dst):
        calls["n"] += 1
        if calls["n"] == 4:  # the second file's move into place
            raise OSError(28, "No space left on device", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(fsutil.os, "replace", flaky)
    with pytest.raises(OutputError, match="nothing was changed"), staged_folder_writer() as stage:
        for name in "abc":
            stage.write(out / f"{name}.md", f"new {name}")
    monkeypatch.setattr(fsutil.os, "replace", real_replace)
    assert {p.name: p.read_text() for p in out.iterdir()} == {f"{n}.md": f"old {n}" for n in "abc"}
    assert _leftovers(tmp_path) == []


def test_destination_turned_folder_is_caught_before_any_move(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.md").write_text("old")
    with pytest.raises(OutputError, match="is a folder"), staged_folder_writer() as stage:
        stage.write(out / "a.md", "new")
        stage.write(out / "b.md", "new")
        (out / "b.md").mkdir()
    assert (out / "a.md").read_text() == "old"
    assert _leftovers(tmp_path) == []


def test_refuse_overwriting_input(tmp_path):
    src = tmp_path / "a.md"
    src.write_text("x")
    link = tmp_path / "link.md"
    link.symlink_to(src)
    with pytest.raises(InputError, match="--source"):
        refuse_overwriting_input(link, {"--source": src})
    with pytest.raises(InputError, match="--report"):
        refuse_overwriting_input(tmp_path / "new.json", {"--report": tmp_path / "x" / ".." / "new.json"})
    refuse_overwriting_input(tmp_path / "other.md", {"--source": src, "--unused": None})
