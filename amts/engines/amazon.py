"""Amazon Translate through boto3: real-time TranslateText, and batch jobs with parallel data (ACT).

The batch path is split into steps (`upload_parallel_data`, `ensure_parallel_data`, `prepare_input`,
`start_job`, `describe_job`, `read_output`) so a Step Functions Lambda can run one step at a time with
JSON-serialisable state; `AmazonEngine.translate_batch` chains them for the CLI.
"""

from __future__ import annotations

import csv
import html
import io
import random
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from amts import xmlchars
from amts.engines import limits
from amts.engines.base import TOKEN_RE, Capabilities, Engine, Result, restore_tokens
from amts.errors import EngineError

CREDENTIALS_HELP = (
    "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) "
    "and AWS_REGION, or choose an offline engine (--engine apertium|memory|pseudo)"
)
# Tolerant of what a service may do to markup: attribute order, quoting, extra attributes, case.
_P_RE = re.compile(r"""<p\b[^>]*?\bid=["']([^"']+)["'][^>]*>(.*?)</p\s*>""", re.DOTALL | re.IGNORECASE)
_NO_TRANSLATE_RE = re.compile(
    r"""<span\b[^>]*?\btranslate=["']no["'][^>]*>(.*?)</span\s*>""", re.DOTALL | re.IGNORECASE
)
_TAG_RE = re.compile(r"<[^>]+>")


def _error_code(exc: Exception) -> str:
    return getattr(exc, "response", {}).get("Error", {}).get("Code", "") if hasattr(exc, "response") else ""


def call_with_backoff(
    fn: Callable,
    *,
    sleep: Callable[[float], None] = time.sleep,
    attempts: int = 8,
    base: float = 0.5,
    retry_on: Iterable[str] = limits.RETRYABLE_ERRORS,
    **kwargs,
):
    """Call a boto3 operation, retrying throttling/transient errors with exponential backoff and jitter."""
    retry_on = set(retry_on)
    for attempt in range(attempts):
        try:
            return fn(**kwargs)
        except Exception as exc:  # botocore ClientError subclasses
            if _error_code(exc) not in retry_on or attempt == attempts - 1:
                raise
            sleep(min(20.0, base * 2**attempt) * (0.5 + random.random() / 2))
    raise AssertionError("unreachable")


