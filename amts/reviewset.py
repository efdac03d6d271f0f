"""The review set of a sync report as CAT tools see it, and the rules a reviewed target must follow.

One home for what XLIFF (amts.xliff) and PO (amts.po) share: which segments a translator gets, how a
target is checked before it reaches the markdown, where the chapter named by a unit lives (never outside
the folder given), and the all-or-nothing write of the imported chapters.

Placeholder rules are those of CAT tools: a target must hold the protected spans (code, math, roles,
links, HTML) of the *new* English, in any order; inline code, roles and math may repeat; a span the new
English does not have is unknown. d2l slide markers (``[**``/``**]``) are applied, not demanded: when the
English is wrapped whole and the target is not, the target gets the same wrapping.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterable

from markdown_it import MarkdownIt

from amts.errors import AmtsError, InputError
from amts.markdown import find_spans, load, parse, render
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


class ImportRefusedError(AmtsError):
    """A reviewed file with one or more broken units: every problem is named, nothing is written."""


class TargetNotFoundError(AmtsError):
    """The text a unit proposed is no longer in the markdown: it was edited after the export."""


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


# -- placeholder tables (XLIFF) ------------------------------------------------------------------------


def table_problems(
    table: dict[str, str], chapter: str, source_table: dict[str, str] | None = None
) -> list[str]:
    """A placeholder table written by the export: each entry one protected span; HTML and links found in the
    chapter, or (a link the new English added) equal to the unit's <source> copy and of a safe scheme.

    The table travels inside the XLIFF, so an edited one could smuggle markup into the book.
    """
    source_table = source_table or {}
    problems = []
    for pid, original in table.items():
        if pid.endswith(":end"):
            continue  # checked with its opener
        closer = table.get(f"{pid}:end")
        if original in ("**", "__", "*", "_") and closer == original:
            continue  # emphasis delimiters: plain markdown, nothing to smuggle
        # A pair (a link's "[" and "](url)", slide markers) is a protected span only around text.
        text = original if closer is None else f"{original}x{closer}"
        expected = (
            [(0, len(text))] if closer is None else [(0, len(original)), (len(original) + 1, len(text))]
        )
        spans = find_spans(text)
        if [(span.start, span.end) for span in spans] != expected:
            problems.append(f"placeholder {pid} ({text!r}) is not a protected span: the table was edited")
        elif not all(part in chapter for part in (original, closer or "")) and not _new_link(
            pid, table, spans, source_table
        ):
            if any(span.kind in ("html", "url") for span in spans):
                problems.append(f"placeholder {pid} ({text!r}) is not in the chapter: the table was edited")
    return problems


_UNSAFE_URL_RE = re.compile(r"\]\(\s*<?\s*(?:javascript|vbscript|data):", re.IGNORECASE)


def _new_link(pid: str, table: dict[str, str], spans: list, source_table: dict[str, str]) -> bool:
    """A link of the new English (not yet in the chapter): the <source> carries the same text, safe scheme."""
    if any(span.kind == "html" for span in spans):
        return False
    keys = [pid] + ([f"{pid}:end"] if f"{pid}:end" in table else [])
    return all(source_table.get(k) == table[k] and not _UNSAFE_URL_RE.search(table[k]) for k in keys)


# -- paths --------------------------------------------------------------------------------------------


def unsafe_path_reason(rel_path: str) -> str | None:
    """Why a chapter path read from a reviewed file may not be used (None when it is a plain relative path)."""
    if not rel_path:
        return "empty"
    if "\x00" in rel_path:
        return "holds a NUL character"
    if "\\" in rel_path:
        return "holds a backslash"
    if rel_path.startswith("/") or re.match(r"^[A-Za-z]:", rel_path):
        return "is absolute"
    parts = rel_path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "has an empty, '.' or '..' segment"
    if PurePosixPath(rel_path).is_absolute():
        return "is absolute"
    return None


def chapter_file(into: Path, rel_path: str, n_paths: int, name: str) -> Path:
    """The chapter a unit names: inside the folder `into` (symlinks resolved), or `into` itself if a file."""
    reason = unsafe_path_reason(rel_path)
    if reason:
        raise ImportRefusedError(f"{name}: chapter path {rel_path!r} {reason}: refused (nothing written)")
    if into.is_dir():
        root = into.resolve()
        path = (into / rel_path).resolve()
        if not path.is_relative_to(root):
            raise ImportRefusedError(
                f"{name}: chapter path {rel_path!r} leads outside {into}: refused (nothing written)"
            )
        if not path.is_file():
            raise InputError(f"{into / rel_path}: no such file (the reviewed file names {rel_path!r})")
        return into / rel_path
    if not into.exists():
        raise InputError(f"{into}: no such file or folder")
    if n_paths > 1:
        raise InputError(f"{into} is one file but {name} holds {n_paths} chapters: pass their folder")
    return into


_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_CJK_LANGS = frozenset({"zh", "ja", "ko"})


def language_problem(chapter: str, lang: str) -> str | None:
    """A reviewed file for `lang` applied to a chapter clearly in another script.

    Only a CJK chapter for a non-CJK language is certain: a CJK book's chapter may still be all English.
    """
    letters = sum(1 for ch in chapter if ch.isalpha())
    if not lang or letters < 200:
        return None
    share = len(_CJK_RE.findall(chapter)) / letters
    base = lang.split("-")[0].lower()
    if base not in _CJK_LANGS and share > 0.3:
        return f"target-language {lang!r} but the chapter is mostly CJK script"
    return None


# -- import ----------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    written: dict[Path, str]
    left_english: dict[str, int]  # chapter -> units whose target is still the English
    to_review: dict[str, int]  # chapter -> units nobody edited or approved that needed review


def import_units(
    units: list[ReviewedUnit], into: str | Path, name: str, target_lang: str | None = None
) -> ImportResult:
    """Apply the changed targets to the markdown at `into`; any problem in any unit refuses the whole file.

    Every problem is collected first and reported in one line; the chapters are staged, then moved.
    """
    into = Path(into)
    by_path: dict[str, list[ReviewedUnit]] = {}
    for unit in units:
        by_path.setdefault(unit.path, []).append(unit)
    problems: list[str] = []
    langs = {u.lang for u in units if u.lang}
    if target_lang and langs and langs != {target_lang}:
        problems.append(f"target-language {', '.join(sorted(langs))} but --target-lang {target_lang}")
    new_texts: dict[Path, str] = {}
    for rel_path, file_units in by_path.items():
        changed = [u for u in file_units if u.changed or u.problems]
        if not changed:
            continue
        file_path = chapter_file(into, rel_path, len(by_path), name)
        old_text = load(file_path).text
        file_problems = [f"unit {u.segment_id}: {p}" for u in file_units for p in u.problems]
        for unit in changed:
            file_problems += [
                f"unit {unit.segment_id}: {p}"
                for p in table_problems(unit.table, old_text, unit.source_table)
            ]
        lang_problem = language_problem(old_text, (target_lang or next(iter(langs), "")) if langs else "")
        if lang_problem:
            file_problems.append(lang_problem)
        if file_problems:
            problems += [f"{rel_path}: {p}" for p in file_problems]
            continue
        try:
            new_text = apply_units(old_text, file_units, str(file_path))
        except TargetNotFoundError as exc:
            problems.append(f"{rel_path}: {exc}")
            continue
        if new_text != old_text:
            new_texts[file_path] = new_text
    if problems:
        raise ImportRefusedError(
            f"{name}: {len(problems)} problem(s), nothing written: " + " | ".join(problems)
        )
    write_all(new_texts)
    return ImportResult(
        written=new_texts,
        left_english=_per_file(units, lambda u: u.left_english or (u.target is None and _english_output(u))),
        to_review=_per_file(units, lambda u: u.for_review and not u.reviewed),
    )


def _english_output(unit: ReviewedUnit) -> bool:
    """No target came back and the output still holds the English."""
    return unit.status not in ("reused", "reused-format") and is_still_english(
        unit.source, block_text(unit.proposed)
    )


def _per_file(units: Iterable[ReviewedUnit], test) -> dict[str, int]:
    counts: Counter = Counter(u.path for u in units if test(u))
    return dict(counts)


def write_all(texts: dict[Path, str]) -> None:
    """Stage every file beside its destination, then move them all in; a failure while staging writes nothing.

    New files get the permissions `cp` would give (0666 less the umask); replaced files keep theirs.
    """
    staged: list[tuple[str, Path]] = []
    umask = os.umask(0)
    os.umask(umask)
    try:
        for path, text in texts.items():
            handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((temp, path))
            with os.fdopen(handle, "wb") as stream:
                stream.write(text.encode("utf-8"))
            mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~umask
            os.chmod(temp, mode)
    except BaseException:
        for temp, _ in staged:
            Path(temp).unlink(missing_ok=True)
        raise
    for temp, path in staged:
        os.replace(temp, path)


def apply_units(text: str, units: list[ReviewedUnit], name: str) -> str:
    """The markdown text with each changed unit's proposed text replaced by its reviewed target."""
    doc = parse(text, name)
    occurrence: Counter = Counter()
    translations: dict[str, str] = {}
    by_text: list[
        tuple[str, str, int, str]
    ] = []  # (proposed, reviewed, occurrence, segment id) for raw edits
    for unit in units:
        k = occurrence[unit.proposed]
        occurrence[unit.proposed] += 1
        if not (unit.changed and unit.target):
            continue
        segment_id = _segment_for(doc, unit, k)
        if segment_id is not None:
            translations[segment_id] = unit.target
        else:
            by_text.append((unit.proposed, unit.target, k, unit.segment_id))
    new_text = render(doc, translations) if translations else text
    for proposed, reviewed, k, segment_id in by_text:
        new_text = _replace_exact(new_text, proposed, reviewed, occurrence[proposed], k, segment_id, name)
    return new_text


