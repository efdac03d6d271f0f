"""XLIFF 1.2 round trip for translators' CAT tools: export a sync report, import the reviewed targets.

Export (translate-toolkit): one ``<file original=PATH>`` per chapter, one ``<trans-unit id=SEGMENT_ID>`` per
segment that has text in the synchronised output. Reused human translations are ``state="final"``
(approved), everything else ``needs-review-translation``. Protected inline spans (code, math, roles, URLs,
d2l markers: ``amts.markdown.mask``) become ``<ph id="n">original</ph>`` so CAT tools lock them; a source
placeholder gets the id of the target placeholder with the same content. An ``amts`` context group keeps
what the import needs: the target text exactly as written to the output (to find it again) and the
original of every placeholder id.

Import reads the reviewed targets back, checks every placeholder (PlaceholderError naming the segment),
and rewrites only the changed segments of the markdown, through the segment model where the proposed
text is a whole segment and by exact text match otherwise. Nothing is written unless every unit applies.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from translate.storage import xliff as ttk_xliff
from translate.storage.placeables import StringElem
from translate.storage.placeables import xliff as ttk_inline

from amts.fsutil import atomic_write, read_regular_bytes
from amts.errors import AmtsError, InputError, PlaceholderError
from amts.markdown import PLACEHOLDER_RE, load, mask, parse, render
from amts.review.report import NOT_IN_OUTPUT_STATUSES, iter_segments, text_of

XLIFF_12_NS = "urn:oasis:names:tc:xliff:document:1.2"
CONTEXT_GROUP = "amts"
REUSED_STATUSES = frozenset({"reused"})
# Segments with nothing for a translator to write: dropped text, and code (a CAT tool must not touch it).
SKIPPED_STATUSES = NOT_IN_OUTPUT_STATUSES | {"code-changed"}
SKIPPED_KINDS = frozenset({"code"})
# Target states a CAT tool sets once a human has looked at the unit.
REVIEWED_STATES = frozenset({"translated", "signed-off", "final"})
_INLINE_PLACEHOLDER_TAGS = frozenset({"ph", "x"})
_CONTAINER_TAGS = frozenset({"mrk", "g"})


class Xliff12File(ttk_xliff.xlifffile):
    """translate-toolkit's XLIFF store, writing version 1.2 (its default skeleton says 1.1)."""

    XMLskeleton = f"""<?xml version="1.0" ?>
<xliff version='1.2' xmlns='{XLIFF_12_NS}'>
<file original='NoName' source-language='en' datatype='plaintext'>
<body>
</body>
</file>
</xliff>"""
    namespace = XLIFF_12_NS


# -- export -----------------------------------------------------------------------------------------


def export_xliff(report: dict[str, Any], source_lang: str = "en", target_lang: str | None = None) -> bytes:
    """An XLIFF 1.2 document for a checked sync report: one <file> per chapter."""
    target_lang = target_lang or report.get("target_lang")
    if not target_lang:
        raise InputError("the report does not name its target language: pass --target-lang")
    store = Xliff12File(sourcelanguage=source_lang, targetlanguage=target_lang)
    seen_ids: dict[str, Counter] = {}
    for path, segment in iter_segments(report):
        if not _exportable(segment):
            continue
        unit_id = _unique_id(str(segment["id"]), seen_ids.setdefault(path, Counter()))
        _add_unit(store, path, unit_id, segment, source_lang, target_lang)
    if not store.units:
        raise InputError("the report has no segment with text to export")
    store.removedefaultfile()
    # Units are born in translate-toolkit's 1.1 namespace and moved to 1.2: drop the stale declarations.
    etree.cleanup_namespaces(store.document.getroot())
    return bytes(store)


def has_units(report: dict[str, Any]) -> bool:
    """True when `export_xliff` would write at least one unit (a report can hold nothing to review)."""
    return any(_exportable(segment) for _, segment in iter_segments(report))


def _exportable(segment: dict[str, Any]) -> bool:
    return (
        segment["status"] not in SKIPPED_STATUSES
        and segment.get("kind") not in SKIPPED_KINDS
        and bool(text_of(segment.get("source")).strip())
    )


def _unique_id(segment_id: str, used: Counter) -> str:
    used[segment_id] += 1
    return segment_id if used[segment_id] == 1 else f"{segment_id}~{used[segment_id] - 1}"


