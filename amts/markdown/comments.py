"""Comment segments of fenced code: where each comment or docstring sits in a code block of the chapter.

The segment model keeps a code block as protected bytes except the prose `amts.markdown.codescan` finds in
it; each such piece becomes a segment of kind ``comment`` whose ``context`` is the code line it speaks
about. This module maps a fence's lines to those pieces and pairs the comments of two versions of a
block (English and translation, or old and new English) by the code around them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Protocol

from amts.markdown.codescan import CodeComment, find_comments

_FENCE_CLOSE_RE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*$")
_MARKER_RE = re.compile(r"(#+|//+|--+)[ \t]*$")  # the comment marker right before a comment's prose
_MAYBE_PROSE_RE = re.compile(r"#(?!@)|//|--|\"\"\"|\'\'\'")


@dataclass(frozen=True, slots=True)
class BlockComment:
    """A comment of a code block: `offset` into the block's raw text, and its 0-based first/last file lines."""

    offset: int
    comment: CodeComment
    first_line: int
    last_line: int


def block_comments(raw_lines: list[str], start: int, end: int, info: str) -> list[BlockComment]:
    """The comments of the fenced block on file lines ``start..end`` (opening fence at `start`)."""
    if end - start < 2:
        return []
    body_end = end - 1 if _FENCE_CLOSE_RE.match(raw_lines[end - 1]) else end
    code = "".join(raw_lines[start + 1 : body_end])
    head = len(raw_lines[start])
    found = []
    for comment in find_comments(code, info):
        first = start + 1 + comment.line
        raw = code[comment.start : comment.end]
        found.append(BlockComment(head + comment.start, comment, first, first + raw.count("\n")))
    return found


def code_comments(code_block: str) -> list[CodeComment]:
    """The comments of one fenced block given as text (opening fence line first), offsets into that text."""
    lines = code_block.splitlines(keepends=True)
    if not lines:
        return []
    info = re.sub(r"^[ \t]*(`{3,}|~{3,})", "", lines[0]).strip()
    return [
        CodeComment(
            c.offset,
            c.offset + c.comment.end - c.comment.start,
            c.comment.text,
            c.comment.kind,
            c.comment.context,
            c.first_line,
            c.comment.quote,
        )
        for c in block_comments(lines, 0, len(lines), info)
    ]


class Verbatim(str):
    """A comment text to write exactly as it is (a human's comment lines), not made one safe line."""


def may_hold_comments(code_block: str) -> bool:
    """False when the block cannot hold a comment or docstring (no ``#`` but d2l markers, no triple quote)."""
    return bool(_MAYBE_PROSE_RE.search(code_block))


def replace_comments(
    code_block: str, comments: list[CodeComment], texts: list[str | None], omit: bool = False
) -> str:
    """`code_block` with each comment's prose replaced by its text (None keeps it), code untouched.

    With `omit`, an empty text removes the comment itself: its lines when it stands alone, else the
    ``  # ...`` after the code (a translator's choice to leave it out). Without, it empties the prose only.
    """
    out, position = [], 0
    for comment, text in zip(comments, texts, strict=True):
        start, end = comment.start, comment.end
        if omit and text == "" and comment.kind == "comment":
            start, end = _comment_extent(code_block, comment)
        out.append(code_block[position:start])
        if text is None:
            out.append(code_block[start:end])
        elif isinstance(text, Verbatim):
            out.append(text)
        elif not (omit and text == ""):
            out.append(safe_comment_text(text, comment))
        position = end
    out.append(code_block[position:])
    return "".join(out)


def _comment_extent(code: str, comment: CodeComment) -> tuple[int, int]:
    """Where a comment stands with its marker: whole lines (line break included), or marker to line end."""
    line_start = code.rfind("\n", 0, comment.start) + 1
    lead = code[line_start : comment.start]
    marker = _MARKER_RE.search(lead)
    if marker is None:
        return comment.start, comment.end
    if not lead[: marker.start()].strip():  # a comment on lines of its own
        line_end = code.find("\n", comment.end)
        return line_start, len(code) if line_end < 0 else line_end + 1
    return line_start + len(lead[: marker.start()].rstrip(" \t")), comment.end


def safe_comment_text(text: str, comment: CodeComment | str) -> str:
    """A translation fit to stand where the comment was: one line, no docstring delimiter inside."""
    text = " ".join(text.split("\n")).strip() if "\n" in text else text
    quote = comment if isinstance(comment, str) else comment.quote
    if quote:
        text = text.replace("\\", "\\\\").replace(quote[0], "\\" + quote[0])
    return text


class Placed(Protocol):
    """A comment's kind and code line: what pairing looks at (a CodeComment or a comment Segment)."""

    @property
    def kind(self) -> str: ...

    @property
    def context(self) -> str: ...


def pair_comments(source: Sequence[Placed], target: Sequence[Placed]) -> list[tuple[int, int]]:
    """(source index, target index) of comments standing at the same place in two versions of a block.

    Comments match by kind and the code line they annotate; a run of unmatched comments between two
    matches pairs in order when both sides have the same number of them (a comment whose code changed).
    """
    keys_a = [(c.kind, c.context) for c in source]
    keys_b = [(c.kind, c.context) for c in target]
    pairs: list[tuple[int, int]] = []
    for tag, a1, a2, b1, b2 in SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_opcodes():
        if tag == "equal" or (tag == "replace" and a2 - a1 == b2 - b1):
            pairs.extend(
                (a1 + k, b1 + k) for k in range(a2 - a1) if source[a1 + k].kind == target[b1 + k].kind
            )
    return pairs
