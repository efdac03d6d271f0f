"""Language-neutral evidence that two pieces of text translate each other.

A translation keeps numbers, inline code, math, roles, URLs, image paths, and (in Chinese) many English
technical words; its length is roughly proportional to the source's. These features are computed once
per block or sentence so the dynamic programs only combine sets and integers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from amts.languages import CHARACTER_SCRIPT_RE, char_based

from amts.textscan import plain_span_ranges, replace_ranges

_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
_LATIN_WORD_RE = re.compile(r"[A-Za-z]+")
_SPACE_RE = re.compile(r"\s+")
_ROLE_RE = re.compile(r":([A-Za-z_][\w-]*):`([^`]*)`")


def inline_span_ranges(text: str) -> list[tuple[int, int]]:
    """Roles, code, math, link targets and URLs, found in one linear pass (no HTML or autolinks here)."""
    return plain_span_ranges(text, web=False, role_underscore=True)


def strip_inline_spans(text: str, replacement: str = " ") -> str:
    """``text`` with its inline spans replaced (modules that read the prose words around them)."""
    return replace_ranges(text, inline_span_ranges(text), replacement)


_EMPHASIS_RE = re.compile(
    r"(?<![*A-Za-z0-9])\*(?!\*)[^*\s][^*]*?\*(?!\*)|(?<![_A-Za-z0-9])_(?!_)[^_\s][^_]*?_(?![_A-Za-z0-9])"
)
# Markup that does not count as prose length on either side.
_MARKUP_RE = re.compile(r"[*_#>|\[\]()（）]")


def normalize_math(text: str) -> str:
    """Math without spaces, dollar signs and sentence punctuation (the Chinese adds 。 inside $$)."""
    text = text.strip().strip("$")
    text = _SPACE_RE.sub("", text)
    return text.rstrip(".,;:。，；：、")


def _word_key(word: str) -> str:
    """Lower case without a plural s: "APIs" in English is "API" in the Chinese."""
    word = word.lower()
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


@dataclass(frozen=True, slots=True)
class TextFeatures:
    """What a stretch of prose offers for alignment."""

    length: float  # prose length in characters, spans and markup excluded
    cjk: float  # how many of those are CJK characters (the rest: Latin and other scripts)
    anchors: frozenset[str]  # numbers, code, math, roles, URLs (normalised)
    words: frozenset[str]  # lower-cased Latin words outside spans
    question: bool  # ends with a question mark

    @staticmethod
    def empty() -> TextFeatures:
        return TextFeatures(0.0, 0.0, frozenset(), frozenset(), False)

    @staticmethod
    def combine(parts: Iterable[TextFeatures]) -> TextFeatures:
        """Features of many stretches together, built in one pass: merging them one by one copies the growing
        sets each time, which is quadratic over the thousands of cells of a long table."""
        length = cjk = 0.0
        anchors: set[str] = set()
        words: set[str] = set()
        question = False
        for part in parts:
            length += part.length
            cjk += part.cjk
            anchors.update(part.anchors)
            words.update(part.words)
            question = question or part.question
        return TextFeatures(length, cjk, frozenset(anchors), frozenset(words), question)

    def merge(self, other: TextFeatures) -> TextFeatures:
        if not other.length and not other.anchors and not other.words:
            return self
        if not self.length and not self.anchors and not self.words:
            return other
        return TextFeatures(
            self.length + other.length,
            self.cjk + other.cjk,
            self.anchors | other.anchors,
            self.words | other.words,
            self.question or other.question,
        )


def text_features(text: str) -> TextFeatures:
    """Features of one segment text or sentence (inline markup as written)."""
    anchors: set[str] = set()
    ranges = inline_span_ranges(text)
    for start, end in ranges:
        span = text[start:end]
        role = _ROLE_RE.fullmatch(span)
        if role:
            anchors.add(f"{role.group(1)}:{role.group(2)}")
        elif span.startswith("$"):
            math_text = normalize_math(span)
            if math_text:
                anchors.add(math_text)
        elif span.startswith("`"):
            anchors.add(_SPACE_RE.sub("", span.strip("`")))
        else:
            anchors.add(span.lstrip("]("))
    rest = replace_ranges(text, ranges, " ")
    anchors.update(_NUMBER_RE.findall(rest))
    # Translators keep emphasis on the terms they translate: the n-th emphasised span is an anchor.
    anchors.update(f"*{n}" for n in range(1, len(_EMPHASIS_RE.findall(rest)) + 1))
    words = frozenset(_word_key(w) for w in _LATIN_WORD_RE.findall(rest))
    prose = _MARKUP_RE.sub("", _NUMBER_RE.sub("", rest))
    # Characters without spaces: a Chinese character and an English letter are both one unit, the
    # per-language pair ratio between them is estimated from the documents being aligned.
    length = float(len(_SPACE_RE.sub("", prose)))
    cjk = float(len(CHARACTER_SCRIPT_RE.findall(prose)))
    stripped = text.rstrip(" *_)）\"'”")
    return TextFeatures(length, cjk, frozenset(anchors), words, stripped.endswith(("?", "？")))


def anchor_counts(src: TextFeatures, tgt: TextFeatures, src_lang: str, tgt_lang: str) -> tuple[int, int]:
    """(anchors found on both sides, anchors found on one side only).

    Latin words count as anchors only when one side is in a character-based script (CJK, Hangul, Thai):
    a Chinese translation keeps some English terms; an English source does not keep Chinese words.
    """
    shared = len(src.anchors & tgt.anchors)
    lonely = len(src.anchors ^ tgt.anchors)
    if char_based(tgt_lang) and not char_based(src_lang):
        kept = len(tgt.words & src.words)
        shared += kept
        lonely += len(tgt.words) - kept
    elif char_based(src_lang) and not char_based(tgt_lang):
        kept = len(src.words & tgt.words)
        shared += kept
        lonely += len(src.words) - kept
    elif not char_based(src_lang) and not char_based(tgt_lang):
        # Two Latin-script languages: long words written the same on both sides are mostly names and
        # technical terms kept in the translation (pipeline, tokenizer). Most words differ, so only a bonus.
        shared += sum(1 for w in src.words & tgt.words if len(w) >= 5)
    return shared, lonely


def anchor_agreement(src: TextFeatures, tgt: TextFeatures, src_lang: str, tgt_lang: str) -> tuple[float, int]:
    """(share of the anchors found on both sides, amount of evidence); evidence 0: nothing to compare."""
    shared, lonely = anchor_counts(src, tgt, src_lang, tgt_lang)
    evidence = shared + lonely
    return (shared / evidence if evidence else 0.0), evidence


def _linear(features: TextFeatures, spaceless: bool, side: str) -> tuple[float, float]:
    """(constant, per-ratio) parts of a length in target units: length = constant + per_ratio * ratio.

    A translated character counts `ratio` target characters per source character. Latin text kept
    untranslated inside a CJK document (terms, names, link text) maps one to one onto the Latin side.
    """
    other = features.length - features.cjk
    if side == "target":
        return (features.cjk, other) if spaceless else (features.length, 0.0)
    return (other, features.cjk) if spaceless else (0.0, features.length)


def length_logratio(
    src: TextFeatures,
    tgt: TextFeatures,
    ratio: float,
    src_spaceless: bool,
    tgt_spaceless: bool,
    smoothing: float = 8.0,
) -> float:
    """log of observed target length over the length expected from the source (0 is a perfect fit)."""
    a, b = _linear(tgt, tgt_spaceless, "target")
    d, c = _linear(src, src_spaceless, "source")
    observed, expected = a + b * ratio, d + c * ratio
    return math.log((observed + smoothing * ratio) / (expected + smoothing * ratio))


def estimate_ratio(
    src: TextFeatures, tgt: TextFeatures, src_spaceless: bool, tgt_spaceless: bool
) -> float | None:
    """The ratio that makes the total observed target length equal the expected one (None if undefined)."""
    a, b = _linear(tgt, tgt_spaceless, "target")
    d, c = _linear(src, src_spaceless, "source")
    if c - b <= 0 or a - d <= 0:
        return None
    return (a - d) / (c - b)


def backtrace(back: list[list], src: list, tgt: list) -> list[tuple[list, list]]:
    """The beads of a monotone alignment DP, in order, from its table of back pointers (di, dj)."""
    beads = []
    i, j = len(src), len(tgt)
    while i or j:
        di, dj = back[i][j]
        beads.append((src[i - di : i], tgt[j - dj : j]))
        i, j = i - di, j - dj
    beads.reverse()
    return beads
