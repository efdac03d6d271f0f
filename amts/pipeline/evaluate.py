"""Evaluate one language of a run and write its review report (the sync report format of CONTRACTS.md)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from amts.pipeline import layout
from amts.pipeline.store import Store

TOTAL_FIELDS = ("segments", "reused", "fuzzy", "machine", "reused_format", "untranslated", "code_changed", "deleted", "chars_total", "chars_to_mt")


def score(hypotheses: list[str], references: list[str], lang: str) -> dict[str, Any] | None:
    """Corpus BLEU and chrF (sacrebleu, 0-100) of machine output against human reference; None without pairs."""
    if not hypotheses:
        return None
    import sacrebleu

    bleu = sacrebleu.BLEU(tokenize="zh" if lang == "zh" else "13a")
    chrf = sacrebleu.CHRF()
    return {
        "bleu": round(bleu.corpus_score(hypotheses, [references]).score, 2),
        "chrf": round(chrf.corpus_score(hypotheses, [references]).score, 2),
        "segments": len(hypotheses),
        "reference": "the human translation of the previous English, for segments machine-translated in this run",
        "signature": {"bleu": str(bleu.get_signature()), "chrf": str(chrf.get_signature())},
    }


def _totals(entries: list[dict]) -> dict[str, int]:
    totals: Counter = Counter()
    for entry in entries:
        for name, value in entry.get("counts", {}).items():
            if isinstance(value, int):
                totals[name.replace("-", "_")] += value
    return {name: int(totals.get(name, 0)) for name in TOTAL_FIELDS}


def evaluate_language(store: Store, event: dict) -> dict[str, Any]:
    lang, run_id = event["lang"], event["run_id"]
    records = [store.get_json(o["key"]) for o in store.list(layout.chapter_records_prefix(run_id, lang))]
    manifest = store.get_json(event["manifest_key"]) or []
    recorded = {r["path"] for r in records}
    # A chapter without a record never finished: name it rather than lose it.
    for chapter in manifest:
        if chapter["path"] not in recorded:
            records.append({"path": chapter["path"], "status": "error", "error": "no result recorded for this chapter"})
    entries = [r["report"] for r in records if r.get("status") == "ok" and r.get("report")]
    hyps, refs = [], []
    for entry in entries:
        for seg in entry["segments"]:
            # The human translation of the previous English is the reference where one exists.
            if seg.get("status") in ("machine", "fuzzy") and seg.get("target") and seg.get("old_target"):
                hyps.append(seg["target"])
                refs.append(seg["old_target"])
    review = {"files": sorted(entries, key=lambda e: e["path"]), "totals": _totals(entries)}
    review_key = f"{layout.report_prefix(run_id)}{lang}/review.json"
    store.put_json(review_key, review)
    batch = event.get("batch") or {}
    summary = {
        "lang": lang,
        "status": "ok",
        "chapters": dict(Counter(r["status"] for r in records)),
        "errors": [{"path": r["path"], "error": r["error"]} for r in records if r.get("status") == "error"],
        "outputs": sorted(r["output_key"] for r in records if r.get("status") == "ok"),
        "chars_to_mt": int(batch.get("chars_to_mt", 0)),
        "translation_job": (event.get("job") or {}).get("job_id"),
        "parallel_data": {k: (event.get("parallel_data") or {}).get(k) for k in ("name", "pairs")},
        "totals": review["totals"],
        "evaluation": score(hyps, refs, lang),
        "review_report": review_key,
    }
    store.put_json(layout.language_summary_key(run_id, lang), summary)
    return {k: summary[k] for k in ("lang", "status", "chapters", "chars_to_mt", "translation_job", "review_report")}
