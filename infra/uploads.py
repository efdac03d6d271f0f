"""The upload trigger: S3 -> EventBridge -> SQS buffer -> starter Lambda -> one execution at a time.

A rule per event kind feeds one queue: chapters created under source/<lang>/ and the end of an execution
of the book's state machine. The queue invokes the starter (`lambdas/start_run.py`) with what gathered in
its batching window, the starter runs with reserved concurrency 1, so there is never a race between
"nothing is running" and "start". The logic lives in `amts/pipeline/uploads.py`.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from amts.pipeline import uploads, wiring

BATCHING_WINDOW = Duration.seconds(60)  # uploads that arrive within a minute of each other make one run


def _pattern(pattern: dict[str, Any]) -> events.EventPattern:
    return events.EventPattern(
        source=pattern["source"], detail_type=pattern["detail-type"], detail=pattern["detail"]
    )


class UploadTrigger(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bucket: s3.Bucket,
        state_machine: sfn.StateMachine,
        source_lang: str,
        code: lambda_.Code,
        layers: Sequence[lambda_.ILayerVersion],
        environment: dict[str, str],
        acknowledge: Callable[..., None],
    ) -> None:
        super().__init__(scope, construct_id)
        state_machine_arn = state_machine.state_machine_arn
        dead_letters = sqs.Queue(
            self,
            "UploadsDeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        acknowledge(
            dead_letters,
            "AwsSolutions-SQS3",
            "This is the dead-letter queue of the uploads queue; it has no dead-letter queue of its own.",
        )
        self.queue = sqs.Queue(
            self,
            "Uploads",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            # Lambda's guidance: six times the function timeout, so a slow batch is not delivered twice.
            visibility_timeout=Duration.minutes(6),
            retention_period=Duration.days(4),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=10, queue=dead_letters),
        )
        uploaded = events.Rule(
            self,
            "ChapterUploaded",
            description="A chapter uploaded under source/ waits in the uploads queue for the next AMTS run",
            event_pattern=_pattern(uploads.upload_event_pattern(bucket.bucket_name, source_lang)),
        )
        uploaded.add_target(targets.SqsQueue(self.queue, retry_attempts=8, max_event_age=Duration.hours(24)))
        ended = events.Rule(
            self,
            "RunEnded",
            description="An AMTS run ended: the starter takes the uploads that arrived meanwhile",
            event_pattern=_pattern(uploads.run_ended_pattern(state_machine_arn)),
        )
        ended.add_target(targets.SqsQueue(self.queue, retry_attempts=8, max_event_age=Duration.hours(24)))

        log_group = logs.LogGroup(
            self,
            "StartRunLogs",
            retention=logs.RetentionDays.THREE_MONTHS,
            removal_policy=RemovalPolicy.DESTROY,
        )
        role = iam.Role(
            self,
            "StartRunRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="AMTS starter: uploads queue -> one execution at a time",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group.log_group_arn]
            )
        )
        self.function = lambda_.Function(
            self,
            "StartRun",  # handler and sizes from amts.pipeline.wiring.STARTER
            runtime=lambda_.Runtime.PYTHON_3_12,
            architecture=lambda_.Architecture.X86_64,
            handler=wiring.STARTER.handler,
            code=code,
            layers=list(layers),
            memory_size=wiring.STARTER.memory_mb,
            timeout=Duration.seconds(wiring.STARTER.timeout_seconds),
            reserved_concurrent_executions=1,  # one starter at a time: never two executions of the book
            role=role,
            log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE,
            environment={
                **environment,
                "AMTS_BUCKET": bucket.bucket_name,
                "AMTS_STATE_MACHINE_ARN": state_machine_arn,
                "POWERTOOLS_SERVICE_NAME": "amts-start-run",
                "POWERTOOLS_METRICS_NAMESPACE": "AMTS",
            },
            description="AMTS: start one run with the chapters uploaded since the last one",
        )
        self.function.add_event_source(
            sources.SqsEventSource(self.queue, batch_size=1000, max_batching_window=BATCHING_WINDOW)
        )
        # Exactly what amts.pipeline.wiring.STARTER names: head the chapters, keep and remove pending keys.
        step = wiring.STARTER

        def objects(prefixes: tuple[str, ...]) -> list[str]:
            return [bucket.arn_for_objects(wiring.object_pattern(p)) for p in prefixes]

        role.add_to_policy(iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket.bucket_arn]))
        role.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=objects(step.reads)))
        role.add_to_policy(iam.PolicyStatement(actions=["s3:PutObject"], resources=objects(step.writes)))
        role.add_to_policy(iam.PolicyStatement(actions=["s3:DeleteObject"], resources=objects(step.deletes)))
        role.add_to_policy(
            iam.PolicyStatement(actions=list(wiring.STARTER_ACTIONS), resources=[state_machine_arn])
        )
        bucket_ref = Stack.of(self).resolve(bucket.bucket_arn)["Fn::GetAtt"][0]  # cdk-nag's finding id
        acknowledge(
            role,
            "AwsSolutions-IAM5",
            "The starter heads the uploaded chapters and keeps and removes its own pending records (their "
            "names are not known at deploy time); X-Ray PutTraceSegments/PutTelemetryRecords support no "
            "resource-level permissions.",
            [
                "Resource::*",
                *(
                    f"Resource::<{bucket_ref}.Arn>/{wiring.object_pattern(p)}"
                    for p in dict.fromkeys(step.reads + step.writes + step.deletes)
                ),
            ],
        )
        acknowledge(
            self.function,
            "AwsSolutions-L1",
            "The handlers and the staged wheels target Python 3.12, the runtime this project pins and tests.",
        )
