"""Memory first, then a machine-translation engine with learned terminology: the local analogue of
translating with parallel data (Amazon Translate Active Custom Translation + custom terminology)."""

from __future__ import annotations

from amts.engines.base import Engine
from amts.engines.memory import MemoryEngine
from amts.engines.terminology import TermProtector, learn_terminology


class ChainEngine(Engine):
    def __init__(self, memory: MemoryEngine | None, engine: Engine | None,
                 terms: dict[str, str] | None = None, learn_terms: bool = True):
        self.memory = memory
        self.engine = engine
        self.terms = terms
        self.learn_terms = learn_terms and terms is None
        self._learned: dict[tuple[str, str], dict[str, str]] = {}
        self.name = "+".join(e.name for e in (memory, engine) if e is not None) or "none"
        self.last_origins: list[str | None] = []

    def pairs(self):
        if self.engine is None:
            return self.memory.pairs() if self.memory else set()
        return self.engine.pairs()

    def supports(self, source_lang, target_lang):
        if self.engine is None:
            return self.memory is not None and self.memory.supports(source_lang, target_lang)
        return self.engine.supports(source_lang, target_lang)

    def terminology(self, source_lang: str, target_lang: str) -> dict[str, str]:
        """Given terms, or terms learned from the memory's parallel data for the words the engine does not know."""
        if self.terms is not None:
            return self.terms
        if not self.learn_terms or self.memory is None or self.engine is None:
            return {}
        key = (source_lang, target_lang)
        if key not in self._learned:
            memory = self.memory.memory_for(source_lang, target_lang)
            pairs = list(memory.exact.items())
            unknown = self.engine.untranslated_words([s for s, _ in pairs], source_lang, target_lang)
            self._learned[key] = learn_terminology(pairs, unknown, target_lang)
        return self._learned[key]

    def _translate(self, texts, source_lang, target_lang):
        results: list[str | None] = [None] * len(texts)
        origins: list[str | None] = [None] * len(texts)
        if self.memory is not None:
            for i, found in enumerate(self.memory.translate(texts, source_lang, target_lang)):
                if found is not None and texts[i].strip():
                    results[i], origins[i] = found, "memory"
        todo = [i for i, r in enumerate(results) if r is None and texts[i].strip()]
        if self.engine is not None and todo:
            protector = TermProtector(self.terminology(source_lang, target_lang))
            protected = [protector.protect(texts[i]) for i in todo]
            outputs = self.engine.translate([p[0] for p in protected], source_lang, target_lang)
            for i, (_, found), out in zip(todo, protected, outputs):
                if out is not None:
                    results[i], origins[i] = protector.restore(out, found), self.engine.name
        for i, text in enumerate(texts):
            if not text.strip():
                results[i] = text
        self.last_origins = origins
        return results
