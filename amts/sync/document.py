"""`sync_document`: the pure one-chapter sync the CLI, the serverless pipeline and the review tools call."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from amts.errors import PlaceholderError
from amts.sync.assemble import Fill, assemble
from amts.sync.checks import check_languages, check_texts
from amts.sync.plan import DocumentPlan, Request, plan_document


def plan_chapter(
    old_source_text: str,
    new_source_text: str,
    old_target_text: str,
    source_lang: str,
    target_lang: str,
    path: str = "",
) -> DocumentPlan:
    """Checked plan of one chapter; `plan.requests` is the English that needs machine translation."""
    check_languages(source_lang, target_lang)
    check_texts(path, old_source_text, new_source_text, old_target_text, source_lang, target_lang)
    return plan_document(old_source_text, new_source_text, old_target_text, source_lang, target_lang, path)


def reuse_reviewed_units(plan: DocumentPlan, memory) -> None:
    """A changed unit whose whole English is in the memory exactly (a human reviewed it) takes that translation.

    Per-request lookups cannot see it when the unit kept some human sentences: its requests are only the
    changed runs. The unit becomes `reused` (origin memory) and its requests leave the plan.
    """
    if memory is None:
        return
    from amts.markdown import mask, unmask
    from amts.sync.plan import Piece
    from amts.sync.text import strip_prefix

    done: set[str] = set()
    for unit in plan.units:
        entry = unit.segment
        requests = [p.request for p in unit.pieces if p.request is not None]
        if entry is None or not requests:
            continue
        masked, originals = mask(strip_prefix(entry["source"]))
        match = memory.lookup(masked)
        if not match or match.score < 100:
            continue
        text = _unmask(unmask, match.translation, originals, entry["id"])
        if text is None:
            continue
        unit.pieces = [Piece(text=text)]
        entry.update(status="reused", origin="memory", chars_to_mt=0)
        done.update(r.id for r in requests)
    plan.requests = [r for r in plan.requests if r.id not in done]


def translate_requests(
    requests: Iterable[Request], source_lang: str, target_lang: str, engine=None, memory=None
) -> dict[str, Fill]:
    """Memory first (exact, then fuzzy), then the engine with the terminology learned from the memory: the
    chain `amts translate` uses (`amts.engines.memory_first`). Unfilled requests are left out."""
    from amts.engines import memory_first
    from amts.markdown import mask, unmask

    pending = [r for r in requests if r.text.strip()]
    if not pending:
        return {}
    chain = memory_first(engine, as_memory(memory, source_lang, target_lang), source_lang, target_lang)
    masked = {r.id: mask(r.text) for r in pending}
    results = chain.translate_results([masked[r.id][0] for r in pending], source_lang, target_lang)
    fills: dict[str, Fill] = {}
    for request, result in zip(pending, results, strict=True):
        filled = (
            _unmask(unmask, result.text, masked[request.id][1], request.id)
            if result.text is not None
            else None
        )
        if filled is not None:
            fills[request.id] = Fill(filled, result.origin or chain.name, result.score)
    return fills


def _unmask(unmask, text: str, originals: list[str], request_id: str) -> str | None:
    try:
        return unmask(text, originals, request_id)
    except PlaceholderError:
        return None  # a translation that mangled code or math is not used; the request stays open


def as_memory(memory, source_lang: str, target_lang: str, threshold: float | None = None):
    """A translation memory from what callers have: None, a memory, a parallel-data file, or (source, target) pairs."""
    if memory is None or hasattr(memory, "lookup"):
        return memory
    from amts.engines.memory import DEFAULT_THRESHOLD, TranslationMemory, read_parallel_file

    if isinstance(memory, (str, Path)):
        memory = read_parallel_file(memory, source_lang, target_lang)
    return TranslationMemory(memory, DEFAULT_THRESHOLD if threshold is None else threshold)


def sync_document(
    old_source_text: str,
    new_source_text: str,
    old_target_text: str,
    source_lang: str,
    target_lang: str,
    engine=None,
    memory=None,
    path: str = "",
    translations: dict[str, str] | None = None,
) -> tuple[str, dict]:
    """Sync one chapter: returns (new target text, file report with `path`, `segments`, `counts`).

    `engine`: an amts.engines engine, an engine name, or None; `memory`: a TranslationMemory (anything with
    `lookup(masked_text)`), a CSV/TSV/TMX path or (source, target) pairs, or None; `translations`: request id
    -> text, found by an external batch job for `plan_chapter(...).requests`.
    """
    plan = plan_chapter(old_source_text, new_source_text, old_target_text, source_lang, target_lang, path)
    memory = as_memory(memory, source_lang, target_lang)
    reuse_reviewed_units(plan, memory)
    fills = {rid: Fill(text, "external") for rid, text in (translations or {}).items()}
    fills.update(
        translate_requests(
            [r for r in plan.requests if r.id not in fills],
            source_lang,
            target_lang,
            engine=engine,
            memory=memory,
        )
    )
    return assemble(plan, fills)
