"""The review set of a sync report as CAT tools see it, and the rules a reviewed target must follow.

One home for what XLIFF (amts.xliff) and PO (amts.po) share: which segments a translator gets (and which
reused translations are sure enough to lock), the units read back, and how a reviewed target is checked
before it may reach the markdown. Writing it there is amts.reviewimport.

Placeholder rules are those of CAT tools: a target must hold the protected spans (code, math, roles,
links, HTML) of the *new* English, in any order; inline code, roles and math may repeat; a span the new
English does not have is unknown. d2l slide markers (``[**``/``**]``) are applied, not demanded: when the
English is wrapped whole and the target is not, the target gets the same wrapping.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt

from amts.markdown import find_spans
from amts.markdown.inline import has_translatable_text
from amts.review.report import iter_segments, text_of
from amts.sync.text import transfer_markers
from amts.sync.units import strip_markers

# Segments with nothing for a translator to write: dropped text, and code (a CAT tool must not touch it).
SKIPPED_STATUSES = frozenset({"deleted", "code-changed"})
SKIPPED_KINDS = frozenset({"code"})
# A reused human translation needs no review, unless the sync marked its alignment uncertain.
NO_REVIEW_STATUSES = frozenset({"reused"})
REPEATABLE_KINDS = frozenset({"code", "role", "math"})


# -- block markup kept out of the units ------------------------------------------------------------

# Markdown that frames a block rather than belongs to its text: heading hashes, list markers, quotes, a
# setext underline. Kept out of the units so a CAT tool cannot break the structure; import puts them back.
_BLOCK_PREFIX_RE = re.compile(r"^[ \t]*(?:>[ \t]?)*[ \t]*(?:#{1,6}[ \t]+|(?:[*+-]|\d{1,9}[.)])[ \t]+)?")
_SETEXT_SUFFIX_RE = re.compile(r"(?:[ \t]*\r?\n[ \t]*|[ \t]+)(?:={3,}|-{3,})[ \t]*$")


# An image line: its alt text is what a translator translates (the report's English is the alt text alone).
_IMAGE_RE = re.compile(r"!\[([^\n]*)\]\([^()\s]*(?:\s+\"[^\"\n]*\")?\)[^\n]*")


def split_block_markup(text: str) -> tuple[str, str, str]:
    """(prefix, text, suffix) of a report text such as "## Title", "* item", "Title\\n=====" or "![alt](x.svg)"."""
    match = _BLOCK_PREFIX_RE.match(text)
    start = match.end() if match else 0
    suffix = _SETEXT_SUFFIX_RE.search(text, start)
    end = suffix.start() if suffix and suffix.start() > start else len(text)
    image = _IMAGE_RE.fullmatch(text, start, end)
    if image:
        return text[: image.start(1)], image.group(1), text[image.end(1) :]
    return text[:start], text[start:end], text[end:]


def block_text(text: str) -> str:
    """A report text without its block markup: what a translator translates."""
    return split_block_markup(text)[1]


# -- the units of an export --------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportUnit:
    """One segment offered to a translator, with everything import needs to find it again."""

    path: str
    unit_id: str
    segment: dict[str, Any]
    source: str  # the new English without block markup
    target: str  # the proposed target without block markup ("" when the output holds none)
    proposed: str  # the target exactly as the sync wrote it
    prefix: str
    suffix: str
    needs_review: bool

    @property
    def status(self) -> str:
        return str(self.segment["status"])


def exportable(segment: dict[str, Any]) -> bool:
    return (
        segment["status"] not in SKIPPED_STATUSES
        and segment.get("kind") not in SKIPPED_KINDS
        and bool(text_of(segment.get("source")).strip())
    )


def needs_review(segment: dict[str, Any], source_lang: str = "en", target_lang: str = "") -> bool:
    """False only for a reused human translation the sync is sure of: a target that passes the pair checks.

    A caption paired with image markup, or a list item shifted by one, fails them and goes to review.
    """
    if segment["status"] not in NO_REVIEW_STATUSES or segment.get("uncertain"):
        return True
    source = block_text(text_of(segment.get("source")))
    target = block_text(text_of(segment.get("target")))
    # Human translations may reword math or localise links: only markup on one side only is suspect.
    # A kept English text ("Discussions") is a human decision, not a doubt.
    return pair_problem(source, target, source_lang, target_lang, strict=False) not in (None, "untranslated")


def _markup_kinds(text: str) -> set[str]:
    return {s.kind for s in find_spans(text) if s.kind in ("url", "html")}


def pair_problem(
    source: str, target: str, source_lang: str, target_lang: str, strict: bool = True
) -> str | None:
    """Why (source, target) must not be learned as a translation pair, or None.

    Empty side, a target of markup only, placeholders that differ (CAT rules; `strict`), links or HTML on
    one side only, and the parallel-data filters: untranslated, or a length ratio far from the usual one.
    """
    if not source.strip() or not target.strip():
        return "empty"
    if has_translatable_text(source, find_spans(source)) and not has_translatable_text(
        target, find_spans(target)
    ):
        return "markup_only"
    if strict and source != target and placeholder_problems(source, target):
        return "placeholders"
    if _markup_kinds(source) != _markup_kinds(target):
        return "markup_mismatch"  # e.g. a caption paired with the image markup
    if target_lang:
        from amts.paralleldata import suspicious_pair

        return suspicious_pair(source, target, source_lang, target_lang)
    return "untranslated" if source == target else None


def export_units(report: dict[str, Any]) -> list[ExportUnit]:
    """Every segment of the report with text to review, in report order, ids unique per chapter."""
    units = []
    seen: dict[str, Counter] = {}
    source_lang, target_lang = str(report.get("source_lang") or "en"), str(report.get("target_lang") or "")
    for path, segment in iter_segments(report):
        if not exportable(segment):
            continue
        used = seen.setdefault(path, Counter())
        segment_id = str(segment["id"])
        used[segment_id] += 1
        unit_id = segment_id if used[segment_id] == 1 else f"{segment_id}~{used[segment_id] - 1}"
        proposed = text_of(segment.get("target"))
        prefix, target, suffix = split_block_markup(proposed)
        units.append(
            ExportUnit(
                path=path,
                unit_id=unit_id,
                segment=segment,
                source=block_text(text_of(segment.get("source"))),
                target=target,
                proposed=proposed,
                prefix=prefix,
                suffix=suffix,
                needs_review=needs_review(segment, source_lang, target_lang),
            )
        )
    return units


def still_to_do(report: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Per chapter: (segments whose output is still the English, segments a translator should review).

    A human translation that kept the English (a "Discussions" link) is a decision, not English left over.
    """
    counts: dict[str, list[int]] = {}
    for unit in export_units(report):
        english = unit.status not in ("reused", "reused-format") and is_still_english(
            unit.source, unit.target
        )
        if english or unit.needs_review:
            entry = counts.setdefault(unit.path, [0, 0])
            entry[0] += english
            entry[1] += unit.needs_review
    return {path: (english, review) for path, (english, review) in counts.items()}


