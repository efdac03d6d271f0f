"""The CDK stack: resources, least privilege, cfn-lint and cdk-nag, synthesized once with a tiny code asset."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("aws_cdk")

import aws_cdk as cdk  # noqa: E402
from aws_cdk.assertions import Match, Template  # noqa: E402

from app import build_app  # noqa: E402
from infra.stack import settings_from_context  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    """One synth for the module: tiny asset folders keep it fast; cdk-nag runs as a validation plugin."""
    root = tmp_path_factory.mktemp("cdk")
    code = root / "code" / "lambdas"
    code.mkdir(parents=True)
    (code / "plan.py").write_text("def handler(event, context):\n    return {}\n")
    deps = root / "deps" / "python"
    deps.mkdir(parents=True)
    (deps / "placeholder.py").write_text("")
    app = cdk.App(
        outdir=str(root / "cdk.out"),
        context={
            "amts:lambdaCodeDir": str(code.parent),
            "amts:lambdaDepsDir": str(deps.parent),
            "amts:targetLanguages": ["zh", "es", "pt"],
        },
    )
    app, stack = build_app(app)
    assembly = app.synth()  # raises when cdk-nag reports an unacknowledged finding
    template_path = Path(assembly.directory) / f"{stack.stack_name}.template.json"
    return {
        "stack": stack,
        "template": Template.from_stack(stack),
        "path": template_path,
        "json": json.loads(template_path.read_text()),
        "out": Path(assembly.directory),
    }


def resources(synth, kind: str) -> dict:
    return {k: v for k, v in synth["json"]["Resources"].items() if v["Type"] == kind}


def statements(synth) -> list[dict]:
    found = []
    for kind in ("AWS::IAM::Policy", "AWS::IAM::Role"):
        for resource in resources(synth, kind).values():
            props = resource["Properties"]
            docs = [props["PolicyDocument"]] if "PolicyDocument" in props else []
            docs += [p["PolicyDocument"] for p in props.get("Policies", [])]
            for doc in docs:
                found += doc["Statement"]
    return found


def test_bucket_is_versioned_encrypted_private_and_sends_events(synth):
    synth["template"].has_resource_properties(
        "AWS::S3::Bucket",
        {
            "VersioningConfiguration": {"Status": "Enabled"},
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "LoggingConfiguration": Match.any_value(),
        },
    )
    synth["template"].has_resource_properties(
        "Custom::S3BucketNotifications", {"NotificationConfiguration": {"EventBridgeConfiguration": {}}}
    )


def test_bucket_policies_deny_requests_without_tls(synth):
    policies = resources(synth, "AWS::S3::BucketPolicy")
    assert len(policies) == 2  # the book bucket and its access-log bucket
    for policy in policies.values():
        denies = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
        assert any(
            s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} and s["Principal"] == {"AWS": "*"}
            for s in denies
        )


def test_upload_under_source_starts_the_state_machine(synth):
    rules = resources(synth, "AWS::Events::Rule")
    assert len(rules) == 1
    rule = next(iter(rules.values()))["Properties"]
    assert rule["EventPattern"]["source"] == ["aws.s3"]
    assert rule["EventPattern"]["detail-type"] == ["Object Created"]
    assert rule["EventPattern"]["detail"]["object"]["key"] == [{"prefix": "source/en/"}]
    target = rule["Targets"][0]
    machine_id = next(iter(resources(synth, "AWS::StepFunctions::StateMachine")))
    assert target["Arn"] == {"Ref": machine_id}


def test_lambdas_are_python_312_with_powertools_settings_from_context(synth):
    functions = {
        k: v
        for k, v in resources(synth, "AWS::Lambda::Function").items()
        if v["Properties"].get("Handler", "").startswith("lambdas.")
    }
    handlers = sorted(f["Properties"]["Handler"] for f in functions.values())
    assert handlers == sorted(
        f"lambdas.{m}.handler"
        for m in (
            "plan",
            "build_parallel_data",
            "parallel_data",
            "prepare_batch",
            "assemble",
            "evaluate",
            "report",
        )
    )
    for fn in functions.values():
        props = fn["Properties"]
        assert props["Runtime"] == "python3.12"
        assert props["TracingConfig"] == {"Mode": "Active"}
        env = props["Environment"]["Variables"]
        assert env["AMTS_TARGET_LANGS"] == "zh,es,pt" and env["AMTS_SOURCE_LANG"] == "en"
        assert env["POWERTOOLS_SERVICE_NAME"].startswith("amts")
        assert len(props["Layers"]) == 1


def test_state_machine_definition_is_the_asl_file_inline(synth):
    machine = next(iter(resources(synth, "AWS::StepFunctions::StateMachine").values()))["Properties"]
    asl = (REPO / "statemachine" / "translate_book.asl.json").read_text()
    # every ARN takes the stack's partition: the definition joins the file's text around Ref AWS::Partition
    parts = machine["DefinitionString"]["Fn::Join"][1]
    assert all(p == {"Ref": "AWS::Partition"} for p in parts if not isinstance(p, str))
    joined = "".join(p if isinstance(p, str) else "${Partition}" for p in parts)
    assert joined == asl
    assert set(machine["DefinitionSubstitutions"]) == {
        "PlanFunctionArn",
        "BuildParallelDataFunctionArn",
        "ParallelDataFunctionArn",
        "PrepareBatchFunctionArn",
        "AssembleFunctionArn",
        "EvaluateFunctionArn",
        "ReportFunctionArn",
        "TranslateDataAccessRoleArn",
    }
    assert machine["LoggingConfiguration"]["Level"] == "ALL"
    assert machine["TracingConfiguration"] == {"Enabled": True}


def test_no_wildcard_actions_anywhere(synth):
    for statement in statements(synth):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert all("*" not in action for action in actions), statement


def test_pass_role_only_for_the_translate_data_access_role(synth):
    translate_roles = [
        k
        for k, v in resources(synth, "AWS::IAM::Role").items()
        if v["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
        == {"Service": "translate.amazonaws.com"}
    ]
    assert len(translate_roles) == 1
    passes = [
        s
        for s in statements(synth)
        if "iam:PassRole" in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    ]
    assert passes, "the state machine must be able to hand the data-access role to Translate"
    for statement in passes:
        assert statement["Resource"] == {"Fn::GetAtt": [translate_roles[0], "Arn"]}
        assert statement["Condition"] == {"StringEquals": {"iam:PassedToService": "translate.amazonaws.com"}}


def test_translate_role_is_limited_to_batch_and_parallel_data_folders(synth):
    role_id = next(
        k
        for k, v in resources(synth, "AWS::IAM::Role").items()
        if v["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
        == {"Service": "translate.amazonaws.com"}
    )
    trust = resources(synth, "AWS::IAM::Role")[role_id]["Properties"]["AssumeRolePolicyDocument"][
        "Statement"
    ][0]
    assert "aws:SourceAccount" in trust["Condition"]["StringEquals"]  # no confused deputy
    policy = next(
        v
        for v in resources(synth, "AWS::IAM::Policy").values()
        if v["Properties"]["Roles"] == [{"Ref": role_id}]
    )
    text = json.dumps(policy["Properties"]["PolicyDocument"])
    for forbidden in ("/source/", "/output/", "/translations/", "/reports/"):
        assert forbidden not in text


def _lint(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), str(path)], capture_output=True, text=True
    )


def _with_partition_resolved(synth, tmp_path, edit=None) -> Path:
    """The template as CloudFormation resolves it in the aws partition: the definition becomes one string, so
    cfn-lint validates the ASL itself (it does not look inside an Fn::Join)."""
    template = json.loads(synth["path"].read_text())
    machine_id = next(iter(resources(synth, "AWS::StepFunctions::StateMachine")))
    props = template["Resources"][machine_id]["Properties"]
    parts = props["DefinitionString"]["Fn::Join"][1]
    text = "".join(p if isinstance(p, str) else "aws" for p in parts)
    props["DefinitionString"] = edit(text) if edit else text
    path = tmp_path / "resolved.template.json"
    path.write_text(json.dumps(template))
    return path


def _errors(lint: subprocess.CompletedProcess) -> set[str]:
    return {line.split()[0] for line in lint.stdout.splitlines() if line[:1] == "E" and line[1:5].isdigit()}


def test_cfn_lint_reports_no_errors(synth, tmp_path):
    for path in (synth["path"], _with_partition_resolved(synth, tmp_path)):
        lint = _lint(path)
        assert lint.returncode & 2 == 0, lint.stdout  # bit 2: errors; warnings (4) are allowed
        assert not _errors(lint), lint.stdout


def test_cfn_lint_would_catch_a_broken_state_machine(synth, tmp_path):
    def break_first_state(text: str) -> str:
        definition = json.loads(text)
        definition["States"]["Plan changed chapters"]["Type"] = "Bogus"
        return json.dumps(definition)

    lint = _lint(_with_partition_resolved(synth, tmp_path, break_first_state))
    assert lint.returncode & 2 and "E3601" in lint.stdout, lint.stdout


def test_cdk_nag_has_no_unacknowledged_findings_and_every_acknowledgement_has_a_reason(synth):
    report = json.loads((synth["out"] / "validation-report.json").read_text())
    (plugin,) = [p for p in report["pluginReports"] if p["pluginName"] == "AwsSolutions"]
    assert plugin["conclusion"] == "success" and plugin["violations"] == []
    assert plugin["suppressedViolations"], "the report should list what was acknowledged"
    for suppressed in plugin["suppressedViolations"]:
        assert len(suppressed["reason"]) > 30, suppressed["ruleName"]  # a reason a reviewer can check
        assert (
            "[" in suppressed["acknowledgedId"] or suppressed["ruleName"] == "AwsSolutions-L1"
        )  # one finding, not a whole rule


def _context(**values):
    from aws_cdk import App

    return App(context={f"amts:{k}": v for k, v in values.items()}).node


def test_context_defaults_reach_the_lambda_environment():
    settings = settings_from_context(_context())
    assert (
        settings.source_lang == "en" and settings.target_langs == ("zh", "es") and settings.poll_seconds == 60
    )
    assert settings.as_env()["AMTS_TARGET_LANGS"] == "zh,es"
    custom = settings_from_context(_context(targetLanguages="pt, es", pollSeconds="30", evaluationChars=500))
    assert (
        custom.as_env()["AMTS_TARGET_LANGS"] == "pt,es"
        and custom.poll_seconds == 30
        and custom.eval_chars == 500
    )


def test_context_is_checked():
    with pytest.raises(ValueError, match="amts:.*engine 'apertium'"):
        settings_from_context(_context(engine="apertium"))
    with pytest.raises(ValueError, match="other than the source language"):
        settings_from_context(_context(targetLanguages=["en", "zh"]))


def test_steps_that_read_objects_can_tell_a_missing_key_from_a_denied_one(synth):
    """S3 answers 403, not 404, for a missing key unless the caller may list the bucket."""
    checked = 0
    for policy in resources(synth, "AWS::IAM::Policy").values():
        stmts = policy["Properties"]["PolicyDocument"]["Statement"]
        actions = [
            a for s in stmts for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
        ]
        role = policy["Properties"]["Roles"][0]["Ref"]
        if "s3:GetObject" in actions and role.split("Role")[0] in (
            "Plan",
            "BuildParallelData",
            "PrepareBatch",
            "Assemble",
            "Evaluate",
            "Report",
        ):
            assert any(s["Action"] == "s3:ListBucket" and "Condition" not in s for s in stmts), role
            checked += 1
    assert checked == 6


# ------------------------------------------------------------ what would break on a real account (#12)
def _tiny_app(tmp_path, **context):
    code = tmp_path / "code"
    (code / "lambdas").mkdir(parents=True, exist_ok=True)
    return cdk.App(
        outdir=str(tmp_path / "cdk.out"),
        context={"amts:lambdaCodeDir": str(code), "amts:lambdaDepsDir": "none", **context},
    )


def test_context_lists_in_both_cli_forms_and_language_codes_checked():
    for value in ('["zh","es"]', "zh,es", ["zh", "es"], ' ["zh", "es"] '):
        assert settings_from_context(_context(targetLanguages=value)).target_langs == ("zh", "es"), value
    with pytest.raises(ValueError, match="'klingon' are not Amazon Translate codes"):
        settings_from_context(_context(targetLanguages="zh,klingon"))
    with pytest.raises(ValueError, match="not valid JSON"):
        settings_from_context(_context(targetLanguages='["zh",'))


def test_a_bad_language_code_fails_the_synth_with_a_message(tmp_path):
    with pytest.raises(ValueError, match=r"amts:\*.*'xx'"):
        build_app(_tiny_app(tmp_path, **{"amts:targetLanguages": '["zh","xx"]'}))


def test_region_guard_refuses_regions_without_batch_translation(tmp_path, synth):
    from infra.stack import AmtsStack

    with pytest.raises(ValueError, match="sa-east-1: Amazon Translate batch jobs are not available"):
        AmtsStack(
            _tiny_app(tmp_path),
            "Elsewhere",
            code_dir=tmp_path / "code",
            deps_dir=None,
            env=cdk.Environment(account="123456789012", region="sa-east-1"),
        )
    # an environment-agnostic stack carries the check as a CloudFormation rule
    rule = synth["json"]["Rules"]["BatchTranslationRegion"]["Assertions"][0]
    regions, region = rule["Assert"]["Fn::Contains"]
    assert region == {"Ref": "AWS::Region"} and "us-east-1" in regions and "sa-east-1" not in regions


def test_execution_timeout_is_in_the_asl_and_arns_take_the_stack_partition(synth):
    machine = next(iter(resources(synth, "AWS::StepFunctions::StateMachine").values()))["Properties"]
    parts = machine["DefinitionString"]["Fn::Join"][1]
    definition = json.loads("".join(p if isinstance(p, str) else "aws-cn" for p in parts))
    assert definition["TimeoutSeconds"] > 3 * 24 * 3600  # a three-day batch job fits
    text = json.dumps(definition)
    assert "arn:aws:" not in text and "arn:aws-cn:states:::lambda:invoke" in text


def test_lifecycle_rules_never_expire_run_state_and_expire_noncurrent_versions(synth):
    from amts.pipeline import layout

    buckets = resources(synth, "AWS::S3::Bucket")
    book = next(v for k, v in buckets.items() if k.startswith("Book"))["Properties"]
    rules = book["LifecycleConfiguration"]["Rules"]
    expiring = [r for r in rules if "ExpirationInDays" in r]
    assert expiring and all(r.get("Prefix") in layout.EXPIRING_WORK for r in expiring)
    assert not any(layout.STATE.startswith(r.get("Prefix", "")) for r in expiring)
    noncurrent = {r.get("Prefix") for r in rules if "NoncurrentVersionExpiration" in r}
    assert {layout.OUTPUT, layout.REPORTS} <= noncurrent
    logs = next(v for k, v in buckets.items() if k.startswith("AccessLogs"))["Properties"]
    assert any("NoncurrentVersionExpiration" in r for r in logs["LifecycleConfiguration"]["Rules"])


def test_state_machine_logs_to_a_vended_log_group(synth):
    machine = next(iter(resources(synth, "AWS::StepFunctions::StateMachine").values()))["Properties"]
    destination = machine["LoggingConfiguration"]["Destinations"][0]["CloudWatchLogsLogGroup"]["LogGroupArn"]
    group = resources(synth, "AWS::Logs::LogGroup")[destination["Fn::GetAtt"][0]]["Properties"]
    assert group["LogGroupName"].startswith("/aws/vendedlogs/states/")


def test_distributed_map_grants_what_cdk_grants(synth):
    found = {}
    for statement in statements(synth):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        text = json.dumps(statement["Resource"])
        for action in actions:
            found.setdefault(action, []).append(text)
    assert any(":execution:Amts-translate-book/*" in t for t in found["states:RedriveExecution"])
    describe = " ".join(found["states:DescribeExecution"])
    assert ":execution:Amts-translate-book/*" in describe and ":execution:Amts-translate-book:*" in describe


def test_every_step_policy_is_derived_from_the_wiring_table(synth):
    from amts.pipeline import wiring

    policies = resources(synth, "AWS::IAM::Policy")
    for step in wiring.STEPS:
        (policy,) = [
            p for p in policies.values() if p["Properties"]["Roles"][0]["Ref"].startswith(f"{step.ident}Role")
        ]
        granted: dict[str, set] = {}
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources_ = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            for action in actions:
                for resource in resources_:
                    if isinstance(resource, dict) and "Fn::Join" in resource:
                        granted.setdefault(action, set()).add(resource["Fn::Join"][1][-1].lstrip("/"))
        assert granted.get("s3:GetObject", set()) == {f"{p}*" for p in step.reads}, step.module
        assert granted.get("s3:PutObject", set()) == {f"{p}*" for p in step.writes}, step.module
    evaluate = wiring.STEPS_BY_MODULE["evaluate"]
    assert "work/batch/" in evaluate.reads  # the held-out sample's translation is the job's output
