"""Align a markdown document with its translation: blocks first, then sentences inside aligned blocks.

```python
from amts.align import align_blocks, align_documents
align_blocks(src_doc, tgt_doc, "en", "zh") -> list[BlockPair]
align_documents(src_doc, tgt_doc, "en", "zh", granularity="sentence") -> list[Bead]
```
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from amts.align.beads import Sentence, align_sentences
from amts.align.features import TextFeatures, anchor_counts
from amts.align.blocks import PARAMS, BlockPair, Params, align_units, prose_ratio, to_block_pairs, units
from amts.align.language import check_language
from amts.align.lexicon import concept_keys, lexicon_available
from amts.errors import AlignmentError
from amts.languages import language
from amts.markdown.comments import pair_comments
from amts.sentences import split_sentences

__all__ = [
    "Bead",
    "BlockPair",
    "GRANULARITIES",
    "align_blocks",
    "align_documents",
    "alignment_quality",
    "default_ratio",
]

GRANULARITIES = ("sentence", "paragraph")

# Below this alignment_quality the files are not translations of each other: the d2l `meta` rows score
# 0.13-0.39, unrelated chapters 0.06-0.20, real chapter pairs 0.53 and more.
MIN_QUALITY = 0.45


@dataclass(slots=True)
class Bead:
    """Source and target sentences (or segments) that translate each other; one side may be empty."""

    source: list[str] = field(default_factory=list)
    target: list[str] = field(default_factory=list)
    kind: str = "prose"  # "comment": comments of a code block (the prose-only gold files leave them out)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"source": self.source, "target": self.target}
        if self.kind != "prose":
            data["kind"] = self.kind
        return data


def default_ratio(src_lang: str, tgt_lang: str) -> float:
    """Target prose characters expected per source prose character (from the languages' length ratios)."""
    return language(tgt_lang).length_ratio / language(src_lang).length_ratio


def _aligned_units(src_doc: Any, tgt_doc: Any, src_lang: str, tgt_lang: str, params: Params = PARAMS):
    src, tgt = units(src_doc), units(tgt_doc)
    ratio = prose_ratio(src, tgt, default_ratio(src_lang, tgt_lang), src_lang, tgt_lang)
    return align_units(src, tgt, src_lang, tgt_lang, ratio, params), ratio


def align_blocks(src_doc: Any, tgt_doc: Any, src_lang: str, tgt_lang: str) -> list[BlockPair]:
    """Every block of both documents in exactly one BlockPair, in document order (1-0/0-1 for extras)."""
    groups, _ = _aligned_units(src_doc, tgt_doc, src_lang, tgt_lang)
    return to_block_pairs(groups)


def alignment_quality(groups, ratio: float, src_lang: str, tgt_lang: str) -> float:
    """How much the alignment looks like a translation, 0..1.

    Mean of (a) the share of prose, in source-length units, inside matches that score well and (b) the
    share of anchors (numbers, code, math, kept Latin terms) of matched prose found on both sides.
    Identical code/math/directive blocks also vouch for the pairing when there are enough of them.
    """
    matched = total = 0.0
    shared = lonely = 0
    identical = protected = 0
    for a, b, gain in groups:
        prose = [u for u in a + b if u.group in ("prose", "heading")]
        protected += len(a) + len(b) - len(prose)
        if not prose:
            identical += 1 if a and b else 0
            continue
        size = sum(u.features.length for u in a) + sum(u.features.length for u in b) / ratio
        total += size
        if a and b:
            if gain > 0.5:
                matched += size
            fa = TextFeatures.combine(u.features for u in a)
            fb = TextFeatures.combine(u.features for u in b)
            s, lone = anchor_counts(fa, fb, src_lang, tgt_lang)
            shared, lonely = shared + s, lonely + lone
    quality = matched / total if total else 1.0
    if shared + lonely >= 5:
        quality = (quality + shared / (shared + lonely)) / 2
    if protected >= 4:
        quality = max(quality, 2 * identical / protected)
    return quality


def _prose_text(doc: Any) -> str:
    return "\n".join(s.text for s in doc.segments)


def _sentences(
    blocks: list, lang: str, split: Callable = split_sentences, pair: int = 0, lexical: bool = False
) -> list[Sentence]:
    result = []
    for block in blocks:
        for segment in block.segments:
            for text in split(segment.text, lang, segment.spans):
                concepts = concept_keys(text, lang) if lexical else frozenset()
                result.append(Sentence.of(text, block.index, pair, concepts))
    return result


def _runs(groups) -> list[list[tuple[list, list]]]:
    """Consecutive matched prose block pairs form one run, aligned at once: translators move a
    sentence across a paragraph break. Headings, protected blocks and unmatched blocks stand alone."""
    runs: list[list[tuple[list, list]]] = []
    current: list[tuple[list, list]] = []
    code_runs: list[list[tuple[list, list]]] = []  # code blocks with comments: they do not cut a prose run
    for a, b, _ in groups:
        src_blocks = [u.block for u in a if u.block.segments and u.block.kind != "code"]
        tgt_blocks = [u.block for u in b if u.block.segments and u.block.kind != "code"]
        src_code = [u.block for u in a if u.block.segments and u.block.kind == "code"]
        tgt_code = [u.block for u in b if u.block.segments and u.block.kind == "code"]
        if src_code or tgt_code:
            code_runs.append([(src_code, tgt_code)])
        if not src_blocks and not tgt_blocks:
            continue
        joinable = (
            src_blocks and tgt_blocks and all(block.kind == "paragraph" for block in src_blocks + tgt_blocks)
        )
        if joinable and current:
            current.append((src_blocks, tgt_blocks))
            continue
        if current:
            runs.append(current)
            current = []
        runs.extend(code_runs)  # comments of code inside a prose run follow that run
        code_runs = []
        if joinable:
            current.append((src_blocks, tgt_blocks))
        else:
            runs.append([(src_blocks, tgt_blocks)])
    if current:
        runs.append(current)
    return runs + code_runs


def align_documents(
    src_doc: Any,
    tgt_doc: Any,
    src_lang: str,
    tgt_lang: str,
    granularity: str = "sentence",
    *,
    split: Callable = split_sentences,
    sentence_aligner: Callable = align_sentences,
) -> list[Bead]:
    """Beads covering every prose sentence (or segment) of both documents once, in document order.

    Raises AlignmentError when a document's prose is not in its declared language or when the two
    documents are not translations of each other. `split` and `sentence_aligner` let benchmarks swap
    in other splitters and baselines.
    """
    if granularity not in GRANULARITIES:
        raise AlignmentError(f"unknown granularity '{granularity}' (choose {' or '.join(GRANULARITIES)})")
    check_language(_prose_text(src_doc), src_lang, "source")
    check_language(_prose_text(tgt_doc), tgt_lang, "target")
    groups, ratio = _aligned_units(src_doc, tgt_doc, src_lang, tgt_lang)
    quality = alignment_quality(groups, ratio, src_lang, tgt_lang)
    if quality < MIN_QUALITY:
        raise AlignmentError(
            f"unalignable: {getattr(src_doc, 'path', None) or 'source'} and "
            f"{getattr(tgt_doc, 'path', None) or 'target'} do not look like translations of each other "
            f"(alignment quality {quality:.2f} < {MIN_QUALITY})"
        )
    beads: list[Bead] = []
    lexical = granularity == "sentence" and lexicon_available(src_lang, tgt_lang)
    for run in _runs(groups):
        if _code_pair(run):
            _comment_beads(run[0][0], run[0][1], beads)
            continue
        if granularity == "paragraph":
            for src_blocks, tgt_blocks in run:
                _paragraph_beads(src_blocks, tgt_blocks, beads)
            continue
        src_sentences = [
            s for k, (blocks, _) in enumerate(run) for s in _sentences(blocks, src_lang, split, k, lexical)
        ]
        tgt_sentences = [
            s for k, (_, blocks) in enumerate(run) for s in _sentences(blocks, tgt_lang, split, k, lexical)
        ]
        for sa, sb in sentence_aligner(src_sentences, tgt_sentences, ratio, src_lang, tgt_lang):
            beads.append(Bead([s.text for s in sa], [s.text for s in sb]))
    return beads


def _code_pair(run: list[tuple[list, list]]) -> bool:
    """A run of code blocks only: their comments pair by code line, not by length."""
    return len(run) == 1 and all(block.kind == "code" for block in run[0][0] + run[0][1])


def _comment_beads(src_blocks: list, tgt_blocks: list, beads: list[Bead]) -> None:
    """One bead per comment, its translation beside it where the code line matches (d2l-zh translates them)."""
    source = [s for block in src_blocks for s in block.segments]
    target = [s for block in tgt_blocks for s in block.segments]
    pairs = dict(pair_comments(source, target))
    paired_targets = set(pairs.values())
    next_target = 0
    for i, segment in enumerate(source):
        j = pairs.get(i)
        if j is None:
            beads.append(Bead([segment.text], [], "comment"))
            continue
        beads.extend(
            Bead([], [target[k].text], "comment") for k in range(next_target, j) if k not in paired_targets
        )
        beads.append(Bead([segment.text], [target[j].text], "comment"))
        next_target = j + 1
    beads.extend(
        Bead([], [target[k].text], "comment")
        for k in range(next_target, len(target))
        if k not in paired_targets
    )


def _paragraph_beads(src_blocks: list, tgt_blocks: list, beads: list[Bead]) -> None:
    source = [s.text for block in src_blocks for s in block.segments]
    target = [s.text for block in tgt_blocks for s in block.segments]
    if source and target:
        beads.append(Bead(source, target))
    else:
        beads.extend(Bead([t], []) for t in source)
        beads.extend(Bead([], [t]) for t in target)
