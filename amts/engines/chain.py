"""Memory first, then a machine-translation engine with learned terminology: the local analogue of
translating with parallel data (Amazon Translate Active Custom Translation + custom terminology).

`amts translate` and `amts sync` both translate through this chain (built by `amts.engines.get_engine`
or `amts.engines.memory_first`)."""

from __future__ import annotations

import re

from amts.engines.base import TOKEN_RE, Engine, Result
from amts.engines.memory import MemoryEngine, TranslationMemory
from amts.engines.terminology import learn_terminology


class ChainEngine(Engine):
    def __init__(
        self,
        memory: MemoryEngine | None,
        engine: Engine | None,
        terms: dict[str, str] | None = None,
        learn_terms: bool = True,
        sentence_memory: bool = False,
        term_oracle: Engine | None = None,
    ):
        self.memory = memory
        self.engine = engine
        # The engine whose unknown words become terms: the MT engine itself by default; for Amazon an
        # offline engine (asking Amazon to translate all the parallel data just to find them would cost).
        self.term_oracle = term_oracle or engine
        self.terms = terms
        self.learn_terms = learn_terms and terms is None
        self._learned: dict[tuple[str, str], dict[str, str]] = {}
        # An instance name ("memory+apertium"): a chain is built, never registered.
        self.name = "+".join(e.name for e in (memory, engine) if e is not None) or "none"
        # With sentence-level parallel data a paragraph rarely matches whole: look its sentences up one by
        # one.
        self.sentence_memory = sentence_memory

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
        if not self.learn_terms or self.memory is None or self.engine is None or self.term_oracle is None:
            return {}
        key = (source_lang, target_lang)
        if key not in self._learned:
            memory = self.memory.memory_for(source_lang, target_lang)
            pairs = list(memory.exact.items())
            if not self.term_oracle.supports(source_lang, target_lang):
                return {}
            unknown = self.term_oracle.untranslated_words([s for s, _ in pairs], source_lang, target_lang)
            self._learned[key] = learn_terminology(pairs, unknown, target_lang)
        return self._learned[key]

    def _results(self, texts, source_lang, target_lang, terms):
        results: list[Result] = [Result(None)] * len(texts)
        if self.memory is not None:
            for i, found in enumerate(self.memory.translate_results(texts, source_lang, target_lang)):
                if found.text is not None and texts[i].strip():
                    results[i] = found
        todo = [i for i, r in enumerate(results) if r.text is None and texts[i].strip()]
        if self.sentence_memory and self.memory is not None and todo:
            todo = self._by_sentence(texts, todo, results, source_lang, target_lang)
        if self.engine is not None and todo:
            for i, out in zip(
                todo, self._engine_translate([texts[i] for i in todo], source_lang, target_lang), strict=True
            ):
                if out.text is not None:
                    results[i] = out
        for i, text in enumerate(texts):
            if not text.strip():
                results[i] = Result(text)
        return results

    def _translate(self, texts, source_lang, target_lang):
        return [r.text for r in self._results(texts, source_lang, target_lang, {})]

    def _engine_translate(self, texts: list[str], source_lang: str, target_lang: str) -> list[Result]:
        """The engine's results with the chain's terminology, applied the way the engine declares."""
        assert self.engine is not None
        terms = self.terminology(source_lang, target_lang)
        return self.engine.translate_results(texts, source_lang, target_lang, terms=terms)

    def _by_sentence(self, texts, todo, results, source_lang, target_lang) -> list[int]:
        """Translate segments sentence by sentence where at least one sentence is in memory; return the rest."""
        from amts.sentences import split_sentences

        assert self.memory is not None
        memory = self.memory.memory_for(source_lang, target_lang)
        joiner = "" if target_lang in ("zh", "ja") else " "
        rest, pending = [], []  # pending: (segment index, [(sentence, translation or None)])
        for i in todo:
            sentences = split_sentences(texts[i], source_lang)
            found = [_lookup_renumbered(memory, sentence) for sentence in sentences]
            if len(sentences) > 1 and any(found):
                pending.append((i, list(zip(sentences, found, strict=True))))
            else:
                rest.append(i)
        missing = [sentence for _, parts in pending for sentence, hit in parts if hit is None]
        outputs = iter(
            [r.text for r in self._engine_translate(missing, source_lang, target_lang)]
            if missing and self.engine
            else []
        )
        origin = "memory+" + (self.engine.name if self.engine else "source")
        for i, parts in pending:
            pieces = [
                hit if hit is not None else (next(outputs, None) if self.engine else None) or sentence
                for sentence, hit in parts
            ]
            results[i] = Result(joiner.join(pieces), origin)
        return rest


def _lookup_renumbered(memory: TranslationMemory, sentence: str) -> str | None:
    """Memory entries number their tokens from 1; a sentence taken from a segment may start at ⟦3⟧."""
    numbers = [int(t[1:-1]) for t in TOKEN_RE.findall(sentence)]
    local = {n: k for k, n in enumerate(dict.fromkeys(numbers), start=1)}
    back = {k: n for n, k in local.items()}
    match = memory.lookup(TOKEN_RE.sub(lambda m: f"⟦{local[int(m.group(0)[1:-1])]}⟧", sentence))
    if match is None:
        return None
    return re.sub(r"⟦(\d+)⟧", lambda m: f"⟦{back.get(int(m.group(1)), int(m.group(1)))}⟧", match.translation)
