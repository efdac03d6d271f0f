"""XLIFF 1.2 export of a real sync of the sample book, edits made with translate-toolkit, import back."""

from __future__ import annotations

import copy
import json
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
from amts.errors import AmtsError, InputError
from amts.reviewimport import ImportRefusedError
from amts.markdown import mask
from amts.review.report import load_report
from amts.xliff import (
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
        (path, seg["id"]): _expected_kind(seg)
        for path, seg in _segments(report)
        if seg["status"] not in ("deleted", "code-changed") and seg.get("kind") != "code"
    }
    seen = {}
    for file_el in root.findall("x:file", NS):
        for unit in file_el.iter("{%s}trans-unit" % NS["x"]):
            target = unit.find("x:target", NS)
            state = None if target is None else target.get("state")
            seen[(file_el.get("original"), unit.get("id"))] = (
                state,
                unit.get("translate"),
                unit.get("approved"),
            )
    assert seen.keys() == expected.keys()
    for key, status in expected.items():
        if status == "reused":
            assert seen[key] == ("final", "no", "yes"), (
                key
            )  # no review needed: locked, approved with a target
        elif status == "english":
            assert seen[key] == (None, None, None), key  # left in English: no target to approve
        else:
            assert seen[key] == ("needs-review-translation", None, None), key


def _expected_kind(seg: dict) -> str:
    target = block_text(seg["target"] or "")
    if seg["status"] == "reused" and target:
        return "reused"
    return "english" if target in ("", block_text(seg["source"])) else seg["status"]


def test_protected_spans_are_placeholders_with_shared_ids(work):
    root = etree.parse(str(work / "book.xlf")).getroot()
    with_ph = 0
    for unit in root.iter("{%s}trans-unit" % NS["x"]):
        source_ph = {ph.get("id"): ph.text for ph in unit.find("x:source", NS).findall("x:ph", NS)}
        target = unit.find("x:target", NS)
        target_ph = {} if target is None else {ph.get("id"): ph.text for ph in target.findall("x:ph", NS)}
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


def test_links_and_slide_markers_are_pairs():
    source, target, table = placeholder_ids(
        "[**See [the docs](https://x.org) now**]", "[**看 [文档](https://x.org)**]"
    )
    assert target == "⟦1⟧看 ⟦2⟧文档⟦2:end⟧⟦1:end⟧"
    assert source == "⟦1⟧See ⟦2⟧the docs⟦2:end⟧ now⟦1:end⟧"
    assert table == {"1": "[**", "1:end": "**]", "2": "[", "2:end": "](https://x.org)"}


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


@pytest.mark.parametrize("breakage", ["lost", "unknown", "typed"])
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
                "unknown": ["假设", ph, "和", ttk_inline.Ph("`rm -rf /`", id="99")],
                "typed": ["假设 ⟦1⟧"],
            }[breakage]
            unit.rich_target = [StringElem(parts)]

    _edit(work / "book.xlf", work / "broken.xlf", edit)
    result = runner.invoke(app, ["xliff", "import", str(work / "broken.xlf"), "--into", str(work / "zh")])
    assert isinstance(result.exception, ImportRefusedError)
    assert f"unit {victim['id']}: " in str(result.exception)
    assert breakage == "unknown" or repr(span) in str(result.exception)
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
    with pytest.raises(ImportRefusedError, match=seg["id"]):
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


def _sync_event(event: Path, work: Path) -> Path:
    run(
        "sync", "--old-source", str(event / "en-old"), "--new-source", str(event / "en-new"),
        "--old-target", str(event / "zh-old"), "--target-lang", "zh",
        "--out", str(work / "zh"), "--report", str(work / "report.json"),
    )  # fmt: skip
    run("xliff", "export", str(work / "report.json"), "--out", str(work / "book.xlf"), "--target-lang", "zh")
    return work / "book.xlf"


