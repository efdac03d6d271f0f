"""Word-level difference between the old and the new English of a segment, as escaped HTML."""

from __future__ import annotations

import difflib
import html
import re

# Words, runs of spaces and single punctuation marks: a changed comma does not mark its whole word.
# Chinese, Japanese and Korean characters count one by one (no spaces between their words).
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
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