class RatePacer:
    """Keeps calls of one operation under its documented transactions per second."""

    def __init__(
        self,
        tps: float,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.interval, self.sleep, self.clock = 1.0 / tps, sleep, clock
        self.last: float | None = None

    def wait(self) -> None:
        now = self.clock()
        if self.last is not None and now - self.last < self.interval:
            self.sleep(self.interval - (now - self.last))
            now = self.clock()
        self.last = now


# One pacer per rate-limited operation, shared by the process: the quotas are per account and region.
_PACERS: dict[str, RatePacer] = {}


def pace(operation: str, sleep: Callable[[float], None] = time.sleep) -> None:
    """Wait so that calls of `operation` stay under its documented transactions per second."""
    tps = {
        "StartTextTranslationJob": limits.TPS_START_JOB,
        "DescribeTextTranslationJob": limits.TPS_DESCRIBE_JOB,
        "CreateParallelData": limits.TPS_PARALLEL_DATA_WRITE,
        "UpdateParallelData": limits.TPS_PARALLEL_DATA_WRITE,
        "ImportTerminology": limits.TPS_IMPORT_TERMINOLOGY,
    }.get(operation)
    if tps is None:
        return
    pacer = _PACERS.setdefault(operation, RatePacer(tps))
    pacer.sleep = sleep
    pacer.wait()


# ---------------------------------------------------------------- HTML carrier for batch jobs
def to_html_document(items: list[tuple[str, str]]) -> str:
    """Segments as `<p id=...>`; placeholder tokens wrapped in `<span translate="no">` so Translate keeps them."""
    body = []
    for seg_id, text in items:
        escaped = html.escape(" ".join(text.split()), quote=False)
        escaped = TOKEN_RE.sub(lambda m: f'<span translate="no">{m.group(0)}</span>', escaped)
        escaped = xmlchars.ILLEGAL_RE.sub(
            lambda m: f'<span translate="no">{xmlchars.picture(m.group(0))}</span>', escaped
        )
        body.append(f'<p id="{html.escape(seg_id)}">{escaped}</p>')
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n'
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _fragment(seg_id: str, text: str) -> str:
    """One segment as the `<p>` element that `to_html_document` writes."""
    body = to_html_document([(seg_id, text)])
    return body[body.index("<p ") : body.index("</p>") + 4]


def from_html_document(document: str) -> dict[str, str]:
    """{segment id: masked translation} from a translated HTML document."""
    found = {}
    for seg_id, inner in _P_RE.findall(document):
        inner = _NO_TRANSLATE_RE.sub(lambda m: xmlchars.from_picture(m.group(1)), inner)
        found[html.unescape(seg_id)] = " ".join(html.unescape(_TAG_RE.sub("", inner)).split())
    return found


# ---------------------------------------------------------------- S3 helpers
def split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise EngineError(f"not an S3 URI: {uri!r} (expected s3://bucket/prefix)")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def parallel_data_csv(
    pairs: Iterable[tuple[str, str]], source_lang: str, target_lang: str
) -> tuple[bytes, int]:
    """CSV parallel data (header = language codes) and how many pairs were dropped for the 1000-byte limit."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([source_lang, target_lang])
    dropped = 0
    for source, target in pairs:
        source, target = " ".join(source.split()), " ".join(target.split())
        if not source or not target:
            continue
        if max(limits.utf8_size(source), limits.utf8_size(target)) > limits.MAX_PARALLEL_DATA_SEGMENT_BYTES:
            dropped += 1
            continue
        # Cells starting like a spreadsheet formula are rejected by the service: a leading space is harmless.
        writer.writerow([" " + c if c[:1] in "+-=@" else c for c in (source, target)])
    return out.getvalue().encode("utf-8"), dropped


def upload_parallel_data(s3, s3_uri: str, pairs, source_lang: str, target_lang: str) -> dict:
    bucket, key = split_s3_uri(s3_uri)
    body, dropped = parallel_data_csv(pairs, source_lang, target_lang)
    s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="text/csv")
    return {"s3_uri": s3_uri, "bytes": len(body), "dropped_oversize": dropped}


def ensure_parallel_data(
    translate,
    name: str,
    s3_uri: str,
    *,
    sleep=time.sleep,
    poll_seconds: float = 10.0,
    timeout: float = 3600.0,
    description: str = "AMTS parallel data",
) -> dict:
    """Create the parallel data resource, or update it (waiting out a running update), then wait for ACTIVE."""
    config = {"S3Uri": s3_uri, "Format": "CSV"}
    try:
        translate.get_parallel_data(Name=name)
        exists = True
    except Exception as exc:
        if _error_code(exc) != "ResourceNotFoundException":
            raise
        exists = False
    pace("CreateParallelData" if not exists else "UpdateParallelData", sleep)
    if not exists:
        call_with_backoff(
            translate.create_parallel_data,
            sleep=sleep,
            Name=name,
            Description=description,
            ParallelDataConfig=config,
            ClientToken=str(uuid.uuid4()),
        )
    else:
        # Only one create/update at a time: on ConcurrentModificationException wait for the running one to
        # finish (polling its state), then try again.
        for _attempt in range(int(timeout // poll_seconds) + 1):
            try:
                call_with_backoff(
                    translate.update_parallel_data,
                    sleep=sleep,
                    Name=name,
                    Description=description,
                    ParallelDataConfig=config,
                    ClientToken=str(uuid.uuid4()),
                )
                break
            except Exception as exc:
                if _error_code(exc) != "ConcurrentModificationException":
                    raise
                _wait_until_settled(translate, name, sleep=sleep, poll_seconds=poll_seconds, timeout=timeout)
        else:
            raise EngineError(f"parallel data {name!r}: another update kept running for {timeout:.0f}s")
    return wait_parallel_data(translate, name, sleep=sleep, poll_seconds=poll_seconds, timeout=timeout)


def parallel_data_state(translate, name: str) -> dict:
    """One poll: {"status": ACTIVE|CREATING|UPDATING|FAILED, ...} with the latest update attempt folded in."""
    props = translate.get_parallel_data(Name=name)["ParallelDataProperties"]
    status = props.get("Status")
    update = props.get("LatestUpdateAttemptStatus")
    if update in ("UPDATING", "FAILED") and status == "ACTIVE":
        status = update
    return {
        "name": name,
        "status": status,
        "message": props.get("Message", ""),
        "imported_records": props.get("ImportedRecordCount", 0),
        "skipped_records": props.get("SkippedRecordCount", 0),
        "failed_records": props.get("FailedRecordCount", 0),
    }


def _wait_until_settled(translate, name: str, *, sleep, poll_seconds: float, timeout: float) -> None:
    """Wait while a create/update is running; a failed earlier update does not block a new one."""
    waited = 0.0
    while (
        call_with_backoff(parallel_data_state, sleep=sleep, translate=translate, name=name)["status"]
        in ("CREATING", "UPDATING")
        and waited < timeout
    ):
        sleep(poll_seconds)
        waited += poll_seconds


def wait_parallel_data(
    translate, name: str, *, sleep=time.sleep, poll_seconds: float = 10.0, timeout: float = 3600.0
) -> dict:
    waited = 0.0
    while True:
        state = call_with_backoff(parallel_data_state, sleep=sleep, translate=translate, name=name)
        if state["status"] == "ACTIVE":
            return state
        if state["status"] == "FAILED":
            raise EngineError(f"parallel data {name!r} failed: {state['message'] or 'no message'}")
        if waited >= timeout:
            raise EngineError(f"parallel data {name!r} still {state['status']} after {timeout:.0f}s")
        sleep(poll_seconds)
        waited += poll_seconds


def prepare_input(
    s3,
    input_uri: str,
    texts: list[str],
    ids: list[str] | None = None,
    max_document_bytes: int = limits.MAX_BATCH_TRANSLATABLE_BYTES // 2,
) -> dict:
    """Write segments as HTML documents under input_uri; returns a JSON-serialisable manifest.

    Documents stay well below the 1 MB translatable-text limit (markup and escaping add bytes).
    """
    bucket, prefix = split_s3_uri(input_uri.rstrip("/") + "/")
    ids = ids or [f"s{i}" for i in range(len(texts))]
    if len(set(ids)) != len(ids):
        raise EngineError("segment ids given to the batch job must be unique")
    documents: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    size = 0
    for seg_id, text in zip(ids, texts, strict=False):
        if not text.strip():
            continue
        item_size = limits.utf8_size(text) + 64
        if current and size + item_size > max_document_bytes:
            documents.append(current)
            current, size = [], 0
        current.append((seg_id, text))
        size += item_size
    if current:
        documents.append(current)
    if len(documents) > limits.MAX_BATCH_DOCUMENTS:
        raise EngineError(
            f"{len(documents)} documents exceed the {limits.MAX_BATCH_DOCUMENTS} a batch job allows"
        )
    listed: list[dict[str, Any]] = []
    manifest: dict[str, Any] = {"input_uri": f"s3://{bucket}/{prefix}", "documents": listed}
    for number, items in enumerate(documents):
        name = f"segments-{number:05d}.html"
        s3.put_object(
            Bucket=bucket,
            Key=prefix + name,
            Body=to_html_document(items).encode("utf-8"),
            ContentType="text/html",
        )
        listed.append({"name": name, "ids": [i for i, _ in items]})
    return manifest


def start_job(
    translate,
    *,
    input_uri: str,
    output_uri: str,
    role_arn: str,
    source_lang: str,
    target_lang: str,
    parallel_data_name: str | None = None,
    terminology_name: str | None = None,
    job_name: str | None = None,
    sleep=time.sleep,
) -> str:
    """StartTextTranslationJob (text/html); returns the job id. Retries throttling and the concurrent-job limit."""
    params: dict[str, Any] = {
        "JobName": job_name or f"amts-{source_lang}-{target_lang}-{uuid.uuid4().hex[:8]}",
        "InputDataConfig": {"S3Uri": input_uri, "ContentType": "text/html"},
        "OutputDataConfig": {"S3Uri": output_uri},
        "DataAccessRoleArn": role_arn,
        "SourceLanguageCode": source_lang,
        "TargetLanguageCodes": [target_lang],
        "ClientToken": str(uuid.uuid4()),
    }
    if parallel_data_name:
        params["ParallelDataNames"] = [parallel_data_name]
    if terminology_name:
        params["TerminologyNames"] = [terminology_name]
    pace("StartTextTranslationJob", sleep)
    return call_with_backoff(translate.start_text_translation_job, sleep=sleep, **params)["JobId"]


def describe_job(translate, job_id: str, sleep=time.sleep) -> dict:
    """One poll of a batch job: {"status", "message", "output_uri", "documents_failed", ...}."""
    pace("DescribeTextTranslationJob", sleep)
    props = call_with_backoff(translate.describe_text_translation_job, sleep=sleep, JobId=job_id)[
        "TextTranslationJobProperties"
    ]
    details = props.get("JobDetails", {})
    return {
        "job_id": job_id,
        "status": props["JobStatus"],
        "message": props.get("Message", ""),
        "output_uri": props["OutputDataConfig"]["S3Uri"],
        "documents_succeeded": details.get("TranslatedDocumentsCount", 0),
        "documents_failed": details.get("DocumentsWithErrorsCount", 0),
    }


def wait_job(
    translate, job_id: str, *, sleep=time.sleep, poll_seconds: float = 30.0, timeout: float = 6 * 3600
) -> dict:
    waited = 0.0
    while True:
        state = describe_job(translate, job_id, sleep=sleep)
        if state["status"] in ("COMPLETED", "COMPLETED_WITH_ERROR"):
            return state
        if state["status"] in ("FAILED", "STOPPED", "STOP_REQUESTED"):
            raise EngineError(
                f"translation job {job_id} {state['status']}: {state['message'] or 'no message'}"
            )
        if waited >= timeout:
            raise EngineError(f"translation job {job_id} still {state['status']} after {timeout:.0f}s")
        sleep(poll_seconds)
        waited += poll_seconds


def read_output(s3, output_uri: str, manifest: dict, target_lang: str) -> dict:
    """{"translations": {id: masked text}, "characters_translated": n, "missing": [ids]} from a finished job.

    Outputs are `<target-lang>.<input file name>` somewhere under output_uri (the service adds an
    `<account>-TranslateText-<job id>/` folder); `details/<lang>.auxiliary-translation-details.json`
    holds the characters translated.
    """
    import json

    bucket, prefix = split_s3_uri(output_uri)
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(obj["Key"] for obj in page.get("Contents", []))
    by_name = {k.rsplit("/", 1)[-1]: k for k in keys if "/details/" not in "/" + k}
    translations: dict[str, str] = {}
    for document in manifest["documents"]:
        key = by_name.get(f"{target_lang}.{document['name']}")
        if key is None:
            continue
        text = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
        found = from_html_document(text)
        translations.update({i: found[i] for i in document["ids"] if i in found})
    characters = 0
    for key in keys:
        if "/details/" in "/" + key and key.endswith(".json"):
            details = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
            characters += int(details.get("charactersTranslated", 0))
    wanted = [i for d in manifest["documents"] for i in d["ids"]]
    return {
        "translations": translations,
        "characters_translated": characters,
        "missing": [i for i in wanted if i not in translations],
    }


def terminology_csv(terms: dict[str, str], source_lang: str, target_lang: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([source_lang, target_lang])
    for source, target in sorted(terms.items()):
        if max(limits.utf8_size(source), limits.utf8_size(target)) <= limits.MAX_TERM_BYTES:
            writer.writerow([source, target])
    data = out.getvalue().encode("utf-8")
    if len(data) > limits.MAX_TERMINOLOGY_FILE_BYTES:
        raise EngineError(
            f"terminology is {len(data)} bytes; Amazon Translate allows {limits.MAX_TERMINOLOGY_FILE_BYTES}"
        )
    return data


def import_terminology(
    translate, name: str, terms: dict[str, str], source_lang: str, target_lang: str, sleep=time.sleep
) -> str:
    pace("ImportTerminology", sleep)
    call_with_backoff(
        translate.import_terminology,
        sleep=sleep,
        Name=name,
        MergeStrategy="OVERWRITE",
        Description="AMTS terminology learned from parallel data",
        TerminologyData={
            "File": terminology_csv(terms, source_lang, target_lang),
            "Format": "CSV",
            "Directionality": "UNI",
        },
    )
    return name


@dataclass
class BatchSettings:
    bucket: str
    role_arn: str
    prefix: str = "amts"
    parallel_data_name: str | None = None
    poll_seconds: float = 30.0
    timeout: float = 6 * 3600


class AmazonEngine(Engine):
    name = "amazon"
    summary = "Amazon Translate (AWS credentials; --bucket/--role-arn for batch jobs with parallel data)"
    capabilities = Capabilities(terminology="service", batch=True, credentials=True)

    def __init__(
        self,
        session=None,
        region: str | None = None,
        terms: dict[str, str] | None = None,
        terminology_name: str | None = None,
        batch: BatchSettings | None = None,
        parallel_data: list[tuple[str, str]] | None = None,
        sleep=time.sleep,
        **_ignored,
    ):
        self.session = session
        self.region = region
        self.terms = terms
        self.terminology_name = terminology_name
        self.batch = batch
        self.parallel_data = parallel_data
        self.sleep = sleep
        self._clients: dict[str, Any] = {}
        self._imported: dict[tuple[str, str], dict[str, str]] = {}  # pair -> terms imported for it

    def _session(self):
        import boto3

        return self.session or boto3._get_default_session()

    def client(self, service: str):
        if service not in self._clients:
            session = self._session()
            if session.get_credentials() is None:
                raise EngineError(CREDENTIALS_HELP)
            region = self.region or session.region_name
            if not region:
                raise EngineError("no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION), e.g. us-east-1")
            self._clients[service] = session.client(service, region_name=region)
        return self._clients[service]

    def _terminology(
        self, source_lang: str, target_lang: str, terms: dict[str, str] | None = None
    ) -> str | None:
        """The terminology resource to name in requests; imported again when its terms changed."""
        terms = terms or self.terms
        if not terms:
            return self.terminology_name
        name = self.terminology_name or f"amts-{source_lang}-{target_lang}"
        if self._imported.get((source_lang, target_lang)) != terms:
            import_terminology(self.client("translate"), name, terms, source_lang, target_lang, self.sleep)
            self._imported[(source_lang, target_lang)] = dict(terms)
        return name

    def _results(self, texts, source_lang, target_lang, terms):
        """The service applies the terms itself (ImportTerminology); batch results carry their job."""
        if self.batch is not None:
            outputs, job = self.translate_batch(texts, source_lang, target_lang, terms)
            return [Result(out, self.name if out is not None else None, job=job) for out in outputs]
        return [
            Result(out, self.name) for out in self.translate_realtime(texts, source_lang, target_lang, terms)
        ]

    def _translate(self, texts, source_lang, target_lang):
        return [r.text for r in self._results(texts, source_lang, target_lang, {})]

    # -------------------------------------------------------- real time
    def _requests(self, fragments: list[str]) -> list[list[int]]:
        """Group segment indexes into TranslateText requests under the byte limit."""
        groups: list[list[int]] = []
        current: list[int] = []
        size = 0
        for index, fragment in enumerate(fragments):
            if not fragment:
                continue
            item = limits.utf8_size(fragment) + 1
            if current and size + item > limits.MAX_TRANSLATE_TEXT_BYTES:
                groups.append(current)
                current, size = [], 0
            current.append(index)
            size += item
        if current:
            groups.append(current)
        return groups

    def _translate_text(self, text: str, source_lang: str, target_lang: str, terminology: str | None) -> str:
        params: dict[str, Any] = {
            "Text": text,
            "SourceLanguageCode": source_lang,
            "TargetLanguageCode": target_lang,
        }
        if terminology:
            params["TerminologyNames"] = [terminology]
        return call_with_backoff(self.client("translate").translate_text, sleep=self.sleep, **params)[
            "TranslatedText"
        ]

    def translate_realtime(
        self, texts: list[str], source_lang: str, target_lang: str, terms: dict[str, str] | None = None
    ) -> list[str]:
        """TranslateText with the same HTML carrier as batch jobs: TranslateText honours translate="no"
        too, so placeholders travel inside do-not-translate spans and segments inside their own <p>."""
        terminology = self._terminology(source_lang, target_lang, terms)
        results = list(texts)
        pieces: dict[int, list[str]] = {}
        fragments: list[str] = []
        owners: list[int] = []
        for index, text in enumerate(texts):
            line = " ".join(text.split())
            if not line:
                continue
            chunks = [line]
            if limits.utf8_size(_fragment("x", line)) > limits.MAX_TRANSLATE_TEXT_BYTES:
                chunks = _split_under(line, limits.MAX_TRANSLATE_TEXT_BYTES // 2)
            pieces[index] = chunks
            for chunk in chunks:
                fragments.append(_fragment(f"r{len(fragments)}", chunk))
                owners.append(index)
        translated: dict[str, str] = {}
        for group in self._requests(fragments):
            body = "\n".join(fragments[i] for i in group)
            found = from_html_document(self._translate_text(body, source_lang, target_lang, terminology))
            if any(f"r{i}" not in found for i in group):  # the service merged paragraphs: go one by one
                found = {}
                for i in group:
                    found.update(
                        from_html_document(
                            self._translate_text(fragments[i], source_lang, target_lang, terminology)
                        )
                    )
            translated.update(found)
        outputs: dict[int, list[str]] = {}
        for number, owner in enumerate(owners):
            outputs.setdefault(owner, []).append(translated.get(f"r{number}", ""))
        for index, chunks in outputs.items():
            results[index] = restore_tokens(texts[index], " ".join(c for c in chunks if c))
        return results

    # -------------------------------------------------------- batch (Active Custom Translation)
    def translate_batch(
        self, texts: list[str], source_lang: str, target_lang: str, terms: dict[str, str] | None = None
    ) -> tuple[list[str | None], dict[str, Any]]:
        """One batch job (with the engine's parallel data, if any): the outputs and what the job reported
        (`job`, `characters_translated`, `missing`, `parallel_data`)."""
        settings = self.batch
        if settings is None:
            raise EngineError("a batch job needs BatchSettings (--bucket and --role-arn)")
        record: dict[str, Any] = {}
        s3, translate = self.client("s3"), self.client("translate")
        run = f"{settings.prefix.strip('/')}/{uuid.uuid4().hex[:12]}"
        parallel_name = None
        if self.parallel_data:
            parallel_name = settings.parallel_data_name or f"amts-{source_lang}-{target_lang}"
            uri = f"s3://{settings.bucket}/{run}/parallel-data/{parallel_name}.csv"
            upload = upload_parallel_data(s3, uri, self.parallel_data, source_lang, target_lang)
            state = ensure_parallel_data(
                translate,
                parallel_name,
                uri,
                sleep=self.sleep,
                poll_seconds=min(settings.poll_seconds, 60),
                timeout=settings.timeout,
            )
            record["parallel_data"] = {**upload, **state}
        elif settings.parallel_data_name:
            parallel_name = settings.parallel_data_name
        manifest = prepare_input(s3, f"s3://{settings.bucket}/{run}/input/", texts)
        job_id = start_job(
            translate,
            input_uri=manifest["input_uri"],
            output_uri=f"s3://{settings.bucket}/{run}/output/",
            role_arn=settings.role_arn,
            source_lang=source_lang,
            target_lang=target_lang,
            parallel_data_name=parallel_name,
            terminology_name=self._terminology(source_lang, target_lang, terms),
            sleep=self.sleep,
        )
        state = wait_job(
            translate, job_id, sleep=self.sleep, poll_seconds=settings.poll_seconds, timeout=settings.timeout
        )
        output = read_output(s3, state["output_uri"], manifest, target_lang)
        record.update(
            job=state, characters_translated=output["characters_translated"], missing=output["missing"]
        )
        ids = [f"s{i}" for i in range(len(texts))]
        outputs = [
            restore_tokens(text, output["translations"][i])
            if i in output["translations"]
            else (text if not text.strip() else None)
            for i, text in zip(ids, texts, strict=True)
        ]
        return outputs, record


def _split_under(text: str, max_bytes: int) -> list[str]:
    """Split an oversize segment at sentence ends (else spaces) into pieces under max_bytes."""
    pieces, current = [], ""
    for part in re.split(r"(?<=[.!?。！？])\s+|\s+", text):
        candidate = f"{current} {part}".strip()
        if current and limits.utf8_size(candidate) > max_bytes:
            pieces.append(current)
            current = part
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces
