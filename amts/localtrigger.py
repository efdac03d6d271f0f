"""The upload trigger path offline: moto S3 -> EventBridge rule -> SQS -> the starter Lambda, in-process.

Each chapter is put as its own object with the bucket's EventBridge notifications on; moto delivers the
real `Object Created` events through a rule with the stack's pattern (`uploads.upload_event_pattern`) to
an SQS queue. Draining the queue and invoking `lambdas.start_run` with everything in it is what the
queue's event source does at the end of its batching window. moto does not start Step Functions targets
and emits no `Execution Status Change` events, so when an execution ends this driver puts that event on
the queue itself, shaped as EventBridge would deliver it.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

from amts.errors import AmtsError
from amts.localrun import ACCOUNT, BUCKET, REGION, LocalCloud, _Context
from amts.pipeline import uploads

QUEUE = "amts-uploads"
UPLOAD_RULE = "amts-chapter-uploaded"


class UploadTrigger:
    """Wires the trigger path into a LocalCloud and drives rounds of uploads through it."""

    def __init__(self, cloud: LocalCloud):
        from lambdas import start_run  # the checkout's lambdas/ is importable once LocalCloud is entered

        self.cloud = cloud
        self._handler = start_run.handler
        self.sqs = _client("sqs")
        self.events = _client("events")
        cloud.s3.put_bucket_notification_configuration(
            Bucket=BUCKET, NotificationConfiguration={"EventBridgeConfiguration": {}}
        )
        self.queue_url = self.sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self.events.put_rule(
            Name=UPLOAD_RULE,
            EventPattern=json.dumps(uploads.upload_event_pattern(BUCKET, cloud.source_lang)),
        )
        self.events.put_targets(Rule=UPLOAD_RULE, Targets=[{"Id": "buffer", "Arn": queue_arn}])
        self.env = {"AMTS_BUCKET": BUCKET, "AMTS_STATE_MACHINE_ARN": cloud.state_machine_arn}
        self.starter_calls: list[dict[str, Any]] = []

    # ------------------------------------------------------------ uploads
    def upload_each(self, folder: Path, prefix: str) -> int:
        """Every file of `folder` as its own PutObject (what `aws s3 cp --recursive` does)."""
        return self.cloud.upload_folder(folder, prefix)

    def drain(self) -> dict[str, Any] | None:
        """Deliver everything waiting in the queue to the starter in one invocation (one batching window)."""
        records = []
        while True:
            batch = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]
            ).get("Messages", [])
            if not batch:
                break
            records += batch
        if not records:
            return None
        event = {
            "Records": [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": m.get("Attributes", {}),
                    "eventSource": "aws:sqs",
                }
                for m in records
            ]
        }
        saved = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        try:
            result = self._handler(event, _Context("amts-start-run"))
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        # the event source deletes the batch once the function returned
        for message in records:
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        self.starter_calls.append({**result, "messages": len(records)})
        return result

    def run_ended(self, arn: str, status: str) -> None:
        """The `Step Functions Execution Status Change` event the stack's second rule routes to the queue."""
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": uploads.RUN_ENDED_DETAIL_TYPE,
            "source": "aws.states",
            "account": ACCOUNT,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "region": REGION,
            "resources": [arn],
            "detail": {
                "executionArn": arn,
                "stateMachineArn": self.cloud.state_machine_arn,
                "status": status,
            },
        }
        self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(event))

    # ------------------------------------------------------------ executions
    def wait(self, arn: str, timeout: float = 900.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            described = self.cloud.sfn.describe_execution(executionArn=arn)
            if described["status"] != "RUNNING":
                break
            if time.monotonic() > deadline:
                raise AmtsError(f"local execution {arn} still running after {timeout:.0f}s")
            time.sleep(0.05)
        self.run_ended(arn, described["status"])
        return {
            "arn": arn,
            "status": described["status"],
            "output": json.loads(described["output"]) if described.get("output") else None,
            "error": described.get("error"),
            "cause": described.get("cause"),
            "history": self.cloud.history(arn),
            "map_runs": self.cloud.map_runs(arn),
        }

    def settle(self) -> list[dict[str, Any]]:
        """Drain and run until nothing is pending or running: the executions this round started, in order."""
        finished: list[dict[str, Any]] = []
        while True:
            result = self.drain()
            if result is None:
                return finished
            if result.get("started"):
                finished.append({**self.wait(result["started"]), "chapter_count": result["chapter_count"]})


def _client(service: str) -> Any:
    """A client of the session LocalCloud set up (moto is active on it)."""
    import boto3

    return boto3.client(service, region_name=REGION)


def round_summary(cloud: LocalCloud, executions: list[dict], calls_before: int) -> dict[str, Any]:
    """One entry of execution.json's `runs`: what a round of uploads started, called and sent."""
    chars = 0
    for execution in executions:
        report_key = (execution.get("output") or {}).get("report_key")
        report = json.loads(cloud.get(report_key) or b"{}") if report_key else {}
        execution["report"] = report
        chars += int(report.get("chars_to_mt", 0))
    calls = cloud.translate.calls[calls_before:]
    return {
        "executions": [
            {"arn": e["arn"], "status": e["status"], "chapter_count": e["chapter_count"]} for e in executions
        ],
        "translate_calls": [
            {
                "operation": op,
                **{
                    k: request[k] for k in ("Name", "JobName", "JobId", "TargetLanguageCodes") if k in request
                },
            }
            for op, request in calls
        ],
        "chars_to_mt": chars,
    }
