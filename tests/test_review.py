"""The review page: static HTML built from a sync report (word diff, escaping, filters)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amts.cli import app
from amts.errors import InputError
from amts.review.diff import diff_html, tokens, word_diff
from amts.review.page import chapter_of, render_page
from amts.review.report import load_report

FIXTURE = Path(__file__).parent / "data" / "review_report.json"


@pytest.fixture()
def report() -> dict:
    return load_report(FIXTURE)


class _Articles(HTMLParser):
    """Collects the review articles (data-id, data-status) and checks that no script tag comes from data."""

    def __init__(self) -> None:
        super().__init__()
        self.articles: list[dict[str, str]] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article":
            self.articles.append(attrs)
        if tag == "script":
            self.scripts += 1


def _parse(page: str) -> _Articles:
    parser = _Articles()
    parser.feed(page)
    return parser


def test_tokens_rebuild_the_text():
    text = "We fit  a model, with `np.ones` — 3.5×."
    assert "".join(tokens(text)) == text


def test_word_diff_marks_only_changed_words():
    pieces = word_diff("We minimize the error.", "We minimise the squared error.")
    assert ("delete", "minimize") in pieces and ("insert", "minimise") in pieces
    assert ("insert", "squared ") in pieces or ("insert", " squared") in pieces
    rebuilt_new = "".join(text for op, text in pieces if op != "delete")
    rebuilt_old = "".join(text for op, text in pieces if op != "insert")
    assert rebuilt_new == "We minimise the squared error."
    assert rebuilt_old == "We minimize the error."


def test_diff_html_escapes_both_sides():
    out = diff_html("a <b>", "a <i> & more")
    assert "<b>" not in out and "<i>" not in out
    assert "&lt;" in out and "&gt;" in out and "&amp;" in out
    assert "<del>" in out and "<ins>" in out


def test_page_lists_every_segment_to_review_and_no_reused(report):
    page = render_page(report)
    articles = _parse(page).articles
    expected = [
        (entry["path"], seg["id"], seg["status"])
        for entry in report["files"]
        for seg in entry["segments"]
        if seg["status"] != "reused"
    ]
    assert [(a["data-path"], a["data-id"], a["data-status"]) for a in articles] == expected
    reused = [seg["id"] for _, seg in _all(report) if seg["status"] == "reused"]
    assert all(segment_id not in page for segment_id in reused)


def test_page_escapes_report_text(report):
    page = render_page(report)
    # The fixture holds <script>alert('x')</script> in English and Chinese: only the page's own script runs.
    assert _parse(page).scripts == 1
    without_diff_marks = re.sub(r"</?(ins|del)>|<span class=\"ph\">|</span>", "", page)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in without_diff_marks


def test_page_shows_origin_score_and_counts(report):
    page = render_page(report)
    assert "memory (fuzzy score 87)" in page
    counts = dict(re.findall(r'data-count="([\w-]+)">(\d+)<', page))
    for status in (
        "reused",
        "fuzzy",
        "machine",
        "reused-format",
        "code-changed",
        "deleted",
        "untranslated",
        "new",
    ):
        assert int(counts[status]) == sum(1 for _, seg in _all(report) if seg["status"] == status)


def test_page_is_self_contained(report):
    page = render_page(report)
    assert not re.search(r'(src|href)="(https?:)?//', page), "no CDN or remote asset"
    assert "<style>" in page and "<script>" in page


def test_chapter_is_top_folder():
    assert chapter_of("chapter_regression/linear.md") == "chapter_regression"
    assert chapter_of("index.md") == "index.md"


def test_bad_report_is_one_clear_error(tmp_path):
    bad = tmp_path / "r.json"
    bad.write_text(json.dumps({"files": [{"path": "a.md", "segments": [{"id": "x", "status": "odd"}]}]}))
    with pytest.raises(InputError, match="unknown status 'odd'"):
        load_report(bad)
    bad.write_text("{not json")
    with pytest.raises(InputError, match="not JSON"):
        load_report(bad)


def test_cli_writes_the_page(tmp_path):
    out = tmp_path / "review.html"
    result = CliRunner().invoke(app, ["review", str(FIXTURE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "7 segments to review" in result.output
    assert len(_parse(out.read_text(encoding="utf-8")).articles) == 7


def _all(report):
    for entry in report["files"]:
        for seg in entry["segments"]:
            yield entry["path"], seg


def test_cjk_diff_is_by_character():
    from amts.review.diff import insertions_html

    assert insertions_html("以最小化误差。", "以最小化平方误差。") == "以最小化<ins>平方</ins>误差。"
    assert insertions_html("a <b>", "a <b> c") == "a &lt;b&gt;<ins> c</ins>"


def test_proposed_translation_marks_what_it_adds(report):
    page = render_page(report)
    assert "最小化<ins>平方</ins>误差" in page
