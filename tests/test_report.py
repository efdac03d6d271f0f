"""The report schema (amts.report): statuses, review rule, JSON round trip, validation, and real sync output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amts.engines import get_engine
from amts.errors import AmtsError, InputError
from amts.report import TOTAL_KEYS, Counts, FileReport, SegmentRecord, Status, SyncReport, read_report
from amts.sync import sync_document, sync_paths
from tests.test_sync import EN_OLD, ZH_OLD

EN_NEW = (
    EN_OLD.replace("Pooling layers serve two purposes.", "Pooling layers serve a dual purpose.")
    .replace("## Summary", "Pooling has no parameters.\n\n## Summary")
    .replace("* Max pooling takes the maximum over a window.\n", "")
)


def test_statuses_are_exactly_the_ones_sync_produces_and_their_json_is_the_plain_string():
    assert [s.value for s in Status] == [
        "reused",
        "reused-format",
        "fuzzy",
        "machine",
        "untranslated",
        "code-changed",
        "deleted",
    ]
    assert json.dumps({"status": Status.REUSED_FORMAT}) == '{"status": "reused-format"}'
    assert f"{Status.CODE_CHANGED}" == "code-changed"


@pytest.mark.parametrize(
    ("status", "needs_review", "listed", "in_output", "human"),
    [
        ("reused", False, False, True, True),
        ("reused-format", False, True, True, True),
        ("fuzzy", True, True, True, False),
        ("machine", True, True, True, False),
        ("untranslated", True, True, True, False),
        ("code-changed", False, True, True, False),
        ("deleted", False, True, False, False),
    ],
)
def test_review_truth_table(status, needs_review, listed, in_output, human):
    member = Status(status)
    assert (member.needs_review, member.listed, member.in_output, member.human) == (
        needs_review,
        listed,
        in_output,
        human,
    )


def _segment(status: Status, **fields) -> SegmentRecord:
    return SegmentRecord(f"{status.value}-0", status, source="Some English.", **fields)


def test_counts_follow_the_statuses():
    segments = [
        _segment(Status.REUSED),
        _segment(Status.MACHINE, chars_to_mt=13),
        _segment(Status.FUZZY, chars_to_mt=5, score=87.5),
        _segment(Status.CODE_CHANGED),
        SegmentRecord("gone-0", Status.DELETED, old_target="旧。"),
    ]
    counts = FileReport.of("a.md", segments).counts
    assert (counts.segments, counts.reused, counts.machine, counts.fuzzy, counts.code_changed) == (
        4,
        1,
        1,
        1,
        1,
    )
    assert counts.deleted == 1 and counts.review == 2
    assert counts.chars_total == 3 * len("Some English.") and counts.chars_to_mt == 18
    totals = SyncReport.of([FileReport.of("a.md", segments), FileReport.of("b.md", segments[:1])]).totals
    assert totals.segments == 5 and totals.reused == 2
    assert list(SyncReport.of([]).to_json()["totals"]) == list(TOTAL_KEYS)  # totals carry no review count


def test_round_trip_keeps_every_field_unknown_ones_included():
    data = {
        "files": [
            {
                "path": "chapter/a.md",
                "segments": [
                    {
                        "id": "abc-0",
                        "status": "fuzzy",
                        "source": "New English.",
                        "old_source": "Old English.",
                        "target": "新。",
                        "old_target": "旧。",
                        "kind": "paragraph",
                        "line": 3,
                        "origin": "human+memory",
                        "chars_to_mt": 4,
                        "score": 87.5,
                        "reviewed": True,
                        "note": {"by": "a reviewer"},
                    }
                ],
                "counts": {**dict.fromkeys(TOTAL_KEYS, 0), "segments": 1, "fuzzy": 1, "review": 1},
            }
        ],
        "totals": {**dict.fromkeys(TOTAL_KEYS, 0), "segments": 1, "fuzzy": 1},
        "source_lang": "en",
        "target_lang": "zh",
    }
    report = SyncReport.from_json(data)
    segment = report.files[0].segments[0]
    assert segment.status is Status.FUZZY and segment.score == 87.5 and segment.reviewed is True
    assert segment.extra == {"note": {"by": "a reviewer"}}
    assert report.to_json() == data
    assert json.dumps(report.to_json()) == json.dumps(data)  # key order too


def test_older_reports_read_with_nulls_and_without_counts():
    report = SyncReport.from_json(
        {
            "files": [
                {
                    "path": "a.md",
                    "segments": [
                        {
                            "id": "x-0",
                            "status": "untranslated",
                            "source": "Hi.",
                            "old_source": None,
                            "origin": None,
                        }
                    ],
                    "counts": {"untranslated": 1, "new": 0},  # `new`: a status that no longer exists
                }
            ]
        }
    )
    segment = report.files[0].segments[0]
    assert (segment.old_source, segment.target, segment.origin) == ("", "", None)
    assert report.files[0].counts.untranslated == 1
    assert report.totals.untranslated == 1  # summed when the file has no totals
    assert "new" not in report.to_json()["files"][0]["counts"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], 'not a sync report (no "files" list)'),
        ({"files": {}}, 'not a sync report (no "files" list)'),
        ({"files": [{"segments": []}]}, 'files[0]: has no "path"'),
        ({"files": [{"path": "a.md"}]}, 'a.md: no "segments" list'),
        ({"files": [{"path": "a.md", "segments": ["x"]}]}, "a.md: segment 0: not an object"),
        (
            {"files": [{"path": "a.md", "segments": [{"status": "reused"}]}]},
            'segment 0: lacks "id" or "status"',
        ),
        (
            {"files": [{"path": "a.md", "segments": [{"id": "x", "status": "new"}]}]},
            "segment 0 (x): unknown status 'new' (expected one of reused, reused-format, fuzzy",
        ),
        (
            {"files": [{"path": "a.md", "segments": [{"id": "x", "status": "reused", "line": "3"}]}]},
            '"line" is "3", expected an integer',
        ),
        (
            {"files": [{"path": "a.md", "segments": [{"id": "x", "status": "reused", "line": True}]}]},
            '"line" is true, expected an integer',
        ),
        (
            {"files": [{"path": "a.md", "segments": [{"id": "x", "status": "fuzzy", "score": "high"}]}]},
            '"score" is "high", expected a number',
        ),
        ({"files": [{"path": "a.md", "segments": [], "counts": {"reused": 1.5}}]}, '"reused" is float'),
        ({"files": [], "totals": []}, "totals: not an object"),
        ({"files": [], "target_lang": 7}, '"target_lang" is not a string'),
    ],
)
def test_malformed_reports_are_one_clear_error(data, message):
    with pytest.raises(InputError) as caught:
        SyncReport.from_json(data, "r.json")
    assert isinstance(caught.value, AmtsError)
    assert str(caught.value).startswith("r.json: ") and message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_read_report_names_the_file(tmp_path):
    with pytest.raises(InputError, match="report not found"):
        read_report(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.json: not JSON \(line 1"):
        read_report(bad)


def _check_sync_report(path: Path) -> SyncReport:
    """The report on disk validates, and writing it back gives the same bytes."""
    text = path.read_text(encoding="utf-8")
    report = read_report(path)
    assert json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n" == text
    for entry in report.files:
        assert entry.counts == Counts.of(entry.segments)
    return report


@pytest.mark.parametrize("engine", [None, "pseudo"])
def test_sync_report_on_disk_validates_against_the_schema(tmp_path, engine):
    books = {"en-old": EN_OLD, "en-new": EN_NEW, "zh-old": ZH_OLD}
    for name, text in books.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "pooling.md").write_text(text, encoding="utf-8")
    (tmp_path / "zh-old" / "dropped.md").write_text("# 旧章\n\n这一章没有了。\n", encoding="utf-8")
    (tmp_path / "en-old" / "dropped.md").write_text("# Old\n\nThis chapter is gone.\n", encoding="utf-8")
    args = [tmp_path / "en-old", tmp_path / "en-new", tmp_path / "zh-old", tmp_path / "out", "en", "zh"]
    sync_paths(*args, engine=engine and get_engine(engine), report=tmp_path / "REPORT.json")
    report = _check_sync_report(tmp_path / "REPORT.json")
    statuses = {s.status for _, s in report.segments()}
    assert {Status.REUSED, Status.DELETED} <= statuses
    assert (Status.MACHINE if engine else Status.UNTRANSLATED) in statuses
    assert report.totals.review == 0 and sum(f.counts.review for f in report.files) >= 2


def test_pipeline_new_chapter_entry_validates():
    from amts.pipeline.syncing import translate_new_chapter

    _, entry = translate_new_chapter("new.md", EN_OLD, "en", "zh", get_engine("pseudo"))
    report = FileReport.from_json(entry)
    assert report.to_json() == entry
    assert {s.status for s in report.segments} == {Status.MACHINE}
    assert all(s.origin == "pseudo" and s.target for s in report.segments)


def _real_syncs(d2l_data: Path):
    """(old English, new English, old translation, path) of the D2L sync events and two book chapters whose
    translation has text the newer English dropped."""
    for event in sorted((d2l_data / "sync").iterdir()):
        for zh_new in sorted((event / "zh-new").rglob("*.md")):
            rel = zh_new.relative_to(event / "zh-new")
            # the English the old translation was made from, where the book kept it
            origin = event / "zh-old-origin" / rel.parent / f"{rel.stem}_origin.md"
            old = origin if origin.is_file() else event / "en-old" / rel
            yield old, event / "en-new" / rel, event / "zh-old" / rel, str(rel)
    for chapter in ("chapter_notation/index", "chapter_installation/index"):
        origin = d2l_data / "zh_origin" / f"{chapter}_origin.md"
        yield origin, d2l_data / "en" / f"{chapter}.md", d2l_data / "zh" / f"{chapter}.md", chapter


def test_real_syncs_produce_every_status_and_validate(d2l_data):
    """Over real D2L syncs every status occurs (no phantom left) and every file report validates."""
    seen: set[Status] = set()
    for engine in (None, "pseudo"):
        for old, new, old_target, rel in _real_syncs(d2l_data):
            texts = [p.read_text(encoding="utf-8") for p in (old, new, old_target)]
            _, entry = sync_document(*texts, "en", "zh", engine=engine, path=rel)
            report = FileReport.from_json(json.loads(json.dumps(entry, ensure_ascii=False)))
            assert report.to_json() == entry
            assert report.counts == Counts.of(report.segments)
            seen |= {s.status for s in report.segments}
    assert seen == set(Status)


def test_review_page_and_cli_read_the_typed_report(tmp_path):
    from typer.testing import CliRunner

    from amts.cli import app
    from amts.review.page import render_page

    fixture = Path(__file__).parent / "data" / "review_report.json"
    report = read_report(fixture)
    assert render_page(report) == render_page(json.loads(fixture.read_text(encoding="utf-8")))
    listed = sum(1 for _, s in report.segments() if s.status.listed)
    result = CliRunner().invoke(app, ["review", str(fixture), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0 and f"({listed} segments to review)" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"files": [{"path": "a.md", "segments": [{"id": "x", "status": "new"}]}]}))
    result = CliRunner().invoke(app, ["review", str(bad), "--out", str(tmp_path / "b.html")])
    assert isinstance(result.exception, InputError) and "unknown status 'new'" in str(result.exception)
    assert not (tmp_path / "b.html").exists()
