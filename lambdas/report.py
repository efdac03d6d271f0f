"""State `Write final report`: one report for the run, failures and rejected uploads named."""

from __future__ import annotations

from amts.pipeline.report import final_report
from lambdas.common import metrics, state_handler, store_for


@state_handler("report")
def handler(event: dict, context) -> dict:
    result = final_report(store_for(event["bucket"]), event)
    metrics.add_metric(name="CharactersTranslated", unit="Count", value=result["chars_to_mt"])
    metrics.add_metric(name="FailedLanguages", unit="Count", value=len(result["failed_languages"]))
    return result
