"""Word-level difference between the old and the new English of a segment, as escaped HTML."""

from __future__ import annotations

import difflib
import html
import re

from amts.languages import CHARACTER_SCRIPT_CHARS

# Words, runs of spaces and single punctuation marks: a changed comma does not mark its whole word.
# Chinese, Japanese, Korean and Thai characters count one by one (no spaces between their words).
_CJK = CHARACTER_SCRIPT_CHARS
_TOKEN_RE = re.compile(rf"\s+|[{_CJK}]|[^\W{_CJK}]+|[^\w\s]", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Split text into diff tokens whose concatenation is the text itself."""
    return _TOKEN_RE.findall(text)


# difflib's matcher is quadratic or worse in the tokens: a word diff over MAX_DIFF_TOKENS tokens a side (about
# 500 words; worst case 0.15 s) falls back to a diff of whole lines, lines over the limit to old-deleted/new-inserted.
MAX_DIFF_TOKENS = 1000


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Edit script from old to new as (op, text) pieces, op in equal/delete/insert, in reading order.

    Words are compared up to MAX_DIFF_TOKENS tokens a side, then lines, then the whole texts.
    """
    old_tokens, new_tokens = tokens(old), tokens(new)
    if max(len(old_tokens), len(new_tokens)) > MAX_DIFF_TOKENS:
        old_tokens, new_tokens = old.splitlines(keepends=True), new.splitlines(keepends=True)
        if max(len(old_tokens), len(new_tokens)) > MAX_DIFF_TOKENS:
            return [(op, text) for op, text in (("delete", old), ("insert", new)) if text]
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("equal", "".join(new_tokens[j1:j2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(("delete", "".join(old_tokens[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(("insert", "".join(new_tokens[j1:j2])))
    return [(op, text) for op, text in pieces if text]


def diff_html(old: str, new: str) -> str:
    """The diff as HTML: deletions in <del>, insertions in <ins>, every text escaped."""
    out = []
    for op, text in word_diff(old, new):
        escaped = html.escape(text)
        if op == "equal":
            out.append(escaped)
        elif op == "delete":
            out.append(f"<del>{escaped}</del>")
        else:
            out.append(f"<ins>{escaped}</ins>")
    return "".join(out)


def insertions_html(old: str, new: str) -> str:
    """The new text, escaped, with what it adds to the old one in <ins> (deletions left out)."""
    return "".join(
        html.escape(text) if op == "equal" else f"<ins>{html.escape(text)}</ins>"
        for op, text in word_diff(old, new)
        if op != "delete"
    )


def line_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Edit script from old to new by whole lines (code): (op, line with its end), in reading order."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces += [("equal", line) for line in new_lines[j1:j2]]
            continue
        if op in ("delete", "replace"):
            pieces += [("delete", _ended(line)) for line in old_lines[i1:i2]]
        if op in ("insert", "replace"):
            pieces += [("insert", _ended(line)) for line in new_lines[j1:j2]]
    return pieces


def _ended(line: str) -> str:
    return line if line.endswith("\n") else line + "\n"


def line_diff_html(old: str, new: str) -> str:
    """A code diff as HTML: each removed line one <del>, each added line one <ins>, never merged."""
    out = []
    for op, text in line_diff(old, new):
        escaped = html.escape(text)
        out.append(escaped if op == "equal" else f'<{op[:3]} class="line">{escaped}</{op[:3]}>')
    return "".join(out).rstrip("\n")


def marked_html(
    pieces: list[tuple[str, str]], spans: tuple[list[tuple[int, int]], list[tuple[int, int]]]
) -> str:
    """Diff pieces as escaped HTML with protected spans (placeholders) in <span class="ph">.

    `spans` holds the (start, end) offsets of protected spans in the old text and in the new text; a
    deleted piece is read against the old text, an equal or inserted one against the new text.
    """
    old_spans, new_spans = spans
    out = []
    old_pos = new_pos = 0
    for op, text in pieces:
        if op == "delete":
            body, old_pos = _mark(text, old_pos, old_spans), old_pos + len(text)
        else:
            body = _mark(text, new_pos, new_spans)
            new_pos += len(text)
            if op == "equal":
                old_pos += len(text)
        out.append(body if op == "equal" else f"<{op[:3]}>{body}</{op[:3]}>")
    return "".join(out)


def _mark(text: str, offset: int, spans: list[tuple[int, int]]) -> str:
    cuts = sorted(
        (max(start, offset) - offset, min(end, offset + len(text)) - offset)
        for start, end in spans
        if start < offset + len(text) and end > offset
    )
    out, pos = [], 0
    for start, end in cuts:
        out += [html.escape(text[pos:start]), f'<span class="ph">{html.escape(text[start:end])}</span>']
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)
