"""The segment model: a markdown chapter cut into translatable segments and protected bytes.

A `Document` keeps a list of pieces whose concatenation is the original text: protected text as plain
strings, and one `_Slot` per segment. `render` swaps slots for translations, so with no translations
the output is the input, byte for byte (CRLF, tabs, trailing spaces, BOM, missing final newline).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt

from amts.markdown.comments import block_comments, safe_comment_text
from amts.markdown.identifiers import comment_spans
from amts.markdown.inline import Span, find_spans, has_translatable_text
from amts.markdown.scanner import scan

SEGMENT_KINDS = ("heading", "paragraph", "list_item", "table_cell", "caption", "image_alt", "comment")
PROTECTED_BLOCK_KINDS = frozenset({"code", "math", "directive", "html", "jsx", "front_matter", "other"})

_ATX = re.compile(r"^([ \t]*#{1,6}(?:[ \t]+|$))(.*?)((?:[ \t]+#+)?[ \t]*)$")
_LIST_PREFIX = re.compile(r"^[ \t]*(?:>[ \t]?)*[ \t]*(?:[*+-]|\d{1,9}[.)])(?:[ \t]+|$)")
_QUOTE_PREFIX = re.compile(r"^[ \t]*(?:>[ \t]?)+[ \t]*")
_IMAGE_LINE = re.compile(r"^([ \t]*!\[)(.*)(\]\(.*)$")


@dataclass(slots=True)
class Segment:
    """A translatable piece of text. ``line``/``end_line`` are 1-based and inclusive."""

    id: str
    kind: str
    text: str
    line: int
    end_line: int
    block: int
    spans: list[Span] = field(default_factory=list)
    context: str = ""  # a comment's code line

    def to_json(self) -> dict:
        data = {"id": self.id, "kind": self.kind, "text": self.text, "line": self.line}
        if self.context:
            data["context"] = self.context
        return data


@dataclass(slots=True)
class Block:
    """A top-level unit of the chapter in document order; protected kinds carry no segments."""

    index: int
    kind: str
    start_line: int
    end_line: int
    raw: str
    segments: list[Segment] = field(default_factory=list)
    info: str = ""

    @property
    def protected(self) -> bool:
        return self.kind in PROTECTED_BLOCK_KINDS


@dataclass(slots=True)
class _Slot:
    """Where a segment sits in the file: its original bytes and what frames a translation."""

    segment: int
    raw: str
    prefix: str
    suffix: str
    escape_pipes: bool = False
    quote: str = ""  # a docstring's delimiter: a comment slot's translation stays one safe line


@dataclass(frozen=True, slots=True)
class _CodeSpot:
    """Where a comment slot sits in its code block (offset into the block's raw text) and its code line."""

    offset: int
    context: str


@dataclass(slots=True)
class Document:
    text: str
    path: str | None
    blocks: list[Block]
    segments: list[Segment]
    warnings: list[str]
    pieces: list[str | _Slot]

    def segment(self, segment_id: str) -> Segment:
        for segment in self.segments:
            if segment.id == segment_id:
                return segment
        raise KeyError(segment_id)


MAX_NESTING = 100


@lru_cache(maxsize=1)
def _block_parser() -> MarkdownIt:
    # Block structure only: inline parsing is not needed (inline spans are found by amts.markdown.inline)
    # and doubles the cost.
    # maxNesting: markdown-it's default (20) silently dropped the text of lists nested 10 levels or blockquotes
    # 20 levels deep; deeper than MAX_NESTING is reported in Document.warnings (the text is kept, untranslated).
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING}).enable("table")
    md.disable(["inline", "text_join", "fence"], ignoreInvalid=True)  # fences: the scanner owns them
    return md


def _split_lines(text: str) -> tuple[list[str], list[str]]:
    """Raw lines with their endings, and their contents without ``\\n`` / ``\\r\\n``."""
    raw = text.splitlines(keepends=True) if "\r" not in text and "\x0b" not in text else None
    if raw is None or any(not line.endswith("\n") for line in raw[:-1]):
        raw = re.findall(r"[^\n]*\n|[^\n]+$", text)
    contents = []
    for line in raw:
        if line.endswith("\r\n"):
            contents.append(line[:-2])
        elif line.endswith("\n"):
            contents.append(line[:-1])
        else:
            contents.append(line)
    return raw, contents


