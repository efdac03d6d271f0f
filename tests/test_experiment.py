"""`amts experiment`: three conditions, leave-one-out parallel data, bootstrap p-values, reports."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from amts.cli import app
from amts.errors import EngineError
from amts.experiment import run_experiment

runner = CliRunner()
FILES = ["chapter1/1.mdx", "chapter1/2.mdx", "chapter1/5.mdx", "chapter1/8.mdx"]


@pytest.fixture()
def small_book(hf_data, tmp_path):
    """Four real chapters, plus chapter1/2 again under another name (a chapter repeated in the book)."""
    for lang in ("en", "es"):
        for name in FILES:
            target = tmp_path / lang / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(hf_data / lang / name, target)
        shutil.copy(hf_data / lang / "chapter1/2.mdx", tmp_path / lang / "chapter1/2-copy.mdx")
    return tmp_path


@pytest.mark.corpus
def test_memory_conditions_are_leave_one_out(small_book):
    report = run_experiment(small_book / "en", small_book / "es", "en", "es", "memory", samples=100)
    rows = {r["article"]: r for r in report["articles"]}
    assert set(rows) == set(FILES) | {"chapter1/2-copy.mdx"}
    # the repeated chapter is translated from its twin's pairs: the human translation itself, except the
    # three headings whose Spanish dropped the MDX anchor [[...]] (a protected span the memory cannot lose)
    assert rows["chapter1/2.mdx"]["bleu"]["paragraph"] > 90
    # a chapter never sees its own pairs, else it would score 100 too
    assert rows["chapter1/8.mdx"]["bleu"]["paragraph"] < 60
    assert any("memory only" in note for note in report["notes"])
    assert report["significance"]["paragraph"]["p_value"] is not None


@pytest.mark.corpus
@pytest.mark.skipif(shutil.which("apertium") is None, reason="apertium not installed")
def test_cli_writes_table_json_and_chart_with_p_values(small_book, tmp_path):
    out = tmp_path / "report"
    result = runner.invoke(
        app,
        [
            "experiment",
            "--src",
            str(small_book / "en"),
            "--tgt",
            str(small_book / "es"),
            "--source-lang",
            "en",
            "--target-lang",
            "es",
            "--engine",
            "apertium",
            "--article",
            "chapter1/1.mdx",
            "--article",
            "chapter1/2.mdx",
            "--bootstrap",
            "100",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "| Paired bootstrap vs none | baseline | p = " in result.output
    report = json.loads((out / "experiment-en-es.json").read_text(encoding="utf-8"))
    assert [r["article"] for r in report["articles"]] == ["chapter1/1.mdx", "chapter1/2.mdx"]
    assert set(report["corpus"]) == {"none", "paragraph", "sentence"}
    assert 10 < report["corpus"]["none"]["bleu"] < 80
    assert (out / "experiment-en-es.png").read_bytes()[:4] == b"\x89PNG"
    assert "Sentence pairs" in (out / "experiment-en-es.md").read_text(encoding="utf-8")


def test_unsupported_pair_points_to_the_memory_engine(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "zh").mkdir()
    with pytest.raises(EngineError, match="en->zh.*--engine memory"):
        run_experiment(tmp_path / "en", tmp_path / "zh", "en", "zh", "apertium")


@pytest.mark.corpus
def test_amazon_experiment_runs_batch_jobs_with_leave_one_out_parallel_data(small_book, monkeypatch):
    import boto3
    from moto import mock_aws

    from amts.engines.amazon import BatchSettings
    from amts.fakes.translate import FakeTranslate

    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        session.client("s3").create_bucket(Bucket="amts-experiment")
        fake = FakeTranslate(engine="pseudo", s3_client=session.client("s3")).install(session)
        options = {
            "session": session,
            "sleep": lambda s: None,
            "batch": BatchSettings(bucket="amts-experiment", role_arn="arn:aws:iam::123456789012:role/t"),
        }
        report = run_experiment(
            small_book / "en",
            small_book / "es",
            "en",
            "es",
            "amazon",
            samples=50,
            articles=["chapter1/2.mdx", "chapter1/8.mdx"],
            engine_options=options,
        )
    rows = {r["article"]: r for r in report["articles"]}
    assert (
        rows["chapter1/2.mdx"]["bleu"]["paragraph"] > 90
    )  # its twin's pairs came through ACT (anchors aside)
    assert rows["chapter1/8.mdx"]["bleu"]["paragraph"] < 60  # never its own
    ops = [op for op, _ in fake.calls]
    starts = [r for op, r in fake.calls if op == "StartTextTranslationJob"]
    # 2 articles x 3 conditions; only the two parallel-data conditions name a resource
    assert len(starts) == 6 and sum("ParallelDataNames" in r for r in starts) == 4
    assert ops.count("CreateParallelData") == 2 and ops.count("UpdateParallelData") == 2
    assert rows["chapter1/2.mdx"]["jobs"]["sentence"]["job"]["status"] == "COMPLETED"
