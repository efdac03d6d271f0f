"""`amts local-run`: the sample book through the real state machine, written to a local folder."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from amts.cli import app
from amts.errors import AmtsError
from amts.localrun import render_definition


def test_local_run_writes_outputs_reports_and_history(tmp_path, sample_book):
    out = tmp_path / "demo-out"
    result = CliRunner().invoke(app, ["local-run", "--out", str(out)])
    assert result.exit_code == 0, result.output
    chapters = sorted(
        p.relative_to(sample_book / "en-new").as_posix() for p in (sample_book / "en-new").rglob("*.md")
    )
    for lang in ("zh", "es"):
        written = sorted(
            p.relative_to(out / "output" / lang).as_posix() for p in (out / "output" / lang).rglob("*.md")
        )
        assert written == chapters
    latest = json.loads((out / "reports" / "latest.json").read_text())
    report = json.loads((out / latest["report"]).read_text())
    assert report["failed_languages"] == [] and report["chars_to_mt"] > 0
    assert (out / latest["report"]).with_name("report.md").is_file()
    for lang in ("zh", "es"):
        assert (out / latest["report"]).parent.joinpath(lang, "review.json").is_file()
    execution = json.loads((out / "execution.json").read_text())
    assert execution["status"] == "SUCCEEDED"
    types = [event["type"] for event in execution["history"]]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded"
    assert "MapRunStarted" in types and execution["map_runs"][0]["itemCounts"]["succeeded"] == 2
    # what happened inside each language's child workflow (moto keeps no child history)
    calls = execution["lambda_invocations"]
    for lang in ("zh", "es"):
        steps = [c["function"] for c in calls if c["lang"] == lang]
        assert steps[0] == "amts-build-parallel-data" and steps[-1] == "amts-evaluate"
        assert steps.count("amts-assemble") == len(chapters)
    assert [c["operation"] for c in execution["translate_calls"]].count("StartTextTranslationJob") == 2
    # the summary says where everything is
    assert f"outputs: {out / 'output'}" in result.output
    assert f"execution history: {out / 'execution.json'}" in result.output


def test_local_run_refuses_a_missing_book(tmp_path):
    result = CliRunner().invoke(app, ["local-run", "--out", str(tmp_path), "--book", str(tmp_path / "nope")])
    assert result.exit_code != 0
    assert isinstance(result.exception, AmtsError) and "does not exist" in str(result.exception)


def test_every_substitution_in_the_asl_has_a_value(local_template):
    definition = json.loads(local_template.definition())
    assert "${" not in json.dumps(definition)
    _, props = local_template.state_machine
    substitutions = {k: str(local_template.resolve(v)) for k, v in props["DefinitionSubstitutions"].items()}
    with pytest.raises(AmtsError, match="PlanFunctionArn"):
        render_definition({k: v for k, v in substitutions.items() if k != "PlanFunctionArn"})
