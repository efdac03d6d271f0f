"""Sentence alignment quality on the hand-made gold, against baselines in the same run.

Two gold sets are scored separately: tests/data/gold (7 sections, used while tuning the aligner) and
tests/data/gold_heldout (3 sections from other chapters, made after tuning: the honest figure).
Prints strict bead precision/recall/F1 (a bead counts only if its source and target text both match a
gold bead) for:
  amts          block alignment + anchored sentence DP + rule-based splitter (what `amts align` does)
  amts+pysbd    the same with pysbd as sentence splitter (the library evaluated for splitting)
  gale-church   nltk.translate.gale_church inside the same aligned blocks, same sentences
  gale-church/doc  nltk Gale-Church over the whole document's sentences (no block alignment)
and the time each takes. Usage:
  .venv/bin/python benchmarks/align_quality.py [--data ../shared/data/d2l] [--gold DIR ...]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from nltk.translate import gale_church  # noqa: E402

from amts.align import align_documents  # noqa: E402
from amts.align.beads import Sentence  # noqa: E402
from amts.align.evaluate import Score, read_beads, score_beads  # noqa: E402
from amts.markdown import load  # noqa: E402
from amts.sentences import split_sentences  # noqa: E402

GOLD_SETS = {"tuning": REPO / "tests" / "data" / "gold", "held-out": REPO / "tests" / "data" / "gold_heldout"}


def _pysbd_splitter():
    import pysbd

    segmenters = {}

    def split(text, lang, spans=None):
        lang = lang if lang in ("en", "zh", "es") else "en"
        if lang not in segmenters:
            segmenters[lang] = pysbd.Segmenter(language=lang, clean=False)
        return [s.strip() for s in segmenters[lang].segment(text) if s.strip()]

    return split


def _components(n: int, m: int, links: list[tuple[int, int]]) -> list[tuple[list[int], list[int]]]:
    """Beads from Gale-Church links: linked sentences form a bead, unlinked ones are 1-0 / 0-1."""
    beads: list[tuple[list[int], list[int]]] = []
    by_src: dict[int, list[int]] = {}
    for i, j in links:
        by_src.setdefault(i, []).append(j)
    used_t: set[int] = set()
    j_next = 0
    current: tuple[list[int], list[int]] | None = None
    for i in range(n):
        targets = by_src.get(i, [])
        if not targets:
            beads.append(([i], []))
            current = None
            continue
        while j_next < min(targets):
            if j_next not in used_t:
                beads.append(([], [j_next]))
            j_next += 1
        if current is not None and set(targets) & set(current[1]):
            current[0].append(i)
            current[1].extend(t for t in targets if t not in current[1])
        else:
            current = ([i], sorted(targets))
            beads.append(current)
        used_t.update(targets)
        j_next = max(j_next, max(targets) + 1)
    for j in range(j_next, m):
        if j not in used_t:
            beads.append(([], [j]))
    return beads


def gale_church_aligner(src: list[Sentence], tgt: list[Sentence], ratio, src_lang, tgt_lang):
    """nltk Gale-Church with the character ratio of this document pair (raw character counts)."""
    if not src or not tgt:
        return [([s], []) for s in src] + [([], [t]) for t in tgt]

    class Params(gale_church.LanguageIndependent):
        AVERAGE_CHARACTERS = max(sum(len(t.text) for t in tgt), 1) / max(sum(len(s.text) for s in src), 1)

    links = gale_church.align_blocks([len(s.text) for s in src], [len(t.text) for t in tgt], Params)
    return [([src[i] for i in a], [tgt[j] for j in b]) for a, b in _components(len(src), len(tgt), links)]


def gale_church_document(src_doc, tgt_doc, src_lang, tgt_lang):
    src = [s for seg in src_doc.segments for s in split_sentences(seg.text, src_lang, seg.spans)]
    tgt = [s for seg in tgt_doc.segments for s in split_sentences(seg.text, tgt_lang, seg.spans)]
    src_s = [Sentence.of(t, 0) for t in src]
    tgt_s = [Sentence.of(t, 0) for t in tgt]
    return [
        ([s.text for s in a], [t.text for t in b]) for a, b in gale_church_aligner(src_s, tgt_s, 0, "", "")
    ]


def score_gold_set(name: str, gold_dir: Path, data: Path, systems: dict) -> None:
    """Per-section and total scores of every system on one gold set (a folder with sections.tsv)."""
    rows = list(csv.DictReader(open(gold_dir / "sections.tsv", encoding="utf-8"), delimiter="\t"))
    totals = {system: Score(0, 0, 0) for system in systems}
    times: dict[str, list[float]] = {system: [] for system in systems}
    print(f"== {name} gold: {gold_dir.relative_to(REPO) if gold_dir.is_relative_to(REPO) else gold_dir}")
    print(f"{'section':45} {'system':16} {'P':>6} {'R':>6} {'F1':>6} {'beads':>6} {'gold':>5}")
    for row in rows:
        src_doc, tgt_doc = load(data / row["source"]), load(data / row["target"])
        gold = read_beads(gold_dir / row["gold"])
        for system_name, system in systems.items():
            start = time.perf_counter()
            beads = system(src_doc, tgt_doc, row["source_lang"], row["target_lang"])
            times[system_name].append(time.perf_counter() - start)
            # the gold files hold prose only: comment beads of code blocks are left out
            pairs = [
                (b.source, b.target) if hasattr(b, "source") else b
                for b in beads
                if getattr(b, "kind", "") != "comment"
            ]
            score = score_beads(pairs, gold)
            totals[system_name] = totals[system_name] + score
            print(
                f"{row['gold'][:45]:45} {system_name:16} {score.precision:6.3f} {score.recall:6.3f} "
                f"{score.f1:6.3f} {score.system:6d} {score.gold:5d}"
            )
    print()
    base = totals["gale-church"].f1
    for system_name, score in totals.items():
        ratio = f"  x{score.f1 / base:.2f} vs gale-church" if base else ""
        print(
            f"ALL[{name}] {system_name:16} P={score.precision:.3f} R={score.recall:.3f} F1={score.f1:.3f} "
            f"median time/section={statistics.median(times[system_name]) * 1000:.1f} ms{ratio}"
        )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "d2l")
    parser.add_argument(
        "--gold",
        type=Path,
        nargs="+",
        default=None,
        help="gold folders to score (default: the tuning and the held-out gold)",
    )
    args = parser.parse_args()
    gold_sets = {path.name: path for path in args.gold} if args.gold else GOLD_SETS
    pysbd_split = _pysbd_splitter()
    systems = {
        "amts": lambda s, t, sl, tl: align_documents(s, t, sl, tl),
        "amts+pysbd": lambda s, t, sl, tl: align_documents(s, t, sl, tl, split=pysbd_split),
        "gale-church": lambda s, t, sl, tl: align_documents(
            s, t, sl, tl, sentence_aligner=gale_church_aligner
        ),
        "gale-church/doc": gale_church_document,
    }
    for name, gold_dir in gold_sets.items():
        score_gold_set(name, gold_dir, args.data, systems)


if __name__ == "__main__":
    main()