def is_still_english(source: str, target: str) -> bool:
    """The target is the source text itself, and that text has words to translate."""
    return target == source and has_translatable_text(source, find_spans(source))


# -- reviewed units read back ------------------------------------------------------------------------


@dataclass
class ReviewedUnit:
    """One unit read back from a CAT tool: raw markdown texts (placeholders restored)."""

    path: str
    segment_id: str
    source: str  # the English as the translator saw it (no heading/list marker)
    target: str | None  # the reviewed text for the markdown, marker included; None if absent or broken
    proposed: str  # the target the sync wrote, marker included
    state: str
    approved: bool
    target_id: str | None
    prefix: str = ""  # the target's heading/list marker, kept out of the unit
    suffix: str = ""  # the target's setext underline, kept out of the unit
    table: dict[str, str] = field(default_factory=dict)  # placeholder id -> original (XLIFF only)
    source_table: dict[str, str] = field(default_factory=dict)  # placeholder id -> text in <source> (XLIFF)
    problems: list[str] = field(default_factory=list)  # why the target cannot be imported
    status: str = ""  # the sync status at export
    lang: str = ""  # target language named by the file
    for_review: bool = True  # exported for review (False: a human translation locked as translate="no")

    @property
    def error(self) -> str | None:
        return "; ".join(self.problems) if self.problems else None

    @property
    def target_text(self) -> str | None:
        """The reviewed target as the translator saw it (no heading/list marker): for parallel data."""
        if self.target is None:
            return None
        return self.target[len(self.prefix) : len(self.target) - len(self.suffix)]

    @property
    def changed(self) -> bool:
        return self.target is not None and self.target != self.proposed

    @property
    def reviewed(self) -> bool:
        """A human stands behind this target: edited, or marked done (approved / signed off) in this review."""
        return bool(self.target) and (self.changed or self.approved)

    @property
    def left_english(self) -> bool:
        """The target is the English itself (with words to translate): nobody translated it."""
        body = self.target_text
        return body is not None and is_still_english(self.source, body)


