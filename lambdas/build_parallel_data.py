"""State `Build parallel data`: align human translations with their English, write CSV parallel data."""

from __future__ import annotations

from amts.pipeline.paralleldata import build_parallel_data
from lambdas.common import LanguageEvent, metrics, settings, state_handler, store_for


@state_handler("build_parallel_data")
def handler(event: dict, context) -> dict:
    lang_event = LanguageEvent.parse(event)
    result = build_parallel_data(store_for(lang_event.bucket), lang_event.lang, settings())
    metrics.add_metric(name="ParallelDataPairs", unit="Count", value=result["pairs"])
    return result
