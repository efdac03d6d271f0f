"""A fake Amazon Translate at the botocore level (moto has none).

`FakeTranslate().install(session)` registers a `before-call.translate` hook on a boto3 session (the
default one if none is given) or on one client (`attach`): botocore builds and validates the request
against the real API model, then the hook answers it, so no HTTP happens. Responses and errors have the
real shapes (`Error.Code`, `ResponseMetadata.RequestId`, HTTP status) and the documented behaviour. Sources:
[Q] "Guidelines and quotas" (https://docs.aws.amazon.com/translate/latest/dg/what-is-limits.html);
[API] the Amazon Translate API Reference (https://docs.aws.amazon.com/translate/latest/APIReference/).

- TranslateText over 10,000 UTF-8 bytes -> TextSizeLimitExceededException ([Q] "Maximum input text 10,000
  bytes").
- Parallel data records over 1000 bytes are skipped and counted, SkippedRecordCount ([Q] "Maximum size of a
  single segment or record in a parallel data input file 1000 bytes").
- One parallel-data create or update at a time ([Q] "Maximum number of concurrent create or update operations
  for a parallel data resource 1"), modelled per account as AMTS must assume: CreateParallelData or
  UpdateParallelData while another resource imports -> LimitExceededException ([API] "The specified limit has
  been exceeded"). A create racing another create of the same name -> ConflictException ([API] "There was a
  conflict processing the request"); UpdateParallelData while that resource's own create/update runs ->
  ConcurrentModificationException ([API] "Another modification is being made. That modification must
  complete before you can make your change.").
- An import that fails leaves a new resource FAILED, and an existing one ACTIVE with its previous data and
  LatestUpdateAttemptStatus FAILED ([API] ParallelDataProperties.LatestUpdateAttemptStatus: "The status of the
  most recent update attempt for the parallel data resource"); DeleteParallelData answers DELETING
  ([API] DeleteParallelData response Status) and the name is free once deleted.
- Batch jobs: at most 10 run at once ([Q] "Maximum number of concurrent batch translation jobs 10"); later
  jobs wait as SUBMITTED in a queue of up to 1,000 ([Q] "Maximum number of queued batch translation jobs
  1000"); beyond that StartTextTranslationJob -> LimitExceededException.
- ParallelDataNames "accepts only one parallel data resource" ([API] StartTextTranslationJob) -> more is
  InvalidParameterValueException; parallel data exists only on batch jobs ([API] TranslateText has no
  ParallelDataNames: botocore refuses it before the fake).
- ClientToken: "A unique identifier for the request" ([API]); a repeated token is answered with the job it
  first started (the usual AWS idempotency), whatever that job's status now is.
- A job whose documents partly fail ends COMPLETED_WITH_ERROR ([API] JobStatus) with
  DocumentsWithErrorsCount, and the failed documents are listed with their error in
  `details/<lang>.auxiliary-translation-details.json` beside the output.
- Parallel data and jobs advance one state per Get/Describe call (CREATING/UPDATING -> ACTIVE;
  SUBMITTED -> IN_PROGRESS -> COMPLETED | COMPLETED_WITH_ERROR | FAILED).
- `throttle(operation, times)` injects TooManyRequestsException (or any code) on the next calls;
  `fail_parallel_data` makes the next imports fail as a malformed file does.

Batch jobs read the input documents and parallel data from S3 and write `<lang>.<file>` outputs and
`details/<lang>.auxiliary-translation-details.json` through a boto3 S3 client (moto's mock_aws works).
Text is translated with a local engine (pseudo, apertium or memory) so outputs are real text; with
parallel data the job translates through a memory of it first (the local analogue of ACT).
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import html
import io
import json
import re
import uuid
from dataclasses import dataclass, field

from amts.engines import limits
from amts.engines.base import Engine, TOKEN_RE

ACCOUNT = "123456789012"
_P_RE = re.compile(r'(<p id="[^"]+">)(.*?)(</p>)', re.DOTALL)
_NO_TRANSLATE_RE = re.compile(r'<span translate="no">(.*?)</span>', re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")
_STATUS = {
    "AccessDeniedException": 400,
    "ConcurrentModificationException": 409,
    "ConflictException": 409,
    "InternalServerException": 500,
    "InvalidParameterValueException": 400,
    "InvalidRequestException": 400,
    "LimitExceededException": 400,
    "ResourceNotFoundException": 404,
    "ServiceUnavailableException": 503,
    "TextSizeLimitExceededException": 400,
    "TooManyRequestsException": 429,
    "ThrottlingException": 400,
    "UnsupportedLanguagePairException": 400,
}


def _failed(source_file: str, message: str) -> dict:
    """A document the job could not translate, as the details file lists it."""
    return {
        "sourceFile": source_file,
        "auxiliaryData": {"error": {"errorCode": "InvalidRequestException", "errorMessage": message}},
    }


class TranslateError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class _ParallelData:
    name: str
    config: dict
    status: str = "CREATING"
    polls_left: int = 1
    pairs: list = field(default_factory=list)
    source_lang: str = ""
    target_langs: list = field(default_factory=list)
    imported: int = 0
    skipped: int = 0
    failed: int = 0
    size: int = 0
    message: str = ""
    update_status: str | None = None
    pending: dict | None = None
    created: dt.datetime = field(default_factory=_now)
    updated: dt.datetime = field(default_factory=_now)


@dataclass
class _Job:
    job_id: str
    request: dict
    status: str = "SUBMITTED"
    polls_left: int = 1
    message: str = ""
    details: dict = field(default_factory=dict)
    submitted: dt.datetime = field(default_factory=_now)
    ended: dt.datetime | None = None


class FakeTranslate:
    def __init__(
        self,
        engine: Engine | str = "pseudo",
        s3_client=None,
        polls_per_state: int = 1,
        fail_jobs: bool = False,
        region: str = "us-east-1",
        authorize=None,
    ):
        if isinstance(engine, str):
            from amts.engines import get_engine

            engine = get_engine(engine)
        self.engine = engine
        self._s3 = s3_client
        self.polls_per_state = polls_per_state
        self.fail_jobs = fail_jobs
        self.region = region
        # authorize(operation, request, request_signer) -> None, or the AccessDenied message (the offline run
        # checks the caller's role against the template's policies)
        self.authorize = authorize
        self.parallel_data: dict[str, _ParallelData] = {}
        self.terminologies: dict[str, dict] = {}
        self.jobs: dict[str, _Job] = {}
        self.tokens: dict[str, str] = {}  # ClientToken of StartTextTranslationJob -> JobId
        self.fail_parallel_data = False
        self.calls: list[tuple[str, dict]] = []
        self._injected: dict[str, list[str]] = {}
        self._registered: list = []

    # ------------------------------------------------------------ wiring
    def install(self, session=None) -> "FakeTranslate":
        """Answer every Translate call of clients created afterwards from this boto3 (or botocore) session."""
        if session is None:
            import boto3

            session = boto3._get_default_session()
        events = (
            session.events if hasattr(session, "events") else session._session.get_component("event_emitter")
        )
        self._session = session
        events.register("before-call.translate", self._handle, unique_id=f"amts-fake-translate-{id(self)}")
        self._registered.append(events)
        return self

    def attach(self, client) -> "FakeTranslate":
        """Answer the Translate calls of one existing client."""
        client.meta.events.register(
            "before-call.translate", self._handle, unique_id=f"amts-fake-translate-{id(self)}"
        )
        self._registered.append(client.meta.events)
        return self

    def uninstall(self) -> None:
        for events in self._registered:
            events.unregister("before-call.translate", unique_id=f"amts-fake-translate-{id(self)}")
        self._registered.clear()

    def __enter__(self):
        return self if self._registered else self.install()

    def __exit__(self, *exc):
        self.uninstall()

    def throttle(self, operation: str, times: int = 1, code: str = "TooManyRequestsException") -> None:
        """Make the next `times` calls of an operation (e.g. "TranslateText") fail with `code`."""
        self._injected.setdefault(operation, []).extend([code] * times)

    @property
    def s3(self):
        if self._s3 is None:
            import boto3

            session = getattr(self, "_session", None)
            maker = session if session is not None and hasattr(session, "client") else boto3
            self._s3 = maker.client("s3", region_name=self.region)
        return self._s3

    def _handle(self, model, params, request_signer=None, **_kwargs):
        from botocore.awsrequest import AWSResponse

        operation = model.name
        body = params.get("body") or b"{}"
        request = json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
        self.calls.append((operation, request))
        request_id = str(uuid.uuid4())
        try:
            if self._injected.get(operation):
                code = self._injected[operation].pop(0)
                raise TranslateError(code, "Rate exceeded" if "Many" in code or "Throttl" in code else code)
            refused = self.authorize(operation, request, request_signer) if self.authorize else None
            if refused:
                raise TranslateError("AccessDeniedException", refused)
            handler = getattr(self, f"_op_{operation}", None)
            if handler is None:
                raise TranslateError("InvalidRequestException", f"the fake does not implement {operation}")
            parsed = handler(request)
            status = 200
        except TranslateError as exc:
            status = _STATUS.get(exc.code, 400)
            parsed = {"Error": {"Code": exc.code, "Message": exc.message}, "message": exc.message}
        parsed["ResponseMetadata"] = {
            "RequestId": request_id,
            "HTTPStatusCode": status,
            "HTTPHeaders": {"x-amzn-requestid": request_id},
            "RetryAttempts": 0,
        }
        return AWSResponse(
            f"https://translate.{self.region}.amazonaws.com/", status, {"x-amzn-requestid": request_id}, None
        ), parsed

    # ------------------------------------------------------------ translation
    def _arn(self, kind: str, name: str) -> str:
        return f"arn:aws:translate:{self.region}:{ACCOUNT}:{kind}/{name}"

    def _engine_for(self, parallel_names: list[str], terminology_names: list[str]) -> Engine:
        engine = self.engine
        pairs = [p for name in parallel_names for p in self.parallel_data[name].pairs]
        terms = {}
        for name in terminology_names:
            terms.update(self.terminologies[name]["terms"])
        if pairs or terms:
            from amts.engines.chain import ChainEngine
            from amts.engines.memory import MemoryEngine

            memory = MemoryEngine(pairs=pairs) if pairs else None
            engine = ChainEngine(memory, engine, terms=terms)
        return engine

    def _translate_lines(self, texts: list[str], source: str, target: str, engine: Engine) -> list[str]:
        if not engine.supports(source, target):
            raise TranslateError(
                "UnsupportedLanguagePairException", f"Unsupported language pair: {source} to {target}"
            )
        outputs = engine.translate(texts, source, target)
        return [out if out is not None else text for text, out in zip(texts, outputs, strict=False)]

    def _op_TranslateText(self, request: dict) -> dict:
        text = request["Text"]
        if limits.utf8_size(text) > limits.MAX_TRANSLATE_TEXT_BYTES:
            raise TranslateError(
                "TextSizeLimitExceededException",
                f"Input text size exceeds limit. Max length of request text allowed is "
                f"{limits.MAX_TRANSLATE_TEXT_BYTES} bytes while in this request the text size is "
                f"{limits.utf8_size(text)} bytes",
            )
        source, target = request["SourceLanguageCode"], request["TargetLanguageCode"]
        names = request.get("TerminologyNames", [])
        for name in names:
            if name not in self.terminologies:
                raise TranslateError("ResourceNotFoundException", f"Terminology {name} not found")
        engine = self._engine_for([], names)
        if _P_RE.search(text):  # HTML input: do-not-translate spans are kept, as the service does
            translated_text, _ = self._translate_html(text, source, target, engine)
        else:
            translated_text = "\n".join(self._translate_lines(text.split("\n"), source, target, engine))
        response = {
            "TranslatedText": translated_text,
            "SourceLanguageCode": source,
            "TargetLanguageCode": target,
        }
        if names:
            response["AppliedTerminologies"] = [
                {
                    "Name": n,
                    "Terms": [
                        {"SourceText": s, "TargetText": t}
                        for s, t in self.terminologies[n]["terms"].items()
                        if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", text, re.IGNORECASE)
                    ],
                }
                for n in names
            ]
        return response

    # ------------------------------------------------------------ terminology
    def _op_ImportTerminology(self, request: dict) -> dict:
        data = request["TerminologyData"]
        raw = base64.b64decode(data["File"])
        if len(raw) > limits.MAX_TERMINOLOGY_FILE_BYTES:
            raise TranslateError("LimitExceededException", "Terminology file too large")
        rows = list(
            csv.reader(
                io.StringIO(raw.decode("utf-8-sig")), delimiter="\t" if data["Format"] == "TSV" else ","
            )
        )
        header, rows = rows[0], [r for r in rows[1:] if len(r) >= 2]
        terms = {
            r[0]: r[1]
            for r in rows
            if max(limits.utf8_size(r[0]), limits.utf8_size(r[1])) <= limits.MAX_TERM_BYTES
        }
        name = request["Name"]
        props = {
            "Name": name,
            "Arn": self._arn("terminology", name),
            "SourceLanguageCode": header[0],
            "TargetLanguageCodes": header[1:],
            "TermCount": len(terms),
            "SizeBytes": len(raw),
            "Format": data["Format"],
            "Directionality": data.get("Directionality", "UNI"),
            "CreatedAt": _now(),
            "LastUpdatedAt": _now(),
            "SkippedTermCount": len(rows) - len(terms),
        }
        self.terminologies[name] = {"terms": terms, "props": props}
        return {"TerminologyProperties": props}

    # ------------------------------------------------------------ parallel data
    def _read_parallel(self, config: dict) -> dict:
        if self.fail_parallel_data:
            return {"error": "The parallel data file is not valid CSV: record 1 has 3 fields"}
        bucket, _, key = config["S3Uri"][5:].partition("/")
        try:
            raw = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except Exception as exc:
            return {"error": f"Cannot read {config['S3Uri']}: {exc}"}
        fmt = config["Format"]
        if fmt == "TMX":
            from amts.engines.memory import _read_tmx
            import tempfile
            import pathlib

            with tempfile.NamedTemporaryFile(suffix=".tmx") as handle:
                handle.write(raw)
                handle.flush()
                rows = [["", ""]] + [list(p) for p in _read_tmx(pathlib.Path(handle.name), None, None)]
        else:
            rows = list(
                csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter="\t" if fmt == "TSV" else ",")
            )
        if not rows:
            return {"error": "The parallel data file is empty"}
        header, pairs, skipped, failed = rows[0], [], 0, 0
        for row in rows[1:]:
            if len(row) < 2 or not row[0].strip() or not row[1].strip():
                failed += 1
            elif (
                max(limits.utf8_size(row[0]), limits.utf8_size(row[1]))
                > limits.MAX_PARALLEL_DATA_SEGMENT_BYTES
            ):
                skipped += 1
            else:
                pairs.append((row[0], row[1]))
        result = {
            "pairs": pairs,
            "skipped": skipped,
            "failed": failed,
            "size": sum(len(s) + len(t) for s, t in pairs),
            "source": header[0],
            "targets": header[1:],
        }
        if not pairs:
            result["error"] = "The parallel data file contains no valid records"
        return result

    def _importing(self, other_than: str | None = None) -> str | None:
        """The name of a resource whose create or update is running (one at a time per account)."""
        for data in self.parallel_data.values():
            if data.name != other_than and data.pending is not None:
                return data.name
        return None

    def _op_CreateParallelData(self, request: dict) -> dict:
        name = request["Name"]
        if name in self.parallel_data:
            raise TranslateError("ConflictException", f"Parallel data {name} already exists")
        busy = self._importing()
        if busy:
            raise TranslateError(
                "LimitExceededException",
                f"Only one parallel data create or update can run at a time; {busy} is being imported",
            )
        self.parallel_data[name] = _ParallelData(
            name=name,
            config=request["ParallelDataConfig"],
            polls_left=self.polls_per_state,
            pending=self._read_parallel(request["ParallelDataConfig"]),
        )
        return {"Name": name, "Status": "CREATING"}

    def _op_UpdateParallelData(self, request: dict) -> dict:
        data = self._get_parallel(request["Name"])
        if data.status == "CREATING" or data.update_status == "UPDATING":
            raise TranslateError(
                "ConcurrentModificationException",
                f"Parallel data {data.name} is being created or updated; try again when it is ACTIVE",
            )
        busy = self._importing(other_than=data.name)
        if busy:
            raise TranslateError(
                "LimitExceededException",
                f"Only one parallel data create or update can run at a time; {busy} is being imported",
            )
        data.update_status, data.polls_left = "UPDATING", self.polls_per_state
        data.config = request["ParallelDataConfig"]
        data.pending = self._read_parallel(request["ParallelDataConfig"])
        return {
            "Name": data.name,
            "Status": data.status,
            "LatestUpdateAttemptStatus": "UPDATING",
            "LatestUpdateAttemptAt": _now(),
        }

    def _op_DeleteParallelData(self, request: dict) -> dict:
        data = self._get_parallel(request["Name"])
        if data.pending is not None:
            raise TranslateError(
                "ConcurrentModificationException", f"Parallel data {data.name} is being imported"
            )
        data.status = "DELETING"
        return {"Name": data.name, "Status": "DELETING"}

    def _get_parallel(self, name: str) -> _ParallelData:
        if name not in self.parallel_data:
            raise TranslateError("ResourceNotFoundException", f"Parallel data {name} does not exist")
        return self.parallel_data[name]

    def _advance_parallel(self, data: _ParallelData) -> None:
        if data.pending is None:
            return
        if data.polls_left > 0:
            data.polls_left -= 1
            return
        pending, data.pending = data.pending, None
        ok = "error" not in pending
        if ok:
            data.pairs, data.source_lang, data.target_langs = (
                pending["pairs"],
                pending["source"],
                pending["targets"],
            )
            data.imported, data.size = len(pending["pairs"]), pending["size"]
        data.skipped, data.failed = pending.get("skipped", 0), pending.get("failed", 0)
        data.message = pending.get("error", "")
        data.updated = _now()
        if data.status == "CREATING":
            data.status = "ACTIVE" if ok else "FAILED"
        else:
            data.update_status = "ACTIVE" if ok else "FAILED"

    def _op_GetParallelData(self, request: dict) -> dict:
        data = self._get_parallel(request["Name"])
        if data.status == "DELETING":  # deleted by the time anyone looks again
            del self.parallel_data[data.name]
            return {
                "ParallelDataProperties": {"Name": data.name, "Status": "DELETING"},
                "DataLocation": {"RepositoryType": "S3", "Location": data.config["S3Uri"]},
            }
        self._advance_parallel(data)
        props = {
            "Name": data.name,
            "Arn": self._arn("parallel-data", data.name),
            "Status": data.status,
            "SourceLanguageCode": data.source_lang,
            "TargetLanguageCodes": data.target_langs,
            "ParallelDataConfig": data.config,
            "Message": data.message,
            "ImportedDataSize": data.size,
            "ImportedRecordCount": data.imported,
            "FailedRecordCount": data.failed,
            "SkippedRecordCount": data.skipped,
            "CreatedAt": data.created,
            "LastUpdatedAt": data.updated,
        }
        if data.update_status:
            props["LatestUpdateAttemptStatus"] = data.update_status
            props["LatestUpdateAttemptAt"] = data.updated
        return {
            "ParallelDataProperties": props,
            "DataLocation": {"RepositoryType": "S3", "Location": data.config["S3Uri"]},
        }

    # ------------------------------------------------------------ batch jobs
    def _op_StartTextTranslationJob(self, request: dict) -> dict:
        token = request.get("ClientToken")
        if token and token in self.tokens:  # the same request again: the job it started, as it is now
            job = self.jobs[self.tokens[token]]
            return {"JobId": job.job_id, "JobStatus": job.status}
        queued = sum(job.status == "SUBMITTED" for job in self.jobs.values())
        if queued >= limits.MAX_QUEUED_BATCH_JOBS:
            raise TranslateError(
                "LimitExceededException",
                f"You have reached the maximum of {limits.MAX_QUEUED_BATCH_JOBS} queued jobs",
            )
        if len(request.get("ParallelDataNames", [])) > limits.MAX_PARALLEL_DATA_PER_REQUEST:
            raise TranslateError(
                "InvalidParameterValueException", "ParallelDataNames accepts only one parallel data resource"
            )
        if len(request.get("TerminologyNames", [])) > limits.MAX_TERMINOLOGIES_PER_REQUEST:
            raise TranslateError(
                "InvalidParameterValueException", "Only one terminology can be applied per job"
            )
        for name in request.get("ParallelDataNames", []):
            if self._get_parallel(name).status != "ACTIVE":
                raise TranslateError("InvalidRequestException", f"Parallel data {name} is not ACTIVE")
        for name in request.get("TerminologyNames", []):
            if name not in self.terminologies:
                raise TranslateError("ResourceNotFoundException", f"Terminology {name} not found")
        if request["InputDataConfig"]["ContentType"] not in ("text/html", "text/plain"):
            raise TranslateError(
                "InvalidRequestException", "the fake supports text/html and text/plain input"
            )
        job = _Job(job_id=uuid.uuid4().hex, request=request, polls_left=self.polls_per_state)
        self.jobs[job.job_id] = job
        if token:
            self.tokens[token] = job.job_id
        return {"JobId": job.job_id, "JobStatus": job.status}

    def _output_prefix(self, job: _Job) -> str:
        return (
            job.request["OutputDataConfig"]["S3Uri"].rstrip("/") + f"/{ACCOUNT}-TranslateText-{job.job_id}/"
        )

    def _advance_job(self, job: _Job) -> None:
        if job.status not in ("SUBMITTED", "IN_PROGRESS"):
            return
        if job.polls_left > 0:
            job.polls_left -= 1
            return
        job.polls_left = self.polls_per_state
        if job.status == "SUBMITTED":
            running = sum(j.status == "IN_PROGRESS" for j in self.jobs.values())
            if running < limits.MAX_CONCURRENT_BATCH_JOBS:  # else it stays queued until a slot frees
                job.status = "IN_PROGRESS"
            return
        job.ended = _now()
        if self.fail_jobs:
            job.status, job.message = (
                "FAILED",
                "Translation job failed: injected failure (FakeTranslate.fail_jobs)",
            )
            return
        try:
            job.details = self._run_job(job)
        except TranslateError as exc:
            job.status, job.message = "FAILED", exc.message
            return
        except Exception as exc:  # S3 refused the data-access role: the job fails and says why
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code not in ("AccessDenied", "403", "Forbidden"):
                raise
            job.status = "FAILED"
            job.message = f"Amazon Translate could not access your S3 data with the data access role: {exc}"
            return
        job.status = "COMPLETED_WITH_ERROR" if job.details["DocumentsWithErrorsCount"] else "COMPLETED"

    def _run_job(self, job: _Job) -> dict:
        request = job.request
        source, target = request["SourceLanguageCode"], request["TargetLanguageCodes"][0]
        engine = self._engine_for(request.get("ParallelDataNames", []), request.get("TerminologyNames", []))
        in_bucket, _, in_prefix = request["InputDataConfig"]["S3Uri"][5:].partition("/")
        out_bucket, _, out_prefix = self._output_prefix(job)[5:].partition("/")
        keys = [
            obj["Key"]
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=in_bucket, Prefix=in_prefix)
            for obj in page.get("Contents", [])
            if not obj["Key"].endswith("/")
        ]
        if not keys:
            raise TranslateError(
                "InvalidRequestException", f"No input documents under {request['InputDataConfig']['S3Uri']}"
            )
        if len(keys) > limits.MAX_BATCH_DOCUMENTS:
            raise TranslateError("LimitExceededException", "Too many documents in the batch")
        characters, errors, details = 0, 0, []
        for key in keys:
            raw = self.s3.get_object(Bucket=in_bucket, Key=key)["Body"].read()
            relative = key[len(in_prefix) :].lstrip("/")
            if len(raw) > limits.MAX_BATCH_DOCUMENT_BYTES:
                errors += 1
                details.append(_failed(relative, "Document size exceeds the limit for one document"))
                continue
            text = raw.decode("utf-8")
            if request["InputDataConfig"]["ContentType"] == "text/html":
                translated, count = self._translate_html(text, source, target, engine)
            else:
                lines = text.split("\n")
                translated, count = "\n".join(self._translate_lines(lines, source, target, engine)), len(text)
            if count > limits.MAX_BATCH_TRANSLATABLE_BYTES:
                errors += 1
                details.append(_failed(relative, "Translatable text exceeds the limit for one document"))
                continue
            folder, _, name = relative.rpartition("/")
            out_key = out_prefix + (folder + "/" if folder else "") + f"{target}.{name}"
            self.s3.put_object(Bucket=out_bucket, Key=out_key, Body=translated.encode("utf-8"))
            characters += count
            details.append({"sourceFile": relative, "targetFile": f"{target}.{name}"})
        summary = {
            "sourceLanguageCode": source,
            "targetLanguageCode": target,
            "charactersTranslated": str(characters),
            "documentCountWithCustomerError": str(errors),
            "documentCountWithServerError": "0",
            "inputDataPrefix": request["InputDataConfig"]["S3Uri"],
            "outputDataPrefix": self._output_prefix(job),
            "details": details,
        }
        self.s3.put_object(
            Bucket=out_bucket,
            Key=out_prefix + f"details/{target}.auxiliary-translation-details.json",
            Body=json.dumps(summary).encode("utf-8"),
        )
        return {
            "TranslatedDocumentsCount": len(details) - errors,
            "DocumentsWithErrorsCount": errors,
            "InputDocumentsCount": len(keys),
            "CharactersTranslated": characters,
        }

    def _translate_html(self, document: str, source: str, target: str, engine: Engine) -> tuple[str, int]:
        """Translate each <p>: text inside <span translate="no"> is carried through as tokens, untouched."""
        paragraphs = _P_RE.findall(document)
        masked, kept = [], []
        for _, inner, _ in paragraphs:
            spans: list[str] = []

            def keep(match: re.Match, spans: list[str] = spans) -> str:
                spans.append(match.group(1))
                return f"⟦{len(spans)}⟧"

            # Tokens already in the text are renumbered by their span order, so restore by position.
            text = _NO_TRANSLATE_RE.sub(keep, inner)
            masked.append(" ".join(html.unescape(_TAG_RE.sub("", text)).split()))
            kept.append(spans)
        outputs = self._translate_lines(masked, source, target, engine) if masked else []
        characters = sum(len(TOKEN_RE.sub("", m)) for m in masked)
        pieces, last = [], 0
        for match, out, spans in zip(_P_RE.finditer(document), outputs, kept, strict=False):

            def restore(m: re.Match, spans: list[str] = spans) -> str:
                n = int(m.group(0)[1:-1])
                return f'<span translate="no">{spans[n - 1]}</span>' if n <= len(spans) else m.group(0)

            body = TOKEN_RE.sub(restore, html.escape(out, quote=False))
            pieces.append(document[last : match.start()] + match.group(1) + body + match.group(3))
            last = match.end()
        pieces.append(document[last:])
        return "".join(pieces), characters

    def _op_DescribeTextTranslationJob(self, request: dict) -> dict:
        job = self.jobs.get(request["JobId"])
        if job is None:
            raise TranslateError("ResourceNotFoundException", f"Job {request['JobId']} not found")
        self._advance_job(job)
        r = job.request
        props = {
            "JobId": job.job_id,
            "JobName": r.get("JobName", ""),
            "JobStatus": job.status,
            "JobDetails": {k: v for k, v in job.details.items() if k != "CharactersTranslated"},
            "SourceLanguageCode": r["SourceLanguageCode"],
            "TargetLanguageCodes": r["TargetLanguageCodes"],
            "TerminologyNames": r.get("TerminologyNames", []),
            "ParallelDataNames": r.get("ParallelDataNames", []),
            "SubmittedTime": job.submitted,
            "InputDataConfig": r["InputDataConfig"],
            "OutputDataConfig": {"S3Uri": self._output_prefix(job)},
            "DataAccessRoleArn": r["DataAccessRoleArn"],
        }
        if job.message:
            props["Message"] = job.message
        if job.ended:
            props["EndTime"] = job.ended
        return {"TextTranslationJobProperties": props}
