"""#16.5: a chapter is fingerprinted only once its review is written; control characters pass every step."""

from __future__ import annotations

import json

import pytest

from amts.localrun import BUCKET, LocalCloud, seed_book

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CHAPTER = "chapter_regression/linear.md"


@pytest.fixture
def cloud(sample_book, local_template):
    with LocalCloud(local_template, languages=("zh",)) as local:
        seed_book(local, sample_book)
        yield local


def run(cloud: LocalCloud) -> dict:
    result = cloud.run({"bucket": BUCKET, "prefix": "source/en/"})
    assert result["status"] == "SUCCEEDED", (result["error"], result["cause"])
    return json.loads(cloud.get(result["output"]["report_key"]))


def review_paths(cloud: LocalCloud, report: dict) -> list[str]:
    review = json.loads(cloud.get(f"reports/{report['run_id']}/zh/review.json"))
    return [f["path"] for f in review["files"]]


def add_control_characters(cloud: LocalCloud) -> str:
    key = f"source/en/{CHAPTER}"
    text = cloud.get(key).decode().replace("\n\n", "\n\nPress \x1b to leave, \x01 marks a start.\n\n", 1)
    cloud.put(key, text.encode())
    return text


def test_control_characters_translate_and_reach_the_review(cloud):
    add_control_characters(cloud)
    report = run(cloud)
    assert report["failed_languages"] == []
    assert CHAPTER in review_paths(cloud, report)
    assert "\x1b" in cloud.get(f"output/zh/{CHAPTER}").decode()
    assert b"urn:oasis:names:tc:xliff" in cloud.get(f"reports/{report['run_id']}/zh/review.xlf")


def test_a_failed_evaluate_is_redone_by_the_next_run(cloud):
    cloud.lambdas.inject("evaluate", lambda event: True, RuntimeError("evaluate crashed"))
    first = run(cloud)
    assert first["failed_languages"] == ["zh"]
    assert cloud.keys("work/state/zh/") == []  # no review written: no chapter counts as done
    cloud.lambdas.clear_faults()
    again = run(cloud)
    assert again["failed_languages"] == [] and again["chapters_planned"] == first["chapters_planned"]
    assert CHAPTER in review_paths(cloud, again)
    assert len(cloud.keys("work/state/zh/")) == len(cloud.keys("source/en/"))
