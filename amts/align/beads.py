"""Sentence alignment inside aligned blocks: a monotone dynamic program over small beads.

Bead types 1-1, 1-2, 2-1, 2-2, 1-3, 3-1, 1-4, 4-1, 1-0 and 0-1. Each bead is scored by its type, the
fit of the length ratio (log ratio against the ratio estimated for the block pair, shrunk towards the
document's), the agreement of anchors (numbers, inline code, math, roles, emphasis, Latin words kept in
a Chinese translation) and of question marks. Compared with Gale-Church (length only) the anchors fix
most errors on technical text (benchmarks/align_quality.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from amts.align.features import (
    backtrace,
    TextFeatures,
    anchor_counts,
    estimate_ratio,
    length_logratio,
    text_features,
)
from amts.languages import char_based

NEG = float("-inf")


@dataclass(frozen=True, slots=True)
class SentenceParams:
    """Scores of the sentence dynamic program, tuned by a random search on the 7 gold sections
    (tests/data/gold): the optimum is flat in every parameter but the length sigma and the 1-2 prior.
    The two dictionary weights were chosen later on the same gold (flat between 0.2 and 0.5)."""

    length_sigma: float = 0.38
    shared_bonus: float = 0.4  # per anchor present on both sides
    lonely_penalty: float = 0.6  # per anchor present on one side only
    anchor_cap: int = 5
    local_ratio_weight: float = 150.0  # source characters of prior evidence when estimating the block ratio
    question_weight: float = 0.5
    block_cross_penalty: float = 2.0
    pair_cross_penalty: float = 0.5
    band: float = 600.0  # source characters a bead path may drift from the length diagonal
    skip: float = -2.5
    lexical_match: float = 0.4  # per concept of the spaced side found in the other side's glosses
    lexical_miss: float = 0.3  # per concept of the spaced side not found
    type_prior: tuple[tuple[tuple[int, int], float], ...] = (
        ((1, 1), 0.5),
        ((1, 2), -0.7),
        ((2, 1), -0.7),
        ((2, 2), -1.8),
        ((1, 3), -1.2),
        ((3, 1), -1.2),
        ((1, 4), -2.0),
        ((4, 1), -2.0),
    )


SENTENCE_PARAMS = SentenceParams()


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence with where it comes from and its alignment features."""

    text: str
    block: int  # which block of its side the sentence comes from
    features: TextFeatures
    pair: int = 0  # which aligned block pair of the run it comes from
    concepts: frozenset[str] = frozenset()  # dictionary concept keys (amts.align.lexicon), may be empty

    @staticmethod
    def of(text: str, block: int, pair: int = 0, concepts: frozenset[str] = frozenset()) -> Sentence:
        return Sentence(text, block, text_features(text), pair, concepts)


def _merge(sentences: list[Sentence]) -> TextFeatures:
    if len(sentences) == 1:
        return sentences[0].features
    return TextFeatures.combine(s.features for s in sentences)


def _concepts(sentences: list[Sentence]) -> frozenset[str]:
    if len(sentences) == 1:
        return sentences[0].concepts
    return frozenset().union(*(s.concepts for s in sentences))


def _lexical_score(words: frozenset[str], glosses: frozenset[str], p: SentenceParams) -> float:
    """Words of the spaced side (English) met by glosses of the other side: a sentence the translator
    left out brings only misses into a bead, so it is cheaper to leave it 1-0."""
    found = len(words & glosses)
    return p.lexical_match * found - p.lexical_miss * (len(words) - found)


def _bead_score(
    a: list[Sentence],
    b: list[Sentence],
    prior: float,
    ratio: float,
    src_lang: str,
    tgt_lang: str,
    p: SentenceParams,
    fa: TextFeatures | None = None,
    fb: TextFeatures | None = None,
    lexical: float = 0.0,
) -> float:
    fa = fa if fa is not None else _merge(a)
    fb = fb if fb is not None else _merge(b)
    lr = length_logratio(fa, fb, ratio, char_based(src_lang), char_based(tgt_lang), smoothing=4.0)
    score = prior + lexical - 0.5 * (lr / p.length_sigma) ** 2
    if score < -12.0:
        return score  # hopeless length mismatch: anchors cannot rescue it, skip the set operations
    shared, lonely = anchor_counts(fa, fb, src_lang, tgt_lang)
    score += p.shared_bonus * min(shared, p.anchor_cap) - p.lonely_penalty * min(lonely, p.anchor_cap)
    # Only the last sentence of a bead can end it with a question.
    if a[-1].features.question != b[-1].features.question:
        score -= p.question_weight
    if a[0].block != a[-1].block or b[0].block != b[-1].block:
        score -= p.block_cross_penalty
    elif a[0].pair != b[0].pair:
        # A sentence the translator moved into the neighbouring paragraph.
        score -= p.pair_cross_penalty
    return score


def _positions(sentences: list[Sentence]) -> list[float]:
    """Length of the text before each sentence (for the diagonal band)."""
    positions, total = [], 0.0
    for sentence in sentences:
        positions.append(total)
        total += sentence.features.length
    return positions


