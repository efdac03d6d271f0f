"""XLIFF 1.2 export of a real sync of the sample book, edits made with translate-toolkit, import back."""

from __future__ import annotations

import json
from difflib import SequenceMatcher
import shutil
from pathlib import Path

import pytest
from lxml import etree
from translate.storage import xliff as ttk_xliff
from translate.storage.placeables import StringElem
from translate.storage.placeables import xliff as ttk_inline
from typer.testing import CliRunner

from amts.cli import app
from tests.helpers import run_cli
from amts.errors import AmtsError, InputError, PlaceholderError
from amts.markdown import mask
from amts.review.report import load_report
from amts.xliff import (
    TargetNotFoundError,
    block_text,
    export_xliff,
    import_xliff,
    placeholder_ids,
    read_xliff,
)

NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
runner = CliRunner()
run = run_cli


@pytest.fixture(scope="module")
def synced(tmp_path_factory, sample_book) -> Path:
    """`amts sync` of the sample book (en -> en-new, zh), no engine: output folder zh/ and report.json."""
    if not (sample_book / "en-new").is_dir():
        pytest.skip("sample book absent")
    work = tmp_path_factory.mktemp("synced")
    run(
        "sync", "--old-source", str(sample_book / "en"), "--new-source", str(sample_book / "en-new"),
        "--old-target", str(sample_book / "zh"), "--target-lang", "zh",
        "--out", str(work / "zh"), "--report", str(work / "report.json"),
    )  # fmt: skip
    return work


@pytest.fixture()
def work(synced, tmp_path) -> Path:
    """A private copy of the synced book and its report, plus the exported XLIFF."""
    shutil.copytree(synced, tmp_path, dirs_exist_ok=True)
    run(
        "xliff",
        "export",
        str(tmp_path / "report.json"),
        "--out",
        str(tmp_path / "book.xlf"),
        "--target-lang",
        "zh",
    )
    return tmp_path


def _segments(report: dict):
    for entry in report["files"]:
        for seg in entry["segments"]:
            yield entry["path"], seg


def _one_placeholder_segment(report: dict) -> tuple[str, dict, str]:
    """A segment to review whose proposed target holds exactly one protected span: (path, segment, span)."""
    for path, seg in _segments(report):
        if seg["status"] in ("reused", "deleted", "code-changed") or seg.get("kind") == "code":
            continue
        originals = mask(block_text(seg["target"]))[1]
        if len(originals) == 1 and mask(block_text(seg["source"]))[1] == originals:
            return path, seg, originals[0]
    raise AssertionError("the sample sync has no segment to review with one placeholder")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _edit(xlf: Path, out: Path, edit) -> None:
    """Open the XLIFF with translate-toolkit, let `edit(unit)` change units, save it as `out`."""
    store = ttk_xliff.xlifffile.parsefile(str(xlf))
    for unit in store.units:
        edit(unit)
    out.write_bytes(bytes(store))


def test_export_is_xliff_12_with_states_and_one_file_per_chapter(work):
    report = load_report(work / "report.json")
    tree = etree.parse(str(work / "book.xlf"))
    root = tree.getroot()
    assert root.get("version") == "1.2" and root.tag == "{%s}xliff" % NS["x"]
    files = [f.get("original") for f in root.findall("x:file", NS)]
    assert files == sorted(
        {path for path, seg in _segments(report) if seg["status"] not in ("deleted", "code-changed")},
        key=files.index,
    )
    assert len(files) == len(set(files)) >= 3
    expected = {
        (path, seg["id"]): seg["status"]
        for path, seg in _segments(report)
        if seg["status"] not in ("deleted", "code-changed") and seg.get("kind") != "code"
    }
    seen = {}
    for file_el in root.findall("x:file", NS):
        for unit in file_el.iter("{%s}trans-unit" % NS["x"]):
            target = unit.find("x:target", NS)
            seen[(file_el.get("original"), unit.get("id"))] = target.get("state")
    assert seen.keys() == expected.keys()
    for key, status in expected.items():
        assert seen[key] == ("final" if status == "reused" else "needs-review-translation"), key