@pytest.mark.corpus
@pytest.mark.parametrize("event_name", ["v0161-237f802b", "v0170-ch6-7b66e83d"])
def test_real_sync_event_review_with_new_placeholders_reordered_and_repeated(d2l_data, tmp_path, event_name):
    """Every unit to review of a real D2L sync event rewritten in XLIFF by a translator who uses the *new*
    English's placeholders in reverse order, one inline code repeated: it imports; exactly those texts change."""
    event = d2l_data / "sync" / event_name
    if not event.is_dir():
        pytest.skip("sync event absent")
    xlf = _sync_event(event, tmp_path)
    exported = {u.segment_id: u for u in read_xliff(xlf)}
    assert exported and all(u.error is None and u.target in (None, u.proposed) for u in exported.values())
    before = _snapshot(tmp_path / "zh")
    expected: dict[str, tuple[str, str, str]] = {}  # segment -> (path, proposed, new target)
    repeated = wrapped = 0

    def edit(unit):
        nonlocal repeated
        element = unit.xmlelement
        if element.get("translate") == "no":
            return
        segment = unit.getid().split("\x04")[-1]
        ours = exported[segment]
        if (
            ours.proposed.count("\n")
            or sum(t.count(ours.proposed) for t in map(bytes.decode, before.values())) != 1
        ):
            return  # keep the check below simple: one-line targets found once
        source = element.find("{*}source")
        target = element.find("{*}target")
        if target is None:
            target = etree.Element(source.tag.replace("source", "target"))
            source.addnext(target)
        target.clear()
        target.set("state", "translated")
        target.text = "审校"
        phs = [copy.deepcopy(ph) for ph in source if ph.tag.endswith("}ph")]
        for ph in reversed(phs):
            ph.tail = "，"
            target.append(ph)
        codes = [ph for ph in phs if (ph.text or "").startswith("`")]
        if codes:
            extra = copy.deepcopy(codes[0])
            extra.tail = "。"
            target.append(extra)
            repeated += 1
        body = (
            "审校" + "".join(p.text + "，" for p in reversed(phs)) + (codes[0].text + "。" if codes else "")
        )
        if ours.source.startswith(("[**", "(**")) and ours.source.endswith(("**]", "**)")):
            body = f"{ours.source[:3]}{body}{ours.source[-3:]}"  # slide markers applied, not demanded
            nonlocal wrapped
            wrapped += 1
        expected[segment] = (ours.path, ours.proposed, ours.prefix + body + ours.suffix)

    _edit(xlf, tmp_path / "reviewed.xlf", edit)
    result = runner.invoke(
        app, ["xliff", "import", str(tmp_path / "reviewed.xlf"), "--into", str(tmp_path / "zh")]
    )
    assert result.exit_code == 0, result.output
    after = _snapshot(tmp_path / "zh")
    for name, old in before.items():
        text = old.decode()
        for path, proposed, new in expected.values():
            if path == name:
                text = text.replace(proposed, new, 1)
        assert after[name].decode() == text, name
    assert len(expected) >= 10 and repeated >= 1
    assert wrapped >= (1 if event_name.startswith("v0170") else 0)


def _retarget(
    xlf: Path,
    out: Path,
    segment_id: str,
    *,
    path: str | None = None,
    table: str | None = None,
    target: str | None = None,
    lang: str | None = None,
    ph: str | None = None,
) -> None:
    """Tamper with one unit the way a hostile or careless file would: its chapter path, table or target."""
    tree = etree.parse(str(xlf))
    for unit in tree.getroot().iter("{%s}trans-unit" % NS["x"]):
        contexts = {c.get("context-type"): c for c in unit.iter("{%s}context" % NS["x"])}
        if contexts["x-amts-segment"].text != segment_id:
            continue
        if path is not None:
            contexts["x-amts-path"].text = path
        if table is not None:
            contexts["x-amts-placeholders"].text = table
        if target is not None:
            target_el = unit.find("x:target", NS)
            if target_el is None:
                target_el = etree.Element("{%s}target" % NS["x"])
                unit.find("x:source", NS).addnext(target_el)
            for child in list(target_el):
                target_el.remove(child)
            target_el.text = target
            if ph is not None:
                etree.SubElement(target_el, "{%s}ph" % NS["x"], id=ph).tail = "。"
    if lang is not None:
        for file_el in tree.getroot().findall("x:file", NS):
            file_el.set("target-language", lang)
    tree.write(str(out), xml_declaration=True, encoding="UTF-8")


