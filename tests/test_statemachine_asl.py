"""Static checks of statemachine/translate_book.asl.json: reachable states, retries, substitutions."""

from __future__ import annotations

import json
import re
from pathlib import Path

ASL = Path(__file__).resolve().parent.parent / "statemachine" / "translate_book.asl.json"


def machines(definition: dict, path: str = ""):
    """The top-level machine and every nested one (Parallel branches, Map processors)."""
    yield path or "top", definition
    for name, state in definition["States"].items():
        for i, branch in enumerate(state.get("Branches", [])):
            yield from machines(branch, f"{path}/{name}[{i}]")
        if "ItemProcessor" in state:
            yield from machines(state["ItemProcessor"], f"{path}/{name}")


def targets(state: dict) -> set[str]:
    found = {state["Next"]} if "Next" in state else set()
    found |= {c["Next"] for c in state.get("Choices", [])} | (
        {state["Default"]} if "Default" in state else set()
    )
    found |= {c["Next"] for c in state.get("Catch", [])}
    return found


def definition() -> dict:
    return json.loads(ASL.read_text())


def test_every_state_is_reachable_and_every_target_exists():
    for where, machine in machines(definition()):
        states = machine["States"]
        seen, todo = set(), [machine["StartAt"]]
        while todo:
            name = todo.pop()
            assert name in states, f"{where}: {name} does not exist"
            if name not in seen:
                seen.add(name)
                todo += targets(states[name])
        assert seen == set(states), f"{where}: unreachable {set(states) - seen}"


def test_tasks_retry_and_translate_errors_are_matched_under_both_spellings():
    for _, machine in machines(definition()):
        for name, state in machine["States"].items():
            if state["Type"] != "Task":
                continue
            assert state.get("Retry"), f"{name} has no Retry"
            if ":aws-sdk:translate:" in state["Resource"]:
                errors = {e for r in state["Retry"] for e in r["ErrorEquals"]}
                assert "Translate.TooManyRequestsException" in errors  # AWS
                assert "translate.TooManyRequestsException" in errors  # moto
                assert all(
                    e.replace("Translate.", "translate.") in errors
                    for e in errors
                    if e.startswith("Translate.")
                )


def test_lambda_tasks_use_substitutions_and_pass_no_text():
    text = ASL.read_text()
    names = set(re.findall(r"\$\{([A-Za-z]+)\}", text))
    assert names == {
        "PlanFunctionArn",
        "BuildParallelDataFunctionArn",
        "ParallelDataFunctionArn",
        "PrepareBatchFunctionArn",
        "AssembleFunctionArn",
        "EvaluateFunctionArn",
        "ReportFunctionArn",
        "TranslateDataAccessRoleArn",
        "Partition",
    }
    for _, machine in machines(definition()):
        for name, state in machine["States"].items():
            if state.get("Resource") == "arn:${Partition}:states:::lambda:invoke":
                assert state["Parameters"]["FunctionName"].startswith("${"), name
                # results are reduced to small fields (keys, counts, statuses)
                assert "ResultSelector" in state, name


def test_one_language_failing_is_caught_inside_its_branch():
    top = definition()["States"]["Translate each language"]
    pipeline = top["ItemProcessor"]["States"]["Language pipeline"]
    assert pipeline["Type"] == "Parallel"
    assert pipeline["Catch"][0]["ErrorEquals"] == ["States.ALL"]
    assert pipeline["Catch"][0]["Next"] == "Record language failure"


def test_large_runs_read_the_manifest_from_s3_in_a_distributed_map():
    branch = definition()["States"]["Translate each language"]["ItemProcessor"]["States"][
        "Language pipeline"
    ]["Branches"][0]
    distributed = branch["States"]["Assemble chapters (distributed)"]
    assert distributed["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert distributed["ItemReader"]["Resource"] == "arn:${Partition}:states:::s3:getObject"
    assert distributed["ResultPath"] is None  # chapter results stay in S3, not in the state


def test_states_people_meet_first_carry_comments():
    for _, machine in machines(definition()):
        for name, state in machine["States"].items():
            if state["Type"] in ("Map", "Parallel") or name in (
                "Plan changed chapters",
                "Write final report",
            ):
                assert len(state.get("Comment", "")) > 20, name


def _language_states() -> dict:
    top = definition()["States"]["Translate each language"]
    return top["ItemProcessor"]["States"]["Language pipeline"]["Branches"][0]["States"]


def test_queued_jobs_are_polled_not_retried_on_limit_exceeded():
    """Jobs beyond the concurrency limit queue as SUBMITTED: a LimitExceeded retrier could never fire."""
    assert "LimitExceeded" not in ASL.read_text()


# history events each state adds per visit (Step Functions: entered/exited, plus scheduled/started/succeeded)
EVENTS_PER_VISIT = {"Wait": 2, "Choice": 2, "Pass": 2, "Task": 5}
HISTORY_LIMIT = 25_000


def _poll_loop_events(states: dict, wait: int, cap: int, job_seconds: int) -> int:
    """Walk the job-polling loop of the ASL as a job of `job_seconds` keeps it running; count history events."""
    from infra.stack import DEPLOYED_POLL_SECONDS  # noqa: F401  (the deployed first wait, asserted below)

    events, elapsed, poll = 0, 0, {"wait": wait, "max": cap}
    name = "Wait for translation job"
    while True:
        state = states[name]
        events += EVENTS_PER_VISIT[state["Type"]]
        if name == "Wait for translation job":
            elapsed += poll["wait"]
        if name == "Translation job done?":
            if elapsed >= job_seconds:
                return events
            name = next(c["Next"] for c in state["Choices"] if "IN_PROGRESS" in json.dumps(c))
            continue
        if name == "Back off":
            poll = {"wait": poll["wait"] * 2, "max": poll["max"]}  # States.MathAdd(wait, wait)
        if name == "Wait longer than the cap?":
            name = state["Choices"][0]["Next"] if poll["wait"] > poll["max"] else state["Default"]
            continue
        if name == "Cap the wait":
            poll = {"wait": poll["max"], "max": poll["max"]}
        name = state["Next"]


def test_job_polling_backs_off_so_a_three_day_job_stays_far_under_the_history_limit():
    from amts.pipeline.settings import Settings
    from infra.stack import DEPLOYED_POLL_SECONDS

    states = _language_states()
    assert "States.MathAdd" in json.dumps(states["Back off"])
    three_days = 3 * 24 * 3600
    events = _poll_loop_events(states, DEPLOYED_POLL_SECONDS, Settings().poll_max_seconds, three_days)
    assert events < HISTORY_LIMIT / 4, events
    # without the back-off (every wait at the first interval) the same job would pass the limit
    fixed = _poll_loop_events(states, DEPLOYED_POLL_SECONDS, DEPLOYED_POLL_SECONDS, three_days)
    assert fixed > HISTORY_LIMIT, fixed