def _add_unit(
    store: Xliff12File, path: str, unit_id: str, segment: dict[str, Any], source_lang: str, target_lang: str
) -> None:
    source_full, target_full = text_of(segment.get("source")), text_of(segment.get("target"))
    source = block_text(source_full)
    target_prefix, target, target_suffix = split_block_markup(target_full)
    source_masked, target_masked, table = placeholder_ids(source, target)
    unit = store.addsourceunit(source, filename=path, createifmissing=True)
    unit.setid(unit_id)
    unit.rich_source = [_rich(source_masked, table)]
    if target:
        unit.rich_target = [_rich(target_masked, table)]
    state = "final" if segment["status"] in REUSED_STATUSES else "needs-review-translation"
    unit.set_state_n(unit.statemap[state])
    if target:
        # translate-toolkit sets the state on <target>; make sure it is the exact XLIFF value we mean.
        unit.xmlelement.find(_q("target")).set("state", state)
    contexts = [
        ("x-amts-path", path),
        ("x-amts-segment", str(segment["id"])),
        ("x-amts-status", segment["status"]),
        # The target exactly as the sync wrote it (heading/list marker included): how import finds it.
        ("x-amts-proposed", target_full),
        ("x-amts-target-prefix", target_prefix),
        ("x-amts-target-suffix", target_suffix),
        ("x-amts-placeholders", json.dumps(table, ensure_ascii=False, sort_keys=True)),
    ]
    if segment.get("target_id"):
        contexts.append(("x-amts-target-id", str(segment["target_id"])))
    unit.createcontextgroup(CONTEXT_GROUP, contexts, purpose="information")
    for note in _translator_notes(path, segment):
        unit.addnote(note, origin="amts")
    old_source = block_text(text_of(segment.get("old_source")))
    old_target = block_text(text_of(segment.get("old_target")))
    if old_target and old_target != target:
        # The previous human translation is a match a CAT tool can offer, with the English it translated.
        unit.addalttrans(
            old_target, lang=target_lang, sourcetxt=old_source or None, origin="previous-translation"
        )


# Markdown that frames a block rather than belongs to its text: heading hashes, list markers, quotes, a
# setext underline. Kept out of the XLIFF so a CAT tool cannot break the structure; import puts them back.
_BLOCK_PREFIX_RE = re.compile(r"^[ \t]*(?:>[ \t]?)*[ \t]*(?:#{1,6}[ \t]+|(?:[*+-]|\d{1,9}[.)])[ \t]+)?")
_SETEXT_SUFFIX_RE = re.compile(r"(?:[ \t]*\r?\n[ \t]*|[ \t]+)(?:={3,}|-{3,})[ \t]*$")


def split_block_markup(text: str) -> tuple[str, str, str]:
    """(prefix, text, suffix) of a report text such as "## Title", "* item" or "Title\n====="."""
    match = _BLOCK_PREFIX_RE.match(text)
    start = match.end() if match else 0
    suffix = _SETEXT_SUFFIX_RE.search(text, start)
    end = suffix.start() if suffix and suffix.start() > start else len(text)
    return text[:start], text[start:end], text[end:]


def block_text(text: str) -> str:
    """A report text without its block markup: what a translator translates."""
    return split_block_markup(text)[1]


def _translator_notes(path: str, segment: dict[str, Any]) -> list[str]:
    where = f"{path}, line {segment['line']}" if segment.get("line") is not None else path
    status = segment["status"]
    if segment.get("origin"):
        status += f" from {segment['origin']}"
    if segment.get("score") is not None:
        status += f" ({segment['score']}% match)"
    notes = [f"{where}: {status}"]
    old_source = text_of(segment.get("old_source"))
    if old_source and old_source != text_of(segment.get("source")):
        notes.append(f"previous English: {old_source}")
    return notes


def placeholder_ids(source: str, target: str) -> tuple[str, str, dict[str, str]]:
    """Mask source and target with shared ids: a source span takes the id of the equal target span.

    Returns the masked source, the masked target (tokens ``⟦id⟧``) and the id -> original table.
    """
    target_masked, target_originals = mask(target) if target else ("", [])
    source_masked, source_originals = mask(source)
    table = {str(n): original for n, original in enumerate(target_originals, start=1)}
    unclaimed = list(table.items())
    next_id = len(table) + 1
    source_ids: list[str] = []
    for original in source_originals:
        match = next((pair for pair in unclaimed if pair[1] == original), None)
        if match is not None:
            unclaimed.remove(match)
            source_ids.append(match[0])
        else:
            table[str(next_id)] = original
            source_ids.append(str(next_id))
            next_id += 1
    source_masked = PLACEHOLDER_RE.sub(lambda m: f"⟦{source_ids[int(m.group(1)) - 1]}⟧", source_masked)
    return source_masked, target_masked, table


