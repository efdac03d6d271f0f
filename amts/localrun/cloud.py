"""`LocalCloud`: the synthesized stack run on this machine, with the template's IAM enforced.

moto's Step Functions interpreter executes the template's state machine definition (Map, Choice, Wait,
Retry/Catch, aws-sdk tasks) with the credentials of the state machine's role. Its `lambda:invoke` tasks go
through botocore, where a `before-call` hook runs the real handler from `lambdas/` in-process with the
function's template environment and its role's credentials (`amts.localrun.runtime`). Amazon Translate is
`amts.fakes.translate.FakeTranslate`, translating with local engines and reading and writing S3 as the
template's data-access role. With IAM enforcement on, a permission missing from the template fails here as
it would in AWS, and the failure names the function, the action and the key.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Callable

from amts.errors import AmtsError
from amts.localrun.iam import Credentials, Identities, allowed, denial
from amts.localrun.runtime import ENVIRONMENT_LOCK, LambdaRuntime
from amts.localrun.template import ACCOUNT, BUCKET, PARTITION, REGION, Template

# What every handler gets on top of its template environment offline: no X-Ray daemon, no metrics sink.
LOCAL_ENVIRONMENT = {
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}
_HARNESS_ENV = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}

# moto's interpreter modules that create boto3 clients (`boto_client_for`): every one is loaded and patched.
_PARSER = "moto.stepfunctions.parser.asl"
_INTERPRETER_CLIENT_MODULES = (
    f"{_PARSER}.utils.boto_client",
    f"{_PARSER}.component.state.exec.state_task.lambda_eval_utils",
    f"{_PARSER}.component.state.exec.state_task.service.state_task_service_aws_sdk",
    f"{_PARSER}.component.state.exec.state_task.service.state_task_service_unsupported",
    f"{_PARSER}.component.state.exec.state_map.item_reader.eval.resource_eval_s3",
    f"{_PARSER}.component.state.exec.state_map.result_writer.resource_eval.resource_eval_s3",
)


class LocalCloud:
    """moto + in-process Lambdas + fake Translate, built from a synthesized template, IAM enforced.

    `template`: a `Template`, a path to a synthesized template, or None to synthesize in-process.
    The keyword settings override the template's AMTS_* environment for every function (a local run
    polls without waiting: `poll_seconds=0`); None keeps the template's value.
    Add functions outside the template with `add_handler`, and anything else on `self.session`.
    """

    _patched: list[tuple[Any, Any]]

    def __init__(
        self,
        template: Template | Path | str | None = None,
        *,
        languages: tuple[str, ...] | None = None,
        engine=None,
        poll_seconds: int | None = 0,
        inline_chapter_limit: int | None = None,
        engine_setting: str | None = None,
        enforce_iam: bool = True,
    ):
        self._template_arg = template
        self.engine = engine
        self.enforce_iam = enforce_iam
        overrides = {
            "AMTS_TARGET_LANGS": ",".join(languages) if languages else None,
            "AMTS_POLL_SECONDS": None if poll_seconds is None else str(poll_seconds),
            "AMTS_POLL_MAX_SECONDS": None if poll_seconds is None else str(poll_seconds),
            "AMTS_INLINE_CHAPTER_LIMIT": None if inline_chapter_limit is None else str(inline_chapter_limit),
            "AMTS_ENGINE": engine_setting,
        }
        self.overrides = {k: v for k, v in overrides.items() if v is not None}
        self.translate_denials: list[dict] = []

    # ------------------------------------------------------------ the template's settings
    @property
    def environment(self) -> dict[str, str]:
        """The AMTS settings every function runs with (the template's, with the overrides)."""
        first = next(iter(self.template.functions.values()))
        return {**first.environment, **self.overrides}

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(x for x in self.environment.get("AMTS_TARGET_LANGS", "").split(",") if x)

    @property
    def source_lang(self) -> str:
        return self.environment.get("AMTS_SOURCE_LANG", "en")

    # ------------------------------------------------------------ set up and tear down
    def __enter__(self) -> "LocalCloud":
        import boto3
        from moto import mock_aws

        from amts.fakes.translate import FakeTranslate
        from amts.localrun.book import LanguageRouter

        self.template = self._load_template()
        self._saved_env = {k: os.environ.get(k) for k in _HARNESS_ENV}
        os.environ.update(_HARNESS_ENV)
        logging.getLogger("moto").setLevel(logging.CRITICAL)  # caught task failures are logged as errors
        self._mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        self._mock.start()
        try:
            bootstrap = boto3.Session(region_name=REGION)
            self.identities = Identities(self.template, bootstrap.client("iam"), bootstrap.client("sts"))
            operator = self.identities.operator()
            boto3.setup_default_session(
                aws_access_key_id=operator.access_key,
                aws_secret_access_key=operator.secret_key,
                region_name=REGION,
            )
            self.session = boto3.DEFAULT_SESSION
            self.s3 = self.session.client("s3")
            self.s3.create_bucket(Bucket=BUCKET)
            data_access = self.identities.assume(self.template.role_for_service("translate"), "translate")
            self.translate = FakeTranslate(
                engine=self.engine or LanguageRouter(),
                s3_client=data_access.session().client("s3"),
                authorize=self._authorize_translate,
            ).install(self.session)
            machine_role = self.template.state_machine_role()
            self.lambdas = LambdaRuntime(self.identities).install(self.session)
            for function in self.template.functions.values():
                credentials = self.identities.assume(self.template.roles[function.role], function.name)
                environment = {**function.environment, **self.overrides, **LOCAL_ENVIRONMENT}
                self.lambdas.deploy(function, environment, credentials, self.translate.install)
            self._machine_credentials = self.identities.assume(machine_role, "states")
            self._patch_state_machine_clients(self._machine_credentials)
            self.sfn = self.session.client("stepfunctions")
            self.state_machine_arn = self.sfn.create_state_machine(
                name=self.template.state_machine_name,
                definition=self.template.definition(),
                roleArn=machine_role.arn,
            )["stateMachineArn"]
            if self.enforce_iam:
                self._enforce(True)
        except Exception:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        import boto3

        self._enforce(False)
        self._unpatch_state_machine_clients()
        for part in ("translate", "lambdas"):
            if hasattr(self, part):
                getattr(self, part).uninstall()
        self._mock.stop()
        boto3.DEFAULT_SESSION = None
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def _load_template(self) -> Template:
        if isinstance(self._template_arg, Template):
            return self._template_arg
        if self._template_arg is None:
            return Template.synthesize()
        return Template.load(Path(self._template_arg))

    def _enforce(self, on: bool) -> None:
        """moto's IAM enforcement, as `moto.core.set_initial_no_auth_action_count(0)` turns it on."""
        from moto import settings
        from moto.core.authorization import ActionAuthenticatorMixin

        if on:
            self._saved_auth = (settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count)
            settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
            ActionAuthenticatorMixin.request_count = 0
        elif hasattr(self, "_saved_auth"):
            settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = self._saved_auth
            del self._saved_auth

    def _patch_state_machine_clients(self, credentials: Credentials) -> None:
        """moto's interpreter signs its calls with a fixed fake key; Step Functions uses the machine's role."""
        import boto3
        from botocore.config import Config

        def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
            # Not while a handler's environment is swapped in: client creation iterates os.environ, and the
            # swap's restore deletes keys (KeyError in a parallel branch). Also one client at a time.
            with ENVIRONMENT_LOCK:
                return boto3.client(
                    service,
                    region_name=region,
                    aws_access_key_id=credentials.access_key,
                    aws_secret_access_key=credentials.secret_key,
                    aws_session_token=credentials.token,
                    config=Config(
                        parameter_validation=False, retries={"max_attempts": 0, "total_max_attempts": 1}
                    ),
                )

        self._patched = []
        for name in _INTERPRETER_CLIENT_MODULES:  # loaded now, so none imports the fixed-key factory later
            importlib.import_module(name)
        modules: list[Any] = list(sys.modules.items())
        for name, module in modules:
            if name.startswith("moto.stepfunctions.parser") and hasattr(module, "boto_client_for"):
                self._patched.append((module, module.boto_client_for))
                module.boto_client_for = boto_client_for

    def _unpatch_state_machine_clients(self) -> None:
        for module, original in getattr(self, "_patched", []):
            module.boto_client_for = original
        self._patched = []

    def _authorize_translate(self, operation: str, request: dict, request_signer: Any) -> str | None:
        """IAM for the fake Translate: the caller's role must allow the action (and iam:PassRole of the
        data-access role for a batch job). None when allowed; else AWS's denial message, also recorded."""
        refused = self._translate_refusal(operation, request, request_signer)
        if refused:
            self.translate_denials.append(
                {"function": f"Translate {operation}", "outcome": "AccessDenied", "error": refused}
            )
        return refused

    def _translate_refusal(self, operation: str, request: dict, request_signer: Any) -> str | None:
        try:
            role = self.identities.caller(request_signer)
        except PermissionError as exc:
            return str(exc)
        if role is None:
            return None  # the operator
        action = f"translate:{operation}"
        resource = "*"
        if "ParallelData" in operation:
            resource = f"arn:{PARTITION}:translate:{REGION}:{ACCOUNT}:parallel-data/{request['Name']}"
        if not allowed(role, action, resource):
            return denial(role, action, resource)
        if operation == "StartTextTranslationJob":
            passed = request["DataAccessRoleArn"]
            if not allowed(role, "iam:PassRole", passed, {"iam:PassedToService": "translate.amazonaws.com"}):
                return denial(role, "iam:PassRole", passed)
            for name in request.get("ParallelDataNames", []):
                arn = f"arn:{PARTITION}:translate:{REGION}:{ACCOUNT}:parallel-data/{name}"
                if not allowed(role, "translate:GetParallelData", arn):
                    return denial(role, "translate:GetParallelData", arn)
        return None

    def add_handler(
        self, name: str, handler: Callable[[dict, Any], dict], environment: dict | None = None
    ) -> str:
        """Serve `lambda.Invoke` of `name` with `handler` (a function the template does not have yet)."""
        self.lambdas.add_handler(name, handler, {**(environment or {}), **LOCAL_ENVIRONMENT})
        return f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT}:function:{name}"

    # ------------------------------------------------------------ data in and out
    def upload_folder(self, folder: Path, prefix: str) -> int:
        count = 0
        for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
            self.s3.put_object(
                Bucket=BUCKET, Key=prefix + path.relative_to(folder).as_posix(), Body=path.read_bytes()
            )
            count += 1
        return count

    def put(self, key: str, body: bytes) -> None:
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=body)

    def get(self, key: str) -> bytes | None:
        try:
            return self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        except self.s3.exceptions.NoSuchKey:
            return None

    def keys(self, prefix: str) -> list[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
        return [obj["Key"] for page in pages for obj in page.get("Contents", [])]

    def download(self, prefix: str, out: Path) -> list[Path]:
        written = []
        for key in self.keys(prefix):
            target = out / key
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self.get(key) or b"")
            written.append(target)
        return written

    # ------------------------------------------------------------ executions
    def upload_event(self, key: str) -> dict:
        """The EventBridge event S3 sends for an upload (what the stack's rule passes to the state machine).

        The key is carried as it is, not URL-encoded (as S3's EventBridge events do)."""
        head = self.s3.head_object(Bucket=BUCKET, Key=key)
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Object Created",
            "source": "aws.s3",
            "account": ACCOUNT,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "region": REGION,
            "resources": [f"arn:aws:s3:::{BUCKET}"],
            "detail": {
                "version": "0",
                "bucket": {"name": BUCKET},
                "object": {
                    "key": key,
                    "size": head["ContentLength"],
                    "etag": head["ETag"].strip('"'),
                    "sequencer": "0",
                },
                "request-id": "local",
                "requester": ACCOUNT,
                "reason": "PutObject",
            },
        }

    def run(
        self, execution_input: dict, timeout: float = 170.0, on_poll: Callable[[list], None] | None = None
    ) -> dict:
        """Start an execution and wait for it; returns {status, output, history, arn}."""
        # moto names an unnamed execution "None", so a second run would collide: name it as the console would.
        arn = self.sfn.start_execution(
            stateMachineArn=self.state_machine_arn, name=str(uuid.uuid4()), input=json.dumps(execution_input)
        )["executionArn"]
        deadline = time.monotonic() + timeout
        while True:
            described = self.sfn.describe_execution(executionArn=arn)
            if described["status"] != "RUNNING":
                break
            if on_poll is not None:
                on_poll(self.history(arn))
            if time.monotonic() > deadline:
                raise AmtsError(f"local execution still running after {timeout:.0f}s")
            time.sleep(0.05)
        output = json.loads(described["output"]) if described.get("output") else None
        return {
            "arn": arn,
            "status": described["status"],
            "output": output,
            "error": described.get("error"),
            "cause": described.get("cause"),
            "history": self.history(arn),
            "map_runs": self.map_runs(arn),
        }

    def map_runs(self, arn: str) -> list[dict]:
        """The distributed Map runs of an execution (languages, and chapters of large runs) with their counts."""
        runs = []
        for item in self.sfn.list_map_runs(executionArn=arn).get("mapRuns", []):
            described = self.sfn.describe_map_run(mapRunArn=item["mapRunArn"])
            described.pop("ResponseMetadata", None)
            runs.append(described)
        return runs

    def history(self, arn: str) -> list[dict]:
        events: list[dict] = []
        token = None
        while True:
            kwargs = {"executionArn": arn, "maxResults": 1000, **({"nextToken": token} if token else {})}
            page = self.sfn.get_execution_history(**kwargs)
            events += page["events"]
            token = page.get("nextToken")
            if not token:
                return events

    def denials(self) -> list[dict]:
        """Every call IAM refused: handler invocations that ended in AccessDenied (function, action and key in
        `error`) and Translate calls the caller's role may not make."""
        handlers = [call for call in self.lambdas.timeline if call["outcome"] == "AccessDenied"]
        return handlers + self.translate_denials
