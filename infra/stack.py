"""The AMTS stack: chapters uploaded to S3 start a Step Functions run that keeps every translation in sync."""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from amts.errors import AmtsError
from amts.pipeline.settings import Settings
from infra.uploads import UploadTrigger

REPO = Path(__file__).resolve().parent.parent
ASL_PATH = REPO / "statemachine" / "translate_book.asl.json"

# ASL substitution -> (handler module in lambdas/, memory MB, timeout). Sync and alignment are the heavy
# steps.
FUNCTIONS = {
    "PlanFunctionArn": ("plan", 512, Duration.minutes(5)),
    "BuildParallelDataFunctionArn": ("build_parallel_data", 2048, Duration.minutes(15)),
    "ParallelDataFunctionArn": ("parallel_data", 256, Duration.minutes(1)),
    "PrepareBatchFunctionArn": ("prepare_batch", 2048, Duration.minutes(15)),
    "AssembleFunctionArn": ("assemble", 1024, Duration.minutes(5)),
    "EvaluateFunctionArn": ("evaluate", 1024, Duration.minutes(5)),
    "ReportFunctionArn": ("report", 512, Duration.minutes(2)),
}


# cdk.json context key (`amts:<key>`) -> field of amts.pipeline.settings.Settings, which the Lambdas read back
# from their environment: one definition of the settings on both sides.
CONTEXT_KEYS = {
    "sourceLanguage": "source_lang",
    "targetLanguages": "target_langs",
    "engine": "engine",
    "parallelDataPrefix": "parallel_data_prefix",
    "granularity": "granularity",
    "pollSeconds": "poll_seconds",
    "inlineChapterLimit": "inline_chapter_limit",
    "evaluationChars": "eval_chars",
}
DEPLOYED_POLL_SECONDS = (
    60  # a real batch job takes minutes: poll once a minute unless cdk.json says otherwise
)


def settings_from_context(node) -> Settings:
    """Run settings from cdk.json context (`amts:*` keys); every value has a default. Bad values stop the synth."""
    values: dict = {"poll_seconds": DEPLOYED_POLL_SECONDS}
    for key, field in CONTEXT_KEYS.items():
        value = node.try_get_context(f"amts:{key}")
        if value is None:
            continue
        if field == "target_langs":
            value = (
                tuple(x.strip() for x in value.split(",") if x.strip())
                if isinstance(value, str)
                else tuple(value)
            )
        elif field in ("poll_seconds", "inline_chapter_limit", "eval_chars"):
            value = int(value)
        values[field] = value
    try:
        return Settings(**values)
    except AmtsError as exc:
        raise ValueError(f"cdk.json context (amts:*): {exc}") from None


