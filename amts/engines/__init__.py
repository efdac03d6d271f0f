"""Translation engines: one interface (masked segments in, translations with the same tokens out).

    engine = get_engine(name, memory=PATH|MemoryEngine|None, **options)   # name: a key of ENGINES
    engine.translate(masked_texts, source_lang, target_lang) -> list[str | None]
    engine.translate_results(masked_texts, source_lang, target_lang, terms=None) -> list[Result]
    engine.supports(source_lang, target_lang) -> bool

ENGINES is the registry: adding an engine is its module (a subclass of `Engine` with `name`, `summary`,
`capabilities` and `_translate`) plus one line here; every command's `--engine` choices derive from it.
With `memory=` an MT engine becomes a chain: memory first, then the engine with terminology learned
from the parallel data (the local analogue of Amazon Translate with parallel data and terminology).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from amts.engines.amazon import AmazonEngine
from amts.engines.apertium import ApertiumEngine
from amts.engines.base import Capabilities, Engine, Result
from amts.engines.chain import ChainEngine
from amts.engines.memory import MemoryEngine, TranslationMemory
from amts.engines.none import NoneEngine
from amts.engines.pseudo import PseudoEngine
from amts.errors import EngineError

ENGINES: dict[str, type[Engine]] = {
    cls.name: cls for cls in (ApertiumEngine, AmazonEngine, MemoryEngine, PseudoEngine, NoneEngine)
}

Fits = Callable[[Capabilities], bool]


def engine_names(fits: Fits | None = None) -> list[str]:
    """Registered engine names, in registry order, whose capabilities fit (all when `fits` is None)."""
    return [name for name, cls in ENGINES.items() if fits is None or fits(cls.capabilities)]


def engine_class(name: str, fits: Fits | None = None, command: str = "", why: str = "") -> type[Engine]:
    """The class registered under `name`; an unknown name, or one that does not fit, is refused in one line
    naming the engines that fit (`command` and `why` say what the fit is for)."""
    key = (name or "").strip().lower()
    names = engine_names(fits)
    if key in ENGINES and key in names:
        return ENGINES[key]
    if key in ENGINES:
        user = f"`{command}`" if command else "this use"
        reason = f" ({why})" if why else ""
        raise EngineError(f"engine {key!r} does not fit {user}{reason}; engines that fit: {', '.join(names)}")
    raise EngineError(f"unknown engine {name!r}: choose one of {', '.join(names)}")


def get_engine(name: str, memory: str | Path | MemoryEngine | None = None, **options: Any) -> Engine:
    """An engine by name; `memory` (a CSV/TSV/TMX parallel-data file, or a MemoryEngine) puts a translation
    memory in front. Options the engine's constructor does not take are ignored."""
    cls = engine_class(name)
    threshold = options.pop("threshold", None)
    if memory is not None and not isinstance(memory, MemoryEngine):
        memory = MemoryEngine(memory, **({"threshold": threshold} if threshold is not None else {}))
    if not cls.capabilities.machine:  # memory look-ups at most: `memory`, or `none` given a memory
        if memory is not None:
            return memory
        return cls.create(**options)
    engine = cls.create(**options)
    if memory is None:
        return engine
    return with_memory(engine, memory, learn_terms=options.get("learn_terms", True))


def with_memory(engine: Engine | None, memory: MemoryEngine, learn_terms: bool = True) -> Engine:
    """Memory first, then the engine with terminology learned from the memory's parallel data: the one chain
    `amts translate` and `amts sync` use."""
    if engine is None or not engine.capabilities.machine:
        return memory
    oracle = None
    if engine.capabilities.terminology == "service":
        # Unknown words come from the offline engine when it serves the pair: asking the service to
        # translate all the parallel data just to find them would cost.
        offline = ApertiumEngine()
        oracle = offline if offline.binary else None
        learn_terms = learn_terms and oracle is not None
    return ChainEngine(memory, engine, learn_terms=learn_terms, term_oracle=oracle)


def memory_first(
    engine: Engine | str | None,
    memory: TranslationMemory | None,
    source_lang: str,
    target_lang: str,
) -> Engine:
    """The chain for what sync's callers hold: an engine (or its name, or None) and a translation memory of
    one direction (or None). An engine that already looks a memory up (`get_engine(..., memory=...)`) is
    used as it is."""
    if isinstance(engine, str):
        cls = engine_class(engine)
        if cls.capabilities.needs_memory and memory is None:
            raise EngineError(f"--engine {cls.name} needs --memory PARALLEL_FILE (CSV, TSV or TMX)")
        engine = get_engine(engine) if cls.capabilities.machine else None
    if isinstance(engine, ChainEngine | MemoryEngine) or memory is None:
        return engine if engine is not None else NoneEngine()
    return with_memory(engine, MemoryEngine.of(memory, source_lang, target_lang))


def engines_supporting(source_lang: str, target_lang: str) -> list[str]:
    """Names of the machine engines that can translate this pair here (amazon: any pair, given credentials)."""
    names = []
    for name, cls in ENGINES.items():
        if not cls.capabilities.machine:
            continue
        try:
            if cls.create().supports(source_lang, target_lang):
                names.append(name)
        except EngineError:
            continue
    return names


__all__ = [
    "ENGINES",
    "Capabilities",
    "ChainEngine",
    "Engine",
    "MemoryEngine",
    "NoneEngine",
    "Result",
    "engine_class",
    "engine_names",
    "engines_supporting",
    "get_engine",
    "memory_first",
    "with_memory",
]
