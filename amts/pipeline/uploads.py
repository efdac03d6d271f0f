"""From uploads to runs: one execution per quiet window of uploads, never two of one book at once.

S3 sends an `Object Created` event to EventBridge for every chapter put under `source/<lang>/`; the
stack's rule (`upload_event_pattern`) delivers them to an SQS queue, and the queue invokes the starter
Lambda with everything that arrived in its batching window. The starter:

1. records each uploaded key as a pending object in the bucket (`work/uploads/pending/`), so nothing is
   lost whatever happens next (the SQS messages are only deleted once this succeeded);
2. starts one execution with the list of pending keys, unless an execution of the state machine is
   running: then the keys wait, and the end of that execution (EventBridge's `Step Functions Execution
   Status Change`, routed to the same queue) invokes the starter again, which starts the next run with
   everything that arrived meanwhile.

The starter runs with reserved concurrency 1, so two invocations never race between "nothing running"
and "start". Execution names are a hash of the claimed keys and their upload sequencers: a starter
retried after a crash starts (or finds) the same execution instead of a second one.
"""

from __future__ import annotations

import json
import time
from typing import Any, Iterable
from urllib.parse import unquote_plus

from amts.pipeline import layout
from amts.pipeline.store import Store

PENDING_PREFIX = layout.PENDING_UPLOADS
UPLOAD_DETAIL_TYPE = "Object Created"
RUN_ENDED_DETAIL_TYPE = "Step Functions Execution Status Change"
RUN_ENDED_STATUSES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


def upload_event_pattern(bucket: str, source_lang: str) -> dict[str, Any]:
    """The EventBridge rule's pattern: objects created under source/<lang>/ in the book's bucket."""
    return {
        "source": ["aws.s3"],
        "detail-type": [UPLOAD_DETAIL_TYPE],
        "detail": {
            "bucket": {"name": [bucket]},
            "object": {"key": [{"prefix": layout.source_prefix(source_lang)}]},
        },
    }


def run_ended_pattern(state_machine_arn: str) -> dict[str, Any]:
    """The EventBridge rule's pattern for 'an execution of the book's state machine ended'."""
    return {
        "source": ["aws.states"],
        "detail-type": [RUN_ENDED_DETAIL_TYPE],
        "detail": {"stateMachineArn": [state_machine_arn], "status": list(RUN_ENDED_STATUSES)},
    }


def pending_key(key: str) -> str:
    return f"{PENDING_PREFIX}{layout.digest([key], 32)}.json"


def uploads_in(records: Iterable[dict]) -> list[dict[str, str]]:
    """The uploads named by SQS records carrying EventBridge events (run-ended events name none)."""
    found = []
    for record in records:
        body = record.get("body")
        event = json.loads(body) if isinstance(body, str) else (body or record)
        if event.get("detail-type") != UPLOAD_DETAIL_TYPE:
            continue
        detail = event.get("detail") or {}
        found.append(
            {
                "bucket": detail["bucket"]["name"],
                "key": detail["object"]["key"],
                "sequencer": str(detail["object"].get("sequencer") or ""),
                "time": str(event.get("time") or ""),
            }
        )
    return found


def record_pending(store: Store, uploads: list[dict[str, str]]) -> int:
    """Remember uploads until a run takes them; a key uploaded twice is pending once (its latest upload)."""
    for upload in uploads:
        key = upload["key"]
        if store.head(key) is None and store.head(unquote_plus(key)) is not None:
            key = unquote_plus(key)  # some S3 event formats URL-encode keys
        store.put_json(pending_key(key), {**upload, "key": key, "recorded": time.time()})
    return len(uploads)


def pending(store: Store) -> list[dict[str, Any]]:
    entries = []
    for obj in store.list(PENDING_PREFIX):
        entry = store.get_json(obj["key"])
        if entry:
            entries.append({**entry, "pending_key": obj["key"], "pending_etag": obj["etag"]})
    return sorted(entries, key=lambda e: e["key"])


def running_executions(sfn: Any, state_machine_arn: str) -> list[str]:
    pages = sfn.get_paginator("list_executions").paginate(
        stateMachineArn=state_machine_arn, statusFilter="RUNNING"
    )
    return [e["executionArn"] for page in pages for e in page["executions"]]


def execution_name(entries: list[dict[str, Any]]) -> str:
    """Names what this run takes: the same pending set always gets the same name (idempotent start)."""
    parts = [f"{e['key']}\x1e{e.get('sequencer', '')}\x1e{e.get('recorded', '')}" for e in entries]
    return f"uploads-{layout.digest(parts, 24)}"


def start_if_idle(store: Store, sfn: Any, state_machine_arn: str) -> dict[str, Any]:
    """Start one execution with every pending key, unless one is running (then the keys wait for it)."""
    entries = pending(store)
    if not entries:
        return {"started": None, "pending": 0}
    running = running_executions(sfn, state_machine_arn)
    if running:
        return {"started": None, "pending": len(entries), "waiting_for": running[0]}
    keys = [e["key"] for e in entries]
    name = execution_name(entries)
    try:
        arn = sfn.start_execution(
            stateMachineArn=state_machine_arn,
            name=name,
            input=json.dumps({"bucket": store.bucket, "keys": keys, "trigger": "uploads"}),
        )["executionArn"]
    except sfn.exceptions.ExecutionAlreadyExists:  # started by an earlier attempt that then crashed
        arn = f"{state_machine_arn.replace(':stateMachine:', ':execution:')}:{name}"
    for entry in entries:
        # a key uploaded again after it was listed has a newer pending entry: that one waits for the next run
        current = store.head(entry["pending_key"])
        if current is not None and current["etag"] == entry["pending_etag"]:
            store.s3.delete_object(Bucket=store.bucket, Key=entry["pending_key"])
    return {"started": arn, "name": name, "chapter_count": len(keys), "keys": keys}


def handle(store: Store, sfn: Any, state_machine_arn: str, records: list[dict]) -> dict[str, Any]:
    """One starter invocation: record the uploads of this batch, then start a run if none is running."""
    recorded = record_pending(store, [u for u in uploads_in(records) if u["bucket"] == store.bucket])
    return {"recorded": recorded, **start_if_idle(store, sfn, state_machine_arn)}
