"""Translation memory from parallel data: exact matches, then fuzzy matches (rapidfuzz).

Memory entries are stored masked the way segments are (⟦n⟧ tokens for code, math, links...), so a
segment whose only change is a different code span still matches exactly, and its translation gets
the segment's own protected spans back on unmask.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from rapidfuzz import fuzz, process

from amts.engines.base import TOKEN_RE, Capabilities, Engine, Result, normalise_lang, tokens_of
from amts.errors import EngineError, InputError
from amts.fsutil import require_regular

DEFAULT_THRESHOLD = 90.0


@dataclass(frozen=True)
class Match:
    translation: str
    score: float  # 100 for exact
    source: str  # the memory's source text the translation came from


def read_parallel_file(
    path: str | Path, source_lang: str | None = None, target_lang: str | None = None
) -> list[tuple[str, str]]:
    """(source, target) pairs from a CSV/TSV/TMX parallel-data file (Amazon Translate's formats)."""
    try:
        from amts.paralleldata import (
            read_parallel,
        )  # the alignment area's reader (Amazon's formats and limits)
    except ImportError:
        return _read_minimal(Path(path), source_lang, target_lang)
    if not Path(path).is_file():
        raise InputError(f"{path}: parallel data file not found")
    data = read_parallel(path)
    pairs = [_as_pair(p) for p in data.pairs]
    langs = (
        normalise_lang(data.source_lang) if data.source_lang else None,
        normalise_lang(data.target_lang) if data.target_lang else None,
    )
    wanted = (
        normalise_lang(source_lang) if source_lang else None,
        normalise_lang(target_lang) if target_lang else None,
    )
    if all(langs) and all(wanted) and langs == wanted[::-1]:
        return [(t, s) for s, t in pairs]  # the file is written the other way round
    if all(langs) and all(wanted) and langs != wanted:
        # a memory for another pair would match nothing, or worse, fill segments with the wrong language
        raise InputError(
            f"{path}: parallel data for {langs[0]}->{langs[1]}, but the translation is {wanted[0]}->{wanted[1]}; "
            f"give a memory for {wanted[0]}->{wanted[1]}"
        )
    return pairs


def _as_pair(item) -> tuple[str, str]:
    if isinstance(item, tuple | list):
        return str(item[0]), str(item[1])
    return str(item.source), str(item.target)


def _read_minimal(path: Path, source_lang, target_lang) -> list[tuple[str, str]]:
    if not path.exists():
        raise InputError(f"{path}: parallel data file not found")
    require_regular(path, "a parallel data file")
    suffix = path.suffix.lower()
    if suffix == ".tmx":
        return _read_tmx(path, source_lang, target_lang)
    delimiter = "\t" if suffix in (".tsv", ".tab") else ","
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.reader(handle, delimiter=delimiter) if row]
    if not rows:
        return []
    header = [
        normalise_lang(h) if re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z]+)?", h.strip()) else None
        for h in rows[0]
    ]
    src_col, tgt_col = 0, 1
    if all(header[:2]):
        rows = rows[1:]
        if source_lang and normalise_lang(source_lang) in header:
            src_col = header.index(normalise_lang(source_lang))
        if target_lang and normalise_lang(target_lang) in header:
            tgt_col = header.index(normalise_lang(target_lang))
    return [(row[src_col], row[tgt_col]) for row in rows if len(row) > max(src_col, tgt_col)]


def _read_tmx(path: Path, source_lang, target_lang) -> list[tuple[str, str]]:
    from lxml import etree

    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    pairs = []
    for tu in etree.parse(str(path)).iter("tu"):
        variants = []
        for tuv in tu.iter("tuv"):
            seg = tuv.find("seg")
            lang = tuv.get(xml_lang) or tuv.get("lang") or ""
            variants.append(
                (normalise_lang(lang) if lang else "", "".join(seg.itertext()) if seg is not None else "")
            )
        by_lang = dict(variants)
        if (
            source_lang
            and target_lang
            and normalise_lang(source_lang) in by_lang
            and normalise_lang(target_lang) in by_lang
        ):
            pairs.append((by_lang[normalise_lang(source_lang)], by_lang[normalise_lang(target_lang)]))
        elif len(variants) >= 2:
            pairs.append((variants[0][1], variants[1][1]))
    return pairs


def _mask_text(text: str) -> tuple[str, list[str]]:
    from amts.markdown import mask

    masked, originals = mask(text)
    return masked, list(originals)


