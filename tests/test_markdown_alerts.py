"""GitHub alerts (`> [!NOTE]` ... `> [!CAUTION]`): the marker line is protected and stays on its own line."""

from __future__ import annotations

import re

import pytest

from amts.markdown import parse, render
from tests.helpers import run_cli

ALERT_RE = re.compile(r"^\s*>\s*\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*$", re.MULTILINE)
CHAPTER = """# Title

> [!TIP]
> Use `x` when you train.

> [!WARNING]
> Careful with this.
> Second line.

> A plain quote.
"""


def test_alert_marker_is_not_text_to_translate():
    doc = parse(CHAPTER)
    assert render(doc, {}) == CHAPTER
    texts = [s.text for s in doc.segments]
    assert texts == ["Title", "Use `x` when you train.", "Careful with this. Second line.", "A plain quote."]


def test_translate_pseudo_keeps_the_alert_on_its_own_line(tmp_path):
    (tmp_path / "a.md").write_text(CHAPTER, encoding="utf-8")
    run_cli("translate", str(tmp_path / "a.md"), "--target-lang", "es", "--engine", "pseudo",
            "--out", str(tmp_path / "a.es.md"))  # fmt: skip
    out = (tmp_path / "a.es.md").read_text(encoding="utf-8")
    assert ALERT_RE.findall(out) == ["TIP", "WARNING"]
    lines = out.splitlines()
    tip = lines.index("> [!TIP]")
    assert lines[tip + 1].startswith("> ") and "`x`" in lines[tip + 1]  # the quote goes on below it


@pytest.mark.corpus
def test_hf_course_alerts_survive_translation(hf_data, tmp_path):
    files = [p for p in sorted((hf_data / "en").rglob("*.mdx")) if ALERT_RE.search(p.read_text("utf-8"))]
    if not files:
        pytest.skip("no alert in this snapshot")
    for n, path in enumerate(files):
        (tmp_path / "en").mkdir(exist_ok=True)
        (tmp_path / "en" / f"{n}.mdx").write_text(path.read_text("utf-8"), encoding="utf-8")
    run_cli("translate", str(tmp_path / "en"), "--target-lang", "es", "--engine", "pseudo",
            "--out", str(tmp_path / "es"))  # fmt: skip
    total = 0
    for n, path in enumerate(files):
        before = ALERT_RE.findall(path.read_text("utf-8"))
        after = ALERT_RE.findall((tmp_path / "es" / f"{n}.mdx").read_text("utf-8"))
        assert after == before, path
        total += len(before)
    assert total >= 10


def test_sync_keeps_alerts_on_their_line(tmp_path):
    old_en = "# Title\n\n> [!TIP]\n> Use the pipeline for quick tests.\n\nMore text.\n"
    new_en = old_en.replace("quick tests", "fast tests with models") + "\n> [!WARNING]\n> New warning.\n"
    old_es = "# Título\n\n> [!TIP]\n> Usa el pipeline para pruebas rápidas.\n\nMás texto.\n"
    for name, text in {"en-old": old_en, "en-new": new_en, "es": old_es}.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.md").write_text(text, encoding="utf-8")
    run_cli(
        "sync", "--old-source", str(tmp_path / "en-old"), "--new-source", str(tmp_path / "en-new"),
        "--old-target", str(tmp_path / "es"), "--target-lang", "es", "--engine", "pseudo",
        "--out", str(tmp_path / "out"), "--report", str(tmp_path / "r.json"),
    )  # fmt: skip
    out = (tmp_path / "out" / "a.md").read_text(encoding="utf-8")
    assert ALERT_RE.findall(out) == ["TIP", "WARNING"]
    lines = out.splitlines()
    assert lines[lines.index("> [!TIP]") + 1].startswith("> ") and "\n\n> [!WARNING]\n> " in out
