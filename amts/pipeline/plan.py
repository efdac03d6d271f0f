"""Plan a run: which uploaded chapters are acceptable, and which of them changed for some language."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import unquote_plus

from amts.pipeline import layout
from amts.pipeline.settings import Settings
from amts.pipeline.store import Store


def chapter_fingerprint(store: Store, settings: Settings, lang: str, path: str, source_etag: str) -> str:
    """Everything a chapter's output depends on, by ETag: a re-upload of the same bytes plans nothing."""
    translation = store.head(layout.translation_key(lang, path))
    origin = next(filter(None, (store.head(key) for key in layout.origin_keys(lang, path))), None)
    return layout.digest(
        [
            source_etag,
            translation["etag"] if translation else None,
            origin["etag"] if origin else None,
            settings.engine,
            settings.granularity,
        ]
    )


def _candidates(store: Store, event: dict, settings: Settings) -> list[dict]:
    """Objects named by the input: one S3 event object, a list of keys, or every object under a prefix."""
    detail = event.get("detail") or {}
    if detail.get("object"):
        key = detail["object"]["key"]
        meta = store.head(key)
        # Raw first (EventBridge sends keys as they are); decoded second (S3 notifications URL-encode them).
        if meta is None and unquote_plus(key) != key:
            key = unquote_plus(key)
            meta = store.head(key)
        return [{"key": key, **(meta or {"missing": True})}]
    if event.get("keys"):
        return [{"key": k, **(store.head(k) or {"missing": True})} for k in event["keys"]]
    prefix = event.get("prefix") or layout.source_prefix(settings.source_lang)
    return list(store.list(prefix))


def rejection(candidate: dict, settings: Settings) -> str | None:
    """Why an uploaded object cannot be a chapter of this run (None when it can)."""
    key = candidate["key"]
    parsed = layout.split_source_key(key)
    if parsed is None:
        return "not under source/<lang>/"
    lang, path = parsed
    if lang != settings.source_lang:
        return (
            f"source language of this stack is {settings.source_lang!r}; "
            f"upload chapters to source/{settings.source_lang}/"
        )
    if candidate.get("missing"):
        return "object no longer exists"
    if not path.lower().endswith(layout.MARKDOWN_SUFFIXES):
        return "not a markdown chapter: only .md and .mdx files are translated"
    if candidate["size"] > layout.MAX_CHAPTER_BYTES:
        return (
            f"{candidate['size'] / 1e6:.1f} MB is over the {layout.MAX_CHAPTER_BYTES // (1024 * 1024)} MB limit "
            "for one chapter; split it into sections"
        )
    return None


def run_id_for(execution_name: str | None) -> str:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return f"{stamp}-{layout.digest([execution_name or str(time.time_ns())], 8)}"


def plan_run(
    store: Store, event: dict, settings: Settings, execution_name: str | None = None
) -> dict[str, Any]:
    run_id = run_id_for(execution_name)
    rejected, chapters = [], []
    for candidate in _candidates(store, event, settings):
        reason = rejection(candidate, settings)
        if reason:
            rejected.append({"key": candidate["key"], "error": reason})
            continue
        parsed = layout.split_source_key(candidate["key"])
        assert parsed is not None  # rejection() refused keys outside source/
        _, path = parsed
        fingerprints = {
            lang: chapter_fingerprint(store, settings, lang, path, candidate["etag"])
            for lang in settings.target_langs
        }
        changed = [
            lang
            for lang, fp in fingerprints.items()
            if (store.get_json(layout.state_key(lang, path)) or {}).get("fingerprint") != fp
        ]
        if changed:
            chapters.append({"path": path, "source_key": candidate["key"], "fingerprints": fingerprints})
    manifest = layout.manifest_key(run_id)
    store.put_json(manifest, chapters)
    store.put_json(layout.rejected_key(run_id), rejected)
    inline = len(chapters) <= settings.inline_chapter_limit
    return {
        "run_id": run_id,
        "bucket": store.bucket,
        "source_lang": settings.source_lang,
        "languages": list(settings.target_langs),
        "engine": settings.engine,
        "manifest_key": manifest,
        "chapter_count": len(chapters),
        # Few chapters travel in the state (inline Map); a whole book stays in S3 (distributed Map).
        "chapters": chapters if inline else [],
        "fan_out": "inline" if inline else "distributed",
        "poll_seconds": settings.poll_seconds,
        "poll_max_seconds": settings.poll_max_seconds,
        "rejected": rejected[:20],
        "rejected_count": len(rejected),
    }
