"""Reviewed pairs become parallel data: the local memory the next sync reuses, and Amazon parallel data."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from lxml import etree
from translate.storage import tmx as ttk_tmx
from translate.storage import xliff as ttk_xliff
from typer.testing import CliRunner

from tests.helpers import run_cli
from amts.engines.memory import read_parallel_file
from amts.cli import app
from amts.errors import EngineError, InputError
from amts.feedback import (
    Pair,
    amazon_ready,
    collect_pairs,
    one_line,
    read_memory,
    update_memory,
    update_parallel_data,
)
from amts.xliff import block_text, read_xliff

runner = CliRunner()
run = run_cli


def sync(sample: Path, out: Path, report: Path, *extra: str) -> dict:
    run(
        "sync", "--old-source", str(sample / "en"), "--new-source", str(sample / "en-new"),
        "--old-target", str(sample / "zh"), "--target-lang", "zh", "--out", str(out), "--report", str(report),
        *extra,
    )  # fmt: skip
    return json.loads(report.read_text(encoding="utf-8"))


@pytest.fixture()
def reviewed(tmp_path, sample_book) -> dict:
    """Sync the sample (no engine), export XLIFF, have a 'translator' translate every segment to review."""
    if not (sample_book / "en-new").is_dir():
        pytest.skip("sample book absent")
    report = sync(sample_book, tmp_path / "zh", tmp_path / "report.json")
    run(
        "xliff",
        "export",
        str(tmp_path / "report.json"),
        "--out",
        str(tmp_path / "book.xlf"),
        "--target-lang",
        "zh",
    )
    store = ttk_xliff.xlifffile.parsefile(str(tmp_path / "book.xlf"))
    edited: dict[tuple[str, str], str] = {}  # (chapter path, segment id) -> reviewed target text
    for number, unit in enumerate(store.units):
        element = unit.xmlelement
        contexts = {c.get("context-type"): c.text for c in element.iter("{*}context")}
        if element.get("translate") == "no" or contexts["x-amts-status"] == "reused-format":
            continue  # human text: left as exported (markup-only changes stay needs-review-translation)
        # A translator's new text that keeps every protected span of the new English (<ph>, <bpt>/<ept>).
        source = element.find("{*}source")
        target = element.find("{*}target")
        if target is None:
            target = etree.Element(source.tag.replace("source", "target"))
            source.addnext(target)
        target.clear()
        # About as long as a Chinese translation of it would be: the pair checks refuse absurd length ratios.
        text = f"审校译文{number}" + "译" * (len(unit.source) // 3)
        target.text = text
        for child in source:  # words between spans: adjacent `$a$$b$` would read as display math
            placeholder = copy.deepcopy(child)
            placeholder.tail = " 和"
            target.append(placeholder)
            text += f"{child.text} 和"
        edited[tuple(unit.getid().split("\x04"))] = text
    (tmp_path / "reviewed.xlf").write_bytes(bytes(store))
    assert len(edited) >= 5
    return {"dir": tmp_path, "report": report, "edited": edited}


def test_only_reviewed_units_become_pairs(reviewed):
    units = {(u.path, u.segment_id): u for u in read_xliff(reviewed["dir"] / "reviewed.xlf")}
    pairs = collect_pairs([reviewed["dir"] / "reviewed.xlf"])
    by_source = {p.source: p.target for p in pairs}
    for key, target in reviewed["edited"].items():
        assert by_source[units[key].source] == target
    sources = {p.source for p in pairs}
    untouched = [u for u in units.values() if not u.reviewed]
    assert untouched, "units left as needs-review-translation"
    assert not [u for u in untouched if u.source in sources and not _also_reviewed(u, units)]
    # Locked units (translate="no") were not reviewed by anyone in this review: never learned.
    finals = [u for u in units.values() if u.state == "final" and u.source != u.target_text]
    assert finals and not [u for u in finals if u.source in sources and not _also_reviewed(u, units)]


def _also_reviewed(unit, units) -> bool:
    return any(other.reviewed and other.source == unit.source for other in units.values())


def test_memory_is_deduped_and_a_review_replaces_the_old_entry(tmp_path):
    memory = tmp_path / "memory.tsv"
    first = update_memory(
        memory,
        [Pair("Hello world.", "你好，世界。", "t"), Pair("Hello world.", "你好，世界。", "t")],
        "en",
        "zh",
    )
    assert (first.added, first.unchanged, first.total) == (1, 1, 1)
    second = update_memory(
        memory,
        [
            Pair("Hello world.", "世界你好。", "t"),
            Pair("Same", "Same", "t"),
            Pair("Two\nlines.", "两\n行。", "t"),
        ],
        "en",
        "zh",
    )
    assert (second.added, second.replaced, second.skipped) == (1, 1, 1)
    assert second.skipped_reasons == {"untranslated": 1}
    assert memory.read_text(encoding="utf-8").splitlines()[0] == "en\tzh"
    assert dict(read_parallel_file(memory, "en", "zh")) == {
        "Hello world.": "世界你好。",
        "Two lines.": "两行。",
    }


@pytest.mark.parametrize("suffix", [".tsv", ".csv", ".tmx"])
def test_memory_formats_read_back(tmp_path, suffix):
    memory = tmp_path / f"memory{suffix}"
    pairs = [Pair('A, with comma and "quotes".', "甲，带逗号和“引号”。", "t"), Pair("B", "乙", "t")]
    update_memory(memory, pairs, "en", "zh")
    assert read_parallel_file(memory, "en", "zh") == [(p.source, p.target) for p in pairs]
    if suffix == ".tmx":
        store = ttk_tmx.tmxfile.parsefile(str(memory))
        assert [(u.source, u.target) for u in store.units] == [(p.source, p.target) for p in pairs]


def test_amazon_limits():
    pairs = [
        ("A good sentence.", "一个好句子。"),
        ("x " * 600, "长" * 400),
        ("=SUM(A1) of the cells", "单元格的公式"),
        ("A good sentence.", "另一个"),
    ]
    kept, dropped = amazon_ready(pairs, "en", "zh")
    assert kept == [("A good sentence.", "一个好句子。")]
    assert dropped == {"too_long": 1, "formula_prefix": 1, "conflicting_duplicate": 1}


def test_one_line_joins_cjk_without_spaces():
    assert one_line("第一句。\n第二句。", "zh") == "第一句。第二句。"
    assert one_line("First.\n  Second.", "es") == "First. Second."


def test_nothing_to_learn_from_is_an_error():
    with pytest.raises(InputError):
        collect_pairs([], None)


def test_next_sync_reuses_the_reviewed_translations(reviewed, sample_book):
    work = reviewed["dir"]
    run("feedback", "--xliff", str(work / "reviewed.xlf"), "--memory", str(work / "memory.tsv"))
    again = sync(
        sample_book,
        work / "zh2",
        work / "report2.json",
        "--engine",
        "memory",
        "--memory",
        str(work / "memory.tsv"),
    )
    by_key = {(entry["path"], seg["id"]): seg for entry in again["files"] for seg in entry["segments"]}
    first = {
        (entry["path"], seg["id"]): seg for entry in reviewed["report"]["files"] for seg in entry["segments"]
    }
    checked = 0
    for key, seg in first.items():
        if key not in reviewed["edited"] or seg["status"] == "untranslated" and seg.get("old_target"):
            continue  # partly human segments: see the next test
        now = by_key[key]
        assert now["status"] == "reused", (key, now)
        assert block_text(now["target"]) == reviewed["edited"][key]
        checked += 1
    assert checked >= 5


def test_next_sync_reuses_reviewed_partly_human_segments(reviewed, sample_book):
    work = reviewed["dir"]
    run("feedback", "--xliff", str(work / "reviewed.xlf"), "--memory", str(work / "memory.tsv"))
    again = sync(
        sample_book,
        work / "zh2",
        work / "report2.json",
        "--engine",
        "memory",
        "--memory",
        str(work / "memory.tsv"),
    )
    by_key = {(entry["path"], seg["id"]): seg for entry in again["files"] for seg in entry["segments"]}
    partly_human = [
        (entry["path"], seg["id"])
        for entry in reviewed["report"]["files"]
        for seg in entry["segments"]
        if (entry["path"], seg["id"]) in reviewed["edited"]
        and seg["status"] == "untranslated"
        and seg.get("old_target")
        # the fake translator copies the proposal's spans; a comment's proposal (the old human comment)
        # lacks the new English's `noise`, so feedback rightly skips that pair
        and seg.get("kind") != "comment"
    ]
    assert partly_human
    assert all(by_key[key]["status"] == "reused" for key in partly_human)


def test_update_parallel_data_with_fake_translate(tmp_path, monkeypatch):
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    from amts.fakes.translate import FakeTranslate

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    memory = tmp_path / "memory.tsv"
    update_memory(
        memory,
        [Pair("Reviewed sentence.", "审校过的句子。", "t"), Pair("Long. " * 200, "长。" * 200, "t")],
        "en",
        "zh",
    )
    with moto.mock_aws():
        boto3.setup_default_session()
        boto3.client("s3").create_bucket(Bucket="amts-data")
        fake = FakeTranslate().install()
        try:
            created = update_parallel_data(memory, "book-zh", "s3://amts-data/pd/memory.tsv", "en", "zh")
            assert created == {"status": "CREATING", "uploaded": 1, "dropped": {"too_long": 1}}
            translate = boto3.client("translate")
            while (
                translate.get_parallel_data(Name="book-zh")["ParallelDataProperties"]["Status"] == "CREATING"
            ):
                pass
            update_memory(memory, [Pair("Another one.", "另一句。", "t")], "en", "zh")
            updated = update_parallel_data(memory, "book-zh", "s3://amts-data/pd/memory.tsv", "en", "zh")
            assert updated["status"] == "UPDATING" and updated["uploaded"] == 2
            for _ in range(5):
                props = translate.get_parallel_data(Name="book-zh")["ParallelDataProperties"]
            assert props["ImportedRecordCount"] == 2
            assert ("Another one.", "另一句。") in fake.parallel_data["book-zh"].pairs
            operations = [name for name, _ in fake.calls]
            assert "CreateParallelData" in operations and "UpdateParallelData" in operations
        finally:
            fake.uninstall()


def test_feedback_without_credentials_updates_only_the_memory(reviewed, monkeypatch):
    monkeypatch.setattr("amts.feedback.credentials_available", lambda session=None: False)
    work = reviewed["dir"]
    result = runner.invoke(
        app,
        ["feedback", "--xliff", str(work / "reviewed.xlf"), "--memory", str(work / "m.tsv"),
         "--parallel-data", "book-zh", "--s3-uri", "s3://b/k.tsv"],
    )  # fmt: skip
    assert isinstance(result.exception, EngineError) and "no AWS credentials" in str(result.exception)
    assert len(read_parallel_file(work / "m.tsv", "en", "zh")) >= len(reviewed["edited"])


def test_update_keeps_entries_amazon_would_refuse(tmp_path):
    """The local memory is for sync too: long paragraphs stay even though Amazon's 1000-byte limit drops them."""
    memory = tmp_path / "memory.tsv"
    long_source = "A long paragraph. " * 80
    update_memory(memory, [Pair(long_source.strip(), "一个很长的段落。" * 80, "t")], "en", "zh")
    update_memory(memory, [Pair("Short.", "短。", "t")], "en", "zh")
    sources = [source for source, _ in read_memory(memory, "en", "zh")]
    assert long_source.strip() in sources and "Short." in sources