class _Builder:
    """Collects blocks and slots while walking the scanner regions and markdown-it tokens."""

    def __init__(self, raw_lines: list[str], lines: list[str]):
        self.raw_lines = raw_lines
        self.lines = lines
        self.blocks: list[tuple[int, int, str, str, list[tuple[str, str, int, int, _Slot]]]] = []
        self.claimed = [False] * len(lines)
        self.image_frames: dict[int, tuple[str, str]] = {}  # image line -> (text before alt, text after alt)
        self.code_frames: dict[int, int] = {}  # first line -> end line of a code block holding comment slots

    def eol(self, i: int) -> str:
        return self.raw_lines[i][len(self.lines[i]) :]

    def claim(self, start: int, end: int) -> None:
        for i in range(start, end):
            self.claimed[i] = True

    def add(self, kind: str, start: int, end: int, info: str = "", slots=None) -> None:
        self.claim(start, end)
        self.blocks.append((start, end, kind, info, slots or []))

    # -- segment-bearing blocks -------------------------------------------------------------------
    def paragraph(
        self, start: int, end: int, kind: str, first_prefix_re: re.Pattern | None, quoted: bool
    ) -> None:
        lines = self.lines
        first = lines[start]
        match = first_prefix_re.match(first) if first_prefix_re else None
        prefix = match.group(0) if match else first[: len(first) - len(first.lstrip())]
        parts = [first[len(prefix) :].strip()]
        for i in range(start + 1, end):
            line = lines[i]
            if quoted:
                quote = _QUOTE_PREFIX.match(line)
                if quote:
                    line = line[quote.end() :]
            parts.append(line.strip())
        text = " ".join(p for p in parts if p)
        raw = "".join(self.raw_lines[start:end])
        slot = _Slot(-1, raw, prefix, self.eol(end - 1))
        self.add(kind, start, end, slots=[(kind, text, start, end, slot)])

    def heading_atx(self, i: int) -> None:
        match = _ATX.match(self.lines[i])
        if not match or not match.group(2).strip():
            self.add("heading", i, i + 1)
            return
        prefix, text, closing = match.group(1), match.group(2), match.group(3)
        slot = _Slot(-1, self.raw_lines[i], prefix, closing + self.eol(i))
        # A trailing run of #'s without a space before it belongs to the text (CommonMark).
        self.add("heading", i, i + 1, slots=[("heading", text.strip(), i, i + 1, slot)])

    def heading_setext(self, start: int, end: int) -> None:
        self.paragraph(start, end - 1, "heading", None, False)
        start_, end_, kind, info, slots = self.blocks.pop()
        self.add("heading", start, end, slots=slots)

    def caption(self, i: int) -> None:
        line = self.lines[i]
        text = line[1:].strip()
        prefix = ":" + line[1 : len(line) - len(line[1:].lstrip())]
        trailing = line[len(line.rstrip()) :]
        slot = _Slot(-1, self.raw_lines[i], prefix, trailing + self.eol(i))
        self.add("caption", i, i + 1, slots=[("caption", text, i, i + 1, slot)])

    def image(self, i: int) -> None:
        line = self.lines[i]
        match = _IMAGE_LINE.match(line)
        alt = match.group(2) if match else ""
        if not match or not alt.strip():
            self.add("image", i, i + 1)
            return
        lead = match.group(1)
        # Only the alt text is a slot; the rest of the line is framing.
        slot = _Slot(-1, alt, "", "")
        pieces = [("image_alt", alt.strip(), i, i + 1, slot)]
        self.add("image", i, i + 1, slots=pieces)
        self.image_frames[i] = (lead, match.group(3) + self.eol(i))

    def code(self, start: int, end: int, info: str) -> None:
        """A fenced block: protected bytes around its comment and docstring slots."""
        slots = []
        for found in block_comments(self.raw_lines, start, end, info):
            comment = found.comment
            raw = "".join(self.raw_lines[start:end])[
                found.offset : found.offset + comment.end - comment.start
            ]
            slot = _Slot(-1, raw, "", "", quote=comment.quote or "#")
            spot = _CodeSpot(found.offset, comment.context)
            slots.append(("comment", comment.text, found.first_line, found.last_line + 1, slot, spot))
        if slots:
            self.code_frames[start] = end
        self.add("code", start, end, info, slots)

    def table(self, start: int, end: int) -> None:
        slots = []
        for i in range(start, end):
            if i == start + 1:
                continue  # delimiter row
            for cell_start, cell_end in _table_cells(self.lines[i]):
                cell = self.lines[i][cell_start:cell_end]
                slots.append(
                    ("table_cell", cell, i, i + 1, _Slot(-1, cell, "", "", escape_pipes=True), cell_start)
                )
        self.add("table", start, end, slots=slots)


