"""The pipeline steps one by one on a moto S3 bucket (no state machine): planning, evaluation, the report."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from amts.pipeline import layout
from amts.pipeline.engines import LookupEngine, RecordingEngine
from amts.pipeline.evaluate import score
from amts.pipeline.plan import plan_run
from amts.pipeline.report import estimated_cost_usd, final_report
from amts.pipeline.settings import Settings
from amts.pipeline.store import Store

SETTINGS = Settings(target_langs=("zh", "es"), inline_chapter_limit=2)


@pytest.fixture
def store(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="book")
        yield Store(s3, "book")


def test_plan_keeps_markdown_under_the_source_language_and_says_why_it_refuses_the_rest(store):
    store.put_text("source/en/a.md", "# A\n")
    store.put_text("source/en/b.mdx", "# B\n")
    store.put_text("source/en/picture.png", "x")
    store.put_text("source/fr/c.md", "# C\n")
    run = plan_run(
        store,
        {
            "keys": [
                "source/en/a.md",
                "source/en/b.mdx",
                "source/en/picture.png",
                "source/fr/c.md",
                "source/en/gone.md",
            ]
        },
        SETTINGS,
        "exec-1",
    )
    assert [c["path"] for c in store.get_json(run["manifest_key"])] == ["a.md", "b.mdx"]
    reasons = {r["key"]: r["error"] for r in run["rejected"]}
    assert "only .md and .mdx" in reasons["source/en/picture.png"]
    assert "upload chapters to source/en/" in reasons["source/fr/c.md"]
    assert "no longer exists" in reasons["source/en/gone.md"]
    assert run["fan_out"] == "inline" and len(run["chapters"]) == 2


def test_plan_fans_out_through_s3_when_the_run_is_large(store):
    for name in "abc":
        store.put_text(f"source/en/{name}.md", f"# {name}\n")
    run = plan_run(store, {"prefix": "source/en/"}, SETTINGS)
    assert run["chapter_count"] == 3 and run["fan_out"] == "distributed" and run["chapters"] == []


def test_plan_skips_a_chapter_only_when_every_language_is_up_to_date(store):
    store.put_text("source/en/a.md", "# A\n")
    first = store.get_json(plan_run(store, {"prefix": "source/en/"}, SETTINGS)["manifest_key"])[0]
    store.put_json(layout.state_key("zh", "a.md"), {"fingerprint": first["fingerprints"]["zh"]})
    assert plan_run(store, {"prefix": "source/en/"}, SETTINGS)["chapter_count"] == 1  # es still pending
    store.put_json(layout.state_key("es", "a.md"), {"fingerprint": first["fingerprints"]["es"]})
    assert plan_run(store, {"prefix": "source/en/"}, SETTINGS)["chapter_count"] == 0
    # a new human translation changes the fingerprint: the chapter is planned again
    store.put_text("translations/es/a.md", "# A (es)\n")
    assert plan_run(store, {"prefix": "source/en/"}, SETTINGS)["chapter_count"] == 1


def test_recording_and_lookup_engines_split_one_sync_around_a_job():
    recorder = RecordingEngine()
    assert recorder.translate(["a ⟦1⟧", "b", "a ⟦1⟧"], "en", "es") == [None, None, None]
    assert recorder.requested == ["a ⟦1⟧", "b"]
    lookup = LookupEngine({"a ⟦1⟧": "A ⟦1⟧"})
    assert lookup.translate(["a ⟦1⟧", "b"], "en", "es") == ["A ⟦1⟧", None]
    assert lookup.missing == ["b"]


def test_score_uses_chinese_tokenization_for_zh():
    perfect = score(["我们训练模型。"], ["我们训练模型。"], "zh")
    assert perfect["bleu"] == pytest.approx(100.0) and "tok:zh" in perfect["signature"]["bleu"]
    worse = score(["我们测试数据。"], ["我们训练模型。"], "zh")
    assert worse["bleu"] < perfect["bleu"] and worse["chrf"] < perfect["chrf"]
    assert score([], [], "es") is None


def test_final_report_names_failures_and_prices_characters(store):
    store.put_json(
        layout.language_summary_key("r1", "zh"),
        {"lang": "zh", "status": "ok", "chars_to_mt": 200_000, "chapters": {"ok": 2}, "errors": []},
    )
    run = {
        "run_id": "r1",
        "bucket": "book",
        "source_lang": "en",
        "chapter_count": 2,
        "language_results": [
            {"lang": "zh", "status": "ok"},
            {"lang": "es", "status": "failed", "error": "TranslationJobFailed", "cause": "boom"},
        ],
    }
    result = final_report(store, run)
    report = store.get_json(result["report_key"])
    assert report["failed_languages"] == ["es"] and result["failed_languages"] == ["es"]
    assert (
        report["chars_to_mt"] == 200_000
        and report["estimated_cost_usd"] == estimated_cost_usd(200_000) == 3.0
    )
    markdown = store.get_bytes("reports/r1/report.md").decode()
    assert "| es | failed |" in markdown and "TranslationJobFailed" in markdown
    assert store.get_json("reports/latest.json")["run_id"] == "r1"


def test_settings_refuse_an_engine_the_state_machine_cannot_run():
    from amts.errors import AmtsError

    with pytest.raises(AmtsError, match="amazon, none"):
        Settings(engine="apertium")
    assert Settings.from_env({"AMTS_TARGET_LANGS": "pt, de", "AMTS_ENGINE": "none"}).target_langs == (
        "pt",
        "de",
    )


def test_held_out_sample_is_fixed_small_and_bounded():
    from amts.pipeline.paralleldata import hold_out

    pairs = [(f"English sentence number {i} about gradient descent.", f"Frase {i}.") for i in range(200)]
    sample = hold_out(pairs, max_chars=10_000)
    assert len(sample) == 20  # at most a tenth of the pairs
    assert hold_out(list(reversed(pairs)), max_chars=10_000) == sample  # chosen by content, not order
    small = hold_out(pairs, max_chars=200)
    assert sum(len(s) for s, _ in small) <= 200 and small == sample[: len(small)]
    assert hold_out(pairs[:5], max_chars=10_000) == []  # too few pairs to spare any


def test_plan_accepts_url_encoded_event_keys(store):
    store.put_text("source/en/chapter one/intro (draft).md", "# Intro\n")
    event = {"detail": {"object": {"key": "source/en/chapter+one/intro+%28draft%29.md"}}}
    run = plan_run(store, event, SETTINGS)
    assert run["rejected"] == [] and run["chapters"][0]["path"] == "chapter one/intro (draft).md"


def test_ensure_parallel_data_waits_its_turn_and_recreates_a_failed_resource(aws):
    from amts.pipeline.paralleldata import ensure_parallel_data, parallel_data_status
    from tests.helpers import TEST_BUCKET

    session, s3, fake = aws
    translate = session.client("translate")
    for name in ("zh", "es"):
        s3.put_object(Bucket=TEST_BUCKET, Key=f"{name}.csv", Body=b"en,x\nHello,Hi\n")
    uri = {name: f"s3://{TEST_BUCKET}/{name}.csv" for name in ("zh", "es")}
    assert ensure_parallel_data(translate, "amts-en-zh", uri["zh"], "run1")["status"] == "UPDATING"
    # one import at a time per account: the second language waits, it does not fail
    assert ensure_parallel_data(translate, "amts-en-es", uri["es"], "run1")["status"] == "BUSY"
    assert parallel_data_status(translate, "amts-en-zh")["status"] == "UPDATING"
    assert parallel_data_status(translate, "amts-en-zh")["status"] == "ACTIVE"
    fake.fail_parallel_data = True
    assert ensure_parallel_data(translate, "amts-en-es", uri["es"], "run1")["status"] == "UPDATING"
    parallel_data_status(translate, "amts-en-es")
    failed = parallel_data_status(translate, "amts-en-es")
    assert failed["status"] == "FAILED" and "without parallel data" in failed["note"]
    # a resource whose creation failed is deleted and created again, never "updated" forever
    fake.fail_parallel_data = False
    assert ensure_parallel_data(translate, "amts-en-es", uri["es"], "run2")["status"] == "DELETING"
    assert ensure_parallel_data(translate, "amts-en-es", uri["es"], "run2")["status"] == "DELETING"
    assert ensure_parallel_data(translate, "amts-en-es", uri["es"], "run2")["status"] == "UPDATING"
    assert [op for op, _ in fake.calls].count("DeleteParallelData") == 1
    parallel_data_status(translate, "amts-en-es")
    assert parallel_data_status(translate, "amts-en-es")["status"] == "ACTIVE"
