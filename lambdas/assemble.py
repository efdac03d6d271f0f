"""State `Assemble chapter`: merge human and machine translation of one chapter, write output + report."""

from __future__ import annotations

from amts.pipeline.assemble import assemble_chapter
from lambdas.common import metrics, state_handler, store_for


@state_handler("assemble")
def handler(event: dict, context) -> dict:
    for name in ("chapter", "lang", "source_lang", "run_id", "bucket", "batch"):
        if name not in event:
            raise ValueError(f"assemble event lacks {name}")
    result = assemble_chapter(store_for(event["bucket"]), event)
    metrics.add_metric(name=f"Chapters_{result['status']}", unit="Count", value=1)
    return result
