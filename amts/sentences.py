"""Sentence splitting of segment text; per-language rules (abbreviations) come from amts.languages.

Rule-based on purpose: pysbd was measured on the gold alignment sentences (benchmarks/align_quality.py)
and is both less accurate on this markup-heavy text and about two orders of magnitude slower, which
matters when a whole book is aligned. Inline spans (code, math, roles, URLs, HTML) are masked before
looking for boundaries, so a sentence never ends inside one. Sentences are verbatim substrings of the
input, stripped of surrounding whitespace, in order, and together they cover all non-space text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from amts.languages import CHARACTER_SCRIPT_RE, FULLWIDTH_SENTENCE_ENDS, LATIN_SENTENCE_ENDS, language
from amts.textscan import plain_span_ranges


class _SpanLike(Protocol):
    start: int
    end: int


# Stands in for every character of a protected span while boundaries are searched.
_MASK = "\ue000"

# "etc." often ends a sentence; it stays a boundary when a capitalised word follows.
_EN_SOFT_ABBREVIATIONS = frozenset({"etc"})
_CLOSERS = "\"'”’」』）)]】》*_"
_LATIN_END = LATIN_SENTENCE_ENDS
_CJK_END = FULLWIDTH_SENTENCE_ENDS
_CONTINUERS = "，、；：,;:）)"
# Closing halves of d2l's highlight markers `[**...**]` and `(**...**)`, which the segment model
# reports as protected spans: after "." or "。" they belong to the sentence they close.
_CLOSING_MARKER_RE = re.compile(r"\*+[\])]")
_END_RE = re.compile("[" + re.escape(_LATIN_END + _CJK_END) + "]")


def _mask(text: str, spans: Sequence[_SpanLike] | None) -> str:
    chars = list(text)
    if spans is None:
        ranges = plain_span_ranges(text)  # code, math, roles, URLs, HTML: one linear pass
    else:
        ranges = [(s.start, s.end) for s in spans]
    for start, end in ranges:
        if _CLOSING_MARKER_RE.fullmatch(text, start, end):
            continue  # d2l's "**]" / "**)" close a sentence like any bracket: keep it visible
        for i in range(max(start, 0), min(end, len(chars))):
            chars[i] = _MASK
    return "".join(chars)


def _word_before(masked: str, dot: int) -> str:
    """The token (letters and inner dots) ending right before position `dot`."""
    i = dot
    while i > 0 and (masked[i - 1].isalpha() or masked[i - 1] == "."):
        i -= 1
    return masked[i:dot]


def _is_abbreviation(word: str, lang: str, next_char: str) -> bool:
    key = word.lower().strip(".")
    if not key:
        return False
    table = language(lang).abbreviations
    if key in _EN_SOFT_ABBREVIATIONS and next_char.isupper():
        return False
    if key in table:
        return True
    # Single initials ("J. Smith") and dotted acronyms ("U.S.") do not end sentences.
    if len(key) == 1 and key.isalpha() and word[:1].isupper():
        return True
    return "." in key and all(len(part) <= 2 for part in key.split("."))


def _starts_sentence(ch: str, lang: str) -> bool:
    if ch.isupper() or ch.isdigit() or ch == _MASK:
        return True
    if CHARACTER_SCRIPT_RE.match(ch):
        return True  # Chinese, Japanese, Korean, Thai: no capital letters
    return ch in "\"'“‘([*_$:`<#¿¡-–—•"


def _absorb_closers(masked: str, j: int, start: int) -> int:
    """Move past closing quotes, brackets and emphasis that end the sentence before position j.

    An emphasis run closes the sentence when whitespace follows it or it pairs an odd marker before it:
    in "。*步幅*则" the asterisk opens the next sentence's emphasis.
    """
    n = len(masked)
    while j < n and masked[j] in _CLOSERS:
        ch = masked[j]
        if ch in "*_":
            run_end = j
            while run_end < n and masked[run_end] == ch:
                run_end += 1
            after = masked[run_end] if run_end < n else " "
            closes = after.isspace() or after in _CLOSERS or masked.count(ch, start, j) % 2 == 1
            if not closes:
                break
            j = run_end
            continue
        j += 1
    return j


def _boundaries(masked: str, lang: str) -> list[int]:
    """End offsets (exclusive) of every sentence but the last."""
    ends: list[int] = []
    n = len(masked)
    i = start = 0
    for candidate in _END_RE.finditer(masked):
        if candidate.start() < i:
            continue  # inside a run already handled
        i = candidate.start()
        ch = masked[i]
        cjk_end = ch in _CJK_END
        j = i + 1
        while j < n and (masked[j] in _LATIN_END or masked[j] in _CJK_END):
            j += 1  # "?!", "……", "。。"
        j = _absorb_closers(masked, j, start)
        if cjk_end:
            # Chinese needs no space; a trailing closer belongs to the sentence it closes, and a comma
            # right after "？”）" continues the sentence.
            k = j
            while k < n and masked[k].isspace():
                k += 1
            if k < n and masked[k] in _CONTINUERS:
                i = j
                continue
            if j < n:
                ends.append(j)
                start = j
            i = j
            continue
        # Latin punctuation: a boundary needs whitespace and a plausible sentence start after it.
        k = j
        while k < n and masked[k].isspace():
            k += 1
        if k == j or k >= n:
            # "3.14", "e.g.," or punctuation at the very end: no boundary here.
            i = j
            continue
        nxt = masked[k]
        if ch == "." and j == i + 1 and _is_abbreviation(_word_before(masked, i), lang, nxt):
            i = j
            continue
        if ch == "." and i > 0 and masked[i - 1].isdigit() and not nxt.isupper():
            i = j  # "in Section 3. the ..." style numbering inside a sentence
            continue
        if _starts_sentence(nxt, lang):
            ends.append(j)
            start = j
        i = j
    return ends


def split_sentences(text: str, lang: str, spans: Sequence[_SpanLike] | None = None) -> list[str]:
    """Split `text` (a segment's text) into sentences in language `lang` (ISO 639-1: en, zh, es, ...).

    `spans` are the segment's protected inline spans (offsets into `text`); when omitted, code, math,
    roles, URLs and HTML are found by a linear scanner (`amts.textscan.plain_span_ranges`).
    """
    masked = _mask(text, spans)
    sentences: list[str] = []
    start = 0
    for end in _boundaries(masked, lang) + [len(text)]:
        piece = text[start:end].strip()
        if piece:
            sentences.append(piece)
        start = end
    return sentences
