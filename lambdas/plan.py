"""State `Plan changed chapters`: the S3 upload event (or a manual {bucket, prefix}) -> the run manifest."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes import S3EventBridgeNotificationEvent

from amts.pipeline.plan import plan_run
from lambdas.common import logger, metrics, settings, state_handler, store_for


@state_handler("plan")
def handler(event: dict, context) -> dict:
    execution = event.get("execution")
    payload = event.get("input", event)
    if payload.get("detail-type") == "Object Created":
        s3_event = S3EventBridgeNotificationEvent(payload)
        bucket = s3_event.detail.bucket.name
        # The raw key: Powertools' `.key` URL-decodes it, but EventBridge carries S3 keys as they are (`c++.md`
        # would become `c  .md`). The plan tries the raw key first and the decoded one second.
        raw_key = payload["detail"]["object"]["key"]
        payload = {"detail": {"object": {"key": raw_key}}}
        logger.info("planning one uploaded object", extra={"key": raw_key})
    else:
        bucket = payload["bucket"]
    run = plan_run(store_for(bucket), payload, settings(), execution_name=execution)
    metrics.add_metric(name="ChaptersPlanned", unit="Count", value=run["chapter_count"])
    metrics.add_metric(name="UploadsRejected", unit="Count", value=run["rejected_count"])
    return run
