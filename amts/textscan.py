"""Building blocks for linear-time scanners of inline markup.

Regular expressions with lazy bodies and back-references (a backtick run closed by the same run) retry from
every position of a failed opener, which is quadratic or cubic on hostile text (1,500 backticks took 46 s).
These helpers answer the same questions in constant or logarithmic time after one pass over the text.
"""

from __future__ import annotations

import bisect
import re

_TICKS_RE = re.compile(r"`+")


class NextStop:
    """The first position at or after ``i`` where ``pattern`` matches (``len(text)`` when none).

    Scanners ask in increasing order, so the last answer is reused while ``i`` has not passed it: every
    character is searched about once, however many openers share one long run.
    """

    def __init__(self, text: str, pattern: str) -> None:
        self._text = text
        self._re = re.compile(pattern)
        self._lo = self._hi = -1

    def __call__(self, i: int) -> int:
        if not self._lo <= i <= self._hi:
            match = self._re.search(self._text, i)
            self._lo, self._hi = i, match.start() if match else len(self._text)
        return self._hi


class BacktickRuns:
    """Every maximal run of backticks, with indexes for the questions code spans ask."""

    def __init__(self, text: str) -> None:
        self.starts: list[int] = []
        self.lengths: list[int] = []
        for match in _TICKS_RE.finditer(text):
            self.starts.append(match.start())
            self.lengths.append(match.end() - match.start())
        self._by_length: dict[int, list[int]] = {}
        for start, length in zip(self.starts, self.lengths, strict=True):
            self._by_length.setdefault(length, []).append(start)
        # suffix maximum of run lengths: the longest run from run j onwards
        self._suffix_max = [0] * (len(self.starts) + 1)
        for j in range(len(self.starts) - 1, -1, -1):
            self._suffix_max[j] = max(self.lengths[j], self._suffix_max[j + 1])

    def index_at(self, pos: int) -> int:
        """Index of the run containing ``pos`` (which must be a backtick)."""
        return bisect.bisect_right(self.starts, pos) - 1

    def end(self, j: int) -> int:
        return self.starts[j] + self.lengths[j]

    def next_exact(self, length: int, after: int) -> int | None:
        """Start of the first run of exactly ``length`` backticks starting after position ``after``."""
        starts = self._by_length.get(length)
        if not starts:
            return None
        k = bisect.bisect_right(starts, after)
        return starts[k] if k < len(starts) else None

    def longest_from(self, j: int) -> int:
        """Length of the longest run among runs j, j+1, ... (0 when there are none)."""
        return self._suffix_max[j] if j < len(self.starts) else 0

    def first_at_least(self, length: int, j: int, limit: int | None = None) -> int | None:
        """Index of the first run from run j on with at least ``length`` backticks, starting before ``limit``.

        Callers ask only when such a run is known to exist (or the match that follows consumes the runs
        walked over), so the walk costs no more than the text it covers.
        """
        while j < len(self.starts) and (limit is None or self.starts[j] < limit):
            if self.lengths[j] >= length:
                return j
            j += 1
        return None


class LineRunMax:
    """For each backtick run, the longest later run on the same line (code spans in plain text stop at a newline)."""

    def __init__(self, text: str, runs: BacktickRuns) -> None:
        count = len(runs.starts)
        self._later = [0] * count
        best = 0
        for j in range(count - 1, -1, -1):
            if j + 1 < count and text.find("\n", runs.end(j), runs.starts[j + 1]) != -1:
                best = 0  # the runs seen so far lie on later lines
            self._later[j] = best
            best = max(best, runs.lengths[j])

    def later(self, j: int) -> int:
        return self._later[j]


_PLAIN_TRIGGER_RE = re.compile(r"[:`$<h\]]")
_ROLE_HEADS = {False: re.compile(r":[A-Za-z][\w-]*:`"), True: re.compile(r":[A-Za-z_][\w-]*:`")}
_HTTP_RE = re.compile(r"https?://")
_TAG_OPEN_RE = re.compile(r"</?[A-Za-z]")


