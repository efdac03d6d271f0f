"""A real synchronisation event of the D2L book (English edition update + human Chinese) through the state machine."""

from __future__ import annotations

import json
import shutil

import pytest

from amts.localrun import BUCKET, LocalCloud, seed_book

pytestmark = pytest.mark.corpus


def test_real_d2l_update_goes_through_the_state_machine(d2l_data, tmp_path, local_template):
    event = d2l_data / "sync" / "v0161-237f802b"
    book = tmp_path / "book"
    shutil.copytree(event / "en-new", book / "en-new")
    shutil.copytree(event / "zh-old", book / "zh")
    # d2l-zh layout: the English each section was translated from sits beside it as x_origin.md
    shutil.copytree(event / "zh-old-origin", book / "zh", dirs_exist_ok=True)
    chapters = sorted(p.relative_to(book / "en-new").as_posix() for p in (book / "en-new").rglob("*.md"))
    with LocalCloud(local_template, languages=("zh",)) as cloud:
        seed_book(cloud, book)
        result = cloud.run({"bucket": BUCKET, "prefix": "source/en/"})
        assert result["status"] == "SUCCEEDED"
        report = json.loads(cloud.get(result["output"]["report_key"]))
        review = json.loads(cloud.get(f"reports/{report['run_id']}/zh/review.json"))
        outputs = {k.split("/", 2)[2]: cloud.get(k).decode() for k in cloud.keys("output/zh/")}
    assert report["failed_languages"] == [] and sorted(outputs) == chapters
    english_chars = sum(len((book / "en-new" / c).read_text()) for c in chapters)
    # only the changed English went to machine translation; most of the human Chinese was kept
    assert 0 < report["chars_to_mt"] < english_chars / 4
    assert review["totals"]["reused"] > review["totals"]["machine"] + review["totals"]["fuzzy"]
    for chapter in chapters:
        human = (book / "zh" / chapter).read_text()
        kept = [line for line in human.splitlines() if len(line) > 40 and line in outputs[chapter]]
        assert len(kept) > 5, chapter
