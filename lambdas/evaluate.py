"""State `Evaluate against human translation`: BLEU/chrF, the language's review report and summary."""

from __future__ import annotations

from amts.pipeline.evaluate import evaluate_language
from lambdas.common import LanguageEvent, state_handler, store_for


@state_handler("evaluate")
def handler(event: dict, context) -> dict:
    lang_event = LanguageEvent.parse(event)
    return evaluate_language(store_for(lang_event.bucket), lang_event)