def finish_target(unit: ReviewedUnit, body: str) -> None:
    """Check a reviewed body against the unit's English and set the unit's target (or its problems)."""
    if not body.strip():
        return  # an emptied target is no translation: the proposed text stays
    if body == block_text(unit.proposed):
        unit.target = unit.proposed  # unchanged: nothing to check or write
        return
    body = apply_markers(unit.source, body)
    # The block shape of the proposed text, or of the English (the sync may have paired a list with a paragraph).
    shapes = [unit.proposed, unit.prefix + unit.source + unit.suffix]
    problems = placeholder_problems(unit.source, body) + structure_problems(
        unit.prefix + body + unit.suffix, [shape for shape in shapes if shape.strip()]
    )
    if problems:
        unit.problems.extend(problems)
        return
    unit.target = unit.prefix + body + unit.suffix


def apply_markers(source: str, body: str) -> str:
    """Slide markers follow the English: wrapped whole when it is, removed when it has none."""
    if strip_markers(source) == source:
        return strip_markers(body)
    return transfer_markers(source, source, body)


def placeholder_problems(source: str, target: str) -> list[str]:
    """What breaks the CAT rules: spans of the English missing, spans it does not have, forbidden repeats."""
    source_spans = _spans(source)
    target_spans = _spans(target)
    allowed = Counter(text for text, _ in source_spans)
    found = Counter(text for text, _ in target_spans)
    kinds = dict(source_spans + target_spans)
    problems = []
    missing = [t for t in allowed if found[t] == 0 and kinds[t] != "marker"]
    unknown = [t for t in found if t not in allowed]
    repeated = [
        t for t in found if t in allowed and found[t] > allowed[t] and kinds[t] not in REPEATABLE_KINDS
    ]
    if missing:
        problems.append("missing placeholder " + ", ".join(repr(t) for t in missing))
    if unknown:
        problems.append(
            "unknown placeholder " + ", ".join(repr(t) for t in unknown) + " (not in the English)"
        )
    if repeated:
        problems.append("repeated placeholder " + ", ".join(repr(t) for t in repeated))
    return problems


def _spans(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.kind) for s in find_spans(text)]


_FENCE_RE = re.compile(r"(?m)^[ \t]*(?:`{3,}|~{3,})")
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\r?\n")


def structure_problems(target: str, allowed: list[str]) -> list[str]:
    """A target is one block shaped like one of `allowed` (proposed text, English): no blank line, fence or
    new block."""
    if _BLANK_LINE_RE.search(target.strip("\n")):
        return ["the target holds a blank line (it would split the paragraph)"]
    if _FENCE_RE.search(target):
        return ["the target holds a code fence"]
    if _block_shape(target) not in [_block_shape(text) for text in allowed]:
        return ["the target changes the block structure (a new heading, list item, quote or table)"]
    return []


_MD = MarkdownIt("commonmark", {"html": True}).enable("table")


def _block_shape(text: str) -> list[str]:
    return [token.type for token in _MD.parse(text) if token.nesting >= 0 and token.type != "inline"]
