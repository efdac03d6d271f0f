"""Issue #13 acceptance on the real D2L book: 40 chapters uploaded one object at a time, then one sentence."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from amts.localrun import LocalCloud, seed_book
from amts.localtrigger import UploadTrigger, round_summary

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CHAPTERS = 40
SENTENCE = "Momentum is one of the simplest ways to speed up training."


def d2l_book(data: Path, target: Path, limit: int) -> list[str]:
    """The `limit` smallest translated chapters laid out like sample/: en-new (v0.17.6), zh, en (zh's origin)."""
    with open(data / "pairs.tsv", encoding="utf-8") as table:
        rows = [
            r
            for r in csv.DictReader(table, delimiter="\t")
            if r["kind"] != "meta"
            and r["zh_origin_path"]
            and all(
                f.is_file()
                for f in (
                    data / "en" / r["en_path"],
                    data / "zh" / r["zh_path"],
                    data / "zh_origin" / r["zh_origin_path"],
                )
            )
        ]
    rows.sort(key=lambda r: ((data / "en" / r["en_path"]).stat().st_size, r["en_path"]))
    chosen = rows[:limit]
    for row in chosen:
        for source, folder in (
            (data / "en" / row["en_path"], "en-new"),
            (data / "zh" / row["zh_path"], "zh"),
            (data / "zh_origin" / row["zh_origin_path"], "en"),
        ):
            (target / folder / row["en_path"]).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target / folder / row["en_path"])
    return [r["en_path"] for r in chosen]


def add_sentence(chapter: Path) -> None:
    """One sentence appended to the first prose paragraph that is long enough to be a real paragraph."""
    lines = chapter.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if len(line) > 60 and line[0].isalpha() and line.rstrip().endswith(".") and not nxt.strip():
            lines[i] = f"{line} {SENTENCE}"
            chapter.write_text("\n".join(lines), encoding="utf-8")
            return
    raise AssertionError(f"no paragraph to extend in {chapter}")


def test_forty_chapters_uploaded_singly_then_one_sentence(d2l_data, tmp_path, local_template):
    book = tmp_path / "book"
    paths = d2l_book(d2l_data, book, CHAPTERS)
    assert len(paths) == CHAPTERS
    with LocalCloud(local_template, languages=("zh",)) as cloud:
        seed_book(cloud, book, sources=False)
        trigger = UploadTrigger(cloud)
        calls = len(cloud.translate.calls)
        assert trigger.upload_each(book / "en-new", "source/en/") == CHAPTERS
        first = round_summary(cloud, trigger.settle(), calls)
        ops = [c["operation"] for c in first["translate_calls"]]
        translating = [e for e in first["executions"] if e["chapter_count"]]
        assert 1 <= len(translating) <= 2
        assert all(e["status"] == "SUCCEEDED" for e in first["executions"])
        assert ops.count("CreateParallelData") + ops.count("UpdateParallelData") == 1
        assert ops.count("StartTextTranslationJob") <= len(translating)
        assert sorted(k.split("/", 2)[2] for k in cloud.keys("output/zh/")) == sorted(paths)
        for execution in first["executions"]:
            report = json.loads(cloud.get(execution_report(cloud, execution["arn"])))
            assert report["failed_languages"] == []

        # a later edition: every chapter uploaded again, one of them with one sentence more
        edition = tmp_path / "edition"
        shutil.copytree(book / "en-new", edition)
        add_sentence(edition / paths[-1])
        calls = len(cloud.translate.calls)
        trigger.upload_each(edition, "source/en/")
        second = round_summary(cloud, trigger.settle(), calls)
        assert [e["status"] for e in second["executions"]] == ["SUCCEEDED"]
        assert 0 < second["chars_to_mt"] <= 1.1 * len(SENTENCE), second["chars_to_mt"]
        assert SENTENCE not in cloud.get(f"output/zh/{paths[-1]}").decode()  # translated, not copied


def execution_report(cloud: LocalCloud, arn: str) -> str:
    output = json.loads(cloud.sfn.describe_execution(executionArn=arn)["output"])
    return output["report_key"]
