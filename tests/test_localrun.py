"""`amts local-run`: the sample book through the real state machine, written to a local folder."""

from __future__ import annotations

import json
from pathlib import Path

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


def _without_statement(template: dict, role_prefix: str, action: str) -> dict:
    """A copy of the template with the statement granting `action` removed from one role's policy."""
    copy = json.loads(json.dumps(template))
    for resource in copy["Resources"].values():
        if resource["Type"] == "AWS::IAM::Policy" and resource["Properties"]["Roles"][0]["Ref"].startswith(
            role_prefix
        ):
            document = resource["Properties"]["PolicyDocument"]
            kept = [s for s in document["Statement"] if s["Action"] != action]
            assert len(kept) == len(document["Statement"]) - 1
            document["Statement"] = kept
            return copy
    raise AssertionError(f"no policy for {role_prefix}")


def test_a_permission_missing_from_the_template_fails_offline_with_access_denied_named(
    tmp_path, local_template
):
    path = tmp_path / "Amts.template.json"
    path.write_text(json.dumps(_without_statement(local_template.body, "EvaluateRole", "s3:GetObject")))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["local-run", "--template", str(path), "--out", str(out)])
    assert result.exit_code != 0 and "access denied" in str(result.exception)
    execution = json.loads((out / "execution.json").read_text())
    denied = execution["access_denied"]
    assert {d["function"] for d in denied} == {"amts-evaluate"}
    assert all("s3:GetObject on s3://amts-local-book/work/" in d["error"] for d in denied)
    latest = json.loads((out / "reports" / "latest.json").read_text())
    report = json.loads((out / latest["report"]).read_text())
    assert sorted(report["failed_languages"]) == ["es", "zh"]
    for lang in report["languages"]:
        assert lang["error"] == "AccessDenied"
        assert "amts-evaluate is not allowed s3:GetObject on s3://amts-local-book/work/" in lang["cause"]


def test_a_template_synthesized_with_a_cli_list_translates_exactly_those_languages(tmp_path):
    from amts.localrun import LocalCloud, Template, seed_book, BUCKET

    template = Template.synthesize(
        {"amts:targetLanguages": '["es"]'}
    )  # as `-c amts:targetLanguages='["es"]'`
    assert {f.environment["AMTS_TARGET_LANGS"] for f in template.functions.values()} == {"es"}
    with LocalCloud(template) as cloud:
        seed_book(cloud, Path(__file__).resolve().parent.parent / "sample")
        result = cloud.run({"bucket": BUCKET, "prefix": "source/en/"})
        languages = {key.split("/")[1] for key in cloud.keys("output/")}
    assert result["status"] == "SUCCEEDED" and languages == {"es"}


def test_the_fake_translate_works_as_the_data_access_role(local_template, sample_book):
    """Without PutObject on work/batch/ for Translate's role, the batch job fails as in AWS."""
    from amts.localrun import BUCKET, LocalCloud, Template, seed_book

    body = _without_statement(local_template.body, "TranslateDataAccess", "s3:PutObject")
    with LocalCloud(Template(body)) as cloud:
        seed_book(cloud, sample_book)
        result = cloud.run({"bucket": BUCKET, "prefix": "source/en/"})
        report = json.loads(cloud.get(result["output"]["report_key"]))
        messages = {job.message for job in cloud.translate.jobs.values()}
    assert sorted(report["failed_languages"]) == ["es", "zh"]
    assert {lang["error"] for lang in report["languages"]} == {"TranslationJobFailed"}
    assert all("data access role" in message for message in messages) and messages


def test_the_state_machine_calls_translate_with_its_own_role(local_template, sample_book):
    """Step Functions signs with the state machine's role: without iam:PassRole no job can start."""
    from amts.localrun import BUCKET, LocalCloud, Template, seed_book

    body = _without_statement(local_template.body, "TranslateBookRole", "iam:PassRole")
    with LocalCloud(Template(body)) as cloud:
        seed_book(cloud, sample_book)
        result = cloud.run({"bucket": BUCKET, "prefix": "source/en/"})
        report = json.loads(cloud.get(result["output"]["report_key"]))
        denied = cloud.denials()
    assert {d["function"] for d in denied} == {"Translate StartTextTranslationJob"}
    assert sorted(report["failed_languages"]) == ["es", "zh"]
    for lang in report["languages"]:
        assert "not authorized to perform: iam:PassRole on resource: " in lang["cause"]
        assert "TranslateDataAccess" in lang["cause"]
