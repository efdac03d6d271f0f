"""#16 point 6: doubling the input roughly doubles the time (fitted exponent < 1.3) of the paths that were
quadratic or worse: long tables in alignment, the review diff of a giant segment, sync of a chapter of
pathological shapes, segmenting; memory checked with tracemalloc where the old code grew tables."""

from __future__ import annotations

import amts.align.beads as beads_module
from amts.align import align_documents
from amts.align.beads import Sentence, align_sentences
from amts.markdown import parse
from amts.review.diff import MAX_DIFF_TOKENS, diff_html, word_diff
from amts.sync.document import plan_chapter
from tests.growth import assert_linear


def _table(rows: int, zh: bool = False) -> str:
    cells = "| 参数 {i} | 值 {v} |" if zh else "| parameter {i} | value {v} |"
    lines = ["| name | value |", "|---|---|"] + [cells.format(i=i, v=7 * i) for i in range(rows)]
    return "# T\n\nIntro.\n\n" + "\n".join(lines) + "\n"


def test_long_sentence_lists_align_linearly(monkeypatch):
    # small windows, so that the windowed path is what grows at sizes a test can afford
    monkeypatch.setattr(beads_module, "ONE_PROGRAM_CELLS", 40 * 40)
    monkeypatch.setattr(beads_module, "WINDOW", 20)

    def run(n: int) -> None:
        src = [Sentence.of(f"parameter {i} is {7 * i}.", 0) for i in range(n)]
        tgt = [Sentence.of(f"parámetro {i} es {7 * i}.", 0) for i in range(n)]
        beads = align_sentences(src, tgt, 1.1, "en", "es")
        assert sum(len(a) for a, _ in beads) == n and sum(len(b) for _, b in beads) == n

    assert_linear(run, start=100, steps=3, label="align_sentences", memory=True)


def test_long_table_alignment_keeps_every_row():
    en, zh = parse(_table(400)), parse(_table(400, zh=True))
    beads = align_documents(en, zh, "en", "zh", "sentence")
    one_to_one = [b for b in beads if len(b.source) == 1 and len(b.target) == 1]
    assert len(one_to_one) >= 0.95 * 400  # the windows keep the rows paired


def test_review_diff_of_a_giant_segment_is_capped():
    def run(n: int) -> None:
        old = " ".join(["alpha", "beta", "gamma", "delta"][i % 4] for i in range(n))
        new = old.replace("gamma", "zeta", n // 40)
        diff_html(old, new)

    assert_linear(run, start=5_000, label="review diff")
    small_old, small_new = "one two three", "one 2 three"
    assert word_diff(small_old, small_new) == [
        ("equal", "one "),
        ("delete", "two"),
        ("insert", "2"),
        ("equal", " three"),
    ]
    big = "word " * MAX_DIFF_TOKENS
    pieces = word_diff(big + "\nend\n", big + "\nfinish\n")
    assert pieces == [("equal", big + "\n"), ("delete", "end\n"), ("insert", "finish\n")]


def test_sync_planning_of_pathological_chapters_grows_linearly():
    shapes = {
        "backticks": lambda n: "Intro.\n\n" + "`" * n + "\n",
        "link openers": lambda n: "Intro.\n\n" + "[a](" * (n // 4) + "\n",
        "giant segment": lambda n: "Intro.\n\n" + "word and `code` $x$ " * (n // 20) + "\n",
    }
    for name, make in shapes.items():

        def run(n: int, make=make) -> None:
            old = make(n)
            translated = old.replace("Intro.", "Introducción.")
            plan_chapter(old, old + "\nNew paragraph.\n", translated, "en", "es", "c.md")

        assert_linear(run, start=4_000, label=f"sync {name}")


def test_segmenting_an_ordinary_chapter_grows_linearly():
    chapter = (
        "## Section\n\nSome prose with `code`, $x^2$ and a [link](http://x.org). Another sentence.\n\n"
        "* item one\n* item two\n\n```python\nprint(1)\n```\n\n"
    )
    assert_linear(lambda n: parse(chapter * (n // len(chapter))), start=20_000, label="segment")