def test_memory_with_other_languages_is_refused(tmp_path):
    memory = tmp_path / "memory.tsv"
    memory.write_text("en\tes\nHello\tHola\n", encoding="utf-8")
    with pytest.raises(InputError, match="en->es"):
        update_memory(memory, [Pair("Hi", "嗨", "t")], "en", "zh")


@pytest.mark.corpus
def test_real_event_feedback_learns_exactly_the_reviewed_pairs(d2l_data, tmp_path):
    """v0161: a translator edits some units, approves others, leaves the rest; one edit is markup only."""
    from amts.reviewset import pair_problem

    event = d2l_data / "sync" / "v0161-237f802b"
    if not event.is_dir():
        pytest.skip("sync event absent")
    run(
        "sync", "--old-source", str(event / "en-old"), "--new-source", str(event / "en-new"),
        "--old-target", str(event / "zh-old"), "--target-lang", "zh",
        "--out", str(tmp_path / "zh"), "--report", str(tmp_path / "report.json"),
    )  # fmt: skip
    run("xliff", "export", str(tmp_path / "report.json"), "--out", str(tmp_path / "book.xlf"))
    tree = etree.parse(str(tmp_path / "book.xlf"))
    locked = approved = 0
    expected: set[str] = set()
    markup_only = None
    for unit in tree.getroot().iter("{*}trans-unit"):
        source, target = unit.find("{*}source"), unit.find("{*}target")
        english = "".join(source.itertext())
        if unit.get("translate") == "no":
            locked += 1
            assert unit.get("approved") == "yes" and target is not None and "".join(target.itertext())
            continue
        assert unit.get("approved") is None  # nothing to review is ever exported approved
        if target is not None and approved < 3 and "`" not in english:
            target.set("state", "signed-off")  # confirmed as it stands
            approved += 1
            if not pair_problem(english, "".join(target.itertext()), "en", "zh"):
                expected.add(english)  # a confirmed pair that fails the checks (shifted item) is not learned
        elif target is None and markup_only is None and len(source):
            markup_only = english  # a target of placeholders only: valid XLIFF, never a translation pair
            target = etree.Element(source.tag.replace("source", "target"))
            source.addnext(target)
            for child in source:
                target.append(copy.deepcopy(child))
                target[-1].tail = None
    tree.write(str(tmp_path / "reviewed.xlf"))
    assert locked > 200 and approved == 3 and len(expected) >= 2 and markup_only
    result = run("feedback", "--xliff", str(tmp_path / "reviewed.xlf"), "--memory", str(tmp_path / "m.tsv"))
    learned = {source for source, _ in read_parallel_file(tmp_path / "m.tsv", "en", "zh")}
    assert learned == {one_line(e, "en") for e in expected}
    assert "markup_only" in result.output
    # Reused units with a doubtful pairing (an exercise shifted by one) go to review, not to the memory.
    units = read_xliff(tmp_path / "book.xlf")
    doubtful = [u for u in units if u.status == "reused" and u.target is not None and not u.approved]
    assert any(pair_problem(u.source, u.target_text or "", "en", "zh", strict=False) for u in doubtful)