class _PlainScanner:
    """Inline spans of plain segment text, for sentence splitting and alignment features, in the order tried:

    role ``:name:`x` ``; code (a backtick run closed by the first run at least as long on the same line; the
    opening run may shrink to more than half its length); ``$$..$$`` on one line; ``$x$`` (not after a backslash
    or dollar, no space inside the edges); with ``web``: ``<https://...>``; a bare URL; a link target
    ``](target)``; with ``web``: an HTML tag.
    """

    def __init__(self, text: str, web: bool, role_underscore: bool) -> None:
        self.text = text
        self.web = web
        self.role_head = _ROLE_HEADS[role_underscore]
        self._runs: BacktickRuns | None = None
        self._line_max: LineRunMax | None = None
        self.next_tick = NextStop(text, "`")
        self.next_newline = NextStop(text, "\n")
        self.next_dollar = NextStop(text, r"\$")
        self.next_angle = NextStop(text, ">")
        self.next_tag_stop = NextStop(text, "[<>]")
        self.next_url_stop = NextStop(text, r"[\s)\]>]")
        self.next_paren_or_space = NextStop(text, r"[)\s]")

    def match(self, p: int) -> int | None:
        ch, text = self.text[p], self.text
        if ch == ":":
            head = self.role_head.match(text, p)
            if head:
                closing = self.next_tick(head.end())
                return closing + 1 if closing < len(text) else None
            return None
        if ch == "`":
            return self._code(p)
        if ch == "$":
            return self._math(p)
        if ch == "<" and self.web:
            scheme = _HTTP_RE.match(text, p + 1)
            if scheme:
                closing = self.next_angle(scheme.end())
                if scheme.end() < closing < len(text):
                    return closing + 1
            tag = _TAG_OPEN_RE.match(text, p)
            if tag:
                stop = self.next_tag_stop(tag.end())
                return stop + 1 if text.startswith(">", stop) else None
            return None
        if ch == "h":
            scheme = _HTTP_RE.match(text, p)
            if scheme:
                stop = self.next_url_stop(scheme.end())
                return stop if stop > scheme.end() else None
            return None
        if ch == "]" and text.startswith("](", p):
            stop = self.next_paren_or_space(p + 2)
            return stop + 1 if stop > p + 2 and text.startswith(")", stop) else None
        return None

    def _code(self, p: int) -> int | None:
        if self._runs is None:
            self._runs = BacktickRuns(self.text)
            self._line_max = LineRunMax(self.text, self._runs)
        assert self._line_max is not None
        runs = self._runs
        j = runs.index_at(p)
        n = runs.end(j) - p  # a scan may stand inside a run whose start failed to open a span
        k = min(n, self._line_max.later(j))
        if 2 * k <= n:  # a shorter opening whose rest of the run would close it at once is no span
            return None
        closing = runs.first_at_least(k, j + 1)
        assert closing is not None
        return runs.starts[closing] + k

    def _math(self, p: int) -> int | None:
        text = self.text
        if text.startswith("$$", p):
            line_end = self.next_newline(p)
            closing = text.find("$$", p + 3, line_end)
            if closing != -1:
                return closing + 2
        if (p > 0 and text[p - 1] in "\\$") or p + 1 >= len(text) or text[p + 1].isspace():
            return None
        closing = self.next_dollar(p + 1)
        if (
            closing >= len(text)
            or closing == p + 1
            or text[closing - 1].isspace()
            or text[closing - 1] == "\\"
        ):
            return None
        return closing + 1


def plain_span_ranges(text: str, web: bool = True, role_underscore: bool = False) -> list[tuple[int, int]]:
    """(start, end) of the inline spans of plain text in one linear pass (see `_PlainScanner`)."""
    ranges: list[tuple[int, int]] = []
    scanner = _PlainScanner(text, web, role_underscore)
    pos = 0
    while True:
        trigger = _PLAIN_TRIGGER_RE.search(text, pos)
        if trigger is None:
            return ranges
        p = trigger.start()
        end = scanner.match(p)
        if end is None:
            pos = p + 1
        else:
            ranges.append((p, end))
            pos = end


def replace_ranges(text: str, ranges: list[tuple[int, int]], replacement: str) -> str:
    """``text`` with each (start, end) range, in order and disjoint, replaced by ``replacement``."""
    parts, pos = [], 0
    for start, end in ranges:
        parts.append(text[pos:start])
        parts.append(replacement)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)