# A block pair of more than ONE_PROGRAM_CELLS sentence pairs (a table of thousands of rows) is aligned window by
# window, WINDOW sentences a side: the dynamic program's table would otherwise grow with the product of the
# two lengths. Ordinary block pairs stay far below the limit and are aligned exactly as before.
ONE_PROGRAM_CELLS = 200 * 200
WINDOW = 80


def align_sentences(
    src: list[Sentence],
    tgt: list[Sentence],
    ratio: float,
    src_lang: str,
    tgt_lang: str,
    params: SentenceParams | None = None,
) -> list[tuple[list[Sentence], list[Sentence]]]:
    """Monotone bead alignment of two sentence lists; every sentence lands in exactly one bead.

    Up to ONE_PROGRAM_CELLS sentence pairs one dynamic program aligns everything. Longer pairs are aligned in windows
    of about WINDOW sentences a side, proportional to what is left on each side; the beads of the first half
    of each window are kept (the window's forced end distorts its last beads) and the next window starts
    there, so time and memory grow linearly with the length.
    """
    params = params or SENTENCE_PARAMS
    n, m = len(src), len(tgt)
    beads: list[tuple[list[Sentence], list[Sentence]]] = []
    i = j = 0
    while (n - i) * (m - j) > ONE_PROGRAM_CELLS:
        scale = WINDOW / max(n - i, m - j)
        wi, wj = max(1, round((n - i) * scale)), max(1, round((m - j) * scale))
        window = _align_window(src[i : i + wi], tgt[j : j + wj], ratio, src_lang, tgt_lang, params)
        kept_i = kept_j = 0
        for a, b in window:
            if beads and (kept_i >= wi // 2 or kept_j >= wj // 2):
                break
            beads.append((a, b))
            kept_i, kept_j = kept_i + len(a), kept_j + len(b)
        i, j = i + kept_i, j + kept_j
    return beads + _align_window(src[i:], tgt[j:], ratio, src_lang, tgt_lang, params)


def _align_window(
    src: list[Sentence],
    tgt: list[Sentence],
    ratio: float,
    src_lang: str,
    tgt_lang: str,
    params: SentenceParams,
) -> list[tuple[list[Sentence], list[Sentence]]]:
    """One dynamic program over all of ``src`` x ``tgt``."""
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return [([s], []) for s in src] + [([], [t]) for t in tgt]
    if n == 1 and m == 1:
        return [(src, tgt)]
    # The block pair's own length ratio, shrunk towards the document's: translators compress unevenly.
    src_total, tgt_total = _merge(src), _merge(tgt)
    local = estimate_ratio(src_total, tgt_total, char_based(src_lang), char_based(tgt_lang))
    if local is not None:
        w = params.local_ratio_weight
        ratio = (local * src_total.length + w * ratio) / (src_total.length + w)
    score = [[NEG] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    score[0][0] = 0.0
    merged: dict[tuple[str, int, int], TextFeatures] = {}
    # Dictionary evidence when both sides carry concept keys: the spaced side's words against the
    # spaceless side's glosses.
    lexical = (
        (params.lexical_match or params.lexical_miss)
        and any(s.concepts for s in src)
        and any(t.concepts for t in tgt)
    )
    words_side = tgt if char_based(src_lang) and not char_based(tgt_lang) else src
    concepts: dict[tuple[str, int, int], frozenset[str]] = {}
    src_pos = _positions(src)
    tgt_pos = _positions(tgt)
    skips = [((1, 0), None), ((0, 1), None)]
    moves = skips + [(move, prior) for move, prior in params.type_prior]
    for i in range(n + 1):
        for j in range(m + 1):
            best = score[i][j]
            if best == NEG:
                continue
            # Far from the length diagonal or from the aligned paragraph only skips are tried: cheap,
            # and the end of the table stays reachable.
            far = (
                i < n
                and j < m
                and (abs(src[i].pair - tgt[j].pair) > 1 or abs(src_pos[i] - tgt_pos[j] / ratio) > params.band)
            )
            for (di, dj), prior in skips if far else moves:
                ni, nj = i + di, j + dj
                if ni > n or nj > m:
                    continue
                if prior is None:
                    gain = params.skip - 1e-6 * (n + m - i - j)  # ties: skip late, match early
                else:
                    fa = merged.get(("s", i, ni))
                    if fa is None:
                        fa = merged[("s", i, ni)] = _merge(src[i:ni])
                    fb = merged.get(("t", j, nj))
                    if fb is None:
                        fb = merged[("t", j, nj)] = _merge(tgt[j:nj])
                    lex = 0.0
                    if lexical:
                        ca = concepts.get(("s", i, ni))
                        if ca is None:
                            ca = concepts[("s", i, ni)] = _concepts(src[i:ni])
                        cb = concepts.get(("t", j, nj))
                        if cb is None:
                            cb = concepts[("t", j, nj)] = _concepts(tgt[j:nj])
                        lex = (
                            _lexical_score(ca, cb, params)
                            if words_side is src
                            else _lexical_score(cb, ca, params)
                        )
                    gain = _bead_score(
                        src[i:ni], tgt[j:nj], prior, ratio, src_lang, tgt_lang, params, fa, fb, lex
                    )
                if best + gain > score[ni][nj]:
                    score[ni][nj] = best + gain
                    back[ni][nj] = (di, dj)
    return backtrace(back, src, tgt)
