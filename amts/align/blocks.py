"""Block alignment: which blocks of a translation correspond to which blocks of its source.

Two steps. Blocks that cannot be translated (code with comments stripped, display math, directives such
as ``:label:``, image paths) and occur exactly once on each side are hard anchors; the longest monotone
chain of them splits the documents into small gaps. Each gap is aligned by a monotone dynamic program
over 1-1, 1-0, 0-1 and prose merges (2-1, 1-2, 3-1, 1-3), scored by length ratio and shared anchors.
Every block of both documents ends up in exactly one BlockPair, in document order.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

from amts.align.features import (
    backtrace,
    TextFeatures,
    anchor_agreement,
    estimate_ratio,
    length_logratio,
    normalize_math,
    text_features,
)
from amts.languages import char_based

Block = Any  # amts.markdown.Block (duck-typed: index, kind, raw, segments, info)

PROSE_KINDS = frozenset({"paragraph", "list_item", "table", "caption", "image"})
_IMAGE_URL_RE = re.compile(r"\]\(([^)\s]+)")
_CODE_COMMENT_RE = re.compile(r"(^|\s)#(?!@).*$")
_STRING_RE = re.compile(r"('''|\"\"\"|'|\")(?:\\.|(?!\1).)*\1")
_TOKEN_RE = re.compile(r"\w+|[^\w\s]")
_SPACE_RE = re.compile(r"\s+")

NEG = float("-inf")


@dataclass(slots=True)
class BlockPair:
    """Blocks of the source and of the target that correspond; one side may be empty."""

    source: list = field(default_factory=list)
    target: list = field(default_factory=list)


@dataclass(slots=True)
class _Unit:
    block: Block
    group: str  # heading | prose | code | math | directive | html | other
    key: str | None  # exact-match identity for protected blocks and images
    features: TextFeatures
    tokens: frozenset[str]  # for near-identical protected blocks


@dataclass(frozen=True, slots=True)
class Params:
    """Scores of the block dynamic program (tuned on zh_origin <-> zh and the hf-course pairs)."""

    length_sigma: float = 0.55
    anchor_weight: float = 1.5
    skip_prose: float = -0.6
    skip_protected: float = -0.15
    skip_directive: float = -0.5
    merge_penalty: float = 0.35
    identical_gain: float = 3.0
    band: int = 30


PARAMS = Params()


def _code_key(raw: str) -> tuple[str, frozenset[str]]:
    """Code without comments, string contents or layout: translations change those, not the code."""
    lines = raw.splitlines()[1:-1] if raw.lstrip().startswith(("```", "~~~")) else raw.splitlines()
    kept = []
    for line in lines:
        code = _CODE_COMMENT_RE.sub("", _STRING_RE.sub("''", line)).strip()
        if code:
            kept.append(code)
    text = "\n".join(kept)
    return _SPACE_RE.sub("", text), frozenset(_TOKEN_RE.findall(text))


def _unit(block: Block) -> _Unit:
    kind = block.kind
    raw = block.raw
    if kind == "heading":
        return _Unit(block, "heading", None, _segments_features(block), frozenset())
    if kind in PROSE_KINDS:
        key = None
        if kind == "image":
            url = _IMAGE_URL_RE.search(raw)
            key = f"img:{url.group(1)}" if url else None
        return _Unit(block, "prose", key, _segments_features(block), frozenset())
    if kind == "code":
        key, tokens = _code_key(raw)
        return _Unit(block, "code", f"code:{key}", TextFeatures.empty(), tokens)
    if kind == "math":
        norm = normalize_math(re.sub(r"[^\x00-\x7f]", "", raw))
        return _Unit(block, "math", f"math:{norm}", TextFeatures.empty(), frozenset(_TOKEN_RE.findall(norm)))
    norm = _SPACE_RE.sub(" ", raw.strip())
    return _Unit(
        block,
        kind if kind == "directive" else "other",
        f"{kind}:{norm}",
        TextFeatures.empty(),
        frozenset(_TOKEN_RE.findall(norm)),
    )


def _segments_features(block: Block) -> TextFeatures:
    return TextFeatures.combine(text_features(segment.text) for segment in block.segments)


def units(doc: Any) -> list[_Unit]:
    return [_unit(block) for block in doc.blocks]


def prose_ratio(src: list[_Unit], tgt: list[_Unit], prior: float, src_lang: str, tgt_lang: str) -> float:
    """Target prose length per source prose character for this document pair, kept near the prior."""
    src_total = TextFeatures.combine(u.features for u in src)
    tgt_total = TextFeatures.combine(u.features for u in tgt)
    if src_total.length < 200 or tgt_total.length < 50:
        return prior
    ratio = estimate_ratio(src_total, tgt_total, char_based(src_lang), char_based(tgt_lang))
    if ratio is None:
        return prior
    return min(max(ratio, prior / 1.6), prior * 1.6)


class _Scorer:
    def __init__(self, src_lang: str, tgt_lang: str, ratio: float, params: Params):
        self.src_lang, self.tgt_lang, self.ratio, self.p = src_lang, tgt_lang, ratio, params
        self.spaceless = (char_based(src_lang), char_based(tgt_lang))

    def prose(self, fs: TextFeatures, ft: TextFeatures) -> float:
        lr = length_logratio(fs, ft, self.ratio, *self.spaceless)
        score = 1.0 - 0.5 * (lr / self.p.length_sigma) ** 2
        agree, evidence = anchor_agreement(fs, ft, self.src_lang, self.tgt_lang)
        if evidence:
            score += self.p.anchor_weight * 2 * (agree - 0.5) * min(evidence, 6) / 6
        return max(score, -6.0)

    def pair(self, a: _Unit, b: _Unit) -> float:
        if a.group != b.group:
            return NEG
        if a.key is not None and a.key == b.key:
            return self.p.identical_gain
        if a.group in ("prose", "heading"):
            score = self.prose(a.features, b.features)
            if a.key is not None and b.key is not None:  # two different images
                score -= 1.0
            if a.block.kind != b.block.kind:
                score -= 0.3
            return score
        if a.group == "directive":
            return NEG
        union = a.tokens | b.tokens
        if not union:
            return NEG
        similarity = len(a.tokens & b.tokens) / len(union)
        return 2.5 * similarity - 1.2 if similarity > 0.5 else NEG

    def skip(self, u: _Unit) -> float:
        if u.group in ("prose", "heading"):
            return self.p.skip_prose
        return self.p.skip_directive if u.group == "directive" else self.p.skip_protected


_MOVES = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (3, 1), (1, 3), (4, 1), (1, 4))


def _mergeable(units_: list[_Unit]) -> bool:
    """Plain prose blocks, possibly with display math between them: translators split a paragraph
    around an equation they add, or join paragraphs separated by one."""
    for position, u in enumerate(units_):
        inner = 0 < position < len(units_) - 1
        if not (u.group == "prose" and u.key is None) and not (inner and u.group == "math"):
            return False
    return True


def _merged(units_: list[_Unit]) -> TextFeatures | None:
    """Features of consecutive prose units merged into one, or None if they cannot merge."""
    if not _mergeable(units_):
        return None
    return TextFeatures.combine(u.features for u in units_)


def _gap_dp(src: list[_Unit], tgt: list[_Unit], scorer: _Scorer) -> list[tuple[list[_Unit], list[_Unit]]]:
    n, m = len(src), len(tgt)
    cache: dict = {}
    if n == 0 or m == 0:
        return [([u], []) for u in src] + [([], [u]) for u in tgt]
    band = max(scorer.p.band, abs(n - m) + 10)
    score = [[NEG] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    score[0][0] = 0.0
    for i in range(n + 1):
        centre = i * m / n
        lo, hi = max(0, int(centre) - band), min(m, int(centre) + band)
        for j in range(lo, hi + 1):
            best = score[i][j]
            if best == NEG and (i, j) != (0, 0):
                continue
            for di, dj in _MOVES:
                ni, nj = i + di, j + dj
                if ni > n or nj > m:
                    continue
                gain = _move_gain(src[i:ni], tgt[j:nj], scorer, cache, (i, ni, j, nj))
                if gain == NEG:
                    continue
                if not (di and dj):
                    # Break ties towards matching early and leaving extras last: a sentence repeated
                    # in each framework tab pairs with its first copy.
                    gain -= 1e-6 * (n + m - i - j)
                total = best + gain
                if total > score[ni][nj]:
                    score[ni][nj] = total
                    back[ni][nj] = (di, dj)
    if score[n][m] == NEG:  # outside the band: fall back to skipping everything
        return [([u], []) for u in src] + [([], [u]) for u in tgt]
    return backtrace(back, src, tgt)


def _move_gain(
    a: list[_Unit],
    b: list[_Unit],
    scorer: _Scorer,
    cache: dict | None = None,
    key: tuple[int, int, int, int] | None = None,
) -> float:
    if not b:
        return scorer.skip(a[0])
    if not a:
        return scorer.skip(b[0])
    if len(a) == 1 and len(b) == 1:
        return scorer.pair(a[0], b[0])
    if cache is not None and key is not None:
        # Merged features of a run (None: cannot merge) are reused across many cells of the table.
        src_key, tgt_key = ("s", key[0], key[1]), ("t", key[2], key[3])
        fa = cache[src_key] if src_key in cache else cache.setdefault(src_key, _merged(a))
        if fa is None:
            return NEG
        fb = cache[tgt_key] if tgt_key in cache else cache.setdefault(tgt_key, _merged(b))
    else:
        fa, fb = _merged(a), _merged(b)
    if fa is None or fb is None:
        return NEG
    return scorer.prose(fa, fb) - scorer.p.merge_penalty * (len(a) + len(b) - 2)


def _anchor_chain(src: list[_Unit], tgt: list[_Unit]) -> list[tuple[int, int]]:
    """Longest monotone chain of blocks whose key occurs exactly once on each side."""

    def unique(units_: list[_Unit]) -> dict[str, int]:
        seen: dict[str, int] = {}
        dup: set[str] = set()
        for i, u in enumerate(units_):
            if u.key is None or len(u.key) < 8:
                continue
            if u.key in seen:
                dup.add(u.key)
            seen[u.key] = i
        return {k: v for k, v in seen.items() if k not in dup}

    us, ut = unique(src), unique(tgt)
    candidates = sorted((i, ut[k]) for k, i in us.items() if k in ut)
    # Longest increasing subsequence on the target index (patience sorting).
    tails: list[int] = []
    tail_idx: list[int] = []
    prev: list[int] = [-1] * len(candidates)
    for n, (_, j) in enumerate(candidates):
        pos = bisect.bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_idx.append(n)
        else:
            tails[pos] = j
            tail_idx[pos] = n
        prev[n] = tail_idx[pos - 1] if pos else -1
    chain = []
    n = tail_idx[-1] if tail_idx else -1
    while n >= 0:
        chain.append(candidates[n])
        n = prev[n]
    return chain[::-1]


def align_units(
    src: list[_Unit], tgt: list[_Unit], src_lang: str, tgt_lang: str, ratio: float, params: Params = PARAMS
) -> list[tuple[list[_Unit], list[_Unit], float]]:
    """Aligned unit groups with the gain of each (NaN-free; skips carry the skip score)."""
    scorer = _Scorer(src_lang, tgt_lang, ratio, params)
    result: list[tuple[list[_Unit], list[_Unit], float]] = []
    i0 = j0 = 0
    for i, j in _anchor_chain(src, tgt) + [(len(src), len(tgt))]:
        for a, b in _gap_dp(src[i0:i], tgt[j0:j], scorer):
            result.append((a, b, _move_gain(a, b, scorer)))
        if i < len(src):
            result.append(([src[i]], [tgt[j]], params.identical_gain))
        i0, j0 = i + 1, j + 1
    return result


def to_block_pairs(groups: list[tuple[list[_Unit], list[_Unit], float]]) -> list[BlockPair]:
    return [BlockPair([u.block for u in a], [u.block for u in b]) for a, b, _ in groups]
