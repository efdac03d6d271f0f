"""The AMTS stack: chapters uploaded to S3 start a Step Functions run that keeps every translation in sync."""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import (
    Acknowledgment,
    Aws,
    CfnRule,
    CfnRuleAssertion,
    Duration,
    Fn,
    RemovalPolicy,
    Stack,
    Token,
    Validations,
)
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct, IConstruct

from amts.errors import AmtsError
from amts.pipeline import layout, wiring
from amts.pipeline.settings import Settings, parse_languages

REPO = Path(__file__).resolve().parent.parent
ASL_PATH = REPO / "statemachine" / "translate_book.asl.json"

# cdk.json context key (`amts:<key>`) -> field of amts.pipeline.settings.Settings, which the Lambdas read back
# from their environment: one definition of the settings on both sides.
CONTEXT_KEYS = {
    "sourceLanguage": "source_lang",
    "targetLanguages": "target_langs",
    "engine": "engine",
    "parallelDataPrefix": "parallel_data_prefix",
    "granularity": "granularity",
    "pollSeconds": "poll_seconds",
    "pollMaxSeconds": "poll_max_seconds",
    "inlineChapterLimit": "inline_chapter_limit",
    "evaluationChars": "eval_chars",
}
DEPLOYED_POLL_SECONDS = 60  # a real batch job takes minutes: first poll after a minute, then backing off

# Regions where Amazon Translate runs batch jobs (StartTextTranslationJob), per "Asynchronous batch processing
# with Amazon Translate", Region availability (https://docs.aws.amazon.com/translate/latest/dg/async.html).
# Active Custom Translation (parallel data) is a kind of batch job, so it cannot be used anywhere else either.
BATCH_TRANSLATION_REGIONS = (
    "us-east-2",
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "ap-south-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
)
WORK_EXPIRY = Duration.days(90)  # run manifests, batch input/output, parallel-data CSVs
NONCURRENT_EXPIRY = Duration.days(30)  # old versions of work files and access logs
PUBLISHED_NONCURRENT_EXPIRY = Duration.days(365)  # earlier outputs and reports stay recoverable for a year


def settings_from_context(node) -> Settings:
    """Run settings from cdk.json context (`amts:*` keys); every value has a default. Bad values stop the synth.

    The CLI passes `-c` values as strings, so lists arrive as `'["zh","es"]'` or `zh,es`; cdk.json gives lists.
    """
    values: dict = {"poll_seconds": DEPLOYED_POLL_SECONDS}
    try:
        for key, field in CONTEXT_KEYS.items():
            value = node.try_get_context(f"amts:{key}")
            if value is None:
                continue
            if field == "target_langs":
                value = parse_languages(value)
            elif field in ("poll_seconds", "poll_max_seconds", "inline_chapter_limit", "eval_chars"):
                value = int(value)
            values[field] = value
        return Settings(**values)
    except (AmtsError, ValueError) as exc:
        raise ValueError(f"cdk.json context (amts:*): {exc}") from None


def acknowledge(construct: IConstruct, rule: str, reason: str, findings: list[str] | None = None) -> None:
    """Acknowledge a cdk-nag rule (or only the listed findings of it) on a construct and its children, with a reason."""
    pack = rule.split("-", 1)[0]  # cdk-nag 3 ids: "<pack>::<rule>[<finding>]"
    ids = [f"{pack}::{rule}[{finding}]" for finding in findings] if findings else [f"{pack}::{rule}"]
    Validations.of(construct).acknowledge(*(Acknowledgment(id=i, reason=reason) for i in ids))


class AmtsStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        code_dir: Path,
        deps_dir: Path | None,
        config: Settings | None = None,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config or settings_from_context(self.node)
        self.state_machine_name = f"{construct_id}-translate-book"

        self._region_guard()
        self.bucket = self._book_bucket()
        self.translate_role = self._translate_data_access_role()
        self.functions = self._functions(code_dir, deps_dir)
        self.state_machine = self._state_machine()
        self._upload_trigger()
        self._acknowledge_cdk_helpers()

    # ------------------------------------------------------------ where it can run
    def _region_guard(self) -> None:
        """Batch translation (and so Active Custom Translation) exists only in some regions: refuse the others.

        A stack bound to a region is checked now; an environment-agnostic one gets a CloudFormation rule, so
        `cdk deploy` into an unsupported region fails before any resource is created."""
        if self.config.engine == "none":
            return
        if not Token.is_unresolved(self.region):
            if self.region not in BATCH_TRANSLATION_REGIONS:
                raise ValueError(
                    f"region {self.region}: Amazon Translate batch jobs are not available there; deploy to one "
                    f"of {', '.join(BATCH_TRANSLATION_REGIONS)} (or set amts:engine to none)"
                )
            return
        CfnRule(
            self,
            "BatchTranslationRegion",
            assertions=[
                CfnRuleAssertion(
                    assert_=Fn.condition_contains(list(BATCH_TRANSLATION_REGIONS), Aws.REGION),
                    assert_description=(
                        "AMTS needs Amazon Translate batch jobs, available only in "
                        + ", ".join(BATCH_TRANSLATION_REGIONS)
                    ),
                )
            ],
        )

    # ------------------------------------------------------------ storage
    def _book_bucket(self) -> s3.Bucket:
        access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=Duration.days(365), noncurrent_version_expiration=NONCURRENT_EXPIRY
                )
            ],
        )
        acknowledge(
            access_logs,
            "AwsSolutions-S1",
            "This is the server-access-log bucket of the book bucket; logging it to itself would loop.",
        )
        # Run state (work/state/: chapter fingerprints) must never expire, or every chapter is re-planned and
        # paid for again: only the content-addressed and per-run work folders do.
        rules = [
            s3.LifecycleRule(
                id=f"expire-{prefix.strip('/').replace('/', '-')}",
                prefix=prefix,
                expiration=WORK_EXPIRY,
                noncurrent_version_expiration=NONCURRENT_EXPIRY,
            )
            for prefix in layout.EXPIRING_WORK
        ]
        rules += [
            s3.LifecycleRule(
                id=f"noncurrent-{prefix.strip('/')}",
                prefix=prefix,
                noncurrent_version_expiration=PUBLISHED_NONCURRENT_EXPIRY,
            )
            for prefix in (layout.OUTPUT, layout.REPORTS)
        ]
        rules.append(
            s3.LifecycleRule(
                id="abort-incomplete-uploads", abort_incomplete_multipart_upload_after=Duration.days(7)
            )
        )
        return s3.Bucket(
            self,
            "Book",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,  # every earlier output and human translation stays recoverable
            event_bridge_enabled=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="book/",
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=rules,
        )

    def _objects(self, *prefixes: str) -> list[str]:
        return [self.bucket.arn_for_objects(wiring.object_pattern(p)) for p in prefixes]

    def _object_findings(self, *prefixes: str) -> list[str]:
        """cdk-nag's finding ids for the object patterns of these prefixes."""
        return [f"Resource::<{self._bucket_ref()}.Arn>/{wiring.object_pattern(p)}" for p in prefixes]

    def _translate_data_access_role(self) -> iam.Role:
        """The role Amazon Translate assumes to read batch input and parallel data and write batch output."""
        role = iam.Role(
            self,
            "TranslateDataAccess",
            assumed_by=iam.ServicePrincipal(
                "translate.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": self.account},
                    "ArnLike": {
                        "aws:SourceArn": f"arn:{self.partition}:translate:{self.region}:{self.account}:*"
                    },
                },
            ),
            description="Amazon Translate reads AMTS batch input and parallel data and writes batch output",
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=["s3:GetObject"], resources=self._objects(*wiring.TRANSLATE_READS))
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=["s3:PutObject"], resources=self._objects(*wiring.TRANSLATE_WRITES))
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[self.bucket.bucket_arn],
                conditions={
                    "StringLike": {"s3:prefix": [wiring.object_pattern(p) for p in wiring.TRANSLATE_READS]}
                },
            )
        )
        acknowledge(
            role,
            "AwsSolutions-IAM5",
            "Batch jobs read and write content-hashed folders under work/batch/ and work/paralleldata/ only.",
            self._object_findings(*wiring.TRANSLATE_READS),
        )
        return role

    # ------------------------------------------------------------ compute
    def _functions(self, code_dir: Path, deps_dir: Path | None) -> dict[str, lambda_.Function]:
        code = lambda_.Code.from_asset(str(code_dir))
        layers = []
        if deps_dir is not None:
            layers.append(
                lambda_.LayerVersion(
                    self,
                    "Dependencies",
                    code=lambda_.Code.from_asset(str(deps_dir)),
                    compatible_runtimes=[lambda_.Runtime.PYTHON_3_12],
                    description=(
                        "AMTS pinned dependencies (markdown-it-py, rapidfuzz, sacrebleu, Powertools, X-Ray SDK)"
                    ),
                )
            )
        functions = {}
        for step in wiring.STEPS:
            log_group = logs.LogGroup(
                self,
                f"{step.ident}Logs",
                retention=logs.RetentionDays.THREE_MONTHS,
                removal_policy=RemovalPolicy.DESTROY,
            )
            role = iam.Role(
                self,
                f"{step.ident}Role",
                assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                description=f"AMTS {step.module} state",
            )
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[f"{log_group.log_group_arn}"],
                )
            )
            fn = lambda_.Function(
                self,
                step.ident,
                runtime=lambda_.Runtime.PYTHON_3_12,
                architecture=lambda_.Architecture.X86_64,
                handler=step.handler,
                code=code,
                layers=layers,
                memory_size=step.memory_mb,
                timeout=Duration.seconds(step.timeout_seconds),
                role=role,
                log_group=log_group,
                tracing=lambda_.Tracing.ACTIVE,
                environment={
                    **self.config.as_env(),
                    "POWERTOOLS_SERVICE_NAME": f"amts-{step.module}",
                    "POWERTOOLS_METRICS_NAMESPACE": "AMTS",
                },
                description=f"AMTS state machine step: {step.module.replace('_', ' ')}",
            )
            self._grant(fn, role, step)
            functions[step.substitution] = fn
        return functions

    def _grant(self, fn: lambda_.Function, role: iam.Role, step: wiring.Step) -> None:
        """The step's S3 and Translate rights, exactly as `amts.pipeline.wiring` names them."""
        # Steps probe optional objects (a translation, its origin, a chapter's state): without ListBucket S3
        # answers 403 instead of 404 for a missing key. A HEAD has no prefix, so no s3:prefix condition here.
        if step.lists:
            fn.add_to_role_policy(
                iam.PolicyStatement(actions=["s3:ListBucket"], resources=[self.bucket.bucket_arn])
            )
        if step.reads:
            fn.add_to_role_policy(
                iam.PolicyStatement(actions=["s3:GetObject"], resources=self._objects(*step.reads))
            )
        if step.writes:
            fn.add_to_role_policy(
                iam.PolicyStatement(actions=["s3:PutObject"], resources=self._objects(*step.writes))
            )
        if step.translate_actions:
            fn.add_to_role_policy(
                iam.PolicyStatement(
                    actions=list(step.translate_actions), resources=[self._parallel_data_arn()]
                )
            )
        acknowledge(
            role,
            "AwsSolutions-IAM5",
            "Object access is scoped to the AMTS prefixes this step reads or writes (chapter paths are not "
            "known at deploy time); X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level "
            "permissions.",
            [
                "Resource::*",
                *self._object_findings(*dict.fromkeys(step.reads + step.writes)),
                "Resource::arn:<AWS::Partition>:translate:<AWS::Region>:<AWS::AccountId>:parallel-data/"
                f"{self.config.parallel_data_prefix}-*",
            ],
        )
        acknowledge(
            fn,
            "AwsSolutions-L1",
            "The handlers and the staged wheels target Python 3.12, the runtime this project pins and tests.",
        )

    # ------------------------------------------------------------ orchestration
    def _state_machine(self) -> sfn.StateMachine:
        # Under /aws/vendedlogs/ CloudWatch Logs needs no resource-policy entry per log group (that policy is
        # limited to 5,120 characters per account and region).
        log_group = logs.LogGroup(
            self,
            "StateMachineLogs",
            log_group_name=f"/aws/vendedlogs/states/{self.state_machine_name}",
            retention=logs.RetentionDays.THREE_MONTHS,
            removal_policy=RemovalPolicy.DESTROY,
        )
        substitutions = {key: fn.function_arn for key, fn in self.functions.items()}
        substitutions[wiring.ROLE_SUBSTITUTION] = self.translate_role.role_arn
        # The execution timeout is the ASL's own TimeoutSeconds: CDK drops `timeout` for a string definition.
        machine = sfn.StateMachine(
            self,
            "TranslateBook",
            state_machine_name=self.state_machine_name,
            definition_body=sfn.DefinitionBody.from_string(self._definition_text()),
            definition_substitutions=substitutions,
            state_machine_type=sfn.StateMachineType.STANDARD,
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
        )
        role = machine.role
        for fn in self.functions.values():
            role.add_to_principal_policy(
                iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[fn.function_arn])
            )
        # Batch translation jobs have no resource-level permissions in IAM; parallel data does.
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["translate:StartTextTranslationJob", "translate:DescribeTextTranslationJob"],
                resources=["*"],
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["translate:GetParallelData"], resources=[self._parallel_data_arn()])
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["iam:PassRole"],
                resources=[self.translate_role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": "translate.amazonaws.com"}},
            )
        )
        # Distributed Map: read the manifest, run child workflows of this very state machine.
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"], resources=self._objects(*wiring.STATE_MACHINE_READS)
            )
        )
        own, executions = self._own_arns()
        role.add_to_principal_policy(iam.PolicyStatement(actions=["states:StartExecution"], resources=[own]))
        # What CDK's DistributedMap grants: both execution ARN forms (`name:id` for the parent, `name/label:id`
        # for map-run children) and redrive of the children.
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["states:DescribeExecution", "states:StopExecution"], resources=executions
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["states:RedriveExecution"], resources=[executions[0]])
        )
        acknowledge(
            machine,
            "AwsSolutions-IAM5",
            "Translate batch-job actions, X-Ray and CloudWatch Logs delivery support no resource-level permissions; "
            "child executions of the distributed Map have generated names; the manifest key is per run.",
            [
                "Resource::*",
                *self._object_findings(*wiring.STATE_MACHINE_READS),
                *(
                    f"Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:"
                    f"{self.state_machine_name}{sep}*"
                    for sep in ("/", ":")
                ),
                "Resource::arn:<AWS::Partition>:translate:<AWS::Region>:<AWS::AccountId>:parallel-data/"
                f"{self.config.parallel_data_prefix}-*",
            ],
        )
        return machine

    def _definition_text(self) -> str:
        """The ASL with every ARN in the stack's partition (`aws-cn` too): the file's `${Partition}` becomes
        a reference to AWS::Partition, resolved by CloudFormation (cfn-lint validates the result as `aws`)."""
        placeholder = "${" + wiring.PARTITION_SUBSTITUTION + "}"
        return ASL_PATH.read_text(encoding="utf-8").replace(placeholder, self.partition)

    def _own_arns(self) -> tuple[str, list[str]]:
        base = f"arn:{self.partition}:states:{self.region}:{self.account}"
        own = f"{base}:stateMachine:{self.state_machine_name}"
        executions = [f"{base}:execution:{self.state_machine_name}{sep}*" for sep in ("/", ":")]
        return own, executions

    def _acknowledge_cdk_helpers(self) -> None:
        """The custom resource CDK adds to turn on the bucket's EventBridge notifications."""
        for child in self.node.children:
            if child.node.id.startswith("BucketNotificationsHandler"):
                acknowledge(
                    child,
                    "AwsSolutions-IAM4",
                    "CDK's own BucketNotificationsHandler (enables EventBridge on the bucket at deploy time) "
                    "uses AWSLambdaBasicExecutionRole for its logs.",
                    ["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
                )

    def _bucket_ref(self) -> str:
        """The logical id cdk-nag uses for the book bucket in finding ids."""
        return self.resolve(self.bucket.bucket_arn)["Fn::GetAtt"][0]

    def _parallel_data_arn(self) -> str:
        prefix = self.config.parallel_data_prefix
        return f"arn:{self.partition}:translate:{self.region}:{self.account}:parallel-data/{prefix}-*"

    def _upload_trigger(self) -> None:
        """S3 (via EventBridge) starts one run per chapter uploaded under source/<source language>/."""
        rule = events.Rule(
            self,
            "ChapterUploaded",
            description="A chapter uploaded under source/ starts the AMTS state machine",
            event_pattern=events.EventPattern(
                source=["aws.s3"],
                detail_type=["Object Created"],
                detail={
                    "bucket": {"name": [self.bucket.bucket_name]},
                    "object": {"key": [{"prefix": layout.source_prefix(self.config.source_lang)}]},
                },
            ),
        )
        rule.add_target(
            targets.SfnStateMachine(self.state_machine, retry_attempts=3, max_event_age=Duration.hours(2))
        )


def definition_json() -> dict:
    return json.loads(ASL_PATH.read_text(encoding="utf-8"))
