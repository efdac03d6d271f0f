"""Uploads as users make them (#13.1-2): S3 -> EventBridge -> SQS -> starter -> one execution at a time."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from amts.cli import app
from amts.errors import AmtsError
from amts.localrun import LocalCloud, seed_book
from amts.localtrigger import UploadTrigger
from amts.pipeline import uploads

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def cloud(sample_book, local_template):
    with LocalCloud(local_template, languages=("es",)) as local:
        seed_book(local, sample_book, sources=False)
        yield local


def chapters_of(folder):
    return sorted(p for p in folder.rglob("*.md"))


def execution_input(cloud: LocalCloud, arn: str) -> dict:
    return json.loads(cloud.sfn.describe_execution(executionArn=arn)["input"])


def test_uploads_one_object_at_a_time_start_one_execution_with_every_key(cloud, sample_book):
    trigger = UploadTrigger(cloud)
    count = trigger.upload_each(sample_book / "en-new", "source/en/")
    cloud.put("translations/es/late.md", b"# tarde\n")  # outside source/: the rule does not fire
    executions = trigger.settle()
    assert len(executions) == 1 and executions[0]["status"] == "SUCCEEDED"
    assert executions[0]["chapter_count"] == count == len(chapters_of(sample_book / "en-new"))
    started = execution_input(cloud, executions[0]["arn"])
    assert started["trigger"] == "uploads" and len(started["keys"]) == count
    assert all(key.startswith("source/en/") for key in started["keys"])
    assert len(cloud.keys("output/es/")) == count
    assert cloud.keys(uploads.PENDING_PREFIX) == []  # every key taken by the run
    # the run's end was delivered to the queue too; with nothing pending it starts nothing
    assert trigger.starter_calls[-1]["started"] is None


def test_a_burst_during_a_running_execution_is_picked_up_by_the_next_one(cloud, sample_book, tmp_path):
    first, later = tmp_path / "first", tmp_path / "later"
    paths = [p.relative_to(sample_book / "en-new") for p in chapters_of(sample_book / "en-new")]
    for i, rel in enumerate(paths):
        target = (first if i < 3 else later) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(sample_book / "en-new" / rel, target)
    trigger = UploadTrigger(cloud)
    trigger.upload_each(first, "source/en/")
    run_one = trigger.drain()
    assert run_one["started"] and run_one["chapter_count"] == 3
    # while it runs, the rest of the book arrives
    trigger.upload_each(later, "source/en/")
    waiting = trigger.drain()
    assert waiting["started"] is None and waiting["waiting_for"] == run_one["started"]
    assert waiting["recorded"] == len(paths) - 3 and len(cloud.keys(uploads.PENDING_PREFIX)) == len(paths) - 3
    # the first run ends; its end event starts the next run with everything that waited
    first_done = trigger.wait(run_one["started"])
    rest = trigger.settle()
    assert [e["status"] for e in [first_done, *rest]] == ["SUCCEEDED", "SUCCEEDED"]
    second = cloud.sfn.describe_execution(executionArn=rest[0]["arn"])
    one = cloud.sfn.describe_execution(executionArn=run_one["started"])
    assert second["startDate"] >= one["stopDate"]  # never two executions of the book at once
    assert sorted(execution_input(cloud, rest[0]["arn"])["keys"]) == sorted(
        f"source/en/{p.as_posix()}" for p in paths[3:]
    )
    assert len(cloud.keys("output/es/")) == len(paths)  # nothing dropped


def test_a_key_uploaded_twice_is_one_pending_chapter_and_a_retried_start_is_the_same_run(cloud, sample_book):
    from amts.pipeline.store import Store

    store = Store(cloud.s3, "amts-local-book")
    key = "source/en/index.md"
    cloud.put(key, (sample_book / "en-new" / "index.md").read_bytes())
    event = {
        "detail-type": "Object Created",
        "detail": {"bucket": {"name": store.bucket}, "object": {"key": key}},
    }
    uploads.record_pending(store, uploads.uploads_in([{"body": json.dumps(event)}] * 2))
    entries = uploads.pending(store)
    assert [e["key"] for e in entries] == [key]
    assert uploads.execution_name(entries) == uploads.execution_name(uploads.pending(store))


def test_local_run_each_then_a_later_edition(tmp_path, sample_book):
    edition = tmp_path / "en-newer"
    shutil.copytree(sample_book / "en-new", edition)
    chapter = edition / "chapter_optimization" / "momentum.md"
    added = "A heavy ball rolling downhill keeps its speed."
    chapter.write_text(chapter.read_text().replace("\n## Velocity\n", f"\n{added}\n\n## Velocity\n", 1))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["local-run", "--out", str(out), "--languages", "es", "--then", str(edition)]
    )
    assert result.exit_code == 0, result.output
    execution = json.loads((out / "execution.json").read_text())
    assert execution["uploads"] == "each" and len(execution["runs"]) == 2
    first, second = execution["runs"]
    assert len(first["executions"]) == 1 and first["executions"][0]["status"] == "SUCCEEDED"
    assert first["executions"][0]["chapter_count"] == len(chapters_of(sample_book / "en-new"))
    jobs = [c for c in first["translate_calls"] if c["operation"] == "StartTextTranslationJob"]
    assert [j["TargetLanguageCodes"][0] for j in jobs] == ["es"]
    # the later edition: every chapter re-uploaded, one changed by one paragraph; only that is paid for
    assert len(second["executions"]) == 1
    assert second["chars_to_mt"] == len(added)
    assert (out / "output" / "es" / "chapter_optimization" / "momentum.md").is_file()


def test_local_run_prefix_keeps_one_manual_start_and_refuses_an_unknown_mode(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["local-run", "--out", str(out), "--languages", "es", "--uploads", "prefix"]
    )
    assert result.exit_code == 0, result.output
    execution = json.loads((out / "execution.json").read_text())
    assert execution["uploads"] == "prefix" and len(execution["runs"]) == 1
    assert "trigger" not in execution_input_of(execution)
    bad = CliRunner().invoke(app, ["local-run", "--out", str(out), "--uploads", "some"])
    assert bad.exit_code != 0 and isinstance(bad.exception, AmtsError) and "--uploads" in str(bad.exception)


def execution_input_of(execution: dict) -> dict:
    started = next(e for e in execution["history"] if e["type"] == "ExecutionStarted")
    return json.loads(started["executionStartedEventDetails"]["input"])
