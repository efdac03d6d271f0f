"""`amts sync` on files and folders: outputs, REPORT.json, refusals, no partial output on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amts.cli import app
from amts.errors import AmtsError, OutputError
from amts.sync import TOTAL_KEYS, sync_paths
from tests.test_sync import EN_OLD, ZH_OLD

runner = CliRunner()
EN_NEW = EN_OLD.replace("Pooling layers serve two purposes.", "Pooling layers serve a dual purpose.")


def _book(root: Path, name: str, chapters: dict[str, str]) -> Path:
    folder = root / name
    for rel, text in chapters.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    return folder


def _run(*args: str):
    return runner.invoke(app, ["sync", *args])


def test_file_sync_writes_output_and_report(tmp_path):
    en_old = _book(tmp_path, "en-old", {"p.md": EN_OLD}) / "p.md"
    en_new = _book(tmp_path, "en-new", {"p.md": EN_NEW}) / "p.md"
    zh_old = _book(tmp_path, "zh-old", {"p.md": ZH_OLD}) / "p.md"
    out, report = tmp_path / "out" / "p.md", tmp_path / "report.json"
    result = _run(
        "--old-source",
        str(en_old),
        "--new-source",
        str(en_new),
        "--old-target",
        str(zh_old),
        "--target-lang",
        "zh",
        "--out",
        str(out),
        "--report",
        str(report),
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == ZH_OLD  # engine none: the old translation stays
    data = json.loads(report.read_text(encoding="utf-8"))
    assert list(data["totals"]) == list(TOTAL_KEYS)
    assert (data["source_lang"], data["target_lang"]) == ("en", "zh")  # the review and XLIFF tools read them
    assert data["totals"]["untranslated"] == 1
    assert data["totals"]["chars_to_mt"] == len("Pooling layers serve a dual purpose.")
    assert "no translator needed" in result.output
    assert not list(out.parent.glob(".*.tmp"))


def test_folder_sync_with_new_renamed_and_removed_chapters(tmp_path):
    en_old = _book(tmp_path, "en-old", {"a/p.md": EN_OLD, "gone.md": EN_OLD, "old-name.md": EN_OLD})
    en_new = _book(
        tmp_path,
        "en-new",
        {"a/p.md": EN_NEW, "fresh.md": "# New\n\nA brand new chapter.\n", "old-name.md": EN_OLD},
    )
    zh_old = _book(tmp_path, "zh-old", {"a/p.md": ZH_OLD, "gone.md": ZH_OLD, "zh-name.md": ZH_OLD})
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("en_path\tzh_path\nold-name.md\tzh-name.md\n", encoding="utf-8")
    report = sync_paths(
        en_old, en_new, zh_old, tmp_path / "out", "en", "zh", pairs=pairs, report=tmp_path / "r.json"
    )
    out = tmp_path / "out"
    assert (out / "a/p.md").read_text(encoding="utf-8") == ZH_OLD
    assert (out / "zh-name.md").read_text(encoding="utf-8") == ZH_OLD
    assert (out / "fresh.md").read_text(encoding="utf-8") == "# New\n\nA brand new chapter.\n"
    assert not (out / "gone.md").exists()
    by_path = {f["path"]: f for f in report["files"]}
    assert by_path["fresh.md"]["counts"]["untranslated"] == 2
    assert by_path["gone.md"]["counts"]["deleted"] > 0
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["totals"] == report["totals"]


def test_out_edited_since_is_refused_unless_forced(tmp_path):
    en = _book(tmp_path, "en", {"p.md": EN_OLD}) / "p.md"
    zh = _book(tmp_path, "zh", {"p.md": ZH_OLD}) / "p.md"
    out = _book(tmp_path, "out", {"p.md": ZH_OLD + "\n译者的修改。\n"}) / "p.md"
    args = [
        "--old-source",
        str(en),
        "--new-source",
        str(en),
        "--old-target",
        str(zh),
        "--target-lang",
        "zh",
        "--out",
        str(out),
        "--report",
        str(tmp_path / "r.json"),
    ]
    result = _run(*args)
    assert result.exit_code != 0
    assert isinstance(result.exception, AmtsError) and "--force" in str(result.exception)
    assert out.read_text(encoding="utf-8").endswith("译者的修改。\n")
    assert not (tmp_path / "r.json").exists()
    assert _run(*args, "--force").exit_code == 0
    assert out.read_text(encoding="utf-8") == ZH_OLD
    # --out equal to the old target itself is an in-place sync, allowed
    assert _run(*args[:-4], "--out", str(zh), "--report", str(tmp_path / "r.json")).exit_code == 0


def test_bad_chapter_in_a_folder_writes_nothing(tmp_path):
    en_old = _book(tmp_path, "en-old", {"a.md": EN_OLD, "b.md": EN_OLD})
    en_new = _book(tmp_path, "en-new", {"a.md": EN_NEW, "b.md": EN_NEW})
    zh_old = _book(tmp_path, "zh-old", {"a.md": ZH_OLD, "b.md": EN_OLD})  # b is not Chinese
    with pytest.raises(AmtsError, match="b.md"):
        sync_paths(en_old, en_new, zh_old, tmp_path / "out", "en", "zh", report=tmp_path / "r.json")
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "r.json").exists()


def test_missing_old_source_for_an_existing_translation_is_an_error(tmp_path):
    en_old = _book(tmp_path, "en-old", {"other.md": EN_OLD})
    en_new = _book(tmp_path, "en-new", {"a.md": EN_NEW})
    zh_old = _book(tmp_path, "zh-old", {"a.md": ZH_OLD})
    with pytest.raises(AmtsError, match="missing"):
        sync_paths(en_old, en_new, zh_old, tmp_path / "out", "en", "zh")
    assert not (tmp_path / "out").exists()


def test_missing_file_and_bad_options_are_clear_errors(tmp_path):
    zh = _book(tmp_path, "zh", {"p.md": ZH_OLD}) / "p.md"
    result = _run(
        "--old-source",
        str(tmp_path / "nope.md"),
        "--new-source",
        str(zh),
        "--old-target",
        str(zh),
        "--target-lang",
        "zh",
        "--out",
        str(tmp_path / "o.md"),
        "--report",
        str(tmp_path / "r.json"),
    )
    assert isinstance(result.exception, AmtsError) and "no such file" in str(result.exception)
    result = _run(
        "--old-source",
        str(zh),
        "--new-source",
        str(zh),
        "--old-target",
        str(zh),
        "--target-lang",
        "zh",
        "--out",
        str(tmp_path / "o.md"),
        "--report",
        str(tmp_path / "r.json"),
        "--engine",
        "babel",
    )
    assert isinstance(result.exception, AmtsError) and "unknown engine 'babel'" in str(result.exception)
    assert not (tmp_path / "o.md").exists()


def test_memory_fills_changed_sentences_before_any_engine(tmp_path):
    en_old = _book(tmp_path, "en-old", {"p.md": EN_OLD}) / "p.md"
    en_new = _book(tmp_path, "en-new", {"p.md": EN_NEW}) / "p.md"
    zh_old = _book(tmp_path, "zh-old", {"p.md": ZH_OLD}) / "p.md"
    memory = tmp_path / "memory.tsv"
    memory.write_text("en\tzh\nPooling layers serve a dual purpose.\t汇聚层有两个用途。\n", encoding="utf-8")
    out, report = tmp_path / "o.md", tmp_path / "r.json"
    result = _run(
        "--old-source",
        str(en_old),
        "--new-source",
        str(en_new),
        "--old-target",
        str(zh_old),
        "--target-lang",
        "zh",
        "--engine",
        "memory",
        "--memory",
        str(memory),
        "--out",
        str(out),
        "--report",
        str(report),
    )
    assert result.exit_code == 0, result.output
    assert "感受野就越大。汇聚层有两个用途。" in out.read_text(encoding="utf-8")
    entry = next(
        e for e in json.loads(report.read_text())["files"][0]["segments"] if "dual purpose" in e["source"]
    )
    assert entry["status"] == "reused" and entry["origin"] == "human+memory"


def test_pairs_table_can_point_at_origin_files_kept_beside_the_translation(tmp_path):
    # d2l-zh keeps the English each section was translated from as X_origin.md next to X.md
    zh_repo = _book(tmp_path, "zh", {"ch/pool.md": ZH_OLD, "ch/pool_origin.md": EN_OLD})
    en_new = _book(tmp_path, "en-new", {"ch/pooling.md": EN_NEW})
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(
        "en_path\tzh_path\tzh_origin_path\tkind\nch/pooling.md\tch/pool.md\tch/pool_origin.md\tchapter\n",
        encoding="utf-8",
    )
    result = _run(
        "--old-source",
        str(zh_repo),
        "--new-source",
        str(en_new),
        "--old-target",
        str(zh_repo),
        "--target-lang",
        "zh",
        "--out",
        str(tmp_path / "out"),
        "--report",
        str(tmp_path / "r.json"),
        "--pairs",
        str(pairs),
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "ch/pool.md").read_text(encoding="utf-8") == ZH_OLD
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [f["path"] for f in report["files"]] == ["ch/pool.md"]
    assert report["totals"]["untranslated"] == 1


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    from amts.sync import atomic_write

    target = tmp_path / "p.md"
    target.write_text("old text\n", encoding="utf-8")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr("amts.fsutil.os.replace", broken_replace)
    with pytest.raises(OutputError, match="disk full"):
        atomic_write(target, "new text\n")
    assert target.read_text(encoding="utf-8") == "old text\n"
    assert [p.name for p in tmp_path.iterdir()] == ["p.md"]
