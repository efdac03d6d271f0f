"""States `Create or update parallel data` and `Check parallel data` (Amazon Translate resource)."""

from __future__ import annotations

from amts.pipeline.paralleldata import ensure_parallel_data, parallel_data_status
from lambdas.common import client, state_handler


class ConcurrentModificationException(Exception):
    """Re-raised under Translate's own name so the state's Retry matches it."""


class TooManyRequestsException(Exception):
    """Re-raised under Translate's own name so the state's Retry matches it."""


@state_handler("parallel_data")
def handler(event: dict, context) -> dict:
    translate = client("translate")
    try:
        if event["action"] == "ensure":
            return ensure_parallel_data(translate, event["name"], event["s3_uri"], event.get("attempt", ""))
        return parallel_data_status(translate, event["name"])
    except translate.exceptions.ConcurrentModificationException as exc:
        raise ConcurrentModificationException(str(exc)) from exc
    except translate.exceptions.TooManyRequestsException as exc:
        raise TooManyRequestsException(str(exc)) from exc
