"""`sync_document`: the pure one-chapter sync the CLI, the serverless pipeline and the review tools call."""

from __future__ import annotations

from typing import Iterable

from amts.errors import PlaceholderError
from amts.sync.assemble import Fill, assemble
from amts.sync.checks import check_languages, check_texts
from amts.sync.plan import DocumentPlan, Request, plan_document


def plan_chapter(old_source_text: str, new_source_text: str, old_target_text: str, source_lang: str,
                 target_lang: str, path: str = "") -> DocumentPlan:
    """Checked plan of one chapter; `plan.requests` is the English that needs machine translation."""
    check_languages(source_lang, target_lang)
    check_texts(path, old_source_text, new_source_text, old_target_text, source_lang, target_lang)
    return plan_document(old_source_text, new_source_text, old_target_text, source_lang, target_lang, path)


def translate_requests(requests: Iterable[Request], source_lang: str, target_lang: str, engine=None,
                       memory=None) -> dict[str, Fill]:
    """Memory first (exact, then fuzzy), then the engine for the rest; unfilled requests are left out."""
    from amts.markdown import mask, unmask

    pending = [r for r in requests if r.text.strip()]
    fills: dict[str, Fill] = {}
    masked = {r.id: mask(r.text) for r in pending}
    if memory is not None:
        rest = []
        for request in pending:
            text, originals = masked[request.id]
            match = memory.lookup(text)
            filled = _unmask(unmask, match.translation, originals, request.id) if match else None
            if filled is None:
                rest.append(request)
            else:
                fills[request.id] = Fill(filled, "memory", float(match.score))
        pending = rest
    if engine is not None and pending:
        outputs = engine.translate([masked[r.id][0] for r in pending], source_lang, target_lang)
        name = getattr(engine, "name", type(engine).__name__)
        for request, output in zip(pending, outputs):
            if output is None:
                continue
            filled = _unmask(unmask, output, masked[request.id][1], request.id)
            if filled is not None:
                fills[request.id] = Fill(filled, name)
    return fills


def _unmask(unmask, text: str, originals: list[str], request_id: str) -> str | None:
    try:
        return unmask(text, originals, request_id)
    except PlaceholderError:
        return None  # a translation that mangled code or math is not used; the request stays open


def sync_document(old_source_text: str, new_source_text: str, old_target_text: str, source_lang: str,
                  target_lang: str, engine=None, memory=None, path: str = "",
                  translations: dict[str, str] | None = None) -> tuple[str, dict]:
    """Sync one chapter: returns (new target text, file report with `path`, `segments`, `counts`).

    `engine`: an amts.engines engine or None; `memory`: an object with `lookup(masked_text)` (the engines'
    TranslationMemory) or None; `translations`: request id -> text found by an external batch job.
    """
    plan = plan_chapter(old_source_text, new_source_text, old_target_text, source_lang, target_lang, path)
    fills = {rid: Fill(text, "external") for rid, text in (translations or {}).items()}
    fills.update(translate_requests([r for r in plan.requests if r.id not in fills], source_lang, target_lang,
                                    engine=engine, memory=memory))
    return assemble(plan, fills)
