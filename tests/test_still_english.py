"""sync, translate and import end with what is still English and what needs review, per chapter; a publishing
pipeline refuses English with --fail-on-untranslated N."""

from __future__ import annotations

import copy

import pytest
from lxml import etree
from typer.testing import CliRunner

from amts.cli import app

runner = CliRunner()
EVENT = "v0161-237f802b"


def _sync(event, work, *extra: str):
    return runner.invoke(
        app,
        ["sync", "--old-source", str(event / "en-old"), "--new-source", str(event / "en-new"),
         "--old-target", str(event / "zh-old"), "--target-lang", "zh",
         "--out", str(work / "zh"), "--report", str(work / "report.json"), *extra],
    )  # fmt: skip


@pytest.mark.corpus
def test_sync_names_the_english_left_per_chapter_and_can_refuse_it(d2l_data, tmp_path):
    event = d2l_data / "sync" / EVENT
    if not event.is_dir():
        pytest.skip("sync event absent")
    done = _sync(event, tmp_path, "--fail-on-untranslated", "0")
    assert done.exit_code == 1
    assert "chapter_preliminaries/ndarray.md: 16 still English" in done.output
    assert "still English: 18 segment(s)" in done.output
    assert (tmp_path / "report.json").is_file()  # written first: the failure is about publishing, not sync
    assert _sync(event, tmp_path / "again", "--fail-on-untranslated", "18").exit_code == 0


def test_translate_names_the_english_left_and_can_refuse_it(tmp_path):
    (tmp_path / "a.md").write_text("# Title\n\nSome text to translate.\n", encoding="utf-8")
    args = ["translate", str(tmp_path / "a.md"), "--target-lang", "es", "--engine", "none", "--out"]
    done = runner.invoke(app, [*args, str(tmp_path / "b.md"), "--fail-on-untranslated", "0"])
    assert done.exit_code == 1 and "2 still in the source language" in done.output
    assert runner.invoke(app, [*args, str(tmp_path / "c.md")]).exit_code == 0


@pytest.mark.corpus
def test_import_reports_a_unit_left_in_english_and_can_refuse_it(d2l_data, tmp_path):
    event = d2l_data / "sync" / EVENT
    if not event.is_dir():
        pytest.skip("sync event absent")
    assert _sync(event, tmp_path).exit_code == 0
    assert runner.invoke(
        app, ["xliff", "export", str(tmp_path / "report.json"), "--out", str(tmp_path / "b.xlf")]
    )
    # The translator copies the source into the target of one English unit and confirms it.
    tree = etree.parse(str(tmp_path / "b.xlf"))
    unit = next(
        u
        for u in tree.getroot().iter("{*}trans-unit")
        if u.find("{*}target") is None
        and u.find("{*}context-group/{*}context[@context-type='x-amts-proposed']").text
    )
    target = etree.Element(unit.find("{*}source").tag.replace("source", "target"), state="translated")
    target.text = unit.find("{*}source").text
    for child in unit.find("{*}source"):
        target.append(copy.deepcopy(child))
    unit.find("{*}source").addnext(target)
    tree.write(str(tmp_path / "r.xlf"))
    args = ["xliff", "import", str(tmp_path / "r.xlf"), "--into", str(tmp_path / "zh")]
    done = runner.invoke(app, args)
    assert done.exit_code == 0 and "18 unit(s) still English" in done.output
    assert "ndarray.md: 16 still English" in done.output
    assert runner.invoke(app, [*args, "--fail-on-untranslated", "0"]).exit_code == 1
