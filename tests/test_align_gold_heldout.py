"""Sentence alignment on held-out gold: sections the aligner was never tuned on (tests/data/gold_heldout)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from amts.align import align_documents
from amts.align.evaluate import read_beads, score_beads
from amts.markdown import load

HELDOUT = Path(__file__).parent / "data" / "gold_heldout"
TUNING = Path(__file__).parent / "data" / "gold"
_SPACE = re.compile(r"\s+")


def _rows(gold_dir: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(open(gold_dir / "sections.tsv", encoding="utf-8"), delimiter="\t"))


def test_heldout_sections_are_not_tuning_sections():
    tuning = {row["source"] for row in _rows(TUNING)}
    heldout = [row["source"] for row in _rows(HELDOUT)]
    assert heldout and not tuning & set(heldout)
    # From different chapters than each other, so one chapter's style does not dominate.
    assert len({Path(path).parent for path in heldout}) == len(heldout)


@pytest.mark.corpus
@pytest.mark.parametrize("row", _rows(HELDOUT), ids=lambda row: row["gold"])
def test_heldout_gold_covers_every_prose_sentence_once(d2l_data, row):
    """The gold's sentences, in order, are exactly the prose of both documents (nothing lost or doubled)."""
    gold = read_beads(HELDOUT / row["gold"])
    for side, key in ((0, "source"), (1, "target")):
        segments = load(d2l_data / row[key]).segments
        prose = "".join(segment.text for segment in segments if segment.kind != "comment")
        sentences = "".join(sentence for bead in gold for sentence in bead[side])
        assert _SPACE.sub("", sentences) == _SPACE.sub("", prose)
    assert all(source or target for source, target in gold)


@pytest.mark.corpus
def test_heldout_gold_bead_f1(d2l_data):
    """Strict bead F1 on the held-out gold (nltk Gale-Church inside the same blocks: about 0.88)."""
    total = None
    for row in _rows(HELDOUT):
        beads = align_documents(
            load(d2l_data / row["source"]),
            load(d2l_data / row["target"]),
            row["source_lang"],
            row["target_lang"],
        )
        score = score_beads(
            [(b.source, b.target) for b in beads if b.kind != "comment"], read_beads(HELDOUT / row["gold"])
        )
        total = score if total is None else total + score
    assert total.f1 >= 0.95