def acknowledge(construct: Construct, rule: str, reason: str, findings: list[str] | None = None) -> None:
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

        self.bucket = self._book_bucket()
        self.translate_role = self._translate_data_access_role()
        self.functions = self._functions(code_dir, deps_dir)
        self.state_machine = self._state_machine()
        self._upload_trigger()
        self._acknowledge_cdk_helpers()

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
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(365))],
        )
        acknowledge(
            access_logs,
            "AwsSolutions-S1",
            "This is the server-access-log bucket of the book bucket; logging it to itself would loop.",
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
            lifecycle_rules=[
                s3.LifecycleRule(
                    prefix="work/",
                    expiration=Duration.days(90),
                    noncurrent_version_expiration=Duration.days(30),
                ),
            ],
        )

    def _objects(self, *patterns: str) -> list[str]:
        return [self.bucket.arn_for_objects(p) for p in patterns]

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
            iam.PolicyStatement(
                actions=["s3:GetObject"], resources=self._objects("work/batch/*", "work/paralleldata/*")
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=["s3:PutObject"], resources=self._objects("work/batch/*"))
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[self.bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": ["work/batch/*", "work/paralleldata/*"]}},
            )
        )
        acknowledge(
            role,
            "AwsSolutions-IAM5",
            "Batch jobs read and write content-hashed folders under work/batch/ and work/paralleldata/ only.",
            [
                f"Resource::<{self._bucket_ref()}.Arn>/work/batch/*",
                f"Resource::<{self._bucket_ref()}.Arn>/work/paralleldata/*",
            ],
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
        self._code, self._layers = code, layers
        parallel_data_arn = self._parallel_data_arn()
        functions = {}
        for substitution, (module, memory, timeout) in FUNCTIONS.items():
            ident = "".join(part.title() for part in module.split("_"))
            log_group = logs.LogGroup(
                self,
                f"{ident}Logs",
                retention=logs.RetentionDays.THREE_MONTHS,
                removal_policy=RemovalPolicy.DESTROY,
            )
            role = iam.Role(
                self,
                f"{ident}Role",
                assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                description=f"AMTS {module} state",
            )
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[f"{log_group.log_group_arn}"],
                )
            )
            fn = lambda_.Function(
                self,
                ident,
                runtime=lambda_.Runtime.PYTHON_3_12,
                architecture=lambda_.Architecture.X86_64,
                handler=f"lambdas.{module}.handler",
                code=code,
                layers=layers,
                memory_size=memory,
                timeout=timeout,
                role=role,
                log_group=log_group,
                tracing=lambda_.Tracing.ACTIVE,
                environment={
                    **self.config.as_env(),
                    "POWERTOOLS_SERVICE_NAME": f"amts-{module}",
                    "POWERTOOLS_METRICS_NAMESPACE": "AMTS",
                },
                description=f"AMTS state machine step: {module.replace('_', ' ')}",
            )
            functions[substitution] = fn
        self._grant_function_permissions(functions, parallel_data_arn)
        return functions

    def _grant_function_permissions(
        self, functions: dict[str, lambda_.Function], parallel_data_arn: str
    ) -> None:
        def allow(key: str, actions: list[str], resources: list[str], conditions: dict | None = None) -> None:
            functions[key].add_to_role_policy(
                iam.PolicyStatement(actions=actions, resources=resources, conditions=conditions)
            )

        book = self.bucket.bucket_arn
        # Steps probe optional objects (a translation, its origin, a chapter's state): without ListBucket S3
        # answers 403 instead of 404 for a missing key. A HEAD has no prefix, so no s3:prefix condition here.
        for key in functions:
            allow(key, ["s3:ListBucket"], [book])
        # Plan: reads heads of chapters, translations and state; writes the run manifest.
        allow(
            "PlanFunctionArn",
            ["s3:GetObject"],
            self._objects("source/*", "translations/*", "origin/*", "work/state/*"),
        )
        allow("PlanFunctionArn", ["s3:PutObject"], self._objects("work/runs/*"))
        # Parallel data: reads human translations and their English, writes CSV.
        allow("BuildParallelDataFunctionArn", ["s3:GetObject"], self._objects("translations/*", "origin/*"))
        allow("BuildParallelDataFunctionArn", ["s3:PutObject"], self._objects("work/paralleldata/*"))
        # The Translate parallel-data resource (CreateParallelData reads the CSV with the caller's rights).
        allow(
            "ParallelDataFunctionArn",
            ["translate:CreateParallelData", "translate:UpdateParallelData", "translate:GetParallelData"],
            [parallel_data_arn],
        )
        allow("ParallelDataFunctionArn", ["s3:GetObject"], self._objects("work/paralleldata/*"))
        # One import at a time across languages and runs: the lock object (amts/pipeline/pdlock.py).
        allow(
            "ParallelDataFunctionArn",
            ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            self._objects("work/locks/*"),
        )
        # Prepare: sync every planned chapter, write batch input and the batch plan.
        allow(
            "PrepareBatchFunctionArn",
            ["s3:GetObject"],
            self._objects("source/*", "translations/*", "origin/*", "work/*"),
        )
        allow("PrepareBatchFunctionArn", ["s3:PutObject"], self._objects("work/batch/*", "work/runs/*"))
        # Assemble: read inputs and the job output, write the chapter's output, record and state.
        allow(
            "AssembleFunctionArn",
            ["s3:GetObject"],
            self._objects("source/*", "translations/*", "origin/*", "work/*"),
        )
        allow(
            "AssembleFunctionArn",
            ["s3:PutObject"],
            self._objects("output/*", "work/runs/*", "work/state/*", "work/mtcache/*"),
        )
        # Evaluate and report: read the run's records, write reports.
        for key in ("EvaluateFunctionArn", "ReportFunctionArn"):
            allow(key, ["s3:GetObject"], self._objects("work/runs/*"))
            allow(key, ["s3:PutObject"], self._objects("reports/*", "work/runs/*"))
        # Evaluate scores the held-out sample from the job's output and keeps its translations in the MT cache.
        allow("EvaluateFunctionArn", ["s3:GetObject"], self._objects("work/batch/*"))
        allow("EvaluateFunctionArn", ["s3:PutObject"], self._objects("work/mtcache/*"))
        for fn in functions.values():
            acknowledge(
                fn.role,
                "AwsSolutions-IAM5",
                "Object access is scoped to the AMTS prefixes this step reads or writes (chapter paths are not "
                "known at deploy time); X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level "
                "permissions.",
                [
                    "Resource::*",
                    *(
                        f"Resource::<{self._bucket_ref()}.Arn>/{p}*"
                        for p in (
                            "source/",
                            "translations/",
                            "origin/",
                            "work/",
                            "work/state/",
                            "work/runs/",
                            "work/batch/",
                            "work/paralleldata/",
                            "work/mtcache/",
                            "work/locks/",
                            "output/",
                            "reports/",
                        )
                    ),
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
        log_group = logs.LogGroup(
            self,
            "StateMachineLogs",
            retention=logs.RetentionDays.THREE_MONTHS,
            removal_policy=RemovalPolicy.DESTROY,
        )
        substitutions = {key: fn.function_arn for key, fn in self.functions.items()}
        substitutions["TranslateDataAccessRoleArn"] = self.translate_role.role_arn
        machine = sfn.StateMachine(
            self,
            "TranslateBook",
            state_machine_name=self.state_machine_name,
            definition_body=sfn.DefinitionBody.from_string(ASL_PATH.read_text(encoding="utf-8")),
            definition_substitutions=substitutions,
            state_machine_type=sfn.StateMachineType.STANDARD,
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
            timeout=Duration.hours(12),
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
            iam.PolicyStatement(actions=["s3:GetObject"], resources=self._objects("work/runs/*"))
        )
        own = (
            f"arn:{self.partition}:states:{self.region}:{self.account}:stateMachine:{self.state_machine_name}"
        )
        executions = (
            f"arn:{self.partition}:states:{self.region}:{self.account}:execution:{self.state_machine_name}/*"
        )
        role.add_to_principal_policy(iam.PolicyStatement(actions=["states:StartExecution"], resources=[own]))
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["states:DescribeExecution", "states:StopExecution"], resources=[executions]
            )
        )
        acknowledge(
            machine,
            "AwsSolutions-IAM5",
            "Translate batch-job actions, X-Ray and CloudWatch Logs delivery support no resource-level permissions; "
            "child executions of the distributed Map have generated names; the manifest key is per run.",
            [
                "Resource::*",
                f"Resource::<{self._bucket_ref()}.Arn>/work/runs/*",
                f"Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{self.state_machine_name}/*",
                "Resource::arn:<AWS::Partition>:translate:<AWS::Region>:<AWS::AccountId>:parallel-data/"
                f"{self.config.parallel_data_prefix}-*",
            ],
        )
        return machine

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
        """S3 (via EventBridge and an SQS buffer) starts one run per burst of uploads (infra/uploads.py)."""
        self.uploads = UploadTrigger(
            self,
            "UploadTrigger",
            bucket=self.bucket,
            state_machine=self.state_machine,
            source_lang=self.config.source_lang,
            code=self._code,
            layers=self._layers,
            environment=self.config.as_env(),
            acknowledge=acknowledge,
        )


def definition_json() -> dict:
    return json.loads(ASL_PATH.read_text(encoding="utf-8"))
