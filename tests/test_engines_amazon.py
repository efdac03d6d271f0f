"""The amazon engine against the fake Amazon Translate: real-time batching/backoff, the full ACT batch path."""

from __future__ import annotations

import boto3
import pytest

from amts.engines import get_engine
from amts.engines.amazon import AmazonEngine, BatchSettings, from_html_document, to_html_document
from amts.engines.base import tokens_of
from amts.errors import EngineError

from tests.helpers import TEST_BUCKET as BUCKET
from tests.helpers import TEST_ROLE as ROLE


def _engine(session, sleeps, **kwargs) -> AmazonEngine:
    return AmazonEngine(session=session, sleep=sleeps.append, **kwargs)


def test_missing_credentials_names_what_to_set(monkeypatch, tmp_path):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(EngineError, match="AWS_ACCESS_KEY_ID.*AWS_REGION"):
        AmazonEngine(session=boto3.Session(region_name="us-east-1")).translate(["Hi"], "en", "es")


def test_html_carrier_round_trip_escapes_markup():
    document = to_html_document([("s0", "a < b & ⟦1⟧ **x**"), ("s1", "plain")])
    assert '<span translate="no">⟦1⟧</span>' in document and "a &lt; b &amp;" in document
    assert from_html_document(document) == {"s0": "a < b & ⟦1⟧ **x**", "s1": "plain"}
    # what a service may hand back: other attribute order and quoting, upper case, extra whitespace
    returned = "<P class='x' id='s0'>uno <SPAN translate='no' class=\"k\">⟦1⟧</SPAN>  dos</P >"
    assert from_html_document(returned) == {"s0": "uno ⟦1⟧ dos"}


def test_realtime_batches_under_the_byte_limit_and_backs_off(aws):
    session, _, fake = aws
    sleeps: list[float] = []
    texts = [f"Sentence number {i} with ⟦1⟧ and some more words to fill it up." for i in range(400)]
    fake.throttle("TranslateText", times=2)
    fake.throttle("TranslateText", times=1, code="ServiceUnavailableException")
    out = _engine(session, sleeps).translate(texts, "en", "es")
    requests = [r for op, r in fake.calls if op == "TranslateText"]
    sent = requests[3:]  # the first three were refused
    assert 1 < len(sent) < len(texts)  # several segments a request, more than one request
    assert all(len(r["Text"].encode()) <= 10_000 for r in sent)
    # placeholders travel in do-not-translate spans, each segment in its own <p>
    assert all(r["Text"].count('<span translate="no">⟦1⟧</span>') == r["Text"].count("<p ") for r in sent)
    assert len(sleeps) == 3 and sleeps[1] > sleeps[0] / 2  # exponential backoff with jitter
    assert all(tokens_of(o) == tokens_of(t) and o != t for o, t in zip(out, texts, strict=False))


def test_oversize_single_segment_is_split_not_rejected(aws):
    session, _, fake = aws
    text = "Word " * 2500 + "⟦1⟧"
    out = _engine(session, []).translate([text], "en", "es")[0]
    assert tokens_of(out) == tokens_of(text)
    assert all(len(r["Text"].encode()) <= 10_000 for _, r in fake.calls)


def test_terminology_is_imported_and_used(aws):
    session, _, fake = aws
    out = _engine(session, [], terms={"tokenizer": "tokenizador"}).translate(
        ["The tokenizer works."], "en", "es"
    )
    assert "tokenizador" in out[0]
    imports = [r for op, r in fake.calls if op == "ImportTerminology"]
    assert len(imports) == 1 and imports[0]["TerminologyData"]["Format"] == "CSV"
    assert [r["TerminologyNames"] for op, r in fake.calls if op == "TranslateText"] == [["amts-en-es"]]


def test_batch_act_path_create_then_update_with_parallel_data(aws):
    session, s3, fake = aws
    sleeps: list[float] = []
    pairs = [("The dataset is big.", "El conjunto de datos es grande."), ("x" * 1200, "too long")]
    settings = BatchSettings(bucket=BUCKET, role_arn=ROLE, poll_seconds=1)
    engine = _engine(session, sleeps, batch=settings, parallel_data=pairs)
    texts = ["The dataset is big.", "Another ⟦1⟧ sentence & <b>.", ""]
    results = engine.translate_results(texts, "en", "es")
    out = [r.text for r in results]
    assert out[0] == "El conjunto de datos es grande."  # the parallel data changed the job's output
    assert tokens_of(out[1]) == tokens_of(texts[1]) and out[2] == ""
    job = results[0].job  # every result of the job carries what the job reported
    assert job is not None and results[1].job is job and results[0].origin == "amazon"
    assert job["parallel_data"]["dropped_oversize"] == 1
    assert job["job"]["status"] == "COMPLETED" and job["missing"] == []
    assert job["characters_translated"] > 0
    start = next(r for op, r in fake.calls if op == "StartTextTranslationJob")
    assert start["ParallelDataNames"] == ["amts-en-es"] and start["DataAccessRoleArn"] == ROLE
    assert start["InputDataConfig"]["ContentType"] == "text/html"
    # second run updates the existing resource (one update at a time) instead of creating it again
    fake.throttle("StartTextTranslationJob", times=1)
    engine.translate(["The dataset is big."], "en", "es")
    ops = [op for op, _ in fake.calls]
    assert ops.count("CreateParallelData") == 1 and ops.count("UpdateParallelData") == 1


def test_update_waits_out_a_concurrent_modification(aws):
    session, s3, fake = aws
    sleeps: list[float] = []
    engine = _engine(
        session,
        sleeps,
        batch=BatchSettings(bucket=BUCKET, role_arn=ROLE, poll_seconds=1),
        parallel_data=[("Hello", "Hola")],
    )
    engine.translate(["Hello"], "en", "es")
    session.client("translate").update_parallel_data(
        Name="amts-en-es", ParallelDataConfig=fake.parallel_data["amts-en-es"].config, ClientToken="other"
    )
    fake.throttle("UpdateParallelData", times=1, code="ConcurrentModificationException")
    assert engine.translate(["Hello"], "en", "es") == ["Hola"]
    assert [op for op, _ in fake.calls].count("UpdateParallelData") >= 3


def test_failed_job_raises_engine_error_with_the_message(aws):
    session, _, fake = aws
    fake.fail_jobs = True
    engine = _engine(session, [], batch=BatchSettings(bucket=BUCKET, role_arn=ROLE, poll_seconds=1))
    with pytest.raises(EngineError, match="FAILED: Translation job failed"):
        engine.translate(["Hello"], "en", "es")


def test_get_engine_amazon_passes_options(aws):
    session, _, _ = aws
    engine = get_engine("amazon", session=session)
    assert engine.supports("en", "zh") and engine.translate(["Hi"], "en", "zh")[0]


def test_rate_pacer_keeps_calls_under_the_documented_tps():
    from amts.engines.amazon import RatePacer

    now = [0.0]
    slept: list[float] = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    pacer = RatePacer(5, sleep=sleep, clock=lambda: now[0])
    for _ in range(6):
        pacer.wait()
    assert now[0] == pytest.approx(1.0) and len(slept) == 5
