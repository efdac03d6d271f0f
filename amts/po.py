"""gettext PO round trip of the same review set as the XLIFF (amts.reviewset), for Poedit, Weblate, OmegaT.

Export: one entry per unit to review (a reused translation the sync is sure of is left out: PO cannot lock
it), written with polib. ``msgctxt`` is ``PATH#UNIT_ID`` (unique), ``msgid`` the new English without block
markup, ``msgstr`` the proposed target (empty for a segment left in English). A proposed target is
``#, fuzzy`` until a translator confirms it; ``#| msgid`` holds the previous English of a changed
paragraph; ``#:`` the chapter and line; ``#.`` a note for the translator and one ``amts: {json}`` line with
what import needs to find the text again. Markdown spans stay as they are in the text: import checks them
against the English with the same CAT rules as the XLIFF import.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polib

from amts.errors import InputError
from amts.review.report import text_of
from amts.reviewimport import ImportResult, import_units
from amts.reviewset import (
    ExportUnit,
    ReviewedUnit,
    block_text,
    export_units,
    finish_target,
)
from amts.xliff import NOTE_PREFIX, exported_target, note_context, translator_notes


def export_po(report: dict[str, Any], source_lang: str = "en", target_lang: str | None = None) -> str:
    """A PO file of every unit to review of a checked sync report."""
    target_lang = target_lang or report.get("target_lang")
    if not target_lang:
        raise InputError("the report does not name its target language: pass --target-lang")
    units = [u for u in export_units(report) if u.needs_review]
    if not units:
        raise InputError("the report has no segment to review")
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": "amts review",
        "Language": target_lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Generator": "amts",
        "X-Source-Language": source_lang,
    }
    for unit in units:
        po.append(_entry(unit))
    return str(po) + "\n"


def _entry(unit: ExportUnit) -> polib.POEntry:
    segment = unit.segment
    target = exported_target(unit)
    data = {
        "path": unit.path,
        "segment": str(segment["id"]),
        "status": unit.status,
        "proposed": unit.proposed,
        "target-prefix": unit.prefix,
        "target-suffix": unit.suffix,
    }
    if segment.get("target_id"):
        data["target-id"] = str(segment["target_id"])
    notes = translator_notes(unit) + [NOTE_PREFIX + json.dumps(data, ensure_ascii=False, sort_keys=True)]
    entry = polib.POEntry(
        msgctxt=f"{unit.path}#{unit.unit_id}",
        msgid=unit.source,
        msgstr=target,
        comment="\n".join(notes),
        occurrences=[(unit.path, str(segment["line"]))] if segment.get("line") is not None else [],
        flags=["fuzzy"] if target else [],
    )
    old_source = block_text(text_of(segment.get("old_source")))
    if old_source and old_source != unit.source:
        entry.previous_msgid = old_source
    return entry


def has_units(report: dict[str, Any]) -> bool:
    return any(u.needs_review for u in export_units(report))


def read_po(path: str | Path) -> list[ReviewedUnit]:
    """Every entry of a PO written by `export_po` as a reviewed unit (problems kept per unit)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read as UTF-8 ({exc})") from None
    try:
        po = polib.pofile(text, wrapwidth=0)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a PO file ({exc})") from None
    lang = po.metadata.get("Language", "")
    units = []
    for entry in po:
        if entry.obsolete:
            continue
        context = _context(entry.comment)
        if "x-amts-segment" not in context:
            raise InputError(f"{path}: entry {entry.msgctxt or entry.msgid[:40]!r} was not exported by amts")
        unit = ReviewedUnit(
            path=context.get("x-amts-path", ""),
            segment_id=context["x-amts-segment"],
            source=entry.msgid,
            target=None,
            proposed=context.get("x-amts-proposed", ""),
            state="fuzzy" if entry.fuzzy else ("translated" if entry.msgstr else ""),
            # Confirmed in this review: every exported entry with a text was fuzzy.
            approved=bool(entry.msgstr) and not entry.fuzzy,
            target_id=context.get("x-amts-target-id"),
            prefix=context.get("x-amts-target-prefix", ""),
            suffix=context.get("x-amts-target-suffix", ""),
            status=context.get("x-amts-status", ""),
            lang=lang,
        )
        finish_target(unit, entry.msgstr)
        units.append(unit)
    return units


def _context(comment: str) -> dict[str, str]:
    for line in (comment or "").splitlines():
        if line.startswith(NOTE_PREFIX):
            return note_context(line)
    return {}


def import_po(po: str | Path, into: str | Path, target_lang: str | None = None) -> ImportResult:
    """Apply the changed entries of `po` to the markdown at `into`; nothing is written if any is broken."""
    return import_units(read_po(po), into, str(po), target_lang)