def _segment_for(doc, unit: ReviewedUnit, k: int) -> str | None:
    """The output segment holding the unit's proposed text, when the segment model finds it unambiguously."""
    if unit.target_id:
        for segment in doc.segments:
            if segment.id == unit.target_id and segment.text == unit.proposed:
                return segment.id
    matches = [s.id for s in doc.segments if s.text == unit.proposed]
    if len(matches) == 1:
        return matches[0]
    # Same text several times: units and segments are both in document order.
    if matches and k < len(matches):
        return matches[k]
    return None


def _replace_exact(
    text: str, proposed: str, reviewed: str, expected: int, k: int, segment_id: str, name: str
) -> str:
    """Replace the proposed text where it stands as whole lines (never inside a longer line)."""
    if "\r\n" in text and "\n" in proposed and "\r\n" not in proposed:
        proposed, reviewed = proposed.replace("\n", "\r\n"), reviewed.replace("\n", "\r\n")
    if not proposed.strip():
        raise TargetNotFoundError(
            f"segment {segment_id}: the sync wrote no text for it in {name}, so there is nothing to replace "
            "(add the translation in the markdown itself)"
        )
    pattern = re.compile(r"(?m)^[ \t]*(" + re.escape(proposed) + r")[ \t]*(?=\r?$)")
    starts = [m.start(1) for m in pattern.finditer(text)]
    if not starts:
        raise TargetNotFoundError(
            f"segment {segment_id}: its proposed translation is no longer in {name} (edited since the export?)"
        )
    if len(starts) != 1:
        if len(starts) != expected:
            raise TargetNotFoundError(
                f"segment {segment_id}: its proposed translation occurs {len(starts)} times in {name}; "
                "cannot tell which"
            )
        starts = [starts[k]]
    start = starts[0]
    return text[:start] + reviewed + text[start + len(proposed) :]
