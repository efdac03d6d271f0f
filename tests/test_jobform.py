"""Parallel data in the job's own form (issue #13 point 4): pairs masked like the batch job's input."""

from __future__ import annotations

import csv
import io

import pytest

from amts.localrun import LocalCloud, seed_book
from amts.markdown import parse
from amts.pipeline.jobform import exact_matches, job_form_pair, job_form_pairs, job_text
from amts.pipeline.paralleldata import _pairs_for_chapter, build_parallel_data
from amts.pipeline.settings import Settings
from amts.pipeline.store import Store
from amts.sentences import split_sentences

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_pairs_are_masked_like_the_job_input_with_target_tokens_renumbered():
    source = "Use :numref:`sec_sgd` with $\\beta$ and `lr`."
    target = "对 `lr` 使用 :numref:`sec_sgd` 和 $\\beta$。"
    assert job_form_pair(source, target) == ("Use ⟦1⟧ with ⟦2⟧ and ⟦3⟧.", "对 ⟦3⟧ 使用 ⟦1⟧ 和 ⟦2⟧。")
    assert job_form_pair(source, target)[0] == job_text(source)  # the very text a job would carry
    # a translation that dropped a span would teach the engine to drop placeholders: left out, counted
    kept, dropped = job_form_pairs([(source, target), ("Call `f`.", "调用函数。"), ("Plain.", "平常。")])
    assert kept == [job_form_pair(source, target), ("Plain.", "平常。")] and dropped == 1


def test_masked_parallel_data_matches_unchanged_sentences_exactly(sample_book, aws):
    """Measured on the sample book's zh chapters: every English sentence of the origin, in the job's form
    (what a retranslation would send), against the parallel-data sources ACT can match literally."""
    _, s3, _ = aws
    src, lang = "en", "zh"
    raw_pairs: list[tuple[str, str]] = []
    job_texts: list[str] = []
    for origin in sorted((sample_book / "en").rglob("*.md")):
        translation = sample_book / lang / origin.relative_to(sample_book / "en")
        if not translation.exists():
            continue
        text = origin.read_text(encoding="utf-8")
        raw_pairs += _pairs_for_chapter(text, translation.read_text(encoding="utf-8"), src, lang, "sentence")
        for segment in parse(text).segments:
            if segment.kind == "paragraph":
                job_texts += [job_text(s) for s in split_sentences(segment.text, src)]
    masked, dropped = job_form_pairs(raw_pairs)
    raw_hits = exact_matches((s for s, _ in raw_pairs), job_texts)
    masked_hits = exact_matches((s for s, _ in masked), job_texts)
    # raw markdown only matches sentences without code, math or roles; the masked form matches those too
    assert masked_hits > raw_hits
    assert dropped < len(raw_pairs) / 5

    # and the pipeline's parallel data is written in that form
    from tests.helpers import TEST_BUCKET

    store = Store(s3, TEST_BUCKET)
    for origin in (sample_book / "en").rglob("*.md"):
        rel = origin.relative_to(sample_book / "en").as_posix()
        if (sample_book / lang / rel).exists():
            store.put_bytes(f"translations/{lang}/{rel}", (sample_book / lang / rel).read_bytes())
            store.put_bytes(f"origin/{lang}/{rel}", origin.read_bytes())
    built = build_parallel_data(store, lang, Settings(target_langs=(lang,)))
    rows = list(csv.reader(io.StringIO(store.get_bytes(built["s3_uri"].split("/", 3)[3]).decode())))
    assert rows[0] == [src, lang]
    assert any("⟦1⟧" in source for source, _ in rows[1:])
    assert not any(":numref:" in source or "$" in source for source, _ in rows[1:])
    assert built["placeholder_mismatches"] == dropped or built["placeholder_mismatches"] <= dropped


def test_the_pipeline_runs_with_masked_parallel_data(sample_book, local_template):
    with LocalCloud(local_template, languages=("zh",)) as cloud:
        seed_book(cloud, sample_book)
        result = cloud.run({"bucket": "amts-local-book", "prefix": "source/en/"})
        assert result["status"] == "SUCCEEDED"
        pairs = cloud.translate.parallel_data["amts-en-zh"].pairs
        assert pairs and any("⟦" in source for source, _ in pairs)
