"""Evaluate one language of a run and write its review report (the sync report format of CONTRACTS.md)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from amts.languages import language
from amts.pipeline import layout
from amts.pipeline.events import LanguageEvent
from amts.pipeline.store import Store
from amts.report import SyncReport


def score(hypotheses: list[str], references: list[str], lang: str) -> dict[str, Any] | None:
    """Corpus BLEU and chrF (sacrebleu, 0-100) of machine output against human reference; None without pairs."""
    if not hypotheses:
        return None
    import sacrebleu

    bleu = sacrebleu.BLEU(tokenize=language(lang).bleu_tokenizer)
    chrf = sacrebleu.CHRF()
    return {
        "bleu": round(bleu.corpus_score(hypotheses, [references]).score, 2),
        "chrf": round(chrf.corpus_score(hypotheses, [references]).score, 2),
        "segments": len(hypotheses),
        "reference": "human translation of sentences held out of the parallel data, translated in the same job",
        "signature": {"bleu": str(bleu.get_signature()), "chrf": str(chrf.get_signature())},
    }


def held_out_score(store: Store, event: LanguageEvent, lang: str) -> dict[str, Any] | None:
    """BLEU/chrF of the job's translation of the held-out sample against its human translation."""
    from amts.errors import PlaceholderError
    from amts.markdown import unmask
    from amts.pipeline.assemble import job_translations
    from amts.pipeline.mtcache import MTCache

    batch = event.batch
    plan: dict = (store.get_json(batch["plan_key"]) if batch.get("plan_key") else None) or {}
    evaluation = plan.get("evaluation")
    if not evaluation:
        return None
    documents: dict[str, list[str]] = (plan or {}).get("documents") or {}
    sent = evaluation.get("texts") or documents.get(evaluation["document"], [])
    in_job = [evaluation["document"]] if evaluation["document"] in documents else []
    fresh = job_translations(store, batch["output_uri"], lang, documents, in_job)
    cache = MTCache.from_plan(store, plan or {})
    if cache is not None:
        cache.fill(fresh, event.run_id)
    found = {**evaluation.get("cached", {}), **fresh}
    hyps, refs = [], []
    for text, originals, reference in zip(
        sent, evaluation["originals"], evaluation["references"], strict=False
    ):
        if text not in found:
            continue
        try:
            hypothesis = unmask(found[text], originals)
        except PlaceholderError:
            continue  # a translation that broke inline code cannot be scored fairly
        hyps.append(hypothesis)
        refs.append(reference)
    return score(hyps, refs, lang)


def review_page(review: dict, run_id: str, lang: str) -> str:
    """The translators' static review page (amts.review) for this language of the run."""
    from amts.review.page import render_page

    return render_page(review, title=f"AMTS run {run_id}: review {lang}", target_lang=lang)


def review_xliff(review: dict, source_lang: str, lang: str) -> bytes | None:
    """The same segments as XLIFF 1.2 for CAT tools (amts.xliff); `amts xliff import` brings edits back.

    None when no chapter of this language produced a segment (nothing to review, no file)."""
    from amts.xliff import export_xliff, has_units

    if not has_units(review):
        return None
    return export_xliff(review, source_lang=source_lang, target_lang=lang)


def parallel_data_summary(event: LanguageEvent) -> dict[str, Any]:
    """Which parallel data the job used, and in words what happened to it when that was not the plan."""
    built, status = event.parallel_data, event.parallel_data_status
    return {
        "name": built.get("name"),
        "pairs": built.get("pairs"),
        "used": bool(built.get("present")),
        "note": status.get("note") or "",
    }


def evaluate_language(store: Store, event: LanguageEvent) -> dict[str, Any]:
    lang, run_id = event.lang, event.run_id
    found = (store.get_json(o["key"]) for o in store.list(layout.chapter_records_prefix(run_id, lang)))
    records: list[dict] = [r for r in found if r]
    manifest = store.get_json(event.manifest_key) or []
    recorded = {r["path"] for r in records}
    # A chapter without a record never finished: name it rather than lose it.
    for chapter in manifest:
        if chapter["path"] not in recorded:
            records.append(
                {"path": chapter["path"], "status": "error", "error": "no result recorded for this chapter"}
            )
    entries = [r["report"] for r in records if r.get("status") == "ok" and r.get("report")]
    # checked against the report schema; counts and totals as the chapters' entries give them
    review = SyncReport.from_json({"files": sorted(entries, key=lambda e: e["path"])}).to_json()
    review_key = layout.review_key(run_id, lang)
    store.put_json(review_key, review)
    store.put_text(
        review_key.replace(".json", ".html"), review_page(review, run_id, lang), "text/html; charset=utf-8"
    )
    xliff = review_xliff(review, event.source_lang, lang)
    if xliff is not None:
        store.put_bytes(review_key.replace(".json", ".xlf"), xliff, "application/x-xliff+xml")
    record_done(store, lang, run_id, records)
    batch = event.batch
    # segments the job did not return (documents failed in a COMPLETED_WITH_ERROR job) stayed English
    untranslated = {r["path"]: r["left_english"] for r in records if r.get("left_english")}
    summary = {
        "lang": lang,
        "status": "incomplete" if untranslated else "ok",
        "untranslated": dict(sorted(untranslated.items())),
        "chapters": dict(Counter(r["status"] for r in records)),
        "errors": [{"path": r["path"], "error": r["error"]} for r in records if r.get("status") == "error"],
        "warnings": [{"path": r["path"], "warning": r["warning"]} for r in records if r.get("warning")],
        "outputs": sorted(r["output_key"] for r in records if r.get("status") == "ok"),
        "chars_to_mt": int(batch.get("chars_to_mt", 0)),
        **mt_accounting(store, batch),
        "missing_translations": sum(r.get("missing_translations", 0) for r in records),
        "translation_job": event.job.get("job_id"),
        "parallel_data": parallel_data_summary(event),
        "totals": review["totals"],
        "evaluation": held_out_score(store, event, lang),
        "review_report": review_key,
    }
    store.put_json(layout.language_summary_key(run_id, lang), summary)
    return {
        k: summary[k]
        for k in ("lang", "status", "chapters", "chars_to_mt", "translation_job", "review_report")
    }


def record_done(store: Store, lang: str, run_id: str, records: list[dict]) -> None:
    """Fingerprint the chapters now in a written review, so the next run skips them; a chapter that failed,
    or kept English where the job failed a document, is not recorded and the next run redoes it."""
    for record in records:
        if record.get("status") == "ok" and record.get("fingerprint") and not record.get("left_english"):
            store.put_json(
                layout.state_key(lang, record["path"]),
                {"fingerprint": record["fingerprint"], "run_id": run_id},
            )


def mt_accounting(store: Store, batch: dict) -> dict[str, Any]:
    """Whether the job ran with parallel data (ACT rate), and what sending every segment would have cost."""
    plan = (store.get_json(batch["plan_key"]) if batch.get("plan_key") else None) or {}
    chapters = (plan.get("chapters") or {}).values()
    return {
        "custom": bool(plan.get("custom")),
        "chars_full_retranslation": int(plan.get("chars_full_retranslation", 0)),
        "segments_from_cache": sum(len(c.get("cached") or {}) for c in chapters),
    }
