"""Prepare batch input: sync each planned chapter, send only what needs machine translation."""

from __future__ import annotations

from typing import Any

from amts import translate_limits
from amts.engines.amazon import to_html_document
from amts.errors import AmtsError
from amts.markdown import decode
from amts.pipeline import layout
from amts.pipeline.engines import RecordingEngine
from amts.pipeline.events import LanguageEvent
from amts.pipeline.settings import Settings
from amts.pipeline.store import Store, uri_to_bucket_key
from amts.pipeline.syncing import sync_chapter


def load_chapter_inputs(
    store: Store, lang: str, source_lang: str, path: str
) -> tuple[str, str | None, str | None]:
    """New English, the English the human translation was made from, and that translation (None if absent)."""

    def text(key: str) -> str | None:
        data = store.get_bytes(key)
        return None if data is None else decode(data, key)

    new_source = text(layout.source_key(source_lang, path))
    if new_source is None:
        raise AmtsError(f"{layout.source_key(source_lang, path)} was deleted during the run")
    origin = next(
        filter(lambda t: t is not None, (text(key) for key in layout.origin_keys(lang, path))), None
    )
    return new_source, origin, text(layout.translation_key(lang, path))


def is_unchanged(store: Store, lang: str, chapter: dict) -> bool:
    state = store.get_json(layout.state_key(lang, chapter["path"])) or {}
    return state.get("fingerprint") == chapter["fingerprints"].get(lang)


def _chunks(texts: list[str]) -> list[list[str]]:
    """Split one chapter's texts so that no document exceeds the batch job's translatable-size limit."""
    limit = translate_limits.MAX_BATCH_TRANSLATABLE_BYTES // 2  # leave room for the HTML carrier
    chunks: list[list[str]] = [[]]
    size = 0
    for text in texts:
        n = translate_limits.utf8_size(text)
        if chunks[-1] and size + n > limit:
            chunks.append([])
            size = 0
        chunks[-1].append(text)
        size += n
    return chunks


def prepare_batch(store: Store, event: LanguageEvent, settings: Settings) -> dict[str, Any]:
    lang, src, run_id = event.lang, event.source_lang, event.run_id
    manifest = store.get_json(event.manifest_key) or []
    parallel = event.parallel_data
    documents: list[tuple[str, list[str]]] = []  # (chapter path, masked texts)
    chapters: dict[str, dict] = {}
    for chapter in manifest:
        path = chapter["path"]
        if is_unchanged(store, lang, chapter):
            chapters[path] = {"status": "unchanged"}
            continue
        try:
            new_source, old_source, old_target = load_chapter_inputs(store, lang, src, path)
            recorder = RecordingEngine()
            sync_chapter(path, new_source, old_source, old_target, src, lang, recorder)
        except AmtsError as exc:  # bad input ends this chapter with a clear error, nothing is written
            chapters[path] = {"status": "error", "error": str(exc)}
            continue
        chapters[path] = {
            "status": "planned",
            "documents": [],
            "chars_to_mt": sum(len(t) for t in recorder.requested),
        }
        if old_target is not None and old_source is None:
            chapters[path]["warning"] = (
                f"no English origin for {layout.translation_key(lang, path)} (origin/{lang}/{path} or a d2l-style "
                "_origin.md beside it): the human translation was taken to translate the current English"
            )
        for chunk in _chunks(recorder.requested) if recorder.requested else []:
            chapters[path]["documents"].append(f"d{len(documents):05d}.html")
            documents.append((path, chunk))

    names = [f"d{i:05d}.html" for i in range(len(documents))]
    texts_of = {name: texts for name, (_, texts) in zip(names, documents, strict=False)}
    evaluation = (
        held_out_document(store, parallel.get("eval_key"))
        if documents and settings.engine != "none"
        else None
    )
    if evaluation:
        texts_of[EVAL_DOCUMENT] = evaluation.pop("texts")
        names.append(EVAL_DOCUMENT)
    rendered = {
        name: to_html_document([(f"s{i}", t) for i, t in enumerate(texts_of[name])]) for name in names
    }
    digest = layout.digest([lang, src, settings.engine, parallel.get("s3_uri"), *rendered.values()])
    prefix = layout.batch_prefix(lang, digest)
    plan_key = layout.batch_plan_key(run_id, lang)
    store.put_json(
        plan_key, {"prefix": prefix, "chapters": chapters, "documents": texts_of, "evaluation": evaluation}
    )
    chars = sum(c.get("chars_to_mt", 0) for c in chapters.values())
    eval_chars = sum(len(t) for t in texts_of.get(EVAL_DOCUMENT, []))
    input_prefix = layout.batch_input_prefix(lang, digest)
    output_uri = f"s3://{store.bucket}/{layout.batch_output_prefix(lang, digest)}"
    # engine "none": sync only (human text reused, the rest left for translators), nothing sent to Translate
    needed = bool(documents) and settings.engine != "none" and not has_output(store, output_uri, lang, names)
    if needed:
        for name, body in rendered.items():
            store.put_bytes(f"{input_prefix}{name}", body.encode("utf-8"), "text/html; charset=utf-8")
    return {
        "needed": needed,
        "job_name": f"amts-{lang}-{digest}",
        # per run: a token reused across runs could be answered with an earlier run's (FAILED) job
        "client_token": layout.digest([run_id, digest], 32),
        "input_uri": f"s3://{store.bucket}/{input_prefix}",
        "output_uri": output_uri,
        "plan_key": plan_key,
        "chars_to_mt": chars + eval_chars if needed else 0,
        "chars_for_evaluation": eval_chars if needed else 0,
        "chars_planned": chars,
        "documents": len(documents),
    }


EVAL_DOCUMENT = "heldout.html"


def held_out_document(store: Store, eval_key: str | None) -> dict | None:
    """The held-out sample of the parallel data as masked texts, with what unmasking and scoring need."""
    from amts.markdown import mask

    pairs = (store.get_json(eval_key) or {}).get("pairs") if eval_key else None
    if not pairs:
        return None
    masked = [mask(source) for source, _ in pairs]
    return {
        "document": EVAL_DOCUMENT,
        "texts": [m for m, _ in masked],
        "originals": [o for _, o in masked],
        "references": [target for _, target in pairs],
    }


def has_output(store: Store, output_uri: str, lang: str, names: list[str]) -> bool:
    """True when a finished job already translated exactly this input (same content hash, every document)."""
    _, prefix = uri_to_bucket_key(output_uri)
    found = {obj["key"].rsplit("/", 1)[-1] for obj in store.list(prefix)}
    return all(f"{lang}.{name}" in found for name in names)
