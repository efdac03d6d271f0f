"""State `Prepare batch input`: only the segments that need machine translation go to S3 as HTML."""

from __future__ import annotations

from amts.pipeline.batch import prepare_batch
from lambdas.common import LanguageEvent, metrics, settings, state_handler, store_for


@state_handler("prepare_batch")
def handler(event: dict, context) -> dict:
    lang_event = LanguageEvent.parse(event)
    result = prepare_batch(store_for(lang_event.bucket), lang_event, settings())
    metrics.add_metric(name="CharactersToMachineTranslation", unit="Count", value=result["chars_to_mt"])
    return result
