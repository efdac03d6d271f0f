"""#16 points 2-3 for sync: the manifest tells hand edits from sync's own output, --force keeps a copy, an
empty old English is refused, outputs and report land all together or not at all, inputs are never outputs."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from amts.errors import InputError
from amts.fsutil import STAGE_PREFIX
from amts.sync import sync_paths
from amts.sync.files import BACKUP_FOLDER, MANIFEST_NAME
from tests.test_sync import EN_OLD, ZH_OLD

EN_NEW = EN_OLD.replace("Pooling layers serve two purposes.", "Pooling layers serve a dual purpose.")
CHAPTERS = ("a.md", "part/b.md", "part/deep/c.md")


def _books(tmp_path: Path) -> tuple[Path, Path, Path]:
    roots = []
    for name, text in (("en-old", EN_OLD), ("en-new", EN_NEW), ("zh-old", ZH_OLD)):
        for rel in CHAPTERS:
            path = tmp_path / name / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        roots.append(tmp_path / name)
    return roots[0], roots[1], roots[2]


def _sync(tmp_path: Path, out: Path, **kwargs):
    if (tmp_path / "en-new").is_dir():
        en_old, en_new, zh_old = (tmp_path / name for name in ("en-old", "en-new", "zh-old"))
    else:
        en_old, en_new, zh_old = _books(tmp_path)
    kwargs.setdefault("report", tmp_path / "REPORT.json")
    return sync_paths(en_old, en_new, zh_old, out, "en", "zh", **kwargs)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_unchanged_rerun_into_the_same_out_is_accepted(tmp_path):
    out = tmp_path / "out"
    _sync(tmp_path, out)
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == sorted(CHAPTERS)
    first = _snapshot(out)
    _sync(tmp_path, out)  # the old guard refused this, naming an untouched file
    assert _snapshot(out) == first


def test_hand_edits_are_refused_naming_each_file(tmp_path):
    out = tmp_path / "out"
    _sync(tmp_path, out)
    for rel in ("a.md", "part/deep/c.md"):
        (out / rel).write_text((out / rel).read_text(encoding="utf-8") + "\n人工修改\n", encoding="utf-8")
    before = _snapshot(tmp_path)
    with pytest.raises(InputError) as error:
        _sync(tmp_path, out)
    message = str(error.value)
    assert "\n" not in message
    assert str(out / "a.md") in message and str(out / "part/deep/c.md") in message
    assert str(out / "part/b.md") not in message  # untouched: not named
    assert _snapshot(tmp_path) == before


def test_force_keeps_a_copy_of_each_edit(tmp_path, capsys):
    out = tmp_path / "out"
    _sync(tmp_path, out)
    edited = (out / "part/b.md").read_text(encoding="utf-8") + "\n人工修改\n"
    (out / "part/b.md").write_text(edited, encoding="utf-8")
    _sync(tmp_path, out, force=True)
    backups = list((out / BACKUP_FOLDER).rglob("b.md"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == edited
    assert "人工修改" not in (out / "part/b.md").read_text(encoding="utf-8")
    assert "warning:" in capsys.readouterr().err
    # the backup folder is not a chapter: a further sync neither reads nor reports it
    report = _sync(tmp_path, out)
    assert sorted(f["path"] for f in report["files"]) == sorted(CHAPTERS)


def test_out_equal_to_old_target_updates_in_place(tmp_path):
    en_old, en_new, zh_old = _books(tmp_path)
    sync_paths(en_old, en_new, zh_old, zh_old, "en", "zh", report=tmp_path / "R.json")
    assert (zh_old / MANIFEST_NAME).is_file()


@pytest.mark.parametrize("old_english", ["", "   \n\n"])
def test_empty_old_english_is_refused_not_concatenated(tmp_path, old_english):
    (tmp_path / "en-old.md").write_text(old_english, encoding="utf-8")
    (tmp_path / "en-new.md").write_text(EN_NEW, encoding="utf-8")
    (tmp_path / "zh-old.md").write_text(ZH_OLD, encoding="utf-8")
    with pytest.raises(InputError, match="old English is empty"):
        sync_paths(
            tmp_path / "en-old.md",
            tmp_path / "en-new.md",
            tmp_path / "zh-old.md",
            tmp_path / "zh-old.md",  # --out = the old target: must not be corrupted
            "en",
            "zh",
        )
    assert (tmp_path / "zh-old.md").read_text(encoding="utf-8") == ZH_OLD


def test_a_failure_midway_leaves_out_unchanged_and_no_temp_files(tmp_path, monkeypatch):
    out = tmp_path / "out"
    _sync(tmp_path, out)
    (tmp_path / "en-new" / "part" / "b.md").write_text(EN_NEW + "\nA new paragraph.\n", encoding="utf-8")
    before = _snapshot(tmp_path)
    import amts.fsutil

    real = amts.fsutil.StagedWriter.write
    calls = {"n": 0}

    def failing_write(self, path, data):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return real(self, path, data)

    monkeypatch.setattr(amts.fsutil.StagedWriter, "write", failing_write)
    with pytest.raises(OSError):
        _sync(tmp_path, out)
    assert _snapshot(tmp_path) == before
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(STAGE_PREFIX) or p.suffix == ".tmp"]


def test_new_outputs_are_readable_by_others(tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "out"
        _sync(tmp_path, out)
    finally:
        os.umask(old)
    for rel in (*CHAPTERS, MANIFEST_NAME):
        assert stat.S_IMODE((out / rel).stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "REPORT.json").stat().st_mode) == 0o644


@pytest.mark.parametrize("report_at", ["a chapter output", "an input", "markdown name"])
def test_report_never_overwrites_a_chapter(tmp_path, report_at):
    en_old, en_new, zh_old = _books(tmp_path)
    out = tmp_path / "out"
    report = {
        "a chapter output": out / "a.md",
        "an input": en_new / "a.md",
        "markdown name": tmp_path / "REPORT.md",
    }[report_at]
    before = _snapshot(tmp_path)
    with pytest.raises(InputError, match="--report"):
        sync_paths(en_old, en_new, zh_old, out, "en", "zh", report=report)
    assert _snapshot(tmp_path) == before


def test_out_equal_to_an_english_input_is_refused(tmp_path):
    en_old, en_new, zh_old = _books(tmp_path)
    for english in (en_old, en_new):
        with pytest.raises(InputError, match="input"):
            sync_paths(en_old, en_new, zh_old, english, "en", "zh")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_unreadable_sub_folder_is_an_error(tmp_path):
    en_old, en_new, zh_old = _books(tmp_path)
    locked = en_new / "part"
    os.chmod(locked, 0)
    try:
        with pytest.raises(InputError, match="cannot read this folder"):
            sync_paths(en_old, en_new, zh_old, tmp_path / "out", "en", "zh")
    finally:
        os.chmod(locked, 0o755)


def test_unreadable_sub_folder_is_an_error_even_as_root(tmp_path, monkeypatch):
    """The walk's error handler is what makes it an error (root can read anything, so simulate the refusal)."""
    import amts.sync.files as files

    en_old, en_new, zh_old = _books(tmp_path)
    real_walk = os.walk

    def walk(top, onerror=None, followlinks=False):
        for entry in real_walk(top, onerror=onerror, followlinks=followlinks):
            if entry[0].endswith("part") and onerror:
                onerror(PermissionError(13, "Permission denied", entry[0]))
            yield entry

    monkeypatch.setattr(files.os, "walk", walk)
    with pytest.raises(InputError, match="cannot read this folder"):
        sync_paths(en_old, en_new, zh_old, tmp_path / "out", "en", "zh")
