"""The starter: SQS batches of S3 upload events (and run-ended events) -> at most one running execution.

Not a state of the state machine: the queue the stack's EventBridge rules feed invokes it, with reserved
concurrency 1. The logic is `amts.pipeline.uploads`.
"""

from __future__ import annotations

import os

from amts.pipeline.uploads import handle
from lambdas.common import client, metrics, state_handler, store_for


@state_handler("start_run")
def handler(event: dict, context) -> dict:
    result = handle(
        store_for(os.environ["AMTS_BUCKET"]),
        client("stepfunctions"),
        os.environ["AMTS_STATE_MACHINE_ARN"],
        event.get("Records") or [],
    )
    metrics.add_metric(name="UploadsRecorded", unit="Count", value=result["recorded"])
    metrics.add_metric(name="RunsStarted", unit="Count", value=1 if result.get("started") else 0)
    return {k: v for k, v in result.items() if k != "keys"}
