"""Strict bead precision, recall and F1 of an alignment against a gold alignment.

A bead matches only if a gold bead has exactly the same source text and the same target text.
Whitespace is ignored and the sentences of a bead are joined, so two splitters that cut a bead's
text differently still agree when the bead itself is the same correspondence.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from amts.fsutil import require_regular

_SPACE_RE = re.compile(r"\s+")


def bead_key(source: Iterable[str], target: Iterable[str]) -> tuple[str, str]:
    return _SPACE_RE.sub("", "".join(source)), _SPACE_RE.sub("", "".join(target))


@dataclass(frozen=True, slots=True)
class Score:
    matched: int
    system: int
    gold: int

    @property
    def precision(self) -> float:
        return self.matched / self.system if self.system else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(self.matched + other.matched, self.system + other.system, self.gold + other.gold)


def score_beads(
    system: Iterable[tuple[list[str], list[str]]], gold: Iterable[tuple[list[str], list[str]]]
) -> Score:
    sys_keys = Counter(bead_key(s, t) for s, t in system)
    gold_keys = Counter(bead_key(s, t) for s, t in gold)
    matched = sum((sys_keys & gold_keys).values())
    return Score(matched, sum(sys_keys.values()), sum(gold_keys.values()))


def read_beads(path: str | Path) -> list[tuple[list[str], list[str]]]:
    """Beads from a JSON Lines file written by `amts align` (or a gold file in the same format)."""
    beads = []
    require_regular(path, "a JSON Lines file of beads")
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                beads.append((list(record["source"]), list(record["target"])))
    return beads
