"""`amts local-run`: the real state machine, the real Lambda handlers, no AWS account.

moto's Step Functions interpreter executes `statemachine/translate_book.asl.json` (Map, Choice, Wait,
Retry/Catch, aws-sdk tasks). Its `lambda:invoke` tasks go through botocore, where a `before-call` hook
runs the real handler from `lambdas/` in-process and answers as Lambda would (a raised exception becomes
`FunctionError: Unhandled` with its `errorType`, so Retry and Catch see real task failures). Amazon
Translate is `amts.fakes.translate.FakeTranslate`, translating with local engines.
"""

from __future__ import annotations

import importlib
import io
import json
import logging
import os
import re
import shutil
import sys
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from amts.engines.base import Engine
from amts.errors import AmtsError

REPO = Path(__file__).resolve().parent.parent
ASL_PATH = REPO / "statemachine" / "translate_book.asl.json"
REGION = "us-east-1"
ACCOUNT = "123456789012"
BUCKET = "amts-local-book"

# State name in the ASL substitution -> handler module in lambdas/ (the same mapping the CDK stack uses).
FUNCTIONS = {
    "PlanFunctionArn": "plan",
    "BuildParallelDataFunctionArn": "build_parallel_data",
    "ParallelDataFunctionArn": "parallel_data",
    "PrepareBatchFunctionArn": "prepare_batch",
    "AssembleFunctionArn": "assemble",
    "EvaluateFunctionArn": "evaluate",
    "ReportFunctionArn": "report",
}
_SUBSTITUTION_RE = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def function_arn(module: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:amts-{module.replace('_', '-')}"


def render_definition(substitutions: dict[str, str], path: Path = ASL_PATH) -> str:
    """The ASL with `${Name}` replaced, as Step Functions' DefinitionSubstitutions do; unknown names fail."""
    text = path.read_text(encoding="utf-8")
    missing = sorted(set(_SUBSTITUTION_RE.findall(text)) - substitutions.keys())
    if missing:
        raise AmtsError(f"{path.name}: no value for substitution(s) {', '.join(missing)}")
    return _SUBSTITUTION_RE.sub(lambda m: substitutions[m.group(1)], text)


def local_substitutions() -> dict[str, str]:
    subs = {name: function_arn(module) for name, module in FUNCTIONS.items()}
    subs["TranslateDataAccessRoleArn"] = f"arn:aws:iam::{ACCOUNT}:role/amts-translate-data-access"
    return subs


@dataclass
class _Context:
    """The attributes of a Lambda context object that Powertools reads."""

    function_name: str
    memory_limit_in_mb: int = 1024
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"


class LambdaRuntime:
    """Answers `lambda.Invoke` by running the handler in-process; faults can be injected per call."""

    def __init__(self) -> None:
        if (
            str(REPO) not in sys.path
        ):  # lambdas/ lives beside amts/ in the checkout, not in the installed package
            sys.path.insert(0, str(REPO))
        self.handlers: dict[str, Callable] = {}
        for module in FUNCTIONS.values():
            self.handlers[f"amts-{module.replace('_', '-')}"] = importlib.import_module(
                f"lambdas.{module}"
            ).handler
        self.invocations: list[tuple[str, dict]] = []
        # moto keeps no history for distributed Map children: this is what each branch did, in call order
        self.timeline: list[dict] = []
        self._faults: list[tuple[str, Callable[[dict], bool], Exception]] = []
        self._events = None

    def inject(self, module: str, when: Callable[[dict], bool], error: Exception) -> None:
        """Raise `error` from `module`'s handler for every event matching `when`."""
        self._faults.append((f"amts-{module.replace('_', '-')}", when, error))

    def clear_faults(self) -> None:
        self._faults.clear()

    def install(self, session) -> "LambdaRuntime":
        self._events = session.events
        self._events.register("before-call.lambda.Invoke", self._invoke, unique_id="amts-local-lambda")
        return self

    def uninstall(self) -> None:
        if self._events is not None:
            self._events.unregister("before-call.lambda.Invoke", unique_id="amts-local-lambda")
            self._events = None

    def _invoke(self, params: dict, **_: Any):
        from botocore.awsrequest import AWSResponse

        target = params["url_path"].split("/functions/", 1)[1].split("/", 1)[0]
        name = target.replace("%3A", ":").rsplit(":function:", 1)[-1].split(":")[0]
        body = params.get("body") or b"{}"
        event = json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
        self.invocations.append((name, event))
        headers: dict[str, str] = {}
        started = time.perf_counter()
        try:
            for fn, when, error in self._faults:
                if fn == name and when(event):
                    raise error
            result = self.handlers[name](event, _Context(name))
        except Exception as exc:  # what Lambda does with an unhandled exception
            headers["FunctionError"] = "Unhandled"
            result = {
                "errorType": type(exc).__name__,
                "errorMessage": str(exc),
                "stackTrace": traceback.format_exception(exc)[-3:],
            }
        self.timeline.append(
            {
                "function": name,
                "lang": event.get("lang"),
                "chapter": (event.get("chapter") or {}).get("path"),
                "outcome": result.get("errorType", "ok") if headers else "ok",
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }
        )
        request_id = str(uuid.uuid4())
        parsed = {
            "StatusCode": 200,
            "Payload": io.BytesIO(json.dumps(result).encode("utf-8")),
            "ResponseMetadata": {"RequestId": request_id, "HTTPStatusCode": 200, "HTTPHeaders": {}},
        }
        if headers:
            parsed["FunctionError"] = headers["FunctionError"]
        return AWSResponse("https://lambda.local/", 200, {"x-amzn-requestid": request_id}, None), parsed


class LocalCloud:
    """moto + in-process Lambdas + fake Translate, with the AMTS state machine created and a bucket ready."""

    def __init__(
        self,
        languages: tuple[str, ...] = ("zh", "es"),
        source_lang: str = "en",
        engine=None,
        poll_seconds: int = 0,
        inline_chapter_limit: int = 20,
        engine_setting: str = "amazon",
    ):
        self.languages = languages
        self.source_lang = source_lang
        self.engine = engine
        self.env = {
            "AMTS_SOURCE_LANG": source_lang,
            "AMTS_TARGET_LANGS": ",".join(languages),
            "AMTS_ENGINE": engine_setting,
            "AMTS_POLL_SECONDS": str(poll_seconds),
            "AMTS_INLINE_CHAPTER_LIMIT": str(inline_chapter_limit),
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
            "POWERTOOLS_SERVICE_NAME": "amts",
        }

    def __enter__(self) -> "LocalCloud":
        import boto3
        from moto import mock_aws

        from amts.fakes.translate import FakeTranslate

        self._saved_env = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        logging.getLogger("moto").setLevel(logging.CRITICAL)  # caught task failures are logged as errors
        self._mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        self._mock.start()
        boto3.setup_default_session(region_name=REGION)
        session = boto3.DEFAULT_SESSION
        self.s3 = session.client("s3")
        self.s3.create_bucket(Bucket=BUCKET)
        self.lambdas = LambdaRuntime().install(session)
        importlib.import_module(
            "lambdas.common"
        ).reset_clients()  # clients of an earlier moto world are stale
        self.translate = FakeTranslate(engine=self.engine or LanguageRouter(), s3_client=self.s3).install(
            session
        )
        self.sfn = session.client("stepfunctions")
        definition = render_definition(local_substitutions())
        self.state_machine_arn = self.sfn.create_state_machine(
            name="amts-translate-book",
            definition=definition,
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/amts-state-machine",
        )["stateMachineArn"]
        return self

    def __exit__(self, *exc) -> None:
        importlib.import_module("lambdas.common").reset_clients()
        self.translate.uninstall()
        self.lambdas.uninstall()
        self._mock.stop()
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

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
            target.write_bytes(self.get(key))
            written.append(target)
        return written

    # ------------------------------------------------------------ executions
    def upload_event(self, key: str) -> dict:
        """The EventBridge event S3 sends for an upload (what the stack's rule passes to the state machine)."""
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
        events, token = [], None
        while True:
            kwargs = {"executionArn": arn, "maxResults": 1000, **({"nextToken": token} if token else {})}
            page = self.sfn.get_execution_history(**kwargs)
            events += page["events"]
            token = page.get("nextToken")
            if not token:
                return events


class LanguageRouter(Engine):
    """The fake Translate's engine: Apertium where it serves the pair (en<->es), pseudo-translation elsewhere."""

    name = "local"

    def __init__(self) -> None:
        from amts.engines import get_engine

        self._pseudo = get_engine("pseudo")
        try:
            self._apertium = get_engine("apertium")
        except AmtsError:
            self._apertium = None

    def _pick(self, source_lang: str, target_lang: str):
        if self._apertium is not None and self._apertium.supports(source_lang, target_lang):
            return self._apertium
        return self._pseudo

    def supports(self, source_lang: str, target_lang: str) -> bool:
        return self._pick(source_lang, target_lang).supports(source_lang, target_lang)

    def describe(self, source_lang: str, target_lang: str) -> str:
        """Which local engine stands in for Amazon Translate on this pair, said plainly for the summary."""
        if self._pick(source_lang, target_lang) is self._apertium:
            return "Apertium"
        return "pseudo-localisation (no local engine for this pair)"

    def _translate(self, texts: list[str], source_lang: str, target_lang: str) -> list[str | None]:
        return self._pick(source_lang, target_lang).translate(texts, source_lang, target_lang)


def seed_book(cloud: LocalCloud, book: Path, sources: bool = True) -> dict[str, int]:
    """Upload a book laid out like sample/: en-new/ (current English), <lang>/ (human translations, may hold
    d2l-style x_origin.md files), en/ (the English the translations were made from).

    sources=False leaves the English chapters out (the upload trigger path puts them one by one)."""
    src = cloud.source_lang
    current = book / f"{src}-new" if (book / f"{src}-new").is_dir() else book / src
    counts = {"source": cloud.upload_folder(current, f"source/{src}/") if sources else 0}
    for lang in cloud.languages:
        if (book / lang).is_dir():  # d2l-style x_origin.md files beside the translations are kept as they are
            counts[lang] = cloud.upload_folder(book / lang, f"translations/{lang}/")
            if current != book / src:
                cloud.upload_folder(book / src, f"origin/{lang}/")
    return counts


def write_results(cloud: LocalCloud, result: dict, out: Path) -> dict[str, Any]:
    """output/<lang>/..., reports/... and execution.json (the execution history) under `out`."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("output", "reports"):  # the folder shows this run only
        shutil.rmtree(out / stale, ignore_errors=True)
    outputs = cloud.download("output/", out)
    reports = cloud.download("reports/", out)
    execution = {k: result.get(k) for k in ("arn", "status", "output", "error", "cause", "map_runs")}
    execution["history"] = result["history"]
    execution["lambda_invocations"] = cloud.lambdas.timeline
    execution["translate_calls"] = [
        {
            "operation": op,
            **{k: request[k] for k in ("Name", "JobName", "JobId", "TargetLanguageCodes") if k in request},
        }
        for op, request in cloud.translate.calls
    ]
    (out / "execution.json").write_text(
        json.dumps(execution, indent=1, default=str, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return {"outputs": outputs, "reports": reports, "execution": out / "execution.json"}
