"""Hostile input against every command (#16 point 7): exit code 2, one line on stderr naming the problem, and
nothing written anywhere (the whole workspace is compared before and after). Inputs are generated here."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from amts.cli import main
from tests.test_sync import EN_OLD, ZH_OLD

EN_NEW = EN_OLD.replace("Pooling layers serve two purposes.", "Pooling layers serve a dual purpose.")


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(argv)
    code = done.value.code
    captured = capsys.readouterr()
    return (code if isinstance(code, int) else 1), captured.out, captured.err


def _snapshot(root: Path) -> dict[str, bytes | str]:
    state: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            state[rel] = "special"
        elif path.is_dir():
            state[rel] = "folder"
        else:
            state[rel] = path.read_bytes()
    return state


@pytest.fixture(scope="module")
def report_json(tmp_path_factory) -> dict:
    """A real REPORT.json, from a real sync, to corrupt in the cases."""
    from amts.sync import sync_paths

    root = tmp_path_factory.mktemp("report")
    for name, text in (("en.md", EN_OLD), ("en2.md", EN_NEW), ("zh.md", ZH_OLD)):
        (root / name).write_text(text, encoding="utf-8")
    return sync_paths(root / "en.md", root / "en2.md", root / "zh.md", root / "out.md", "en", "zh")


def _with_segment(report: dict, **fields) -> dict:
    copy = json.loads(json.dumps(report))
    copy["files"][0]["segments"][1].update(fields)
    return copy


@pytest.fixture
def ws(tmp_path, report_json) -> Path:
    """A workspace of good inputs and hostile ones."""
    for name, text in (("en.md", EN_OLD), ("en2.md", EN_NEW), ("zh.md", ZH_OLD)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "R.json").write_text(json.dumps(report_json), encoding="utf-8")
    hostile_reports = {
        "control.json": _with_segment(report_json, target="a\x1b[31m\x01b"),
        "score.json": _with_segment(report_json, status="fuzzy", score="abc"),
        "number-text.json": _with_segment(report_json, target=12),
    }
    for name, data in hostile_reports.items():
        (tmp_path / name).write_text(json.dumps(data), encoding="utf-8")
    # json.dumps escapes a lone surrogate as \ud800: valid JSON, not encodable text
    (tmp_path / "surrogate.json").write_text(
        json.dumps(_with_segment(report_json, target="\ud800x")), encoding="utf-8"
    )
    (tmp_path / "deep.json").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    (tmp_path / "not-xliff.xlf").write_text('<?xml version="1.0"?><html><body/></html>', encoding="utf-8")
    (tmp_path / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "latin1.md").write_bytes("caf\xe9\n".encode("latin-1"))
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "fifo.md")
    return tmp_path


SYNC = ["sync", "--old-source", "{ws}/en.md", "--new-source", "{ws}/en2.md", "--old-target", "{ws}/zh.md"]
SYNC += ["--target-lang", "zh"]
CASES: dict[str, list[str]] = {
    # special files and unreadable input
    "segments /dev/zero": ["segments", "/dev/zero"],
    "segments fifo": ["segments", "{ws}/fifo.md"],
    "segments binary": ["segments", "{ws}/binary.md"],
    "segments latin-1": ["segments", "{ws}/latin1.md"],
    "check-roundtrip /dev/zero": ["check-roundtrip", "/dev/zero"],
    "align /dev/zero": ["align", "/dev/zero", "{ws}/zh.md"],
    "align fifo": ["align", "{ws}/en.md", "{ws}/fifo.md"],
    "sync new English /dev/zero": [*SYNC[:4], "/dev/zero", *SYNC[5:], "--out", "{ws}/o.md", "--report", "{ws}/r"],
    "translate fifo": ["translate", "{ws}/fifo.md", "--target-lang", "zh", "--out", "{ws}/t.md"],
    "evaluate /dev/zero": ["evaluate", "--hyp", "/dev/zero", "--ref", "{ws}/zh.md", "--lang", "zh"],
    "evaluate fifo": ["evaluate", "--hyp", "{ws}/fifo.md", "--ref", "{ws}/zh.md", "--lang", "zh"],
    "paralleldata validate fifo": ["paralleldata", "validate", "{ws}/fifo.md", "--format", "tsv"],
    # hostile reports
    "review 200k-deep JSON": ["review", "{ws}/deep.json", "--out", "{ws}/p.html"],
    "xliff export 200k-deep JSON": ["xliff", "export", "{ws}/deep.json", "--out", "{ws}/x.xlf"],
    "feedback 200k-deep JSON": ["feedback", "--report", "{ws}/deep.json", "--memory", "{ws}/m.tsv"],
    "review non-numeric score": ["review", "{ws}/score.json", "--out", "{ws}/p.html"],
    "xliff export non-numeric score": ["xliff", "export", "{ws}/score.json", "--out", "{ws}/x.xlf"],
    "review number as text": ["review", "{ws}/number-text.json", "--out", "{ws}/p.html"],
    "review lone surrogate": ["review", "{ws}/surrogate.json", "--out", "{ws}/p.html"],
    "xliff export lone surrogate": ["xliff", "export", "{ws}/surrogate.json", "--out", "{ws}/x.xlf"],
    "feedback lone surrogate": ["feedback", "--report", "{ws}/surrogate.json", "--memory", "{ws}/m.tsv"],
    "xliff export control characters": ["xliff", "export", "{ws}/control.json", "--out", "{ws}/x.xlf"],
    "xliff import XML that is not XLIFF": ["xliff", "import", "{ws}/not-xliff.xlf", "--into", "{ws}/zh.md"],
    "review report is a FIFO": ["review", "{ws}/fifo.md", "--out", "{ws}/p.html"],
    # occupied or impossible output paths
    "review --out a folder": ["review", "{ws}/R.json", "--out", "{ws}/folder"],
    "review --out under a file": ["review", "{ws}/R.json", "--out", "{ws}/en.md/p.html"],
    "review --out a device": ["review", "{ws}/R.json", "--out", "/dev/full"],
    "xliff export --out a folder": ["xliff", "export", "{ws}/R.json", "--out", "{ws}/folder"],
    "xliff export --out under a file": ["xliff", "export", "{ws}/R.json", "--out", "{ws}/zh.md/x.xlf"],
    "align --out a folder": ["align", "{ws}/en.md", "{ws}/zh.md", "--out", "{ws}/folder"],
    "align --out under a file": ["align", "{ws}/en.md", "{ws}/zh.md", "--out", "{ws}/en.md/a.jsonl"],
    "sync --out under a file": SYNC + ["--out", "{ws}/zh.md/o.md", "--report", "{ws}/r.json"],
    "sync --out a FIFO": SYNC + ["--out", "{ws}/fifo.md", "--report", "{ws}/r.json"],
    "sync --report a folder": SYNC + ["--out", "{ws}/o.md", "--report", "{ws}/folder"],
    "sync --report under a file": SYNC + ["--out", "{ws}/o.md", "--report", "{ws}/en.md/r.json"],
    "translate --out under a file": ["translate", "{ws}/en.md", "--target-lang", "zh", "--out", "{ws}/zh.md/t.md"],
    "feedback --memory under a file": ["feedback", "--report", "{ws}/R.json", "--memory", "{ws}/en.md/m.tsv"],
    "paralleldata build --out under a file": [
        "paralleldata", "build", "--source", "{ws}/folder", "--target", "{ws}/folder", "--out", "{ws}/en.md/p.tsv",
    ],
    # outputs that are inputs
    "align --out SOURCE": ["align", "{ws}/en.md", "{ws}/zh.md", "--out", "{ws}/en.md"],
    "review R --out R": ["review", "{ws}/R.json", "--out", "{ws}/R.json"],
    "xliff export R --out R": ["xliff", "export", "{ws}/R.json", "--out", "{ws}/R.json"],
    "sync --report a chapter": SYNC + ["--out", "{ws}/o.md", "--report", "{ws}/en2.md"],
    "sync --out the new English": SYNC + ["--out", "{ws}/en2.md", "--report", "{ws}/r.json"],
    "translate --out SOURCE": ["translate", "{ws}/en.md", "--target-lang", "zh", "--out", "{ws}/en.md"],
    # environment
    "translate unknown AWS_PROFILE": [
        "translate", "{ws}/en.md", "--target-lang", "zh", "--engine", "amazon", "--out", "{ws}/t.md",
    ],
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_input_is_one_line_exit_2_and_writes_nothing(case, ws, capsys, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "amts-no-such-profile")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(ws / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(ws / "no-aws-credentials"))
    argv = [arg.format(ws=ws) for arg in CASES[case]]
    before = _snapshot(ws)
    code, _, err = _run(argv, capsys)
    lines = err.strip().splitlines()
    assert code == 2, (case, code, err)
    assert len(lines) == 1 and lines[0].startswith("error: "), (case, err)
    assert "Traceback" not in err
    assert _snapshot(ws) == before, case


def test_control_characters_in_a_report_make_a_readable_review_page(ws, capsys):
    """Control characters are no error for the HTML page: it is written (escaped by the page)."""
    code, _, err = _run(["review", str(ws / "control.json"), "--out", str(ws / "p.html")], capsys)
    assert code == 0, err
    assert (ws / "p.html").read_text(encoding="utf-8")


def test_messages_are_escaped_onto_one_line(ws, capsys):
    name = ws / "evil\nname\x1b[2J.md"
    code, _, err = _run(["segments", str(name)], capsys)
    assert code == 2
    assert err.count("\n") == 1 and "\x1b" not in err and "\\x1b" in err
