"""One chapter through sync: where the pipeline calls `amts.sync`.

A chapter with a human translation goes through `amts.sync` (reuse what a human wrote, translate only
what changed). A chapter nobody has translated yet is machine-translated segment by segment through the
segment model, code and markup untouched.
"""

from __future__ import annotations

from amts.engines.base import Engine
from amts.markdown import mask, parse, render, unmask
from amts.report import FileReport, SegmentRecord, Status


def sync_chapter(
    path: str,
    new_source: str,
    old_source: str | None,
    old_target: str | None,
    source_lang: str,
    target_lang: str,
    engine: Engine,
) -> tuple[str, dict]:
    """The new target text and the chapter's entry of the sync report (CONTRACTS.md format)."""
    if old_target is None:
        return translate_new_chapter(path, new_source, source_lang, target_lang, engine)
    from amts.sync.document import sync_document  # late: sync is only needed where a human translation exists

    # Without origin/ English, the human translation is taken as a translation of the current English.
    return sync_document(
        old_source if old_source is not None else new_source,
        new_source,
        old_target,
        source_lang,
        target_lang,
        engine=engine,
        path=path,
    )


def translate_new_chapter(
    path: str, new_source: str, source_lang: str, target_lang: str, engine: Engine
) -> tuple[str, dict]:
    """A chapter with no human translation: every segment from the engine, or kept in English when none."""
    doc = parse(new_source, path=path)
    masked = [mask(seg.text, seg.spans) for seg in doc.segments]
    results = engine.translate([m for m, _ in masked], source_lang, target_lang) if masked else []
    translations: dict[str, str] = {}
    segments = []
    for seg, (_masked_text, originals), result in zip(doc.segments, masked, results, strict=False):
        if result is not None:
            translations[seg.id] = unmask(result, originals, seg.id)
        segments.append(
            SegmentRecord(
                seg.id,
                Status.MACHINE if result is not None else Status.UNTRANSLATED,
                source=seg.text,
                target=translations.get(seg.id, ""),
                kind=seg.kind,
                line=seg.line,
                origin=engine.name if result is not None else None,
                chars_to_mt=len(seg.text),
            )
        )
    return render(doc, translations), FileReport.of(path, segments).to_json()
