"""The run's final report: per language outcome, characters sent to machine translation, estimated cost."""

from __future__ import annotations

from typing import Any

from amts.pipeline import layout
from amts.pipeline.store import Store


def estimated_cost_usd(chars: int) -> float:
    return round(chars * layout.COST_PER_MILLION_CHARS_USD / 1_000_000, 4)


def final_report(store: Store, run: dict) -> dict[str, Any]:
    run_id = run["run_id"]
    languages = []
    for result in run.get("language_results") or []:
        if result.get("status") == "ok":
            languages.append(store.get_json(layout.language_summary_key(run_id, result["lang"])) or result)
        else:  # caught by the language's Catch: keep the error the state machine recorded
            languages.append(
                {
                    "lang": result.get("lang"),
                    "status": "failed",
                    "error": result.get("error"),
                    "cause": result.get("cause"),
                }
            )
    rejected = store.get_json(layout.rejected_key(run_id)) or run.get("rejected") or []
    chars = sum(lang.get("chars_to_mt", 0) for lang in languages)
    report = {
        "run_id": run_id,
        "bucket": run["bucket"],
        "source_lang": run["source_lang"],
        "chapters_planned": run.get("chapter_count", 0),
        "languages": languages,
        "rejected": rejected,
        "failed_languages": [lang["lang"] for lang in languages if lang["status"] != "ok"],
        "chars_to_mt": chars,
        "estimated_cost_usd": estimated_cost_usd(chars),
        "price_per_million_chars_usd": layout.COST_PER_MILLION_CHARS_USD,
    }
    report_key = layout.report_key(run_id)
    store.put_json(report_key, report)
    store.put_text(report_key.replace(".json", ".md"), to_markdown(report))
    store.put_json(layout.LATEST_REPORT_KEY, {"run_id": run_id, "report": report_key})
    return {
        "run_id": run_id,
        "report_key": report_key,
        "chars_to_mt": chars,
        "estimated_cost_usd": report["estimated_cost_usd"],
        "failed_languages": report["failed_languages"],
        "rejected": len(rejected),
    }


def to_markdown(report: dict) -> str:
    lines = [f"# AMTS run {report['run_id']}", ""]
    lines.append(
        f"Chapters planned: {report['chapters_planned']}. Characters sent to machine translation: "
        f"{report['chars_to_mt']:,} (estimated ${report['estimated_cost_usd']:.4f} at "
        f"${report['price_per_million_chars_usd']:.0f} per million)."
    )
    lines += [
        "",
        "| language | status | chapters | chars to MT | BLEU | chrF | held-out n | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for lang in report["languages"]:
        ev = lang.get("evaluation") or {}
        chapters = ", ".join(f"{k} {v}" for k, v in sorted((lang.get("chapters") or {}).items()))
        failure = (
            f"{lang['error']}: {lang.get('cause') or ''}".strip().rstrip(":") if lang.get("error") else ""
        )
        note = failure or "; ".join(f"{e['path']}: {e['error']}" for e in lang.get("errors", []))
        parallel_note = (lang.get("parallel_data") or {}).get("note")
        if parallel_note:
            note = (note + "; " if note else "") + parallel_note
        if lang.get("warnings"):
            note = (
                note + "; " if note else ""
            ) + f"{len(lang['warnings'])} translation(s) without origin English"
        lines.append(
            f"| {lang['lang']} | {lang['status']} | {chapters} | {lang.get('chars_to_mt', 0):,} | "
            f"{ev.get('bleu', '–')} | {ev.get('chrf', '–')} | {ev.get('segments', '–')} | {note} |"
        )
    if not any(lang.get("evaluation") for lang in report["languages"]):
        lines += [
            "",
            "BLEU/chrF: not measured in this run (no translation job, or no human translation to hold out).",
        ]
    else:
        lines += [
            "",
            "BLEU/chrF (sacrebleu, 0-100): sentences held out of the parallel data, translated in the same job "
            "with parallel data from the rest of the book, against their human translation.",
        ]
    if report["rejected"]:
        lines += ["", "## Rejected uploads", ""]
        lines += [f"- `{r['key']}`: {r['error']}" for r in report["rejected"]]
    return "\n".join(lines) + "\n"
