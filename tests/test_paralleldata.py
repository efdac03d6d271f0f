"""Amazon Translate parallel data: limits, filters, CSV/TSV/TMX round trips, `amts paralleldata build`."""

from __future__ import annotations

import csv
import io
import json

import pytest
from translate.storage import tmx
from typer.testing import CliRunner

from amts.align import Bead
from amts.cli import app
from amts.paralleldata import (
    ParallelDataError,
    dumps,
    BuildSummary,
    ParallelData,
    enforce_limits,
    is_excluded,
    pairs_from_beads,
    read_pairs,
    read_parallel,
    validate,
    write_pairs,
)
from amts.translate_limits import MAX_PARALLEL_DATA_SEGMENT_BYTES, utf8_size

TRICKY = [
    ('A "quoted", comma, and <b>tag</b> & ampersand.', "一个带“引号”、逗号和<b>标签</b>及&符号的句子。"),
    ("Inline `code` and $x_1$ math.", "行内`code`和$x_1$数学。"),
    ("Plain text.", "纯文本。"),
]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "tmx"])
def test_round_trip_keeps_pairs_and_languages(tmp_path, fmt):
    path = tmp_path / f"data.{fmt}"
    write_pairs(path, TRICKY, "en", "zh")
    data = read_parallel(path)
    assert data.pairs == TRICKY
    assert (data.source_lang, data.target_lang) == ("en", "zh")
    assert read_pairs(path) == TRICKY
    assert validate(data) == []


def test_csv_and_tsv_start_with_language_header(tmp_path):
    write_pairs(tmp_path / "a.csv", TRICKY, "en", "zh")
    write_pairs(tmp_path / "a.tsv", TRICKY, "en", "zh")
    assert (tmp_path / "a.csv").read_text(encoding="utf-8").splitlines()[0] == "en,zh"
    assert (tmp_path / "a.tsv").read_text(encoding="utf-8").splitlines()[0] == "en\tzh"


def test_tmx_is_read_back_by_translate_toolkit(tmp_path):
    path = tmp_path / "data.tmx"
    write_pairs(path, TRICKY, "en", "es")
    store = tmx.tmxfile.parsestring(path.read_bytes())
    assert [(u.source, u.target) for u in store.units] == TRICKY
    assert store.sourcelanguage == "en"


def test_limits_and_filters_drop_and_count():
    long_en = "word " * 250
    pairs = [
        ("Good pair.", "好的句子。"),
        ("Good pair.", "好的句子。"),  # duplicate
        ("Good pair.", "另一个翻译。"),  # same source, other target
        ("=SUM(A1)", "=SUM(A1) 公式"),
        ("- minus first", "减号开头。"),
        ("Untranslated text stays English.", "Untranslated text stays English."),
        ("An English sentence.", "An English sentence too."),  # no Chinese at all
        (long_en.strip() + ".", "很长。" * 200),
        ("A long explanation of how the whole network is trained end to end today.", "好。"),
    ]
    summary = BuildSummary()
    kept = enforce_limits(pairs, "en", "zh", summary)
    assert kept == [("Good pair.", "好的句子。")]
    assert dict(summary.dropped) == {
        "duplicate": 1,
        "conflicting_duplicate": 1,
        "formula_prefix": 2,
        "untranslated": 2,
        "too_long": 1,
        "length_ratio": 1,
    }
    assert summary.kept == 1


def test_paragraph_pairs_over_the_limit_are_split_at_sentences():
    en = [f"Sentence number {i} explains a detail of convolution with padding and stride." for i in range(30)]
    zh = [f"第{i}句解释了带填充和步幅的卷积的一个细节。" for i in range(30)]
    bead = Bead([" ".join(en)], ["".join(zh)])
    assert utf8_size(bead.source[0]) > MAX_PARALLEL_DATA_SEGMENT_BYTES
    summary = BuildSummary()
    pairs = pairs_from_beads([bead], "en", "zh", summary, "paragraph")
    assert len(pairs) > 1
    assert all(
        utf8_size(s) <= MAX_PARALLEL_DATA_SEGMENT_BYTES and utf8_size(t) <= MAX_PARALLEL_DATA_SEGMENT_BYTES
        for s, t in pairs
    )
    assert " ".join(s for s, _ in pairs) == " ".join(en)
    assert "".join(t for _, t in pairs) == "".join(zh)


def test_validate_reports_problems():
    data = ParallelData([("ok", "好"), ("@x", "好"), ("ok", "好"), ("a\tb", "好")], "en", "zh")
    problems = validate(data)
    assert any("starts with '@'" in p for p in problems)
    assert any("duplicate" in p for p in problems)
    assert any("tab or line break" in p for p in problems)


def test_exclude_matches_files_and_folders():
    assert is_excluded("chapter_a/x.md", ["chapter_a/x.md"])
    assert is_excluded("chapter_a/x.md", ["chapter_a"])
    assert is_excluded("chapter_a/x.md", ["x.md"])
    assert not is_excluded("chapter_a/xx.md", ["x.md", "chapter_b"])


