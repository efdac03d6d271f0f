"""Translation engines: one interface (masked segments in, translations with the same tokens out).

    engine = get_engine("apertium" | "amazon" | "memory" | "pseudo" | "none", memory=PATH|None, **options)
    engine.translate(masked_texts, source_lang, target_lang) -> list[str | None]
    engine.supports(source_lang, target_lang) -> bool

With `memory=` an MT engine becomes a chain: memory first, then the engine with terminology learned
from the parallel data (the local analogue of Amazon Translate with parallel data and terminology).
"""

from __future__ import annotations

from pathlib import Path

from amts.engines.base import Engine
from amts.errors import EngineError

ENGINE_NAMES = ("apertium", "amazon", "memory", "pseudo", "none")


class NoneEngine(Engine):
    """Translates nothing: every entry is None (the caller keeps the source or marks it untranslated)."""

    name = "none"

    def _translate(self, texts, source_lang, target_lang):
        return [None] * len(texts)


def _base_engine(name: str, **options) -> Engine:
    if name == "apertium":
        from amts.engines.apertium import ApertiumEngine

        return ApertiumEngine(**{k: v for k, v in options.items() if k in ("binary", "batch_chars")})
    if name == "amazon":
        from amts.engines.amazon import AmazonEngine

        return AmazonEngine(**options)
    if name == "pseudo":
        from amts.engines.pseudo import PseudoEngine

        return PseudoEngine()
    if name == "none":
        return NoneEngine()
    raise EngineError(f"unknown engine {name!r}: choose one of {', '.join(ENGINE_NAMES)}")


def get_engine(name: str, memory: str | Path | None = None, **options) -> Engine:
    """An engine by name; `memory` (a CSV/TSV/TMX parallel-data file) puts a translation memory in front."""
    name = (name or "").strip().lower()
    threshold = options.pop("threshold", None)
    mem_options = {"threshold": threshold} if threshold is not None else {}
    if name == "memory":
        from amts.engines.memory import MemoryEngine

        return MemoryEngine(memory, **mem_options)
    engine = _base_engine(name, **options)
    if memory is None or name == "none":
        return engine
    from amts.engines.chain import ChainEngine
    from amts.engines.memory import MemoryEngine

    oracle = None
    if name == "amazon":  # unknown words come from the offline engine when it serves the pair
        from amts.engines.apertium import ApertiumEngine

        oracle = ApertiumEngine() if ApertiumEngine().binary else None
    learn = options.get("learn_terms", True) and (name != "amazon" or oracle is not None)
    return ChainEngine(MemoryEngine(memory, **mem_options), engine, learn_terms=learn, term_oracle=oracle)


def engines_supporting(source_lang: str, target_lang: str) -> list[str]:
    """Names of the engines that can translate this pair here (amazon: any pair, given credentials)."""
    names = []
    for name in ("apertium", "amazon", "pseudo"):
        try:
            if _base_engine(name).supports(source_lang, target_lang):
                names.append(name)
        except EngineError:
            continue
    return names
