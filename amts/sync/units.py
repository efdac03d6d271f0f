"""Sync's view of a chapter: a sequence of layout units with the exact whitespace that follows each.

Sync must rebuild the target file from pieces of three documents while keeping the human text byte for
byte, so it needs finer, layout-preserving pieces than blank-line blocks: a heading, a `:label:` line, a
paragraph, a list item, a fenced code block, a display-math block, a slide-marker line. Joining every
unit's `raw + sep` gives the file back exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Kinds that carry translatable prose; all others are protected (emitted as written, never translated).
PROSE_KINDS = frozenset({"heading", "paragraph", "list_item", "table_row", "image"})

_FENCE_RE = re.compile(r"^(\s*)(`{3,}|~{3,})")
# A whole-line d2lbook directive (inline roles such as :numref: or :cite: may start a wrapped prose line).
_DIRECTIVE_RE = re.compile(
    r"^\s*:(label|eqlabel|width|height|begin_tab|end_tab|begin_slide|end_slide|bibliography|numbered|maxdepth):"
    r"(`[^`]*`)?\s*$"
)
_SLIDE_RE = re.compile(r"^\s*:(begin|end)_slide:(`[^`]*`)?\s*$")
_HEADING_RE = re.compile(r"^#{1,6}\s")
_LIST_RE = re.compile(r"^(\s*)([*+-]|\d+[.)])\s+")
_TABLE_RE = re.compile(r"^\s*\|")
_IMAGE_RE = re.compile(r"^\s*!\[.*\]\(.*\)\s*$")
_MATH_OPEN_RE = re.compile(r"^\s*\$\$")
_HTML_RE = re.compile(r"^\s*<(!--|/?[A-Za-z])")
_JSX_RE = re.compile(r"^\s*\{[#:/@]")  # MDX/Svelte block syntax: {#if ...} {:else} {/if}
# A GitHub alert marker (`> [!TIP]`) on its own line: protected like a directive, the quote's text follows.
_ALERT_RE = re.compile(
    r"^[ \t]{0,3}(?:>[ \t]?)+[ \t]*\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*$", re.IGNORECASE
)


@dataclass(frozen=True)
class Unit:
    kind: str  # heading paragraph list_item table_row image code math directive slide html jsx front_matter
    raw: str  # exact source text, without the trailing line break
    sep: str  # the exact whitespace after the unit (line breaks, blank lines); "" at end of file
    line: int  # 1-based first line

    @property
    def is_prose(self) -> bool:
        return self.kind in PROSE_KINDS

    @property
    def is_marker(self) -> bool:
        return self.kind == "slide"


def split_units(text: str) -> list[Unit]:  # noqa: C901 -- reshaped under #11
    """Split `text` into units; `"".join(u.raw + u.sep for u in units) == text` minus leading blank lines.

    Leading whitespace before the first unit is kept by `leading_space`.
    """
    lines = text.splitlines(keepends=True)
    units: list[Unit] = []
    i = 0
    n = len(lines)

    def content(k: int) -> str:
        return lines[k].rstrip("\r\n")

    def blank(k: int) -> bool:
        return not content(k).strip()

    while i < n and blank(i):
        i += 1
    while i < n:
        start = i
        first = content(i)
        kind = "paragraph"
        if start == 0 and first.strip() == "---":
            kind = "front_matter"
            i += 1
            while i < n and content(i).strip() != "---":
                i += 1
            i = min(i + 1, n)
        elif (fence := _FENCE_RE.match(first)) is not None:
            kind = "code"
            marker = fence.group(2)
            i += 1
            while i < n and not content(i).lstrip().startswith(marker):
                i += 1
            i = min(i + 1, n)
        elif _MATH_OPEN_RE.match(first):
            kind = "math"
            rest = first.strip()[2:]
            i += 1
            if "$$" not in rest:
                while i < n and "$$" not in content(i):
                    i += 1
                i = min(i + 1, n)
        elif _SLIDE_RE.match(first):
            kind, i = "slide", i + 1
        elif _DIRECTIVE_RE.match(first) or _ALERT_RE.match(first):
            kind, i = "directive", i + 1
        elif _HEADING_RE.match(first):
            kind, i = "heading", i + 1
        elif _TABLE_RE.match(first):
            kind, i = "table_row", i + 1
        elif _IMAGE_RE.match(first):
            kind, i = "image", i + 1
        elif _JSX_RE.match(first):
            kind, i = "jsx", i + 1
        elif _HTML_RE.match(first):
            kind = "html"
            i += 1
            while i < n and not blank(i):
                i += 1
        else:
            kind = "list_item" if _LIST_RE.match(first) else "paragraph"
            i += 1
            while i < n and not blank(i) and not _starts_unit(content(i)):
                i += 1
        raw_lines = lines[start:i]
        # the unit's raw text ends before its last line break; the break and following blank lines are sep
        raw = "".join(raw_lines)
        stripped = raw.rstrip("\r\n")
        sep = raw[len(stripped) :]
        while i < n and blank(i):
            sep += lines[i]
            i += 1
        units.append(Unit(kind, stripped, sep, start + 1))
    return units


def leading_space(text: str) -> str:
    """Blank lines before the first unit (kept so that reassembly is byte-exact)."""
    match = re.match(r"(?:[ \t]*\r?\n)*", text)
    return match.group(0) if text.strip() else text


def join_units(units: list[Unit], leading: str = "") -> str:
    return leading + "".join(u.raw + u.sep for u in units)


def _starts_unit(line: str) -> bool:
    return bool(
        _FENCE_RE.match(line)
        or _MATH_OPEN_RE.match(line)
        or _DIRECTIVE_RE.match(line)
        or _ALERT_RE.match(line)
        or _HEADING_RE.match(line)
        or _LIST_RE.match(line)
        or _TABLE_RE.match(line)
        or _IMAGE_RE.match(line)
        or _JSX_RE.match(line)
    )


# --- normalisation: what counts as "the same English" -------------------------------------------------

_INLINE_MARKER_RE = re.compile(r"\[\*\*|\*\*\]|\(\*\*|\*\*\)")
_LIST_PREFIX_RE = re.compile(r"^\s*(?:[*+-]|\d+[.)])\s+")
_SPACE_RE = re.compile(r"\s+")


def logical_text(raw: str) -> str:
    """A unit's lines stripped and joined with single spaces (the segment text of the segment model)."""
    return " ".join(line.strip() for line in raw.splitlines() if line.strip())


