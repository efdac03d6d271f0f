"""#16 point 3 outside sync: commands never overwrite their own input, translate writes all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amts.cli import app
from amts.engines import get_engine
from amts.errors import AmtsError
from amts.fsutil import STAGE_PREFIX
from amts.sync import sync_paths
from amts.translate_doc import translate_path
from tests.test_sync import EN_OLD, ZH_OLD

runner = CliRunner()
EN_NEW = EN_OLD.replace("Pooling layers serve two purposes.", "Pooling layers serve a dual purpose.")


@pytest.fixture
def report(tmp_path: Path) -> Path:
    for name, text in (("en-old.md", EN_OLD), ("en-new.md", EN_NEW), ("zh-old.md", ZH_OLD)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    path = tmp_path / "REPORT.json"
    sync_paths(
        tmp_path / "en-old.md", tmp_path / "en-new.md", tmp_path / "zh-old.md", tmp_path / "zh.md", "en", "zh",
        report=path,
    )  # fmt: skip
    return path


def _refused(args: list[str], protected: Path) -> None:
    before = protected.read_bytes()
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert isinstance(result.exception, AmtsError), result.exception
    assert "input" in str(result.exception) and "\n" not in str(result.exception)
    assert protected.read_bytes() == before


def test_align_out_equal_to_source_is_refused(tmp_path):
    (tmp_path / "en.md").write_text(EN_OLD, encoding="utf-8")
    (tmp_path / "zh.md").write_text(ZH_OLD, encoding="utf-8")
    for victim in ("en.md", "zh.md"):
        args = ["align", str(tmp_path / "en.md"), str(tmp_path / "zh.md"), "--out", str(tmp_path / victim)]
        _refused(args, tmp_path / victim)


def test_review_out_equal_to_report_is_refused(report):
    _refused(["review", str(report), "--out", str(report)], report)


def test_xliff_export_out_equal_to_report_is_refused(report):
    _refused(["xliff", "export", str(report), "--out", str(report)], report)


def test_feedback_memory_equal_to_report_is_refused(report):
    _refused(["feedback", "--report", str(report), "--memory", str(report), "--target-lang", "zh"], report)


def test_translate_failure_midway_leaves_out_unchanged(tmp_path, monkeypatch):
    book = tmp_path / "book"
    for rel in ("a.md", "b.md", "sub/c.md"):
        (book / rel).parent.mkdir(parents=True, exist_ok=True)
        (book / rel).write_text(EN_OLD, encoding="utf-8")
    out = tmp_path / "out"
    engine = get_engine("pseudo")
    translate_path(book, out, engine, "en", "zh")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    import amts.translate_doc as module

    real = module.translate_document
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("engine failed on the third chapter")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "translate_document", failing)
    (book / "a.md").write_text(EN_NEW, encoding="utf-8")
    with pytest.raises(RuntimeError):
        translate_path(book, out, engine, "en", "zh")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(STAGE_PREFIX)]
    assert json.dumps(sorted(str(p.relative_to(out)) for p in before)) == json.dumps(
        ["a.md", "b.md", "sub/c.md"]
    )
