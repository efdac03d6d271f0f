"""Sync on the real D2L synchronisation events (skipped when ../shared/data is absent)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from amts.errors import AlignmentError
from amts.markdown import parse
from amts.sync import sync_document
from amts.sync.pairing import align_units
from amts.sync.units import split_units

pytestmark = pytest.mark.corpus
BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "sync_quality.py"


def _benchmark():
    spec = importlib.util.spec_from_file_location("sync_quality", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def events(d2l_data) -> list[Path]:
    found = sorted(p for p in (d2l_data / "sync").iterdir() if (p / "zh-new").is_dir())
    if not found:
        pytest.skip("no sync events in the corpus")
    return found


def test_event_quality_meets_the_acceptance_bars(events):
    bench = _benchmark()
    clean = next(
        e for e in events if e.name.startswith("v0161")
    )  # the event where humans followed the English
    s = bench.evaluate_event(clean)
    assert s["reused_hit"] >= 0.98 * s["reused"] and s["reused"] > 200
    assert s["chars_to_mt"] <= 1.1 * s["changed_chars"]
    assert s["review"] <= 1.5 * s["human_changed"]
    assert s["review"] < s["english_diff_review"]
    assert s["chrf"] > s["chrf_baseline"]
    for event in events:
        s = bench.evaluate_event(event)
        assert s["reused_hit"] >= 0.98 * s["reused"]
        assert s["chars_to_mt"] <= 1.1 * s["changed_chars"]


def test_human_text_of_unchanged_english_is_never_lost(events):
    bench = _benchmark()
    checked = 0
    for event in events:
        for zh_new in sorted((event / "zh-new").rglob("*.md")):
            rel = zh_new.relative_to(event / "zh-new")
            en_old = bench.old_source_for(event, rel).read_text(encoding="utf-8")
            en_new = (event / "en-new" / rel).read_text(encoding="utf-8")
            zh_old = (event / "zh-old" / rel).read_text(encoding="utf-8")
            output, _ = sync_document(en_old, en_new, zh_old, "en", "zh", path=str(rel))
            old_units = [u for u in split_units(en_old) if not u.is_marker]
            target_units = [u for u in split_units(zh_old) if not u.is_marker]
            unchanged = {u.raw for u in split_units(en_new) if u.is_prose}
            beads, _ = align_units(old_units, target_units)
            for bead in beads:
                if (
                    len(bead.source) == 1
                    and old_units[bead.source[0]].is_prose
                    and old_units[bead.source[0]].raw in unchanged
                ):
                    for j in bead.target:
                        assert target_units[j].raw in output, f"{rel}:{target_units[j].line} lost"
                        checked += 1
    assert checked > 300


def test_a_chapter_paired_with_another_chapters_translation_is_refused(d2l_data):
    en = (d2l_data / "zh_origin" / "chapter_optimization" / "adadelta_origin.md").read_text(encoding="utf-8")
    other_zh = (d2l_data / "zh" / "chapter_optimization" / "adam.md").read_text(encoding="utf-8")
    with pytest.raises(AlignmentError, match="does not look like a translation"):
        sync_document(en, en, other_zh, "en", "zh", path="adadelta.md")


@pytest.mark.parametrize(
    ("chapter", "human_sentence"),
    [
        ("chapter_linear-networks/softmax-regression-scratch", "然后(**使用`y`作为`y_hat`中概率的索引**)"),
        ("chapter_multilayer-perceptrons/mlp", "[**ReLU提供了一种非常简单的非线性变换**]。"),
    ],
)
def test_translator_additions_in_changed_paragraphs_are_kept(d2l_data, chapter, human_sentence):
    """The book's `_origin.md` English against the newer English: sentences the translators added stay."""
    old = (d2l_data / "zh_origin" / f"{chapter}_origin.md").read_text(encoding="utf-8")
    new = (d2l_data / "en" / f"{chapter}.md").read_text(encoding="utf-8")
    zh = (d2l_data / "zh" / f"{chapter}.md").read_text(encoding="utf-8")
    assert human_sentence in zh
    output, report = sync_document(old, new, zh, "en", "zh", path=chapter)
    assert human_sentence in output


def test_layout_units_give_every_corpus_file_back_byte_for_byte(d2l_data):
    from amts.sync.units import join_units, leading_space

    files = sorted(d2l_data.rglob("*.md"))
    hf = d2l_data.parent / "hf-course-es"
    if hf.is_dir():
        files += sorted(hf.rglob("*.mdx"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert join_units(split_units(text), leading_space(text)) == text, path
    assert len(files) > 300


def test_reported_targets_of_reused_segments_are_verbatim_in_the_output(events):
    bench = _benchmark()
    for event in events:
        for zh_new in sorted((event / "zh-new").rglob("*.md")):
            rel = zh_new.relative_to(event / "zh-new")
            output, report = sync_document(
                bench.old_source_for(event, rel).read_text(encoding="utf-8"),
                (event / "en-new" / rel).read_text(encoding="utf-8"),
                (event / "zh-old" / rel).read_text(encoding="utf-8"),
                "en",
                "zh",
            )
            comments = {s.text for s in parse(output).segments if s.kind == "comment"}
            for entry in report["segments"]:
                if (
                    entry["status"] in ("reused", "reused-format", "code-changed", "untranslated")
                    and entry["target"]
                ):
                    # a comment's target is its segment text (a run of comment lines reads as one line)
                    where = comments if entry["kind"] == "comment" else output
                    assert entry["target"] in where, (rel, entry["line"])