def _rich(masked: str, table: dict[str, str]) -> StringElem:
    parts: list[Any] = []
    pos = 0
    for match in PLACEHOLDER_RE.finditer(masked):
        if match.start() > pos:
            parts.append(masked[pos : match.start()])
        parts.append(ttk_inline.Ph(table[match.group(1)], id=match.group(1)))
        pos = match.end()
    if pos < len(masked) or not parts:
        parts.append(masked[pos:])
    return StringElem(parts)


def _q(tag: str) -> str:
    return f"{{{XLIFF_12_NS}}}{tag}"


# -- reading reviewed units -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewedUnit:
    """One trans-unit read back: texts with placeholders restored, and what the export proposed."""

    path: str
    segment_id: str
    source: str  # the English as the translator saw it (no heading/list marker)
    target: str | None  # the reviewed text for the markdown, marker included; None if absent or broken
    proposed: str  # the target the sync wrote, marker included
    state: str
    approved: bool
    target_id: str | None
    prefix: str = ""  # the target's heading/list marker, kept out of the XLIFF
    suffix: str = ""  # the target's setext underline, kept out of the XLIFF
    error: PlaceholderError | None = None

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
        """A human stands behind this target: edited, or marked done in a CAT tool."""
        return bool(self.target) and (self.changed or self.approved or self.state in REVIEWED_STATES)


def read_xliff(path: str | Path) -> list[ReviewedUnit]:
    """Every unit of an XLIFF written by `export_xliff`, in file order; placeholder errors are kept per unit."""
    path = Path(path)
    data = read_regular_bytes(path, "an XLIFF file")
    try:
        root_tag = etree.QName(
            etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        )
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise InputError(f"{path}: not an XLIFF 1.x file ({exc})") from None
    if root_tag.localname != "xliff":
        raise InputError(
            f"{path}: XML whose root is <{root_tag.localname}>, not an XLIFF file; give the exported .xlf"
        )
    try:
        store = ttk_xliff.xlifffile.parsestring(data)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise InputError(f"{path}: not an XLIFF 1.x file ({exc})") from None
    units = []
    for unit in store.units:
        context = _context(unit)
        if "x-amts-segment" not in context:
            raise InputError(
                f"{path}: unit {unit.getid()!r} was not exported by amts (no amts context group)"
            )
        units.append(_reviewed_unit(unit, context))
    return units


def _context(unit) -> dict[str, str]:
    values: dict[str, str] = {}
    for group in unit.getcontextgroups(CONTEXT_GROUP):
        values.update(dict(group))
    return values


def _reviewed_unit(unit, context: dict[str, str]) -> ReviewedUnit:
    table = json.loads(context.get("x-amts-placeholders") or "{}")
    segment_id = context["x-amts-segment"]
    proposed = context.get("x-amts-proposed", "")
    prefix = context.get("x-amts-target-prefix", "")
    suffix = context.get("x-amts-target-suffix", "")
    proposed_body = block_text(proposed)
    source_el = unit.xmlelement.find(_q_any(unit, "source"))
    target_el = unit.xmlelement.find(_q_any(unit, "target"))
    source = _materialise(*_flatten(source_el, table, segment_id), table, segment_id)
    target, error, state = None, None, ""
    if target_el is not None:
        state = target_el.get("state", "")
        tokens_text, used = _flatten(target_el, table, segment_id)
        try:
            required = _required_ids(proposed_body, source_el, table)
            _check_placeholders(used, required, table, segment_id)
            body = _materialise(tokens_text, used, table, segment_id)
            target = prefix + body + suffix if body.strip() else None  # an emptied target is no translation
        except PlaceholderError as exc:
            error = exc
    return ReviewedUnit(
        path=context.get("x-amts-path", ""),
        segment_id=segment_id,
        source=source,
        target=target,
        proposed=proposed,
        state=state,
        approved=unit.xmlelement.get("approved") == "yes",
        target_id=context.get("x-amts-target-id"),
        prefix=prefix,
        suffix=suffix,
        error=error,
    )


def _q_any(unit, tag: str) -> str:
    namespace = etree.QName(unit.xmlelement).namespace
    return f"{{{namespace}}}{tag}" if namespace else tag


def _flatten(element, table: dict[str, str], segment_id: str) -> tuple[str, list[str]]:
    """Element content as text with ``⟦id⟧`` tokens for placeholders, and the ids in order of appearance."""
    if element is None:
        return "", []
    parts: list[str] = []
    used: list[str] = []

    def walk(node) -> None:
        if node.text:
            parts.append(_no_brackets(node.text, segment_id))
        for child in node:
            tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
            if tag in _INLINE_PLACEHOLDER_TAGS:
                placeholder_id = child.get("id", "")
                used.append(placeholder_id)
                parts.append(f"⟦{placeholder_id}⟧")
            elif tag in _CONTAINER_TAGS:
                walk(child)
            elif tag:
                raise PlaceholderError(segment_id, f"unexpected inline element <{tag}> in the target")
            if child.tail:
                parts.append(_no_brackets(child.tail, segment_id))

    walk(element)
    return "".join(parts), used


