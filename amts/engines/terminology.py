"""Terminology learned from parallel data: the local analogue of Amazon Translate custom terminology.

Domain words an engine does not know (Apertium marks them `*dataset`) are mapped to the target phrase
that most consistently accompanies them in the parallel data (Dice coefficient over aligned pairs), and
protected through the engine as placeholder tokens, then replaced by that phrase.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Iterable

from amts.engines.base import TOKEN_RE

_WORD_RE = re.compile(r"[^\W\d_](?:[\w'-]*[^\W_])?")
_HAN_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+")
_CJK = {"zh", "ja"}
# Term tokens sit far above the segment's own ⟦n⟧ numbers so the two never collide.
TERM_TOKEN_BASE = 9000


@lru_cache(maxsize=200_000)
def _target_units(text: str, lang: str, max_n: int = 3) -> frozenset[str]:
    text = TOKEN_RE.sub(" ", text).lower()
    if lang in _CJK:
        units: set[str] = set()
        for run in _HAN_RE.findall(text):
            for n in range(1, 5):
                units.update(run[i : i + n] for i in range(len(run) - n + 1))
        return frozenset(units)
    words = _WORD_RE.findall(text)
    return frozenset(
        " ".join(words[i : i + n]) for n in range(1, max_n + 1) for i in range(len(words) - n + 1)
    )


def _function_words(target_units: list[frozenset[str]], count: int = 80) -> set[str]:
    """The target language's most frequent single words in this data: articles, prepositions, ..."""
    singles = Counter(u for units in target_units for u in units if " " not in u)
    # Function words are frequent *and* spread: in at least 5 % of the pairs (and 10 of them).
    floor = max(10, 0.05 * len(target_units))
    return {w for w, n in singles.most_common(count) if n >= floor}


def learn_terminology(
    pairs: Iterable[tuple[str, str]],
    unknown: Iterable[str],
    target_lang: str,
    min_count: int = 2,
    min_dice: float = 0.5,
    min_share: float = 0.5,
    min_rows: int = 3,
) -> dict[str, str]:
    """{source word (lower case): target phrase} for unknown words with a consistent translation.

    The word must occur in at least `min_rows` pairs; a phrase must occur in at least `min_share` of
    them, and a phrase of several words must not begin or end with one of the target's most frequent
    words ("las métricas" -> "métricas").
    """
    pairs = [(s, t) for s, t in pairs if s.strip() and t.strip()]
    rows_of: dict[str, list[int]] = defaultdict(list)  # source word -> pairs containing it
    for i, (source, _) in enumerate(pairs):
        for word in set(_WORD_RE.findall(TOKEN_RE.sub(" ", source).lower())):
            rows_of[word].append(i)
    target_units = [_target_units(t, target_lang) for _, t in pairs]
    unit_totals = Counter(u for units in target_units for u in units)
    function_words = _function_words(target_units) if target_lang not in _CJK else set()
    terms: dict[str, str] = {}
    for word in sorted({w.lower() for w in unknown if len(w) >= 3}):
        rows = rows_of.get(word, [])
        if len(rows) < min_rows:
            continue
        # Translators who keep the word as is (code names, "dataset" in some books) need no term.
        if sum(word in target_units[i] for i in rows) * 2 >= len(rows):
            continue
        together = Counter(u for i in rows for u in target_units[i])
        needed = max(min_count, min_share * len(rows))
        scored = [
            (2 * c / (len(rows) + unit_totals[u]), u)
            for u, c in together.items()
            if c >= needed and not _edges_in(u, function_words)
        ]
        if not scored:
            continue
        best = max(score for score, _ in scored)
        if best < min_dice:
            continue
        # Among near-ties prefer the longest phrase ("espacios en blanco" over "blanco"); near-ties that are
        # not parts of it mean the data does not say which phrase translates the word: no term.
        near = [u for score, u in scored if score >= 0.9 * best]
        chosen = max(near, key=lambda u: (len(u.split()) if target_lang not in _CJK else len(u), -len(u)))
        if all(u in chosen for u in near):
            terms[word] = chosen
    return terms


def _edges_in(unit: str, words: set[str]) -> bool:
    parts = unit.split()
    return len(parts) > 1 and (parts[0] in words or parts[-1] in words)


class TermProtector:
    """Swaps known terms for placeholder tokens before an engine and the target phrase after it."""

    def __init__(self, terms: dict[str, str]):
        self.terms = {k.lower(): v for k, v in terms.items() if k.strip() and v.strip()}
        words = sorted(self.terms, key=len, reverse=True)
        self._re = (
            re.compile(r"(?<![\w⟦])(" + "|".join(map(re.escape, words)) + r")(?![\w⟧])", re.IGNORECASE)
            if words
            else None
        )

    def protect(self, text: str) -> tuple[str, dict[str, str]]:
        if self._re is None:
            return text, {}
        found: dict[str, str] = {}

        def swap(match: re.Match) -> str:
            token = f"⟦{TERM_TOKEN_BASE + len(found) + 1}⟧"
            phrase = self.terms[match.group(1).lower()]
            found[token] = (
                phrase[:1].upper() + phrase[1:]
                if match.group(1)[:1].isupper() and match.start() == 0
                else phrase
            )
            return token

        return self._re.sub(swap, text), found

    @staticmethod
    def restore(text: str, found: dict[str, str]) -> str:
        for token, phrase in found.items():
            if token in text:
                at_start = text.lstrip().startswith(token)
                text = text.replace(token, phrase[:1].upper() + phrase[1:] if at_start else phrase, 1)
            else:  # the engine dropped it: keep the meaning rather than lose the word
                text = f"{text} {phrase}"
        return text
