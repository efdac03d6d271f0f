"""State `Assemble chapter`: merge human and machine translation of one chapter, write output + report."""

from __future__ import annotations

from amts.pipeline.assemble import assemble_chapter
from lambdas.common import ChapterEvent, metrics, state_handler, store_for


@state_handler("assemble")
def handler(event: dict, context) -> dict:
    chapter_event = ChapterEvent.parse(event)
    result = assemble_chapter(store_for(chapter_event.bucket), chapter_event)
    metrics.add_metric(name=f"Chapters_{result['status']}", unit="Count", value=1)
    return result