def strip_markers(text: str) -> str:
    return _INLINE_MARKER_RE.sub("", text)


# Spelling-only edits a translation does not follow (d2l 0.17 wrote "let us" for "let's" throughout).
_CONTRACTIONS = (
    (re.compile(r"\blet's\b"), "let us"),
    (re.compile(r"\b(it|that|what|there|here|he|she|who)'s\b"), r"\1 is"),
    (re.compile(r"\bcan't\b|\bcannot\b"), "can not"),
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'re\b"), " are"),
    (re.compile(r"'ll\b"), " will"),
    (re.compile(r"'ve\b"), " have"),
    (re.compile(r"\bi'm\b"), "i am"),
)
_WORD_HYPHEN_RE = re.compile(r"(?<=[a-z])-(?=[a-z])")


def _loose(words: str) -> str:
    words = words.lower().replace("\u2019", "'")
    for pattern, replacement in _CONTRACTIONS:
        words = pattern.sub(replacement, words)
    return _WORD_HYPHEN_RE.sub(" ", words)


def prose_key(text: str) -> str:
    """Comparison key insensitive to markup and spelling-only edits, exact inside code, math and roles.

    Ignored: slide markers, list numbering style, whitespace and line wrapping, letter case, contractions
    and word hyphenation outside protected spans. Anything else is a change a translator must see.
    """
    from amts.markdown import find_spans

    text = _LIST_PREFIX_RE.sub("", strip_markers(text))
    parts, position = [], 0
    for span in find_spans(text):
        parts.append(_loose(text[position : span.start]))
        parts.append(text[span.start : span.end])
        position = span.end
    parts.append(_loose(text[position:]))
    return _SPACE_RE.sub(" ", "".join(parts)).strip()


_HEADING_ID_RE = re.compile(r"\[\[([^\[\]\s]+)\]\][ \t]*$")


def heading_id(unit: Unit) -> str | None:
    """The `[[anchor]]` id a heading carries at its end (HF course; kept as is by translators), or None."""
    if unit.kind != "heading":
        return None
    match = _HEADING_ID_RE.search(unit.raw.splitlines()[0] if unit.raw else "")
    return match.group(1) if match else None


def unit_key(unit: Unit) -> str:
    anchor = heading_id(unit)
    if anchor:
        return "heading\0[[" + anchor + "]]"  # the same section across versions, whatever its new title
    if unit.is_prose:
        return unit.kind + "\0" + prose_key(unit.raw)
    if unit.kind == "code":
        return "code\0" + "\n".join(line.rstrip() for line in unit.raw.strip().splitlines())
    return unit.kind + "\0" + _SPACE_RE.sub(" ", unit.raw).strip()


_COMMENT_RE = re.compile(r"#.*$")


def code_body(raw: str) -> str:
    """Code without comments and blank lines: the part a translation leaves unchanged."""
    out = []
    for line in raw.splitlines():
        line = _COMMENT_RE.sub("", line).rstrip() if not line.lstrip().startswith("#@") else line.rstrip()
        if line.strip():
            out.append(line)
    return "\n".join(out)


def list_prefix(text: str) -> str:
    match = _LIST_PREFIX_RE.match(text)
    return match.group(0) if match else ""
