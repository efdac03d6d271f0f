"""The upload trigger path offline: moto S3 -> the template's EventBridge rules -> its SQS buffer -> starter.

Each chapter is put as its own object with the bucket's EventBridge notifications on; moto delivers the
real `Object Created` events through the template's rules (their resolved patterns) to the template's
queue. Draining the queue and invoking the template's starter function (`lambda.Invoke`, run by
`LocalCloud` with its role and environment, IAM enforced) with everything in it is what the queue's event
source does at the end of its batching window. moto does not start Step Functions targets and emits no
`Execution Status Change` events, so when an execution ends this driver puts that event on the queue
itself, shaped as EventBridge delivers it (the template's `RunEnded` rule routes it there in AWS).

The starter's S3 calls are signed with its role, as every function's are. Its Step Functions calls are not:
moto checks Step Functions actions against resource "*" only, so a policy scoped to the state machine's ARN
(the template's, least privilege) would be refused offline; tests/test_infra.py checks those statements.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

from amts.errors import AmtsError
from amts.localrun import ACCOUNT, BUCKET, REGION, LocalCloud
from amts.pipeline import uploads, wiring


class UploadTrigger:
    """Wires the trigger path into a LocalCloud and drives rounds of uploads through it."""

    def __init__(self, cloud: LocalCloud):
        self.cloud = cloud
        self.sqs = cloud.session.client("sqs")
        self.events = cloud.session.client("events")
        self.lambda_client = cloud.session.client("lambda")
        template = cloud.template
        queues = {
            k: v
            for k, v in template.resources.items()
            if v["Type"] == "AWS::SQS::Queue" and "RedrivePolicy" in v["Properties"]
        }
        if len(queues) != 1:
            raise AmtsError(
                f"{template.source}: expected one uploads queue (with a dead-letter queue), found {len(queues)}"
            )
        (queue_id,) = queues
        cloud.s3.put_bucket_notification_configuration(
            Bucket=BUCKET, NotificationConfiguration={"EventBridgeConfiguration": {}}
        )
        self.queue_url = self.sqs.create_queue(QueueName=queue_id)["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self.rules: dict[str, dict] = {}
        for rule_id, rule in template.resources.items():
            props = rule.get("Properties", {})
            if rule["Type"] != "AWS::Events::Rule" or not any(
                t.get("Arn") == {"Fn::GetAtt": [queue_id, "Arn"]} for t in props.get("Targets", [])
            ):
                continue
            pattern = template.resolve(props["EventPattern"])
            self.events.put_rule(Name=rule_id, EventPattern=json.dumps(pattern))
            self.events.put_targets(Rule=rule_id, Targets=[{"Id": "buffer", "Arn": queue_arn}])
            self.rules[rule_id] = pattern
        if not any(p.get("source") == ["aws.s3"] for p in self.rules.values()):
            raise AmtsError(f"{template.source}: no rule sends S3 uploads to the uploads queue")
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
        response = self.lambda_client.invoke(
            FunctionName=wiring.STARTER.function_name, Payload=json.dumps(event).encode("utf-8")
        )
        result = json.loads(response["Payload"].read())
        if response.get("FunctionError"):  # the batch stays in the queue, as with a failed invocation
            raise AmtsError(f"the starter failed: {result.get('errorType')}: {result.get('errorMessage')}")
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