def test_protected_spans_are_placeholders_with_shared_ids(work):
    root = etree.parse(str(work / "book.xlf")).getroot()
    with_ph = 0
    for unit in root.iter("{%s}trans-unit" % NS["x"]):
        source_ph = {ph.get("id"): ph.text for ph in unit.find("x:source", NS).findall("x:ph", NS)}
        target = unit.find("x:target", NS)
        target_ph = {ph.get("id"): ph.text for ph in target.findall("x:ph", NS)}
        for pid, content in target_ph.items():
            if pid in source_ph:
                assert source_ph[pid] == content, "a shared id means the same protected span"
        with_ph += bool(source_ph)
        # no protected syntax left as plain text in the source
        plain = (unit.find("x:source", NS).text or "") + "".join(
            ph.tail or "" for ph in unit.find("x:source", NS)
        )
        assert ":numref:`" not in plain and ":cite:`" not in plain
    assert with_ph >= 5


def test_placeholder_ids_follow_content():
    source, target, table = placeholder_ids("See `a` and $x$ here.", "这里 $x$ 和 `a`。")
    assert target == "这里 ⟦1⟧ 和 ⟦2⟧。"
    assert source == "See ⟦2⟧ and ⟦1⟧ here."
    assert table == {"1": "$x$", "2": "`a`"}


def test_round_trip_edit_one_target_everything_else_byte_identical(work):
    report = load_report(work / "report.json")
    path, seg, span = _one_placeholder_segment(report)
    before = _snapshot(work / "zh")
    edited_text = "审校后的译文"

    def edit(unit):
        if unit.getid().endswith("\x04" + seg["id"]):
            unit.rich_target = [StringElem([edited_text, ttk_inline.Ph(span, id="1"), "。"])]

    _edit(work / "book.xlf", work / "reviewed.xlf", edit)
    run("xliff", "import", str(work / "reviewed.xlf"), "--into", str(work / "zh"))
    after = _snapshot(work / "zh")
    assert after.keys() == before.keys()
    assert [name for name in before if before[name] != after[name]] == [path]
    old_lines = before[path].decode().splitlines(keepends=True)
    new_lines = after[path].decode().splitlines(keepends=True)
    changed = [(a, b) for a, b in zip(old_lines, new_lines, strict=False) if a != b]
    assert len(old_lines) == len(new_lines) and len(changed) == 1
    assert changed[0][1] == f"{edited_text}{span}。\n"
    assert seg["target"] in before[path].decode()


def test_heading_edit_keeps_its_marker(work):
    report = load_report(work / "report.json")
    path, seg = next(
        (p, s)
        for p, s in _segments(report)
        if s["status"] == "untranslated" and s.get("kind") == "heading" and s["target"].startswith("## ")
    )

    def edit(unit):
        if unit.getid().endswith("\x04" + seg["id"]):
            assert unit.source == block_text(seg["source"]) and not unit.source.startswith("#")
            unit.target = "小结"

    _edit(work / "book.xlf", work / "reviewed.xlf", edit)
    import_xliff(work / "reviewed.xlf", work / "zh")
    text = (work / "zh" / path).read_text(encoding="utf-8")
    prefix = seg["target"][: seg["target"].index(block_text(seg["target"]))]
    assert prefix.startswith("#") and f"\n{prefix}小结\n" in text
    assert f"\n{seg['target']}\n" not in text


def test_import_without_edits_writes_nothing(work):
    before = _snapshot(work / "zh")
    assert import_xliff(work / "book.xlf", work / "zh") == {}
    assert _snapshot(work / "zh") == before


@pytest.mark.parametrize("breakage", ["lost", "duplicated", "typed"])
def test_broken_placeholders_are_refused_naming_the_segment_and_nothing_is_written(work, breakage):
    report = load_report(work / "report.json")
    _, victim, span = _one_placeholder_segment(report)
    _, innocent = next(
        (p, s) for p, s in _segments(report) if s["status"] == "untranslated" and s["source"] == "Velocity"
    )
    before = _snapshot(work / "zh")

    def edit(unit):
        if unit.getid().endswith("\x04" + innocent["id"]):
            unit.target = "速度"  # a valid edit in another chapter: must not be written either
        if unit.getid().endswith("\x04" + victim["id"]):
            ph = ttk_inline.Ph(span, id="1")
            parts = {
                "lost": ["假设……"],
                "duplicated": ["假设", ph, "和", ttk_inline.Ph(span, id="1")],
                "typed": ["假设 ⟦1⟧"],
            }[breakage]
            unit.rich_target = [StringElem(parts)]

    _edit(work / "book.xlf", work / "broken.xlf", edit)
    result = runner.invoke(app, ["xliff", "import", str(work / "broken.xlf"), "--into", str(work / "zh")])
    assert isinstance(result.exception, PlaceholderError)
    assert victim["id"] in str(result.exception)
    assert _snapshot(work / "zh") == before


