"""Pay once for a segment: machine translations kept in the bucket, consulted before anything is sent.

A cached translation is addressed by the SHA-256 of everything that decided it: the masked source text
(as the job received it, placeholders included), the engine settings (engine, language pair) and the
parallel-data version the job ran with (its content-addressed S3 URI). A new parallel-data version is a
new key space, so ACT output is never served for data it was not made with.

One object per segment (`work/mtcache/<lang>/<sha256>.json`): chapters are assembled concurrently and each
writes only its own segments, so there is no read-modify-write to race. A lookup lists the language's
prefix once and reads only the hits.

Only translations read from a finished job's output documents are stored (a document that failed in a
COMPLETED_WITH_ERROR job has no output, a FAILED job never reaches assembly), and only when they carry
exactly the placeholders of their source: a broken translation is never made permanent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Iterable

from amts.engines.base import tokens_of
from amts.pipeline import layout
from amts.pipeline.store import Store


@dataclass
class MTCache:
    store: Store
    source_lang: str
    lang: str
    engine: str
    parallel_version: str | None  # the parallel data's S3 URI (content-addressed), None without
    _known: set[str] | None = field(default=None, repr=False)

    @classmethod
    def from_plan(cls, store: Store, plan: dict) -> "MTCache | None":
        """The cache a batch plan was prepared with (None for plans written before the cache existed)."""
        spec = plan.get("cache")
        if not spec:
            return None
        return cls(store, spec["source_lang"], spec["lang"], spec["engine"], spec.get("parallel_version"))

    def spec(self) -> dict:
        return {
            "source_lang": self.source_lang,
            "lang": self.lang,
            "engine": self.engine,
            "parallel_version": self.parallel_version,
        }

    def digest(self, masked_text: str) -> str:
        h = hashlib.sha256()
        for part in (self.engine, self.source_lang, self.lang, self.parallel_version or "", masked_text):
            h.update(part.encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()

    def _existing(self) -> set[str]:
        if self._known is None:
            prefix = layout.mt_cache_prefix(self.lang)
            self._known = {obj["key"] for obj in self.store.list(prefix)}
        return self._known

    def lookup(self, texts: Iterable[str]) -> dict[str, str]:
        """masked text -> cached translation, for the texts that have one."""
        found: dict[str, str] = {}
        known = self._existing()
        for text in dict.fromkeys(texts):
            key = layout.mt_cache_key(self.lang, self.digest(text))
            if key not in known:
                continue
            entry = self.store.get_json(key) or {}
            if entry.get("source") == text and isinstance(entry.get("translation"), str):
                found[text] = entry["translation"]
        return found

    def fill(self, translations: dict[str, str], run_id: str | None = None) -> int:
        """Store job translations that are usable (placeholders intact, not empty); returns how many were new."""
        known = self._existing()
        added = 0
        for text, translation in translations.items():
            if not usable(text, translation):
                continue
            key = layout.mt_cache_key(self.lang, self.digest(text))
            if key in known:
                continue
            self.store.put_json(key, {"source": text, "translation": translation, "run_id": run_id})
            known.add(key)
            added += 1
        return added


def usable(masked_source: str, translation: str | None) -> bool:
    """A translation worth keeping: text where the source had text, and every placeholder exactly once."""
    if not translation or not translation.strip():
        return False
    return tokens_of(translation) == tokens_of(masked_source)


def split(cache: MTCache | None, texts: list[str]) -> tuple[dict[str, str], list[str]]:
    """(cached translations, texts still to send), the latter in the order asked."""
    if cache is None or not texts:
        return {}, list(texts)
    hits = cache.lookup(texts)
    return hits, [t for t in texts if t not in hits]