def _table_cells(line: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty cell's stripped content; pipes in code spans or escaped don't split."""
    bounds: list[int] = []
    in_code = 0
    k = 0
    n = len(line)
    while k < n:
        ch = line[k]
        if ch == "\\":
            k += 2
            continue
        if ch == "`":
            run = 1
            while k + run < n and line[k + run] == "`":
                run += 1
            if in_code == 0:
                in_code = run
            elif in_code == run:
                in_code = 0
            k += run
            continue
        if ch == "|" and not in_code:
            bounds.append(k)
        k += 1
    cells = []
    edges = [-1, *bounds, n]
    for a, b in zip(edges, edges[1:], strict=False):
        s, e = a + 1, b
        while s < e and line[s] in " \t":
            s += 1
        while e > s and line[e - 1] in " \t":
            e -= 1
        if e > s:
            cells.append((s, e))
    return cells


def parse(text: str, path: str | None = None) -> Document:
    """Cut ``text`` into blocks and segments; nothing is normalised, so ``render(doc, {}) == text``."""
    bom = ""
    if text.startswith("\ufeff"):
        bom, text = "\ufeff", text[1:]
    raw_lines, lines = _split_lines(text)
    scanned = scan(lines)
    builder = _Builder(raw_lines, lines)
    blanked = list(lines)
    for region in scanned.regions:
        for i in range(region.start, region.end):
            blanked[i] = ""
        if region.kind == "caption":
            builder.caption(region.start)
        elif region.kind == "image":
            builder.image(region.start)
        elif region.kind == "code":
            builder.code(region.start, region.end, region.info)
        else:
            builder.add(region.kind, region.start, region.end, region.info)
    source = "\n".join(blanked)
    if "\r" in source:  # markdown-it reads a lone CR as a line break; our lines break on LF only
        source = source.replace("\r", " ")
    tokens = _block_parser().parse(source)
    _walk_tokens(builder, tokens)
    warnings = list(scanned.warnings)
    too_deep = next((t for t in tokens if t.level >= MAX_NESTING - 1 and t.map), None)
    if too_deep is not None and too_deep.map is not None:
        warnings.append(
            f"nesting deeper than {MAX_NESTING} levels at line {too_deep.map[0] + 1}: the text inside is kept "
            "as written, untranslated"
        )
    return _assemble(text, bom, path, builder, warnings)


# GitHub alerts: `> [!NOTE]` (TIP, IMPORTANT, WARNING, CAUTION) alone on the first line of a blockquote.
_ALERT_LINE = re.compile(
    r"^[ \t]{0,3}(?:>[ \t]?)+[ \t]*\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*$", re.IGNORECASE
)


def _walk_tokens(builder: _Builder, tokens) -> None:
    containers: list[str] = []
    first_paragraph_pending: list[bool] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open", "blockquote_open"):
            containers.append(kind)
        elif kind in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
            containers.pop()
        elif kind == "list_item_open":
            containers.append(kind)
            first_paragraph_pending.append(True)
        elif kind == "list_item_close":
            containers.pop()
            first_paragraph_pending.pop()
        elif kind == "paragraph_open" and token.map:
            start, end = token.map
            in_item = bool(containers) and containers[-1] == "list_item_open"
            first = in_item and first_paragraph_pending[-1]
            if in_item:
                first_paragraph_pending[-1] = False
            quoted = "blockquote_open" in containers
            pattern = _LIST_PREFIX if first else (_QUOTE_PREFIX if quoted else None)
            if quoted and not in_item and _ALERT_LINE.match(builder.lines[start]):
                builder.add("other", start, start + 1)  # a GitHub alert marker: kept on its own line
                start += 1
            if start < end:
                builder.paragraph(start, end, "list_item" if in_item else "paragraph", pattern, quoted)
        elif kind == "heading_open" and token.map:
            start, end = token.map
            if token.markup.startswith("#"):
                builder.heading_atx(start)
            else:
                builder.heading_setext(start, end)
        elif kind == "table_open" and token.map:
            builder.table(*token.map)
            while tokens[i].type != "table_close":
                i += 1
        elif kind in ("html_block", "code_block", "hr") and token.map:
            start, end = token.map
            builder.add(
                "html" if kind == "html_block" else ("code" if kind == "code_block" else "other"), start, end
            )
        i += 1


def _assemble(text: str, bom: str, path: str | None, builder: _Builder, warnings: list[str]) -> Document:
    lines, raw_lines = builder.lines, builder.raw_lines
    # Lines nobody claimed and that are not blank (link definitions, stray markup) are protected "other".
    for i, line in enumerate(lines):
        if not builder.claimed[i] and line.strip():
            j = i
            while j < len(lines) and not builder.claimed[j] and lines[j].strip():
                builder.claimed[j] = True
                j += 1
            builder.blocks.append((i, j, "other", "", []))
    builder.blocks.sort(key=lambda b: b[0])

    blocks: list[Block] = []
    segments: list[Segment] = []
    slots_by_line: dict[int, list] = {}
    code_slots: dict[int, list[tuple[int, _Slot]]] = {}  # code block first line -> (offset, slot)
    occurrences: Counter[str] = Counter()
    for start, end, kind, info, slot_specs in builder.blocks:
        block = Block(len(blocks), kind, start + 1, end, "".join(raw_lines[start:end]), info=info)
        for spec in slot_specs:
            seg_kind, seg_text, s_start, s_end, slot = spec[:5]
            spans = comment_spans(seg_text) if seg_kind == "comment" else find_spans(seg_text)
            if not has_translatable_text(seg_text, spans):
                continue
            digest = hashlib.sha1(seg_text.encode("utf-8")).hexdigest()[:12]
            segment = Segment(
                f"{digest}-{occurrences[digest]}", seg_kind, seg_text, s_start + 1, s_end, block.index, spans
            )
            occurrences[digest] += 1
            slot.segment = len(segments)
            segments.append(segment)
            block.segments.append(segment)
            column = spec[5] if len(spec) > 5 else None
            if isinstance(column, _CodeSpot):
                segment.context = column.context
                code_slots.setdefault(start, []).append((column.offset, slot))
                continue
            slots_by_line.setdefault(s_start, []).append((column, slot, s_end))
        blocks.append(block)

    pieces: list[str | _Slot] = [bom] if bom else []
    i = 0
    frames = builder.image_frames
    while i < len(lines):
        if i in code_slots:  # code block: protected bytes around its comment slots
            i = _code_pieces(pieces, raw_lines, i, builder.code_frames[i], code_slots[i])
            continue
        entries = slots_by_line.get(i)
        if not entries:
            pieces.append(raw_lines[i])
            i += 1
            continue
        first_column = entries[0][0]
        if first_column is None and i not in frames:  # a slot covering whole lines
            column, slot, s_end = entries[0]
            pieces.append(slot)
            i = s_end
            continue
        if i in frames:  # image line: framing + alt slot
            lead, tail = frames[i]
            pieces.extend([lead, entries[0][1], tail])
            i += 1
            continue
        # table row: cells are slots inside one line
        line, pos = raw_lines[i], 0
        for column, slot, _ in entries:
            pieces.append(line[pos:column])
            pieces.append(slot)
            pos = column + len(slot.raw)
        pieces.append(line[pos:])
        i += 1
    return Document(bom + text, path, blocks, segments, warnings, [p for p in pieces if p != ""])


def _code_pieces(
    pieces: list[str | _Slot], raw_lines: list[str], start: int, end: int, slots: list[tuple[int, _Slot]]
) -> int:
    block, position = "".join(raw_lines[start:end]), 0
    for offset, slot in slots:
        pieces.extend([block[position:offset], slot])
        position = offset + len(slot.raw)
    pieces.append(block[position:])
    return end


def render(document: Document, translations: dict[str, str] | None = None) -> str:
    """The chapter with translated segments swapped in (one line a paragraph); others keep their bytes."""
    translations = translations or {}
    out: list[str] = []
    segments = document.segments
    for piece in document.pieces:
        if isinstance(piece, str):
            out.append(piece)
            continue
        translated = translations.get(segments[piece.segment].id)
        if translated is None:
            out.append(piece.raw)
            continue
        if piece.quote:
            translated = safe_comment_text(translated, piece.quote.strip("#"))
        translated = " ".join(translated.split("\n")).strip() if "\n" in translated else translated
        if piece.escape_pipes:
            translated = re.sub(r"(?<!\\)\|", r"\\|", translated)
        out.append(piece.prefix + translated + piece.suffix)
    return "".join(out)