def test_target_edited_since_export_is_a_clear_error(work):
    report = load_report(work / "report.json")
    path, seg = next(
        (p, s) for p, s in _segments(report) if s["status"] == "untranslated" and s["source"] == "Velocity"
    )
    chapter = work / "zh" / path
    chapter.write_text(
        chapter.read_text(encoding="utf-8").replace("## Velocity\n", "## Geschwindigkeit\n"), encoding="utf-8"
    )

    def edit(unit):
        if unit.getid().endswith("\x04" + seg["id"]):
            unit.target = "速度"

    _edit(work / "book.xlf", work / "reviewed.xlf", edit)
    with pytest.raises(TargetNotFoundError, match=seg["id"]):
        import_xliff(work / "reviewed.xlf", work / "zh")


def test_reader_rejects_foreign_files(tmp_path):
    foreign = tmp_path / "other.xlf"
    store = ttk_xliff.xlifffile()
    store.addsourceunit("Hello").target = "Hola"
    foreign.write_bytes(bytes(store))
    with pytest.raises(InputError, match="not exported by amts"):
        read_xliff(foreign)
    (tmp_path / "junk.xlf").write_text("<xliff", encoding="utf-8")
    with pytest.raises(AmtsError):
        read_xliff(tmp_path / "junk.xlf")


def test_report_without_language_needs_target_lang(work):
    report = json.loads((work / "report.json").read_text(encoding="utf-8"))
    report.pop("target_lang", None)
    with pytest.raises(InputError, match="--target-lang"):
        export_xliff(report)


def test_cli_error_is_one_line_exit_2(work):
    import subprocess
    import sys

    (work / "bad.xlf").write_text("not xml", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "amts", "xliff", "import", str(work / "bad.xlf"), "--into", str(work / "zh")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert (
        done.stderr.startswith("error: ") and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    )


@pytest.mark.corpus
def test_real_sync_event_round_trip(d2l_data, tmp_path):
    """Every unit to review of a real D2L sync event edited in XLIFF: exactly those lines change."""
    event = d2l_data / "sync" / "v0170-ch6-7b66e83d"
    if not event.is_dir():
        pytest.skip("sync event absent")
    run(
        "sync", "--old-source", str(event / "en-old"), "--new-source", str(event / "en-new"),
        "--old-target", str(event / "zh-old"), "--target-lang", "zh",
        "--out", str(tmp_path / "zh"), "--report", str(tmp_path / "report.json"),
    )  # fmt: skip
    run(
        "xliff",
        "export",
        str(tmp_path / "report.json"),
        "--out",
        str(tmp_path / "book.xlf"),
        "--target-lang",
        "zh",
    )
    units = read_xliff(tmp_path / "book.xlf")
    assert units and all(u.error is None and u.target in (None, u.proposed) for u in units)
    marker = "【审】"
    edited = 0

    def edit(unit):
        nonlocal edited
        target = unit.xmlelement.find("{*}target")
        if target is None or target.get("state") == "final":
            return
        last = target[-1] if len(target) else None  # append after the last placeholder: tags stay intact
        if last is not None:
            last.tail = (last.tail or "") + marker
        else:
            target.text = (target.text or "") + marker
        edited += 1

    _edit(tmp_path / "book.xlf", tmp_path / "reviewed.xlf", edit)
    before = _snapshot(tmp_path / "zh")
    import_xliff(tmp_path / "reviewed.xlf", tmp_path / "zh")
    after = _snapshot(tmp_path / "zh")
    changed_lines = 0
    for name, old in before.items():
        old_lines, new_lines = old.decode().splitlines(), after[name].decode().splitlines()
        # a code comment run of several lines comes back as one line, like a paragraph
        for tag, a1, a2, b1, b2 in SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
            if tag == "equal":
                continue
            assert tag == "replace" and b2 - b1 <= a2 - a1, (name, old_lines[a1:a2], new_lines[b1:b2])
            for k, b in enumerate(new_lines[b1:b2]):
                if a2 - a1 == b2 - b1:
                    assert b == old_lines[a1 + k] + marker, (name, old_lines[a1 + k], b)
                assert b.endswith(marker), (name, b)
                changed_lines += 1
    assert edited >= 10 and changed_lines == edited