def _refused(*args: str) -> str:
    """The one-line message of a command refused with an AmtsError (the CLI prints it and exits 2)."""
    result = runner.invoke(app, list(args))
    assert isinstance(result.exception, AmtsError), result.output
    return str(result.exception)


def _velocity(report: dict) -> tuple[str, dict]:
    return next(
        (p, s) for p, s in _segments(report) if s["status"] == "untranslated" and s["source"] == "Velocity"
    )


@pytest.mark.parametrize(
    "bad_path",
    ["/etc/passwd", "../outside.md", "chapter/../../outside.md", "a\\b.md", "./x.md", "a//b.md", ""],
)
def test_chapter_path_inside_the_xliff_must_stay_inside_into(work, bad_path):
    report = load_report(work / "report.json")
    _, seg = _velocity(report)
    outside = work / "outside.md"
    outside.write_text("# Outside\n", encoding="utf-8")
    before = _snapshot(work)
    _retarget(work / "book.xlf", work / "evil.xlf", seg["id"], path=bad_path, target="速度")
    before["evil.xlf"] = (work / "evil.xlf").read_bytes()
    message = _refused("xliff", "import", str(work / "evil.xlf"), "--into", str(work / "zh"))
    assert repr(bad_path) in message and "refused" in message and "\n" not in message
    assert _snapshot(work) == before


def test_symlink_leading_outside_into_is_refused(work, tmp_path_factory):
    report = load_report(work / "report.json")
    path, seg = _velocity(report)
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "x.md").write_text("## Velocity\n", encoding="utf-8")
    (work / "zh" / "link").symlink_to(elsewhere, target_is_directory=True)
    _retarget(work / "book.xlf", work / "evil.xlf", seg["id"], path="link/x.md", target="速度")
    with pytest.raises(ImportRefusedError, match="outside"):
        import_xliff(work / "evil.xlf", work / "zh")
    assert (elsewhere / "x.md").read_text(encoding="utf-8") == "## Velocity\n"


def test_unsafe_path_reasons_name_nul_and_friends():
    from amts.reviewimport import unsafe_path_reason

    assert "NUL" in unsafe_path_reason("a\x00.md")
    assert "backslash" in unsafe_path_reason("..\\x.md")
    assert "absolute" in unsafe_path_reason("C:/x.md")
    assert unsafe_path_reason("chapter_x/y.md") is None


@pytest.mark.parametrize(
    "target, reason",
    [
        ("速度\n\n新段落", "blank line"),
        ("速度\n```\nrm -rf /\n```", "fence"),
        ("速度\n# 新标题", "block structure"),
        ("速度\n- 列表", "block structure"),
    ],
)
def test_targets_with_block_structure_are_refused(work, target, reason):
    report = load_report(work / "report.json")
    _, seg = _velocity(report)
    before = _snapshot(work / "zh")
    _retarget(work / "book.xlf", work / "bad.xlf", seg["id"], target=target)
    with pytest.raises(ImportRefusedError, match=reason):
        import_xliff(work / "bad.xlf", work / "zh")
    assert _snapshot(work / "zh") == before


