"""`amts segments` and `amts check-roundtrip` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from amts.cli import app

runner = CliRunner()


def test_segments_prints_json_lines(tmp_path):
    chapter = tmp_path / "c.md"
    chapter.write_text(
        "# Title\n:label:`sec_t`\n\nSome `code` here.\n\n```python\nx = 1\n```\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["segments", str(chapter), "--json"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["kind"], r["text"], r["line"]) for r in rows] == [
        ("heading", "Title", 1),
        ("paragraph", "Some `code` here.", 4),
    ]
    assert all(set(r) == {"id", "kind", "text", "line"} for r in rows)


def test_check_roundtrip_counts_files(sample_book, tmp_path):
    result = runner.invoke(app, ["check-roundtrip", str(sample_book)])
    assert result.exit_code == 0, result.stdout
    last = result.stdout.strip().splitlines()[-1]
    total = len(list(sample_book.rglob("*.md")))
    assert last == f"roundtrip: {total}/{total} files identical"


def test_check_roundtrip_fails_on_unreadable_file(tmp_path):
    (tmp_path / "good.md").write_text("ok\n", encoding="utf-8")
    (tmp_path / "bad.md").write_bytes(b"caf\xe9\n")
    result = runner.invoke(app, ["check-roundtrip", str(tmp_path)])
    assert result.exit_code == 1
    assert "bad.md: not valid UTF-8 at byte offset 3" in result.stdout
    assert result.stdout.strip().endswith("roundtrip: 1/2 files identical")


def test_bad_input_is_one_line_without_traceback(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"\x00\x01binary")
    proc = subprocess.run(
        [sys.executable, "-m", "amts", "segments", str(bad)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: {bad}: binary file (NUL byte at offset 0), not markdown"