def test_cli_build_from_folders(tmp_path, sample_book):
    if not (sample_book / "en").is_dir() or not (sample_book / "zh").is_dir():
        pytest.skip("sample book absent")
    out = tmp_path / "sample.tmx"
    result = CliRunner().invoke(
        app,
        [
            "paralleldata",
            "build",
            "--source",
            str(sample_book / "en"),
            "--target",
            str(sample_book / "zh"),
            "--source-lang",
            "en",
            "--target-lang",
            "zh",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["format"] == "tmx" and report["files"]["aligned"] >= 1
    data = read_parallel(out)
    assert len(data.pairs) == report["pairs"]["kept"] > 0
    assert validate(data) == []


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize(("granularity", "fmt"), [("sentence", "csv"), ("paragraph", "tmx")])
def test_whole_corpus_parallel_data_meets_amazon_limits(d2l_data, tmp_path, granularity, fmt):
    out = tmp_path / f"d2l.{fmt}"
    excluded = "chapter_recurrent-modern/machine-translation-and-dataset.md"
    result = CliRunner().invoke(
        app,
        [
            "paralleldata",
            "build",
            "--pairs",
            str(d2l_data / "pairs.tsv"),
            "--source-lang",
            "en",
            "--target-lang",
            "zh",
            "--granularity",
            granularity,
            "--exclude",
            excluded,
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["files"]["meta"] == 3 and report["files"]["excluded"] == 1
    assert report["files"].get("unalignable", 0) == 0
    data = read_parallel(out)
    assert (data.source_lang, data.target_lang) == ("en", "zh")
    assert validate(data) == []
    assert len(data.pairs) == report["pairs"]["kept"] > (5000 if granularity == "sentence" else 2000)
    assert out.stat().st_size < 5 * 1024**3
    # The excluded chapter's text is not in the data (only that chapter mentions the Tatoeba Project).
    assert not any("Tatoeba" in s for s, _ in data.pairs)


def test_reading_bad_files_gives_clear_errors(tmp_path):
    bad_header = tmp_path / "a.csv"
    bad_header.write_text("en,zh,es\nx,y,z\n", encoding="utf-8")
    with pytest.raises(ParallelDataError, match="language codes"):
        read_pairs(bad_header)
    latin1 = tmp_path / "b.tsv"
    latin1.write_bytes("en\tes\ncafé\tcafé\n".encode("latin-1"))
    with pytest.raises(ParallelDataError, match="not UTF-8"):
        read_pairs(latin1)
    with pytest.raises(ParallelDataError, match="unknown parallel data format"):
        read_pairs(tmp_path / "c.xlsx")
    broken = tmp_path / "d.tmx"
    broken.write_text("<tmx><body><tu>", encoding="utf-8")
    with pytest.raises(ParallelDataError, match="TMX"):
        read_pairs(broken)


def _build(*args: str):
    return CliRunner().invoke(app, ["paralleldata", "build", *args])


@pytest.mark.corpus
@pytest.mark.parametrize("fmt", ["tsv", "csv"])
@pytest.mark.parametrize("corpus", ["hf", "d2l"])
def test_csv_tsv_of_both_corpora_read_back_quote_aware_one_record_per_line(
    d2l_data, hf_data, tmp_path, fmt, corpus
):
    """Quoting per the developer guide: an RFC 4180 reader (Python's csv) sees one record per line."""
    out = tmp_path / f"data.{fmt}"
    if corpus == "hf":
        args = ["--pairs", str(hf_data / "pairs.tsv"), "--target-lang", "es"]
    else:
        event = d2l_data / "sync" / "v0161-237f802b"
        args = ["--source", str(event / "en-new"), "--target", str(event / "zh-new"), "--target-lang", "zh"]
    result = _build(*args, "--granularity", "paragraph", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    reader = csv.reader(io.StringIO(text), delimiter="\t" if fmt == "tsv" else ",")
    records = [(reader.line_num, row) for row in reader]
    assert [line for line, _ in records] == list(range(1, len(text.splitlines()) + 1))
    assert all(len(row) == 2 for _, row in records)
    data = read_parallel(out)
    assert data.pairs == [tuple(row) for _, row in records[1:]] and validate(data) == []
    if corpus == "hf":
        assert any('"' in s or '"' in t for s, t in data.pairs)  # the quotes that used to merge lines


def test_quotes_are_doubled_and_enclosed_as_the_guide_says(tmp_path):
    pairs = [('34" monitor', '34" Monitor'), ("a, b", "c, d"), ('"quoted" start', "«cita»")]
    tsv = dumps(pairs, "en", "de", "tsv").decode()
    assert tsv.splitlines()[1:] == [
        '"34"" monitor"\t"34"" Monitor"',
        "a, b\tc, d",
        '"""quoted"" start"\t«cita»',
    ]
    csv_text = dumps(pairs, "en", "de", "csv").decode()
    assert csv_text.splitlines()[2] == '"a, b","c, d"'


def test_validate_reports_a_record_spanning_lines(tmp_path):
    legacy = tmp_path / "old.tsv"
    legacy.write_text('en\tes\n"Quoted start\tx\nnext line\ty\nlast\tz\n', encoding="utf-8")
    data = read_parallel(legacy, strict=False)
    assert any("lines 2-" in p and "across" in p for p in validate(data))
    with pytest.raises(ParallelDataError, match="across 3 lines"):
        read_parallel(legacy)  # a memory read for sync or feedback never takes such a file silently
    result = CliRunner().invoke(app, ["paralleldata", "validate", str(legacy)])
    assert result.exit_code == 1 and "across" in result.output


def test_build_naming_only_missing_chapters_fails_and_writes_nothing(tmp_path):
    table = tmp_path / "pairs.tsv"
    table.write_text("en_path\tzh_path\tkind\nnope.md\tnope.md\tbook\n", encoding="utf-8")
    result = _build("--pairs", str(table), "--out", str(tmp_path / "out.tsv"))
    assert result.exit_code != 0 and "no chapter could be aligned (1 missing)" in str(result.exception)
    assert not (tmp_path / "out.tsv").exists()