def _masked_entry(source: str, target: str) -> tuple[str, str] | None:
    """Mask a pair; target tokens renumbered to the source token holding the same original span.

    None when the two sides do not protect the same spans (then its translation could not be unmasked).
    """
    masked_src, src_orig = _mask_text(source)
    masked_tgt, tgt_orig = _mask_text(target)
    if sorted(src_orig) != sorted(tgt_orig):
        return None
    if not src_orig:  # nothing to protect, or a pair already masked (parallel data in a batch job's form)
        return masked_src, masked_tgt
    free: dict[str, list[int]] = {}
    for number, original in enumerate(src_orig, start=1):
        free.setdefault(original, []).append(number)

    def renumber(match: re.Match) -> str:
        original = tgt_orig[int(match.group(0)[1:-1]) - 1]
        return f"⟦{free[original].pop(0)}⟧"

    return masked_src, TOKEN_RE.sub(renumber, masked_tgt)


def _key(text: str) -> str:
    return " ".join(text.split())


class TranslationMemory:
    """Exact and fuzzy lookup over masked (source, target) pairs for one direction."""

    def __init__(
        self, pairs: Iterable[tuple[str, str]], threshold: float = DEFAULT_THRESHOLD, masked: bool = False
    ):
        self.threshold = threshold
        self.exact: dict[str, str] = {}
        for source, target in pairs:
            if not source.strip() or not target.strip():
                continue
            entry = (source, target) if masked else _masked_entry(source, target)
            if entry is None:
                continue
            # First occurrence wins: parallel data lists a book in order, the earliest is the canonical one.
            self.exact.setdefault(_key(entry[0]), entry[1])
        self._choices = list(self.exact)

    def __len__(self) -> int:
        return len(self.exact)

    def lookup(self, masked_text: str) -> Match | None:
        key = _key(masked_text)
        if key in self.exact:
            return Match(self.exact[key], 100.0, key)
        if not self._choices or self.threshold >= 100:
            return None
        found = process.extractOne(key, self._choices, scorer=fuzz.ratio, score_cutoff=self.threshold)
        if found is None:
            return None
        choice, score, _ = found
        # A fuzzy translation is only usable when it carries exactly the tokens the segment has.
        if tokens_of(choice) != tokens_of(key):
            return None
        return Match(self.exact[choice], float(score), choice)


class MemoryEngine(Engine):
    """Translates what the memory knows; returns None for the rest (a chain sends those to an MT engine)."""

    name = "memory"
    summary = "translation memory only: exact, then fuzzy matches from --memory parallel data"
    capabilities = Capabilities(machine=False, terminology="none", needs_memory=True)

    def __init__(
        self,
        memory: str | Path | None = None,
        pairs: Iterable[tuple[str, str]] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
    ):
        if memory is None and pairs is None:
            raise EngineError(
                "the memory engine needs parallel data: give --memory PARALLEL_FILE (CSV, TSV or TMX)"
            )
        self.path = memory
        self._pairs = list(pairs) if pairs is not None else None
        self.threshold = threshold
        self._memories: dict[tuple[str, str], TranslationMemory] = {}
        self._directions: set[tuple[str, str]] | None = None  # None: any pair the parallel data is read for

    @classmethod
    def of(cls, table: TranslationMemory, source_lang: str, target_lang: str) -> MemoryEngine:
        """A memory engine serving one direction from a memory already built (masked, thresholded)."""
        engine = cls(pairs=[], threshold=table.threshold)
        pair = (normalise_lang(source_lang), normalise_lang(target_lang))
        engine._memories[pair] = table
        engine._directions = {pair}
        return engine

    def pairs(self):
        return self._directions

    def memory_for(self, source_lang: str, target_lang: str) -> TranslationMemory:
        pair = (source_lang, target_lang)
        if pair not in self._memories:
            if self._pairs is not None:
                pairs = self._pairs
            elif self.path is not None:
                pairs = read_parallel_file(self.path, source_lang, target_lang)
            else:
                pairs = []
            self._memories[pair] = TranslationMemory(pairs, self.threshold)
        return self._memories[pair]

    def _results(self, texts, source_lang, target_lang, terms):
        memory = self.memory_for(source_lang, target_lang)
        results = []
        for text in texts:
            match = memory.lookup(text) if text.strip() else None
            if match is not None:
                results.append(Result(match.translation, self.name, match.score))
            else:
                results.append(Result(text if not text.strip() else None))
        return results

    def _translate(self, texts, source_lang, target_lang):
        return [r.text for r in self._results(texts, source_lang, target_lang, {})]
