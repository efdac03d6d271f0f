"""The engine that translates nothing: the old translation stays (sync) or the source is kept (translate)."""

from __future__ import annotations

from amts.engines.base import Capabilities, Engine


class NoneEngine(Engine):
    """Every entry is None (the caller keeps the source or marks it untranslated)."""

    name = "none"
    summary = "no machine translation (with --memory: memory look-ups only)"
    capabilities = Capabilities(machine=False, terminology="none", scorable=False)

    def _translate(self, texts, source_lang, target_lang):
        return [None] * len(texts)
