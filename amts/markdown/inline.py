"""Protected inline spans inside a segment's text, and the placeholders that stand for them.

An engine must not translate inline code, math, roles, URLs or d2l slide markers. They are replaced by
numbered tokens ``⟦n⟧`` before translation and put back, byte for byte, afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from amts.errors import PlaceholderError

# d2lbook roles that live inside prose (directives such as :label: are whole lines, handled by the scanner).
INLINE_ROLES = frozenset({"numref", "cite", "eqref", "ref", "doc", "numref_", "math", "term"})

OPEN, CLOSE = "\u27e6", "\u27e7"  # ⟦ ⟧: rare in prose, readable in XLIFF and logs
PLACEHOLDER_RE = re.compile(OPEN + r"(\d+)" + CLOSE)


@dataclass(frozen=True, slots=True)
class Span:
    """A protected stretch of a segment's text: ``text[start:end]``."""

    start: int
    end: int
    kind: str  # code | role | math | url | marker | html


# One alternation, tried left to right at each position; the group name is the span kind.
_SPAN_RE = re.compile(
    r"""
    (?=[`$\[\]()*<&:h])                                             # cheap reject at other positions
    (?:(?P<role>:[A-Za-z_][\w-]*:(?P<rticks>`+).*?(?P=rticks))        # :numref:`sec_x`, :cite:`A.B.2014`
  | (?P<code>(?P<ticks>`+)(?!`).*?(?<!`)(?P=ticks)(?!`))              # `code`, ``co`de``
  | (?P<math>(?<![\\$])\$\$.+?(?<!\\)\$\$|(?<![\\$])\$(?=\S)(?:\\.|[^$\\])+?(?<![\s\\])\$(?!\$))
  | (?P<marker>\[\*\*|\*\*\]|\(\*\*|\*\*\))                          # d2l slide markers
  | (?P<url>\[\[[^\[\]\s]+\]\]|\]\([^)\s]*(?:\s+"[^"]*")?\)|\]\[[^\]]*\]|<https?://[^>\s]+>|https?://[^\s)\]>"']+)
  | (?P<html></?[A-Za-z][A-Za-z0-9-]*(?:\s+[^<>]*?)?/?>|&[a-zA-Z]+;|&\#\d+;))
    """,
    re.VERBOSE | re.DOTALL,
)
_KINDS = ("role", "code", "math", "marker", "url", "html")


def find_spans(text: str) -> list[Span]:
    """Protected spans of ``text`` in order (the pattern rejects positions without a trigger character cheaply)."""
    spans: list[Span] = []
    for match in _SPAN_RE.finditer(text):
        kind = next(k for k in _KINDS if match.group(k) is not None)
        spans.append(Span(match.start(), match.end(), kind))
    return _with_link_openers(text, spans)


def _with_link_openers(text: str, spans: list[Span]) -> list[Span]:
    """A link's ``[`` is protected together with its ``](url)``: an engine that drops it breaks the link."""
    result: list[Span] = []
    last_end = 0
    for span in spans:
        if span.kind == "url" and text.startswith("]", span.start):
            opener = _matching_open_bracket(text, span.start, last_end)
            if opener is not None:
                result.append(Span(opener, opener + 1, "url"))
        result.append(span)
        last_end = span.end
    result.sort(key=lambda s: s.start)
    return result


def _matching_open_bracket(text: str, close: int, floor: int) -> int | None:
    depth = 0
    for i in range(close - 1, floor - 1, -1):
        ch = text[i]
        if ch == "]":
            depth += 1
        elif ch == "[":
            if depth == 0:
                return i
            depth -= 1
    return None


def mask(text: str, spans: list[Span] | None = None) -> tuple[str, list[str]]:
    """Replace each protected span by ``⟦n⟧`` (n from 1); return the masked text and the originals."""
    if spans is None:
        spans = find_spans(text)
    if not spans:
        return text, []
    parts: list[str] = []
    originals: list[str] = []
    pos = 0
    for n, span in enumerate(spans, start=1):
        parts.append(text[pos : span.start])
        parts.append(f"{OPEN}{n}{CLOSE}")
        originals.append(text[span.start : span.end])
        pos = span.end
    parts.append(text[pos:])
    return "".join(parts), originals


def unmask(translated: str, originals: list[str], segment_id: str = "?") -> str:
    """Put the originals back into a masked translation; every token must appear exactly once."""
    seen: dict[int, int] = {}
    for match in PLACEHOLDER_RE.finditer(translated):
        n = int(match.group(1))
        seen[n] = seen.get(n, 0) + 1
    expected = set(range(1, len(originals) + 1))
    missing = sorted(expected - seen.keys())
    unknown = sorted(seen.keys() - expected)
    doubled = sorted(n for n, count in seen.items() if count > 1)
    problems = []
    if missing:
        problems.append("lost " + ", ".join(f"{OPEN}{n}{CLOSE} ({originals[n - 1]!r})" for n in missing))
    if doubled:
        problems.append("duplicated " + ", ".join(f"{OPEN}{n}{CLOSE}" for n in doubled))
    if unknown:
        problems.append("unknown " + ", ".join(f"{OPEN}{n}{CLOSE}" for n in unknown))
    stray = PLACEHOLDER_RE.sub("", translated)
    if OPEN in stray or CLOSE in stray:
        problems.append("corrupted placeholder bracket")
    if problems:
        raise PlaceholderError(segment_id, "translation " + "; ".join(problems))
    return PLACEHOLDER_RE.sub(lambda m: originals[int(m.group(1)) - 1], translated)


def has_translatable_text(text: str, spans: list[Span]) -> bool:
    """True when something other than protected spans, digits and punctuation is left to translate."""
    masked, _ = mask(text, spans)
    rest = PLACEHOLDER_RE.sub(" ", masked)
    return any(ch.isalpha() for ch in rest)
