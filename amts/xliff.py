"""XLIFF 1.2 round trip for translators' CAT tools: export a sync report, import the reviewed targets.

Export: one ``<file original=PATH>`` per chapter, one ``<trans-unit id=SEGMENT_ID>`` per segment with text
in the output (amts.reviewset picks them), valid against the OASIS XLIFF 1.2 strict schema. A reused human
translation the sync is sure of is ``translate="no"`` and approved (``final``); every other unit is
``needs-review-translation``, and a segment left in English has no ``<target>``. Protected inline spans
(code, math, roles, URLs, HTML) are ``<ph>``; links and d2l slide markers are paired ``<bpt>``/``<ept>``; a
source placeholder shares the id of the equal target one. The previous translation (with the English it
translated) and the proposed suggestion are ``<alt-trans match-quality>``. One ``amts:<id>`` context group
per unit (names are unique in a ``<file>``, as the schema demands) keeps what import needs: the target as
written to the output, its block markup, and the original of every placeholder id.

Import reads the targets back (also translate-toolkit ``po2xliff`` output of an `amts po export`), checks
every unit (amts.reviewset rules), and reports every problem of the file at once; nothing is written unless
every unit applies.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from rapidfuzz import fuzz

from amts.errors import InputError
from amts.fsutil import read_regular_bytes
from amts.markdown import find_spans
from amts.review.report import text_of
from amts.reviewimport import ImportResult, TargetNotFoundError, import_units
from amts.xmlchars import xml_safe
from amts.reviewset import (
    ExportUnit,
    ReviewedUnit,
    block_text,
    export_units,
    finish_target,
    split_block_markup,
)

__all__ = [
    "ReviewedUnit",
    "TargetNotFoundError",
    "block_text",
    "export_xliff",
    "has_units",
    "import_xliff",
    "placeholder_ids",
    "read_xliff",
    "split_block_markup",
]

XLIFF_12_NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_NS = "http://www.w3.org/XML/1998/namespace"
CONTEXT_PREFIX = "amts:"  # + unit id: one context group per unit, names unique in a <file>
NOTE_PREFIX = "amts: "  # the same data as a developer note (PO export, through po2xliff)
# Target states a CAT tool sets once a human has confirmed the unit.
REVIEWED_STATES = frozenset({"translated", "signed-off", "final"})


def _q(tag: str) -> str:
    return f"{{{XLIFF_12_NS}}}{tag}"


# -- inline content ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Inline:
    """A protected span (``end`` empty) or a pair of spans around text (a link, a slide marker)."""

    start: int  # offsets of the opening span
    stop: int
    begin: str
    end: str = ""
    end_start: int = -1
    end_stop: int = -1

    @property
    def key(self) -> tuple[str, str]:
        return (self.begin, self.end)


_PAIRS = {"[": "]", "[**": "**]", "(**": "**)"}


def _inline_items(text: str) -> list[_Inline]:
    """Protected spans of `text`, with link openers and slide markers paired to their closers."""
    spans = find_spans(text)
    items: list[_Inline | None] = []
    stack: list[tuple[int, str]] = []  # (index in items, opener text)
    for span in spans:
        original = text[span.start : span.end]
        closes = next(
            (i for i in range(len(stack) - 1, -1, -1) if _closes(stack[i][1], original, span.kind)),
            None,
        )
        if closes is not None:
            index, _ = stack.pop(closes)
            opener = items[index]
            assert opener is not None
            items[index] = _Inline(opener.start, opener.stop, opener.begin, original, span.start, span.end)
            continue
        if (span.kind == "url" and original == "[") or (span.kind == "marker" and original in _PAIRS):
            stack.append((len(items), original))
        items.append(_Inline(span.start, span.end, original))
    found = [item for item in items if item is not None]
    return sorted(
        found + _emphasis(text, [(span.start, span.end) for span in spans]), key=lambda it: it.start
    )


# Emphasis: `**strong**`, `__strong__`, `*em*`, `_em_` around text outside protected spans (one line).
_EMPHASIS_RE = re.compile(
    r"(\*\*|__)(?=\S)([^\n]+?)(?<=\S)\1|(?<![*\w])(\*|_)(?=[^\s*_])([^\n]+?)(?<=[^\s*_])\3(?![*\w])"
)
EMPHASIS_DELIMITERS = frozenset({"**", "__", "*", "_"})
_EMPHASIS_MAX_CHARS = 4000


def _emphasis(text: str, protected: list[tuple[int, int]]) -> list[_Inline]:
    """Emphasis delimiters as pairs (<bpt ctype="bold|italic">), never inside or across a protected span.

    Long texts keep their emphasis as plain text: the lazy search is quadratic in unclosed delimiters.
    """
    if len(text) > _EMPHASIS_MAX_CHARS:
        return []
    items = []
    for match in _EMPHASIS_RE.finditer(text):
        mark = match.group(1) or match.group(3)
        start, end = match.start(), match.end()
        if any(a < end and start < b for a, b in protected):
            continue
        items.append(_Inline(start, start + len(mark), mark, mark, end - len(mark), end))
    return items


def _closes(opener: str, original: str, kind: str) -> bool:
    if opener == "[":
        return kind == "url" and original.startswith("]")
    return kind == "marker" and _PAIRS.get(opener) == original


def placeholder_ids(source: str, target: str) -> tuple[str, str, dict[str, str]]:
    """Mask source and target with shared ids: a source span takes the id of the equal target span.

    Returns the masked source, the masked target (tokens ``⟦id⟧``, a pair's closer ``⟦id:end⟧``) and the
    id -> original table.
    """
    target_items, source_items = _inline_items(target), _inline_items(source)
    table: dict[str, str] = {}
    target_ids: list[str] = []
    for n, item in enumerate(target_items, start=1):
        target_ids.append(str(n))
        _record(table, str(n), item)
    unclaimed = list(zip(target_ids, target_items, strict=True))
    next_id = len(target_items) + 1
    source_ids: list[str] = []
    for item in source_items:
        match = next((pair for pair in unclaimed if pair[1].key == item.key), None)
        if match is not None:
            unclaimed.remove(match)
            source_ids.append(match[0])
        else:
            source_ids.append(str(next_id))
            _record(table, str(next_id), item)
            next_id += 1
    return _masked(source, source_items, source_ids), _masked(target, target_items, target_ids), table


def _record(table: dict[str, str], pid: str, item: _Inline) -> None:
    table[pid] = item.begin
    if item.end:
        table[f"{pid}:end"] = item.end


def _masked(text: str, items: list[_Inline], ids: list[str]) -> str:
    cuts = sorted(
        [(it.start, it.stop, f"⟦{pid}⟧") for it, pid in zip(items, ids, strict=True)]
        + [(it.end_start, it.end_stop, f"⟦{pid}:end⟧") for it, pid in zip(items, ids, strict=True) if it.end]
    )
    parts, pos = [], 0
    for start, stop, token in cuts:
        parts += [text[pos:start], token]
        pos = stop
    return "".join(parts) + text[pos:]


def _fill(element: etree._Element, text: str, items: list[_Inline], ids: list[str]) -> None:
    """Append `text` to `element` with <ph> for spans and <bpt>/<ept> for pairs."""
    cuts = []
    for item, pid in zip(items, ids, strict=True):
        if item.end:
            cuts.append((item.start, item.stop, "bpt", pid, item.begin))
            cuts.append((item.end_start, item.end_stop, "ept", pid, item.end))
        else:
            cuts.append((item.start, item.stop, "ph", pid, item.begin))
    cuts.sort()
    pos, last = 0, None
    for start, stop, tag, pid, original in cuts:
        _append_text(element, last, text[pos:start])
        last = etree.SubElement(element, _q(tag), id=pid)
        if tag in ("bpt", "ept"):
            last.set("rid", pid)
        if tag == "bpt" and original in EMPHASIS_DELIMITERS:
            last.set("ctype", "bold" if len(original) == 2 else "italic")
        last.text = xml_safe(original)
        pos = stop
    _append_text(element, last, text[pos:])


def _append_text(element: etree._Element, last: etree._Element | None, text: str) -> None:
    if not text:
        return
    text = xml_safe(text)  # an ESC in a chapter: shown as its control picture, the file stays XML
    if last is None:
        element.text = (element.text or "") + text
    else:
        last.tail = (last.tail or "") + text


def _ids_for(text: str, table_ids: dict[tuple[str, str], list[str]]) -> tuple[list[_Inline], list[str]]:
    items = _inline_items(text)
    pools = {key: list(ids) for key, ids in table_ids.items()}
    return items, [pools[item.key].pop(0) for item in items]


# -- export -----------------------------------------------------------------------------------------


def export_xliff(report: dict[str, Any], source_lang: str = "en", target_lang: str | None = None) -> bytes:
    """An XLIFF 1.2 document for a checked sync report: one <file> per chapter."""
    target_lang = target_lang or report.get("target_lang")
    if not target_lang:
        raise InputError("the report does not name its target language: pass --target-lang")
    units = export_units(report)
    if not units:
        raise InputError("the report has no segment with text to export")
    root = etree.Element(_q("xliff"), nsmap={None: XLIFF_12_NS}, version="1.2")
    bodies: dict[str, etree._Element] = {}
    for unit in units:
        if unit.path not in bodies:
            file_el = etree.SubElement(
                root,
                _q("file"),
                original=unit.path,
                datatype="x-markdown",
                attrib={"source-language": source_lang, "target-language": target_lang},
            )
            bodies[unit.path] = etree.SubElement(file_el, _q("body"))
        bodies[unit.path].append(_unit_element(unit, source_lang, target_lang))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def has_units(report: dict[str, Any]) -> bool:
    """True when `export_xliff` would write at least one unit (a report can hold nothing to review)."""
    return bool(export_units(report))


def exported_target(unit: ExportUnit) -> str:
    """The target a CAT tool gets: none where the output holds the English itself (nothing translated)."""
    return "" if unit.target == unit.source and unit.needs_review else unit.target


def _unit_element(unit: ExportUnit, source_lang: str, target_lang: str) -> etree._Element:
    segment = unit.segment
    target = exported_target(unit)
    _, _, table = placeholder_ids(unit.source, target)
    table_ids: dict[tuple[str, str], list[str]] = {}
    for pid, begin in table.items():
        if not pid.endswith(":end"):
            table_ids.setdefault((begin, table.get(f"{pid}:end", "")), []).append(pid)
    el = etree.Element(_q("trans-unit"), id=unit.unit_id)
    el.set(f"{{{XML_NS}}}space", "preserve")
    if not unit.needs_review:
        el.set("translate", "no")
        el.set("approved", "yes")
    source_el = etree.SubElement(el, _q("source"))
    _fill(source_el, unit.source, *_source_ids(unit.source, table_ids))
    if target:
        target_el = etree.SubElement(el, _q("target"))
        target_el.set("state", "needs-review-translation" if unit.needs_review else "final")
        _fill(target_el, target, *_ids_for(target, _target_pools(table)))
    contexts = [
        ("x-amts-path", unit.path),
        ("x-amts-segment", str(segment["id"])),
        ("x-amts-status", unit.status),
        ("x-amts-review", "yes" if unit.needs_review else "no"),
        # The target exactly as the sync wrote it (heading/list marker included): how import finds it.
        ("x-amts-proposed", unit.proposed),
        ("x-amts-target-prefix", unit.prefix),
        ("x-amts-target-suffix", unit.suffix),
        ("x-amts-placeholders", json.dumps(table, ensure_ascii=False, sort_keys=True)),
    ]
    if segment.get("target_id"):
        contexts.append(("x-amts-target-id", str(segment["target_id"])))
    if segment.get("context"):  # a code comment: the code line it speaks about
        contexts.append(("x-amts-code", str(segment["context"])))
    group = etree.SubElement(
        el, _q("context-group"), name=CONTEXT_PREFIX + unit.unit_id, purpose="information"
    )
    for context_type, value in contexts:
        etree.SubElement(group, _q("context"), attrib={"context-type": context_type}).text = xml_safe(value)
    if segment.get("line") is not None:
        location = etree.SubElement(
            el, _q("context-group"), name=f"location:{unit.unit_id}", purpose="location"
        )
        etree.SubElement(location, _q("context"), attrib={"context-type": "sourcefile"}).text = unit.path
        etree.SubElement(location, _q("context"), attrib={"context-type": "linenumber"}).text = str(
            segment["line"]
        )
    for note in translator_notes(unit):
        etree.SubElement(el, _q("note"), attrib={"from": "amts"}).text = xml_safe(note)
    for quality, origin, kind, old_source, old_target in suggestions(unit):
        alt = etree.SubElement(el, _q("alt-trans"), attrib={"match-quality": str(quality), "origin": origin})
        alt.set("alttranstype", kind)
        if old_source:
            alt_source = etree.SubElement(alt, _q("source"))
            alt_source.set(f"{{{XML_NS}}}lang", source_lang)
            alt_source.text = xml_safe(old_source)
        alt_target = etree.SubElement(alt, _q("target"))
        alt_target.set(f"{{{XML_NS}}}lang", target_lang)
        alt_target.text = xml_safe(old_target)
    return el


def _source_ids(source: str, table_ids: dict[tuple[str, str], list[str]]) -> tuple[list[_Inline], list[str]]:
    """Source spans take, in order, the ids placeholder_ids gave them (shared ones first claimed)."""
    return _ids_for(source, table_ids)


def _target_pools(table: dict[str, str]) -> dict[tuple[str, str], list[str]]:
    pools: dict[tuple[str, str], list[str]] = {}
    for pid in sorted((p for p in table if not p.endswith(":end")), key=int):
        pools.setdefault((table[pid], table.get(f"{pid}:end", "")), []).append(pid)
    return pools


def translator_notes(unit: ExportUnit) -> list[str]:
    segment = unit.segment
    where = f"{unit.path}, line {segment['line']}" if segment.get("line") is not None else unit.path
    status = unit.status
    if segment.get("origin"):
        status += f" from {segment['origin']}"
    if segment.get("score") is not None:
        status += f" ({segment['score']}% match)"
    notes = [f"{where}: {status}"]
    if segment.get("context"):  # a code comment: the code line it speaks about (XLIFF and PO)
        notes.append(f"code comment on: {segment['context']}")
    return notes


def suggestions(unit: ExportUnit) -> list[tuple[int, str, str, str, str]]:
    """(match-quality, origin, alttranstype, English, translation) a CAT tool can offer beside the unit."""
    segment = unit.segment
    found = []
    old_source = block_text(text_of(segment.get("old_source")))
    old_target = block_text(text_of(segment.get("old_target")))
    if old_target and old_target != unit.target:
        quality = round(fuzz.ratio(old_source, unit.source)) if old_source else 0
        found.append((quality, "previous-translation", "previous-version", old_source, old_target))
    if unit.status in ("fuzzy", "machine") and unit.target and unit.needs_review:
        score = segment.get("score")
        quality = int(score) if isinstance(score, (int, float)) else (0 if unit.status == "machine" else 75)
        found.append((quality, str(segment.get("origin") or unit.status), "proposal", "", unit.target))
    return found


# -- reading reviewed units -------------------------------------------------------------------------

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def read_xliff(path: str | Path) -> list[ReviewedUnit]:
    """Every unit of an XLIFF written by `export_xliff` (or po2xliff of an amts PO), in file order.

    Problems (placeholders, structure) are kept per unit; import reports them all.
    """
    path = Path(path)
    data = read_regular_bytes(path, "an XLIFF file")
    try:
        tree = etree.fromstring(data, _PARSER).getroottree()
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise InputError(f"{path}: not an XLIFF 1.x file ({exc})") from None
    if tree.docinfo.doctype:
        raise InputError(f"{path}: a DOCTYPE is not allowed in XLIFF (entities refused)")
    root = tree.getroot()
    if etree.QName(root).localname != "xliff":
        raise InputError(f"{path}: not an XLIFF 1.x file (root element <{etree.QName(root).localname}>)")
    units = []
    for file_el in root:
        if not isinstance(file_el.tag, str) or etree.QName(file_el).localname != "file":
            continue
        lang = file_el.get("target-language", "")
        for unit_el in file_el.iter():
            if isinstance(unit_el.tag, str) and etree.QName(unit_el).localname == "trans-unit":
                if unit_el.get("restype") == "x-gettext-domain-header":
                    continue  # po2xliff's copy of the PO header
                context = _context(unit_el)
                if "x-amts-segment" not in context:
                    raise InputError(
                        f"{path}: unit {unit_el.get('id')!r} was not exported by amts (no amts context group)"
                    )
                units.append(_reviewed_unit(unit_el, context, lang))
    return units


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str) and etree.QName(c).localname == name]


def _context(unit_el: etree._Element) -> dict[str, str]:
    values: dict[str, str] = {}
    for group in _children(unit_el, "context-group"):
        name = group.get("name", "")
        if name == "amts" or name.startswith(CONTEXT_PREFIX):
            for context in _children(group, "context"):
                values[context.get("context-type", "")] = context.text or ""
    if "x-amts-segment" not in values:
        # po2xliff of an amts PO: the data travels as a developer note.
        for note in _children(unit_el, "note"):
            for line in (note.text or "").splitlines():
                if line.startswith(NOTE_PREFIX):
                    values.update(note_context(line))
    return values


def note_context(text: str) -> dict[str, str]:
    """The amts data of a PO entry's developer note ("amts: {json}")."""
    try:
        data = json.loads(text[len(NOTE_PREFIX) :])
    except json.JSONDecodeError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {f"x-amts-{key}": str(value) for key, value in data.items()}


def _reviewed_unit(unit_el: etree._Element, context: dict[str, str], lang: str) -> ReviewedUnit:
    try:
        table = json.loads(context.get("x-amts-placeholders") or "{}")
    except json.JSONDecodeError:
        table = None
    proposed = context.get("x-amts-proposed", "")
    unit = ReviewedUnit(
        path=context.get("x-amts-path", ""),
        segment_id=context["x-amts-segment"],
        source="",
        target=None,
        proposed=proposed,
        state="",
        approved=False,
        target_id=context.get("x-amts-target-id"),
        prefix=context.get("x-amts-target-prefix", ""),
        suffix=context.get("x-amts-target-suffix", ""),
        status=context.get("x-amts-status", ""),
        lang=lang,
    )
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        unit.problems.append("the placeholder table is not an id -> text object: the file was edited")
        return unit
    unit.table = {str(k): v for k, v in table.items()}
    unit.for_review = context.get("x-amts-review", "yes") != "no" and unit_el.get("translate") != "no"
    sources, targets = _children(unit_el, "source"), _children(unit_el, "target")
    unit.source = _flatten(sources[0], unit.table, unit.problems) if sources else ""
    unit.source_table = _inline_texts(sources[0]) if sources else {}
    if not targets:
        return unit
    unit.state = targets[0].get("state", "")
    # A person approved it in this review: the export left every unit to review unapproved.
    unit.approved = unit.for_review and (unit_el.get("approved") == "yes" or unit.state in REVIEWED_STATES)
    problems: list[str] = []
    body = _flatten(targets[0], unit.table, problems)
    if problems:
        unit.problems.extend(problems)
        return unit
    finish_target(unit, body)
    return unit


_TEXT_TAGS = frozenset({"mrk", "g"})


def _inline_texts(element: etree._Element) -> dict[str, str]:
    """Placeholder id -> the text the <source> shows for it (a pair's closer under "ID:end")."""
    texts: dict[str, str] = {}
    for child in element.iter():
        tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if tag in ("ph", "bpt"):
            texts[child.get("id", "")] = child.text or ""
        elif tag == "ept":
            texts[f"{child.get('rid') or child.get('id', '')}:end"] = child.text or ""
    return texts


def _flatten(element: etree._Element, table: dict[str, str], problems: list[str]) -> str:
    """Element content as markdown: placeholders replaced by the originals of the table."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.text and etree.QName(node).localname not in ("ph", "bpt", "ept", "x"):
            parts.append(node.text)
        for child in node:
            tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
            if tag in ("ph", "x", "bpt", "ept"):
                pid = child.get("id", "") if tag != "ept" else child.get("rid") or child.get("id", "")
                key = f"{pid}:end" if tag == "ept" else pid
                if key in table:
                    parts.append(table[key])
                else:
                    problems.append(f"unknown placeholder <{tag} id={pid!r}> (not in the export's table)")
            elif tag in _TEXT_TAGS:
                walk(child)
            elif tag:
                problems.append(f"unexpected inline element <{tag}>")
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return "".join(parts)


# -- import -----------------------------------------------------------------------------------------


def import_xliff(xlf: str | Path, into: str | Path, target_lang: str | None = None) -> dict[Path, str]:
    """Apply the changed targets of `xlf` to the markdown at `into` (file or folder); return what was written."""
    return import_xliff_result(xlf, into, target_lang).written


def import_xliff_result(xlf: str | Path, into: str | Path, target_lang: str | None = None) -> ImportResult:
    """`import_xliff` with what is still English and what still needs review, per chapter."""
    return import_units(read_xliff(xlf), into, str(xlf), target_lang)
