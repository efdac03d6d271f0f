"""The run's final report: per language outcome, characters sent to machine translation, estimated cost."""

from __future__ import annotations

from typing import Any

from amts.pipeline import layout, pricing
from amts.pipeline.store import Store


def estimated_cost_usd(chars: int, custom: bool = False) -> float:
    """What `chars` cost at the standard rate, or at the Active Custom Translation rate (custom=True)."""
    return pricing.cost_usd(chars, custom)


def final_report(store: Store, run: dict) -> dict[str, Any]:
    run_id = run["run_id"]
    languages = []
    for result in run.get("language_results") or []:
        if result.get("status") in ("ok", "incomplete"):
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
    standard, act, full_standard, full_act = (
        sum(x) for x in zip((0, 0, 0, 0), *map(pricing.language_split, languages), strict=True)
    )
    priced = pricing.price(standard, act, full_standard, full_act)
    report = {
        "run_id": run_id,
        "bucket": run["bucket"],
        "source_lang": run["source_lang"],
        "chapters_planned": run.get("chapter_count", 0),
        "languages": languages,
        "rejected": rejected,
        # an incomplete language (segments left English) is not failed: its report names what stayed English
        "failed_languages": [lang["lang"] for lang in languages if lang["status"] == "failed"],
        "chars_to_mt": chars,
        "estimated_cost_usd": priced["estimated_cost_usd"],
        "pricing": priced,
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
        f"{report['chars_to_mt']:,} (estimated ${report['estimated_cost_usd']:.4f})."
    )
    if report.get("pricing"):
        lines += ["", pricing_line(report["pricing"])]
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
        if lang.get("untranslated"):
            stayed = ", ".join(f"{path} {n}" for path, n in lang["untranslated"].items())
            note = (note + "; " if note else "") + f"segments that stayed English (job failed them): {stayed}"
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


def pricing_line(priced: dict) -> str:
    return (
        f"Priced at ${priced['standard_usd_per_million_chars']:.0f} per million characters for standard jobs "
        f"({priced['standard_chars']:,} characters) and ${priced['act_usd_per_million_chars']:.0f} for jobs "
        f"with parallel data, Active Custom Translation ({priced['act_chars']:,} characters); "
        f"list prices from {priced['pricing_url']}. Sending every segment again (no cache, no reuse of "
        f"earlier machine translation) would have sent {priced['full_retranslation_chars']:,} characters, "
        f"an estimated ${priced['full_retranslation_cost_usd']:.4f}."
    )
