"""One parallel-data import at a time, across languages and runs.

Amazon Translate runs one CreateParallelData/UpdateParallelData per account at a time; a second gets
LimitExceededException (another resource) or ConflictException/ConcurrentModificationException (the same
one), and an import takes minutes. The languages of a run (a Map) and consecutive runs therefore take a
lock before they create or update: an S3 object written with `If-None-Match: *`, which S3 writes for
exactly one of several concurrent writers. Whoever does not get it raises `ParallelDataBusy`; the state's
Retry waits minutes, as long as an import takes, and tries again. The holder releases the lock when its
import has settled (ACTIVE or FAILED) or its step failed for good; a holder whose import is not running
(it crashed before releasing) or that is older than `STALE_SECONDS` is taken over.
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable

from botocore.exceptions import ClientError

from amts.pipeline.store import Store

LOCK_KEY = "work/locks/parallel-data.json"
STALE_SECONDS = 6 * 3600  # far beyond any import of a book's parallel data
GRACE_SECONDS = 300  # a holder has this long between taking the lock and starting its import


class ParallelDataBusy(Exception):
    """Another parallel-data import holds the lock: retry later (the state machine's Retry matches this name)."""


def _holder(store: Store) -> dict[str, Any] | None:
    return store.get_json(LOCK_KEY)


def acquire(
    store: Store, name: str, importing: Callable[[str], bool] | None = None, now: float | None = None
) -> None:
    """Hold the lock for resource `name`, or raise ParallelDataBusy. Re-entrant for the same name.

    `importing(holder)` says whether the holder's resource is being created or updated: a holder that is
    not importing `GRACE_SECONDS` after taking the lock failed without releasing it, and is taken over.
    """
    now = time.time() if now is None else now
    body = json.dumps({"name": name, "since": now}).encode("utf-8")
    try:
        store.s3.put_object(
            Bucket=store.bucket, Key=LOCK_KEY, Body=body, IfNoneMatch="*", ContentType="application/json"
        )
        return
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in (
            "PreconditionFailed",
            "ConditionalRequestConflict",
        ):
            raise
    holder = _holder(store) or {}
    if holder.get("name") == name:
        return
    age = now - float(holder.get("since", now))
    abandoned = age > GRACE_SECONDS and importing is not None and not importing(str(holder.get("name")))
    if age > STALE_SECONDS or abandoned:
        store.s3.delete_object(Bucket=store.bucket, Key=LOCK_KEY)
        return acquire(store, name, importing, now)
    raise ParallelDataBusy(f"parallel data {holder.get('name')} is being imported; {name} waits for it")


def release(store: Store, name: str) -> bool:
    """Give the lock up if `name` holds it; True when it did."""
    holder = _holder(store)
    if holder is None or holder.get("name") != name:
        return False
    store.s3.delete_object(Bucket=store.bucket, Key=LOCK_KEY)
    return True
