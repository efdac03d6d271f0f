"""States `Create or update parallel data` and `Check parallel data` (Amazon Translate resource)."""

from __future__ import annotations

from amts.pipeline import pdlock
from amts.pipeline.paralleldata import ensure_parallel_data, parallel_data_status
from lambdas.common import client, state_handler, store_for


class ConcurrentModificationException(Exception):
    """Re-raised under Translate's own name so the state's Retry matches it."""


class TooManyRequestsException(Exception):
    """Re-raised under Translate's own name so the state's Retry matches it."""


class LimitExceededException(Exception):
    """Re-raised under Translate's own name: another import runs in the account (the Retry waits minutes)."""


class ConflictException(Exception):
    """Re-raised under Translate's own name: the resource was created meanwhile (the Retry finds it)."""


_RETRYABLE = {
    "ConcurrentModificationException": ConcurrentModificationException,
    "TooManyRequestsException": TooManyRequestsException,
    "LimitExceededException": LimitExceededException,
    "ConflictException": ConflictException,
}


@state_handler("parallel_data")
def handler(event: dict, context) -> dict:
    translate = client("translate")
    # One import at a time across languages and runs (pdlock); events without a bucket predate the lock.
    store = store_for(event["bucket"]) if event.get("bucket") else None
    name = event["name"]
    try:
        if event["action"] == "ensure":
            if store is not None:
                pdlock.acquire(store, name, importing=lambda holder: _importing(translate, holder))
            result = ensure_parallel_data(translate, name, event["s3_uri"])
        else:
            result = parallel_data_status(translate, name)
    except tuple(getattr(translate.exceptions, code) for code in _RETRYABLE) as exc:
        raise _RETRYABLE[exc.response["Error"]["Code"]](str(exc)) from exc
    except pdlock.ParallelDataBusy:
        raise
    except Exception:
        if store is not None:  # a failure the state machine will not retry: do not block the others
            pdlock.release(store, name)
        raise
    if store is not None and result["status"] in ("ACTIVE", "FAILED"):
        pdlock.release(store, name)
    return result


def _importing(translate, name: str) -> bool:
    """Whether the lock holder's resource is being created or updated right now."""
    try:
        return parallel_data_status(translate, name)["status"] in ("CREATING", "UPDATING")
    except translate.exceptions.ResourceNotFoundException:
        return False