def test_tampered_placeholder_table_is_refused(work):
    report = load_report(work / "report.json")
    _, seg, span = _one_placeholder_segment(report)
    before = _snapshot(work / "zh")
    # The table now says placeholder 1 is a script: the <ph id="1"> of the target would bring it into the book.
    _retarget(
        work / "book.xlf",
        work / "evil.xlf",
        seg["id"],
        table=json.dumps({"1": "<script>x()</script>"}),
        target="假设",
        ph="1",
    )
    with pytest.raises(ImportRefusedError, match="table was edited"):
        import_xliff(work / "evil.xlf", work / "zh")
    assert _snapshot(work / "zh") == before


def test_wrong_target_language_is_refused(work):
    report = load_report(work / "report.json")
    _, seg = next(
        (p, s)
        for p, s in _segments(report)
        if p == "chapter_regression/linear.md" and s.get("kind") == "paragraph" and not mask(s["source"])[1]
    )
    _retarget(work / "book.xlf", work / "es.xlf", seg["id"], target="Velocidad", lang="es")
    before = _snapshot(work / "zh")
    with pytest.raises(ImportRefusedError, match="target-language"):
        import_xliff(work / "es.xlf", work / "zh", target_lang="zh")
    with pytest.raises(ImportRefusedError, match="mostly CJK"):
        import_xliff(work / "es.xlf", work / "zh")  # the chapters are Chinese: not a Spanish book
    assert _snapshot(work / "zh") == before


def test_every_problem_of_the_file_is_reported_in_one_run(work):
    report = load_report(work / "report.json")
    _, seg = _velocity(report)
    _, victim, span = _one_placeholder_segment(report)
    _retarget(work / "book.xlf", work / "one.xlf", seg["id"], target="速度\n\n更多")
    _retarget(work / "one.xlf", work / "two.xlf", victim["id"], target="假设。")
    before = _snapshot(work / "zh")
    message = _refused("xliff", "import", str(work / "two.xlf"), "--into", str(work / "zh"))
    assert "2 problem(s)" in message and seg["id"] in message and victim["id"] in message
    assert f"missing placeholder {span!r}" in message and "\n" not in message
    assert _snapshot(work / "zh") == before


def test_new_files_honour_the_umask(tmp_path):
    import os
    import stat

    from amts.reviewimport import write_all

    old = os.umask(0o022)
    try:
        write_all({tmp_path / "new.md": "x\n"})
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o644


def test_doctype_and_entities_are_refused(tmp_path):
    bomb = tmp_path / "bomb.xlf"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a.md" '
        'source-language="en" datatype="plaintext"><body><trans-unit id="1"><source>&b;</source>'
        "</trans-unit></body></file></xliff>",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="DOCTYPE"):
        read_xliff(bomb)
    (tmp_path / "other.xml").write_text("<html><body/></html>", encoding="utf-8")
    with pytest.raises(InputError, match="not an XLIFF"):
        read_xliff(tmp_path / "other.xml")


def test_placeholder_table_check_links_and_html():
    from amts.reviewimport import table_problems

    chapter = "见 [文档](https://old.org) 和 <b>粗体</b>。"
    link = {"1": "[", "1:end": "](https://new.org)"}
    assert (
        table_problems(link, chapter, dict(link)) == []
    )  # a link the new English added, as its <source> shows
    assert table_problems(link, chapter, {}) != []  # not in the chapter, not in the <source>: edited
    evil = {"1": "[", "1:end": "](javascript:alert(1))"}
    assert table_problems(evil, chapter, dict(evil)) != []
    assert table_problems({"2": "<b>"}, chapter) == [] and table_problems({"2": "<script>"}, chapter) != []
    assert table_problems({"3": "not a span"}, chapter) != []


def test_exports_are_readable_by_others_under_umask_022(work, tmp_path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        run("xliff", "export", str(work / "report.json"), "--out", str(tmp_path / "new.xlf"))
        run("po", "export", str(work / "report.json"), "--out", str(tmp_path / "new.po"))
        run("review", str(work / "report.json"), "--out", str(tmp_path / "new.html"))
    finally:
        os.umask(old)
    for name in ("new.xlf", "new.po", "new.html"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name