@pytest.mark.corpus
def test_real_event_resync_after_feedback_reuses_every_reviewed_unit(d2l_data, tmp_path):
    """v0161: every unit to review is rewritten and confirmed in XLIFF, imported, fed back; the same sync
    with the memory reuses each of them (markup-only changes included)."""
    event = d2l_data / "sync" / "v0161-237f802b"
    if not event.is_dir():
        pytest.skip("sync event absent")
    args = ["--old-source", str(event / "en-old"), "--new-source", str(event / "en-new"),
            "--old-target", str(event / "zh-old"), "--target-lang", "zh"]  # fmt: skip
    run("sync", *args, "--out", str(tmp_path / "zh"), "--report", str(tmp_path / "r.json"))
    run("xliff", "export", str(tmp_path / "r.json"), "--out", str(tmp_path / "b.xlf"))
    tree = etree.parse(str(tmp_path / "b.xlf"))
    reviewed = set()
    for n, unit in enumerate(tree.getroot().iter("{*}trans-unit")):
        contexts = {c.get("context-type"): c.text for c in unit.iter("{*}context")}
        if unit.get("translate") == "no" or not contexts["x-amts-proposed"]:
            continue  # locked human text; a segment the sync wrote nothing for cannot be imported
        source = unit.find("{*}source")
        target = unit.find("{*}target")
        if target is None:
            target = etree.Element(source.tag.replace("source", "target"))
            source.addnext(target)
        target.clear()
        target.set("state", "translated")
        target.text = "审校" + "译" * (len("".join(source.itertext())) // 3) + str(n)
        for child in source:
            placeholder = copy.deepcopy(child)
            placeholder.tail = "和"
            target.append(placeholder)
        reviewed.add((contexts["x-amts-path"], contexts["x-amts-segment"], contexts["x-amts-status"]))
    tree.write(str(tmp_path / "rev.xlf"))
    run("xliff", "import", str(tmp_path / "rev.xlf"), "--into", str(tmp_path / "zh"))
    run("feedback", "--xliff", str(tmp_path / "rev.xlf"), "--memory", str(tmp_path / "m.tsv"))
    run("sync", *args, "--out", str(tmp_path / "zh2"), "--report", str(tmp_path / "r2.json"),
        "--engine", "memory", "--memory", str(tmp_path / "m.tsv"))  # fmt: skip
    report = json.loads((tmp_path / "r2.json").read_text(encoding="utf-8"))
    status = {(f["path"], s["id"]): s["status"] for f in report["files"] for s in f["segments"]}
    assert len(reviewed) >= 30 and {st for _, _, st in reviewed} >= {"untranslated", "reused-format"}
    assert [key for key in reviewed if status[key[:2]] != "reused"] == []
