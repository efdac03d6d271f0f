"""Pair the old English with the old human translation, unit by unit (sentences: amts.align.beads).

Sync needs this at the granularity of its layout units (heading, `:label:` line, paragraph, code block),
finer than the book-level block aligner, so it runs a small banded dynamic programme of its own: protected
units anchor (identical labels, math, code up to its translated comments), prose is matched by length ratio
and shared inline tokens, and target-only units (a translator's note, an extra framework tab) are skipped.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable, Sequence

from rapidfuzz import fuzz

from amts.sync.units import Unit, code_body, heading_id, logical_text, strip_markers

SKIP_COST = 1.6
_ANCHOR_RE = re.compile(r"`[^`]+`|\$[^$]+\$|:[a-z]+:`[^`]+`|\d+(?:\.\d+)?")
_HEADING_LEVEL_RE = re.compile(r"^(#+)")


@dataclass(frozen=True)
class Bead:
    """Source items `source` (indices) translate to target items `target` (indices); either may be empty."""

    source: tuple[int, ...]
    target: tuple[int, ...]


def dp_align(
    n: int,
    m: int,
    cost: Callable[[int, int, int, int], float],
    moves: Sequence[tuple[int, int]],
    band: int | None = None,
) -> tuple[list[Bead], float]:
    """Minimum-cost monotonic alignment; cost(i, di, j, dj) prices source[i:i+di] against target[j:j+dj]."""
    inf = math.inf
    best = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for i in range(n + 1):
        centre = i * m / n if n else 0
        lo, hi = 0, m
        if band is not None:
            lo, hi = max(0, int(centre) - band), min(m, int(centre) + band)
        for j in range(lo, hi + 1):
            here = best[i][j]
            if here == inf:
                continue
            for di, dj in moves:
                ni, nj = i + di, j + dj
                if ni > n or nj > m:
                    continue
                value = here + cost(i, di, j, dj)
                if value < best[ni][nj]:
                    best[ni][nj] = value
                    back[ni][nj] = (di, dj)
    beads: list[Bead] = []
    i, j = n, m
    if best[n][m] == inf:
        raise ValueError("no alignment path within the band")
    while i or j:
        di, dj = back[i][j]  # type: ignore[misc]
        beads.append(Bead(tuple(range(i - di, i)), tuple(range(j - dj, j))))
        i, j = i - di, j - dj
    beads.reverse()
    return beads, best[n][m]


def _anchors(text: str) -> set[str]:
    return set(_ANCHOR_RE.findall(text))


def _set_cost(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 0.0
    return 1.0 - len(a & b) / len(a | b)


def _length_cost(src_len: int, tgt_len: int, ratio: float) -> float:
    return abs(math.log((tgt_len + 8) / (ratio * src_len + 8)))


def char_ratio(src_texts: Sequence[str], tgt_texts: Sequence[str]) -> float:
    src = sum(len(t) for t in src_texts) or 1
    tgt = sum(len(t) for t in tgt_texts) or 1
    return min(max(tgt / src, 0.1), 10.0)


def _heading_level(raw: str) -> int:
    match = _HEADING_LEVEL_RE.match(raw.lstrip())
    return len(match.group(1)) if match else 0


class UnitCoster:
    """Prices source units against target units for `dp_align`."""

    def __init__(self, source: Sequence[Unit], target: Sequence[Unit]):
        self.source, self.target = source, target
        self.src_text = [strip_markers(logical_text(u.raw)) if u.is_prose else u.raw for u in source]
        self.tgt_text = [strip_markers(logical_text(u.raw)) if u.is_prose else u.raw for u in target]
        self.ratio = char_ratio(
            [t for u, t in zip(source, self.src_text, strict=False) if u.is_prose],
            [t for u, t in zip(target, self.tgt_text, strict=False) if u.is_prose],
        )
        self._code = {}
        self.src_anchors = [_anchors(t) for t in self.src_text]
        self.tgt_anchors = [_anchors(t) for t in self.tgt_text]

    def _code_of(self, side: str, index: int) -> str:
        key = (side, index)
        if key not in self._code:
            unit = (self.source if side == "s" else self.target)[index]
            self._code[key] = code_body(unit.raw)
        return self._code[key]

    def __call__(self, i: int, di: int, j: int, dj: int) -> float:
        if di == 0 or dj == 0:
            return SKIP_COST * (di + dj)
        src = self.source[i : i + di]
        tgt = self.target[j : j + dj]
        if di == 1 and dj == 1:
            return self._pair(i, j)
        # merges only between prose units of one paragraph-like kind (a translator joined or split lines)
        if not all(u.is_prose for u in src) or not all(u.is_prose for u in tgt):
            return math.inf
        if any(heading_id(u) for u in (*src, *tgt)):
            return math.inf  # a heading with an anchor pairs one to one, by its anchor
        s_len = sum(len(t) for t in self.src_text[i : i + di]) + di - 1
        t_len = sum(len(t) for t in self.tgt_text[j : j + dj])
        anchors = _set_cost(
            set().union(*self.src_anchors[i : i + di]), set().union(*self.tgt_anchors[j : j + dj])
        )
        return 0.6 * (di + dj - 2) + _length_cost(s_len, t_len, self.ratio) + anchors

    def _pair(self, i: int, j: int) -> float:
        su, tu = self.source[i], self.target[j]
        if su.is_prose != tu.is_prose:
            return math.inf
        if su.is_prose:
            s, t = self.src_text[i], self.tgt_text[j]
            ids = heading_id(su), heading_id(tu)
            if ids[0] and ids[1]:  # `## Title[[anchor]]` (HF course): the anchor decides
                return 0.0 if ids[0] == ids[1] else 10.0
            penalty = 0.0
            if (su.kind == "heading") != (tu.kind == "heading"):
                penalty = 2.0
            elif su.kind == "heading" and _heading_level(su.raw) != _heading_level(tu.raw):
                penalty = 1.0
            elif su.kind != tu.kind:
                penalty = 0.5
            return (
                penalty
                + _length_cost(len(s), len(t), self.ratio)
                + _set_cost(self.src_anchors[i], self.tgt_anchors[j])
            )
        if su.kind != tu.kind:
            return math.inf
        if su.raw.strip() == tu.raw.strip():
            return 0.0
        if su.kind == "code":
            a, b = self._code_of("s", i), self._code_of("t", j)
            if a == b:
                return 0.05
            return 2.5 * (1.0 - fuzz.ratio(a, b) / 100.0)
        return 2.5 * (1.0 - fuzz.ratio(su.raw, tu.raw) / 100.0)


UNIT_MOVES = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (3, 1), (1, 3))


def align_units(source: Sequence[Unit], target: Sequence[Unit]) -> tuple[list[Bead], float]:
    """Align two unit sequences; returns the beads and the mean cost per source unit."""
    n, m = len(source), len(target)
    band = max(25, abs(n - m) + 15, int(0.2 * max(n, m)))
    beads, total = dp_align(n, m, UnitCoster(source, target), UNIT_MOVES, band=band)
    return beads, total / max(n, 1)


# Units a translation leaves (almost) as they are; MDX components and HTML may carry translated text.
_ANCHOR_KINDS = frozenset({"code", "math", "directive"})


def absorb_target_only(beads: list[Bead], target_unit: list[int]) -> list[Bead]:
    """Give each target sentence with no English (a translator's addition) to a neighbouring bead.

    It then travels with that bead's human text instead of being dropped with nothing to replace it.
    Preferred: the neighbour translated in the same target unit, then an English sentence left without
    translation next to it (the aligner missed the pair), then the previous bead.
    """
    if not any(b.source for b in beads):
        return beads
    targets = {k: list(b.target) for k, b in enumerate(beads) if b.source}
    for p, bead in enumerate(beads):
        if bead.source:
            continue
        t = bead.target[0]
        prev = next((k for k in range(p - 1, -1, -1) if beads[k].source), None)
        after = next((k for k in range(p + 1, len(beads)) if beads[k].source), None)

        def same_unit(k: int | None, t: int = t) -> bool:
            return k is not None and bool(targets[k]) and target_unit[targets[k][0]] == target_unit[t]

        def untranslated(k: int | None) -> bool:
            return k is not None and not beads[k].target

        for choice in (
            prev if same_unit(prev) else None,
            after if same_unit(after) else None,
            after if untranslated(after) else None,
            prev if untranslated(prev) else None,
            prev,
            after,
        ):
            if choice is not None:
                targets[choice].extend(bead.target)
                break
    return [Bead(b.source, tuple(sorted(targets[k]))) for k, b in enumerate(beads) if b.source]


def protected_agreement(source: list[Unit], target: list[Unit], beads: list[Bead]) -> tuple[float, int]:
    """Share of the source's protected units (code, math, labels) paired 1:1 with a near-identical target unit."""
    coster = UnitCoster(source, target)
    protected = sum(1 for u in source if u.kind in _ANCHOR_KINDS)
    good = sum(
        1
        for b in beads
        if len(b.source) == 1
        and len(b.target) == 1
        and source[b.source[0]].kind in _ANCHOR_KINDS
        and coster(b.source[0], 1, b.target[0], 1) < 0.5
    )
    return (good / protected if protected else 1.0), protected
