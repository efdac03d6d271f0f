"""gettext PO export/import of the review set, round-tripped through polib and translate-toolkit's po2xliff."""

from __future__ import annotations

import io
import shutil
import subprocess
import json
from pathlib import Path

import polib
import pytest
from lxml import etree
from translate.convert import po2xliff
from typer.testing import CliRunner

from amts.cli import app
from amts.errors import AmtsError
from amts.po import read_po
from tests.helpers import run_cli

runner = CliRunner()
EVENT = "v0161-237f802b"


@pytest.fixture()
def synced(d2l_data, tmp_path) -> Path:
    """A real D2L sync event synchronised into tmp_path/zh, its report, and the PO export."""
    event = d2l_data / "sync" / EVENT
    if not event.is_dir():
        pytest.skip("sync event absent")
    run_cli(
        "sync", "--old-source", str(event / "en-old"), "--new-source", str(event / "en-new"),
        "--old-target", str(event / "zh-old"), "--target-lang", "zh",
        "--out", str(tmp_path / "zh"), "--report", str(tmp_path / "report.json"),
    )  # fmt: skip
    run_cli("po", "export", str(tmp_path / "report.json"), "--out", str(tmp_path / "book.po"))
    return tmp_path


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text("utf-8") for p in sorted(folder.rglob("*.md"))}


@pytest.mark.corpus
def test_export_has_previous_english_context_locations_and_fuzzy_flags(synced):
    po = polib.pofile(str(synced / "book.po"), wrapwidth=0)
    entries = list(po)
    assert po.metadata["Language"] == "zh" and entries
    assert len({e.msgctxt for e in entries}) == len(entries)  # context keeps every entry distinct
    assert all(e.occurrences and e.occurrences[0][0] in e.msgctxt for e in entries)
    assert any(e.previous_msgid and e.previous_msgid != e.msgid for e in entries)
    assert all(("fuzzy" in e.flags) == bool(e.msgstr) for e in entries)  # proposals wait for a human
    # polib writes back exactly what we wrote: the file is canonical gettext.
    assert str(po) + "\n" == (synced / "book.po").read_text(encoding="utf-8")
    if shutil.which("msgfmt"):  # GNU gettext's own checker, where installed
        done = subprocess.run(
            ["msgfmt", "--check", "-o", "/dev/null", str(synced / "book.po")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr


@pytest.mark.corpus
def test_polib_round_trip_changes_only_the_edited_entries(synced):
    before = _snapshot(synced / "zh")
    po = polib.pofile(str(synced / "book.po"), wrapwidth=0)
    units = {u.segment_id: u for u in read_po(synced / "book.po")}
    edited = {}
    for entry in po:
        unit = units[entry.comment.split('"segment": "')[1].split('"')[0]]
        if "\n" in unit.proposed or sum(t.count(unit.proposed) for t in before.values()) != 1:
            continue
        spans = [m for m in ("`", "$", ":") if m in entry.msgid]
        if spans or len(edited) >= 3:
            continue  # keep to plain prose: the placeholder rules are tested with XLIFF
        entry.msgstr = f"审校后的译文 {len(edited)}"
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
        edited[unit.path, unit.proposed] = unit.prefix + entry.msgstr + unit.suffix
    assert len(edited) == 3
    po.save(str(synced / "reviewed.po"))
    result = runner.invoke(app, ["po", "import", str(synced / "reviewed.po"), "--into", str(synced / "zh")])
    assert result.exit_code == 0, result.output
    after = _snapshot(synced / "zh")
    for name, text in before.items():
        for (path, proposed), new in edited.items():
            if path == name:
                text = text.replace(proposed, new, 1)
        assert after[name] == text, name
    assert sum(after[n] != before[n] for n in before) >= 1


@pytest.mark.corpus
def test_broken_po_entry_is_refused_naming_it(synced):
    po = polib.pofile(str(synced / "book.po"), wrapwidth=0)
    victim = next(e for e in po if "`" in e.msgid)
    victim.msgstr = "丢了代码"
    po.save(str(synced / "broken.po"))
    before = _snapshot(synced / "zh")
    result = runner.invoke(app, ["po", "import", str(synced / "broken.po"), "--into", str(synced / "zh")])
    assert isinstance(result.exception, AmtsError) and "missing placeholder" in str(result.exception)
    assert _snapshot(synced / "zh") == before


@pytest.mark.corpus
def test_po2xliff_output_imports_with_xliff_import(synced):
    """A translator who converts our PO with translate-toolkit's po2xliff and works in XLIFF is served."""
    out = io.BytesIO()
    with (synced / "book.po").open("rb") as stream:
        po2xliff.convertpo(stream, out, None)
    root = etree.fromstring(out.getvalue())
    before = _snapshot(synced / "zh")
    edited = None
    for unit in root.iter("{*}trans-unit"):
        source, target = unit.find("{*}source"), unit.find("{*}target")
        if unit.get("restype") or "`" in source.text or "$" in source.text or ":" in source.text:
            continue
        note = next(n.text for n in unit.iter("{*}note") if "amts: " in (n.text or ""))
        data = json.loads(note.split("amts: ", 1)[1])
        proposed = data["proposed"]
        if proposed and sum(t.count(proposed) for t in before.values()) == 1:
            target.text = "经过审校"
            target.set("state", "translated")
            edited = (proposed, data["target-prefix"] + "经过审校" + data["target-suffix"])
            break
    assert edited
    (synced / "from-po.xlf").write_bytes(etree.tostring(root))
    result = runner.invoke(
        app, ["xliff", "import", str(synced / "from-po.xlf"), "--into", str(synced / "zh")]
    )
    assert result.exit_code == 0, result.output
    after = _snapshot(synced / "zh")
    changed = [n for n in before if before[n] != after[n]]
    assert len(changed) == 1 and after[changed[0]] == before[changed[0]].replace(*edited, 1)


@pytest.mark.corpus
def test_po_entry_naming_a_path_outside_into_is_refused(synced):
    po = polib.pofile(str(synced / "book.po"), wrapwidth=0)
    entry = next(e for e in po if not e.msgstr)
    entry.comment = entry.comment.replace('"path": "', '"path": "../../', 1)
    entry.msgstr = "译文"
    po.save(str(synced / "evil.po"))
    before = _snapshot(synced / "zh")
    result = runner.invoke(app, ["po", "import", str(synced / "evil.po"), "--into", str(synced / "zh")])
    assert isinstance(result.exception, AmtsError) and "'..'" in str(result.exception)
    assert _snapshot(synced / "zh") == before
