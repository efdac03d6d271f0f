"""Protected inline spans inside a segment's text, and the placeholders that stand for them.

An engine must not translate inline code, math, roles, URLs or d2l slide markers. They are replaced by
numbered tokens ``⟦n⟧`` before translation and put back, byte for byte, afterwards.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from amts.errors import PlaceholderError
from amts.textscan import BacktickRuns, NextStop

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


# The spans, in the order they are tried at each position (the first that matches wins):
#   role    :numref:`sec_x`, :cite:`A.B.2014`  (any backtick run closes at the first run at least as long)
#   code    `code`, ``co`de``                   (a run closed by a run of exactly the same length)
#   math    $$...$$ and $x$                     (not after a backslash or a dollar; no space inside the $ edges)
#   marker  d2l slide markers [** **] (** **)
#   url     [[wiki]], ](target "title"), ][ref], <https://...>, https://...
#   html    <tag ...>, </tag>, &entity;, &#123;
# A single left-to-right pass finds them in linear time: the regular expression this replaces was quadratic on
# repeated `[a](` and cubic on a long backtick run. tests/test_hardening_scanners.py checks the scanner
# against that expression on random text.
_TRIGGER_RE = re.compile(r"[`$\[\]()*<&:h]")
_ROLE_HEAD_RE = re.compile(r":[A-Za-z_][\w-]*:(?=`)")
_WIKI_RE = re.compile(r"\[\[[^\[\]\s]+\]\]")
_ENTITY_RE = re.compile(r"&[a-zA-Z]+;|&#\d+;")
_TAG_HEAD_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*")
_HTTP_RE = re.compile(r"https?://")
_DOLLAR_CLOSER_RE = re.compile(r"(?<!\\)(?=\$\$)")  # "$$" not after a backslash (overlapping: "$$$" has two)
_MARKERS = ("[**", "**]", "(**", "**)")


class _SpanScanner:
    """The protected span starting at a position, if any; indexes are built on first use."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._runs: BacktickRuns | None = None
        self._dollar_closers: list[int] | None = None
        self.next_paren_or_space = NextStop(text, r"[)\s]")
        self.next_nonspace = NextStop(text, r"\S")
        self.next_quote = NextStop(text, '"')
        self.next_bracket = NextStop(text, r"\]")
        self.next_angle_or_space = NextStop(text, r"[>\s]")
        self.next_angle = NextStop(text, r"[<>]")
        self.next_url_stop = NextStop(text, r"[\s)\]>\"']")
        self.next_dollar_or_escape = NextStop(text, r"[$\\]")

    @property
    def runs(self) -> BacktickRuns:
        if self._runs is None:
            self._runs = BacktickRuns(self.text)
        return self._runs

    def match(self, p: int) -> tuple[int, str] | None:
        ch = self.text[p]
        if ch == ":":
            end = self._role(p)
            return (end, "role") if end else None
        if ch == "`":
            end = self._code(p)
            return (end, "code") if end else None
        if ch == "$":
            end = self._math(p)
            return (end, "math") if end else None
        if self.text.startswith(_MARKERS, p):
            return p + 3, "marker"
        end = self._url(p)
        if end:
            return end, "url"
        end = self._html(p)
        return (end, "html") if end else None

    def _role(self, p: int) -> int | None:
        head = _ROLE_HEAD_RE.match(self.text, p)
        if not head:
            return None
        runs = self.runs
        j = runs.index_at(head.end())
        n, later = runs.lengths[j], runs.longest_from(j + 1)
        # the regex tried the run, then ever shorter prefixes of it: a prefix of k closes at once when the
        # rest of the run holds k more backticks, else at the first later run of at least k
        k = max(n // 2, min(later, n))
        if k == 0:
            return None
        if 2 * k <= n:
            return head.end() + 2 * k
        closing = runs.first_at_least(k, j + 1)
        assert closing is not None  # k <= later
        return runs.starts[closing] + k

    def _code(self, p: int) -> int | None:
        runs = self.runs
        j = runs.index_at(p)
        length = runs.end(j) - p  # a scan may stand inside a run whose start failed to open a span
        closing = runs.next_exact(length, p)
        return closing + length if closing is not None else None

    def _math(self, p: int) -> int | None:
        text = self.text
        if p > 0 and text[p - 1] in "\\$":
            return None
        if text.startswith("$$", p):
            if self._dollar_closers is None:
                self._dollar_closers = [m.start() for m in _DOLLAR_CLOSER_RE.finditer(text)]
            k = bisect.bisect_left(self._dollar_closers, p + 3)
            return self._dollar_closers[k] + 2 if k < len(self._dollar_closers) else None
        if p + 1 >= len(text) or text[p + 1].isspace():
            return None
        q = p + 1
        while True:  # the body: escaped pairs and characters other than "$" and backslash
            q = self.next_dollar_or_escape(q)
            if q >= len(text):
                return None
            if text[q] == "\\":
                if q + 1 >= len(text):
                    return None
                q += 2
                continue
            break
        if q == p + 1 or text[q - 1].isspace() or text[q - 1] == "\\" or text.startswith("$", q + 1):
            return None
        return q + 1

    def _url(self, p: int) -> int | None:
        text, ch = self.text, self.text[p]
        if ch == "[":
            wiki = _WIKI_RE.match(text, p)
            return wiki.end() if wiki else None
        if ch == "]" and text.startswith("](", p):
            stop = self.next_paren_or_space(p + 2)
            if stop >= len(text):
                return None
            if text[stop] == ")":
                return stop + 1
            quote = self.next_nonspace(stop)
            if not text.startswith('"', quote):
                return None
            closing = self.next_quote(quote + 1)
            return closing + 2 if text.startswith('")', closing) else None
        if ch == "]" and text.startswith("][", p):
            closing = self.next_bracket(p + 2)
            return closing + 1 if closing < len(text) else None
        if ch == "<":
            scheme = _HTTP_RE.match(text, p + 1)
            if scheme:
                stop = self.next_angle_or_space(scheme.end())
                if stop > scheme.end() and text.startswith(">", stop):
                    return stop + 1
            return None
        if ch == "h":
            scheme = _HTTP_RE.match(text, p)
            if scheme:
                stop = self.next_url_stop(scheme.end())
                if stop > scheme.end():
                    return stop
        return None

    def _html(self, p: int) -> int | None:
        text = self.text
        if text[p] == "&":
            entity = _ENTITY_RE.match(text, p)
            return entity.end() if entity else None
        if text[p] != "<":
            return None
        head = _TAG_HEAD_RE.match(text, p)
        if not head:
            return None
        e = head.end()
        if text.startswith(">", e):
            return e + 1
        if text.startswith("/>", e):
            return e + 2
        if e < len(text) and text[e].isspace():
            stop = self.next_angle(e)
            return stop + 1 if text.startswith(">", stop) else None
        return None


def find_spans(text: str) -> list[Span]:
    """Protected spans of ``text`` in order, found in one pass (see the table above)."""
    spans: list[Span] = []
    scanner = _SpanScanner(text)
    pos = 0
    while True:
        trigger = _TRIGGER_RE.search(text, pos)
        if trigger is None:
            break
        p = trigger.start()
        hit = scanner.match(p)
        if hit is None:
            pos = p + 1
            continue
        spans.append(Span(p, hit[0], hit[1]))
        pos = hit[0]
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