def _no_brackets(text: str, segment_id: str) -> str:
    if "⟦" in text or "⟧" in text:
        raise PlaceholderError(segment_id, "placeholder brackets ⟦ ⟧ typed as text: use the tags instead")
    return text


def _required_ids(proposed: str, source_el, table: dict[str, str]) -> Counter:
    """Placeholder ids the target must hold exactly once: those of the proposed target, else the source's."""
    if proposed:
        return Counter(str(n) for n in range(1, len(mask(proposed)[1]) + 1))
    return Counter(
        child.get("id", "")
        for child in source_el.iter()
        if isinstance(child.tag, str) and etree.QName(child).localname in _INLINE_PLACEHOLDER_TAGS
    )


def _check_placeholders(used: list[str], required: Counter, table: dict[str, str], segment_id: str) -> None:
    counts = Counter(used)
    problems = []
    lost = [pid for pid in required if counts[pid] == 0]
    doubled = [pid for pid, n in counts.items() if n > 1]
    unknown = [pid for pid in counts if pid not in table]
    if lost:
        problems.append("lost " + ", ".join(f"placeholder {pid} ({table.get(pid, '?')!r})" for pid in lost))
    if doubled:
        problems.append("duplicated " + ", ".join(f"placeholder {pid}" for pid in doubled))
    if unknown:
        problems.append("unknown " + ", ".join(f"placeholder {pid!r}" for pid in unknown))
    if problems:
        raise PlaceholderError(segment_id, "reviewed target " + "; ".join(problems))


def _materialise(tokens_text: str, used: list[str], table: dict[str, str], segment_id: str) -> str:
    unknown = [pid for pid in used if pid not in table]
    if unknown:
        raise PlaceholderError(segment_id, "unknown " + ", ".join(f"placeholder {pid!r}" for pid in unknown))
    return re.sub(r"⟦([^⟧]*)⟧", lambda m: table[m.group(1)], tokens_text)


# -- import -----------------------------------------------------------------------------------------


class TargetNotFoundError(AmtsError):
    """The text a unit proposed is no longer in the markdown: it was edited after the export."""


def import_xliff(xlf: str | Path, into: str | Path) -> dict[Path, str]:
    """Apply the changed targets of `xlf` to the markdown at `into` (file or folder); return what was written.

    All files are computed first; any broken placeholder or missing target aborts before the first write.
    """
    units = read_xliff(xlf)
    broken = [u for u in units if u.error is not None]
    if broken:
        raise broken[0].error  # type: ignore[misc]
    by_path: dict[str, list[ReviewedUnit]] = {}
    for unit in units:
        by_path.setdefault(unit.path, []).append(unit)
    into = Path(into)
    new_texts: dict[Path, str] = {}
    for rel_path, file_units in by_path.items():
        changed = [u for u in file_units if u.changed and u.target]
        if not changed:
            continue
        file_path = _output_file(into, rel_path, list(by_path))
        old_text = load(file_path).text
        new_text = apply_units(old_text, file_units, str(file_path))
        if new_text != old_text:
            new_texts[file_path] = new_text
    for file_path, text in new_texts.items():
        atomic_write(file_path, text)
    return new_texts


def _output_file(into: Path, rel_path: str, all_paths: list[str]) -> Path:
    if into.is_dir():
        path = into / rel_path
        if not path.is_file():
            raise InputError(f"{path}: no such file (the XLIFF names {rel_path!r})")
        return path
    if not into.exists():
        raise InputError(f"{into}: no such file or folder")
    if len(all_paths) > 1:
        raise InputError(
            f"{into} is one file but the XLIFF holds {len(all_paths)} chapters: pass their folder"
        )
    return into


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
    same_text_units = k  # index of this unit among units proposing the same text
    if matches and same_text_units < len(matches):
        return matches[same_text_units]
    return None


def _replace_exact(
    text: str, proposed: str, reviewed: str, expected: int, k: int, segment_id: str, name: str
) -> str:
    """Replace the proposed text where it stands as whole lines (never inside a longer line)."""
    if "\r\n" in text and "\n" in proposed and "\r\n" not in proposed:
        proposed, reviewed = proposed.replace("\n", "\r\n"), reviewed.replace("\n", "\r\n")
    pattern = re.compile(r"(?m)^[ \t]*(" + re.escape(proposed) + r")[ \t]*(?=\r?$)") if proposed else None
    starts = [m.start(1) for m in pattern.finditer(text)] if pattern else []
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
