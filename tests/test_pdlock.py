"""Parallel-data imports one at a time across languages and runs; throttling and conflicts retried (#13.1)."""

from __future__ import annotations

import json
import threading

import pytest

from amts.localrun import BUCKET, LocalCloud, seed_book

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

LANGS = ("zh", "es")


@pytest.fixture
def fast_retries(monkeypatch):
    """The ASL waits minutes between retries (as long as an import takes); offline a minute is 10 ms."""
    import moto.stepfunctions.parser.asl.component.common.retry.retrier_decl as retrier
    import time as real_time

    class ScaledTime:
        def __getattr__(self, name):
            return getattr(real_time, name)

        @staticmethod
        def sleep(seconds: float) -> None:
            real_time.sleep(seconds / 6000)

    waits: list[float] = []
    scaled = ScaledTime()
    original = scaled.sleep

    def record(seconds: float) -> None:
        waits.append(seconds)
        original(seconds)

    scaled.sleep = record  # type: ignore[method-assign]
    monkeypatch.setattr(retrier, "time", scaled)
    return waits


@pytest.fixture
def cloud(sample_book, local_template):
    with LocalCloud(local_template, languages=LANGS) as local:
        seed_book(local, sample_book)
        yield local


def watch_imports(cloud: LocalCloud) -> list[tuple[str, list[str]]]:
    """Every CreateParallelData/UpdateParallelData the fake accepts, with the imports running at that moment."""
    fake = cloud.translate
    seen: list[tuple[str, list[str]]] = []
    lock = threading.Lock()

    def running(name: str) -> list[str]:
        return [
            other
            for other, data in fake.parallel_data.items()
            if other != name and (data.status == "CREATING" or data.update_status == "UPDATING")
        ]

    for op in ("_op_CreateParallelData", "_op_UpdateParallelData"):
        original = getattr(fake, op)

        def wrapped(request, original=original):
            with lock:
                busy = running(request["Name"])
                result = original(request)
                seen.append((request["Name"], busy))
                return result

        setattr(fake, op, wrapped)
    return seen


def hold_first_import(cloud: LocalCloud, seconds: float = 20.0) -> None:
    """An import stays in progress until another language has tried to import too (or `seconds` pass):
    in the sample book es aligns in milliseconds and zh in seconds, so otherwise they rarely overlap."""
    import time

    fake = cloud.translate
    advance = fake._advance_parallel
    deadline = time.monotonic() + seconds

    def other_language_arrived(name: str) -> bool:
        raced = any(
            op in ("CreateParallelData", "UpdateParallelData") and req["Name"] != name
            for op, req in fake.calls
        )
        return raced or time.monotonic() > deadline

    def held(data) -> None:
        if other_language_arrived(data.name):
            advance(data)

    fake._advance_parallel = held


def test_two_languages_never_import_parallel_data_at_the_same_moment(cloud, fast_retries):
    hold_first_import(cloud)
    imports = watch_imports(cloud)
    result = cloud.run({"bucket": BUCKET, "prefix": "source/en/"})
    assert result["status"] == "SUCCEEDED"
    report = json.loads(cloud.get(result["output"]["report_key"]))
    assert report["failed_languages"] == []
    assert sorted(name for name, _ in imports) == ["amts-en-es", "amts-en-zh"]
    assert all(busy == [] for _, busy in imports), imports
    # the second language asked while the first import ran, was told to wait (BUSY), and asked again later
    asked = [op for op, _ in cloud.translate.calls if op in ("CreateParallelData", "UpdateParallelData")]
    assert len(asked) > len(imports)


def test_throttling_and_conflicts_on_every_translate_call_are_retried(cloud, fast_retries):
    fake = cloud.translate
    for op in (
        "GetParallelData",
        "CreateParallelData",
        "StartTextTranslationJob",
        "DescribeTextTranslationJob",
    ):
        fake.throttle(op, times=1)
    fake.throttle("CreateParallelData", times=1, code="ConflictException")
    fake.throttle("CreateParallelData", times=1, code="LimitExceededException")
    fake.throttle("StartTextTranslationJob", times=1, code="LimitExceededException")
    result = cloud.run({"bucket": BUCKET, "prefix": "source/en/"})
    assert result["status"] == "SUCCEEDED"
    report = json.loads(cloud.get(result["output"]["report_key"]))
    assert report["failed_languages"] == []
    assert all(not codes for codes in fake._injected.values())  # every injected failure was met and survived
    assert len(fake.jobs) == len(LANGS)
    # the state machine's own retriers waited (their minutes-long intervals: test_statemachine_asl.py)
    assert len(fast_retries) >= 3
