"""Assemble one chapter for one language: sync with the job's translations, write output and its report."""

from __future__ import annotations

from typing import Any

from amts.engines.amazon import from_html_document
from amts.errors import AmtsError
from amts.pipeline import layout
from amts.pipeline.batch import load_chapter_inputs
from amts.pipeline.engines import LookupEngine
from amts.pipeline.events import ChapterEvent
from amts.pipeline.mtcache import MTCache
from amts.pipeline.store import Store, uri_to_bucket_key
from amts.pipeline.syncing import sync_chapter


def job_translations(
    store: Store, output_uri: str, lang: str, documents: dict[str, list[str]], names: list[str]
) -> dict[str, str]:
    """Masked text -> translation, read from the batch job's `<lang>.<document>` outputs."""
    if not names:
        return {}
    wanted = {f"{lang}.{name}": name for name in names}
    _, prefix = uri_to_bucket_key(output_uri)
    found: dict[str, str] = {}
    for obj in store.list(prefix):
        base = obj["key"].rsplit("/", 1)[-1]
        if base in wanted:
            name = wanted[base]
            translated = from_html_document((store.get_bytes(obj["key"]) or b"").decode("utf-8"))
            sent = documents[name]
            found.update({sent[int(i[1:])]: text for i, text in translated.items() if int(i[1:]) < len(sent)})
    return found


def assemble_chapter(store: Store, event: ChapterEvent) -> dict[str, Any]:
    lang, src, run_id = event.lang, event.source_lang, event.run_id
    chapter, batch = event.chapter, event.batch
    path = chapter["path"]
    record_key = layout.chapter_record_key(run_id, lang, path)
    plan = store.get_json(batch["plan_key"]) or {"chapters": {}, "documents": {}}
    planned = plan["chapters"].get(path, {"status": "error", "error": "chapter missing from the batch plan"})
    if planned["status"] in ("unchanged", "error"):
        store.put_json(record_key, {"path": path, "lang": lang, **planned})
        return {"path": path, "status": planned["status"]}

    fresh = job_translations(store, batch["output_uri"], lang, plan["documents"], planned["documents"])
    engine = LookupEngine({**planned.get("cached", {}), **fresh})
    try:
        new_source, old_source, old_target = load_chapter_inputs(store, lang, src, path)
        text, entry = sync_chapter(path, new_source, old_source, old_target, src, lang, engine)
    except AmtsError as exc:  # e.g. a translation that lost a placeholder: report it, keep the old output
        store.put_json(record_key, {"path": path, "lang": lang, "status": "error", "error": str(exc)})
        return {"path": path, "status": "error"}
    store.put_text(layout.output_key(lang, path), text)
    cache = MTCache.from_plan(store, plan)
    if cache is not None:  # only now: the chapter synced with these translations, none broke a placeholder
        cache.fill(fresh, run_id)
    entry["path"] = path
    store.put_json(
        record_key,
        {
            "path": path,
            "lang": lang,
            "status": "ok",
            "output_key": layout.output_key(lang, path),
            "chars_to_mt": planned.get("chars_to_mt", 0),
            "segments_from_cache": len(planned.get("cached", {})),
            "missing_translations": len(engine.missing),
            # sent to the job but not returned (a document it failed): stayed English, retried next run
            "left_english": sum(
                text not in fresh for name in planned["documents"] for text in plan["documents"][name]
            ),
            # recorded as done (work/state/) by Evaluate, once this chapter is in a written review
            "fingerprint": chapter["fingerprints"][lang],
            **({"warning": planned["warning"]} if planned.get("warning") else {}),
            "report": entry,
        },
    )
    return {"path": path, "status": "ok"}
