"""The review page in a real headless Chromium (Debian package `chromium`): content and filters after JS runs."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from amts.review.page import render_page
from amts.review.report import load_report

FIXTURE = Path(__file__).parent / "data" / "review_report.json"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (Debian package `chromium`)"
)


def chromium(url: str, profile: Path, *extra: str) -> str:
    """Run headless Chromium on a URL with an empty profile and no network; return stdout."""
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *extra,
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class _Dom(HTMLParser):
    """Articles of the dumped DOM with their attributes (the JS sets `hidden` on filtered ones)."""

    def __init__(self) -> None:
        super().__init__()
        self.articles: list[dict[str, str | None]] = []
        self.body: dict[str, str | None] = {}

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.articles.append(dict(attrs))
        elif tag == "body":
            self.body = dict(attrs)


def dump_dom(page: Path, profile: Path, fragment: str = "") -> _Dom:
    dom = _Dom()
    dom.feed(chromium(page.resolve().as_uri() + fragment, profile, "--dump-dom"))
    return dom


@pytest.fixture()
def page(tmp_path) -> Path:
    path = tmp_path / "review.html"
    path.write_text(render_page(load_report(FIXTURE)), encoding="utf-8")
    return path


def _to_review() -> list[str]:
    report = load_report(FIXTURE)
    return [seg["id"] for entry in report["files"] for seg in entry["segments"] if seg["status"] != "reused"]


def test_every_segment_to_review_is_visible(page, tmp_path):
    dom = dump_dom(page, tmp_path / "profile")
    visible = [a["data-id"] for a in dom.articles if "hidden" not in a]
    assert visible == _to_review()
    assert dom.body.get("data-shown") == str(len(visible)), "the filter script ran"


def test_status_and_chapter_filters_from_the_url(page, tmp_path):
    report = load_report(FIXTURE)
    dom = dump_dom(page, tmp_path / "profile", "#status=fuzzy,untranslated")
    visible = {a["data-id"] for a in dom.articles if "hidden" not in a}
    expected = {seg["id"] for _, seg in _segments(report) if seg["status"] in ("fuzzy", "untranslated")}
    assert visible == expected and len(expected) == 2

    dom = dump_dom(page, tmp_path / "profile2", "#chapter=chapter_optimization")
    visible = {a["data-id"] for a in dom.articles if "hidden" not in a}
    expected = {seg["id"] for path, seg in _segments(report) if path.startswith("chapter_optimization/")}
    assert visible == expected and expected


def test_sample_book_sync_page_shows_every_segment_to_review(sample_book, tmp_path):
    """Acceptance: the review page of the sample book's sync, opened in Chromium, shows every non-reused segment."""
    from typer.testing import CliRunner

    from amts.cli import app

    if not (sample_book / "en-new").is_dir():
        pytest.skip("sample book absent")
    runner = CliRunner()
    synced = runner.invoke(app, [
        "sync", "--old-source", str(sample_book / "en"), "--new-source", str(sample_book / "en-new"),
        "--old-target", str(sample_book / "zh"), "--target-lang", "zh",
        "--out", str(tmp_path / "zh"), "--report", str(tmp_path / "report.json"),
    ])  # fmt: skip
    assert synced.exit_code == 0, synced.output
    reviewed = runner.invoke(
        app, ["review", str(tmp_path / "report.json"), "--out", str(tmp_path / "review.html")]
    )
    assert reviewed.exit_code == 0, reviewed.output
    report = load_report(tmp_path / "report.json")
    expected = [
        (e["path"], s["id"]) for e in report["files"] for s in e["segments"] if s["status"] != "reused"
    ]
    assert expected, "the sample's new edition changes something"
    dom = dump_dom(tmp_path / "review.html", tmp_path / "profile")
    visible = [(a["data-path"], a["data-id"]) for a in dom.articles if "hidden" not in a]
    assert visible == expected


def test_screenshot_renders(page, tmp_path):
    shot = tmp_path / "shot.png"
    chromium(page.resolve().as_uri(), tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,900")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _segments(report):
    for entry in report["files"]:
        for seg in entry["segments"]:
            yield entry["path"], seg


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def _run_in_page(page: Path, script: str, tmp_path: Path, attribute: str) -> str | None:
    """Open a copy of the page with `script` appended (it stores its result in a body attribute); return it."""
    copy = tmp_path / f"with-{attribute}.html"
    copy.write_text(
        page.read_text(encoding="utf-8").replace("</body>", f"<script>{script}</script></body>"),
        encoding="utf-8",
    )
    output = chromium(copy.resolve().as_uri(), tmp_path / f"profile-{attribute}", "--virtual-time-budget=30000",
                      "--dump-dom")  # fmt: skip

    class Body(HTMLParser):
        value: str | None = None

        def handle_starttag(self, tag, attrs):
            if tag == "body":
                Body.value = dict(attrs).get(attribute)

    Body().feed(output)
    return Body.value


@pytest.mark.skipif(
    not AXE.is_file(), reason="axe-core is not installed (npm ci: package.json devDependencies)"
)
def test_wcag_aa_with_axe_core(page, tmp_path):
    """axe-core's WCAG 2 A/AA rules (color-contrast included) find nothing on the page."""
    script = (
        AXE.read_text(encoding="utf-8")
        + """;
axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}}).then(function (result) {
  document.body.setAttribute("data-axe", JSON.stringify(result.violations.map(function (v) {
    return v.id + ": " + v.nodes.map(function (n) { return n.target.join(" "); }).join(", ");
  })));
});"""
    )
    found = _run_in_page(page, script, tmp_path, "data-axe")
    assert found is not None, "axe did not run"
    assert json.loads(found) == []


def test_keyboard_moves_to_next_and_previous_segment(page, tmp_path):
    script = """
function press(key) { document.dispatchEvent(new KeyboardEvent("keydown", {key: key, bubbles: true})); }
var seen = [];
["j", "j", "n", "k", "p"].forEach(function (key) { press(key); seen.push(document.activeElement.dataset.id); });
document.body.setAttribute("data-keys", seen.join(","));"""
    ids = _to_review()
    assert _run_in_page(page, script, tmp_path, "data-keys") == ",".join(
        [ids[0], ids[1], ids[2], ids[1], ids[0]]
    )


def test_code_diff_is_by_line_and_placeholders_are_marked():
    old = "x = 1\ny = 2\nprint(x)\n"
    new = "x = 1\ny = 3\nz = 4\nprint(x)\n"
    report = {
        "target_lang": "zh",
        "files": [{"path": "a.md", "segments": [
            {"id": "c", "status": "code-changed", "kind": "code", "source": new, "old_source": old,
             "target": new, "old_target": old},
            {"id": "p", "status": "fuzzy", "kind": "paragraph", "source": "Call `f(x)` with $n$.",
             "target": "用 $n$ 调用 `f(x)`。", "old_source": "Call `f`.", "old_target": "调用 `f`。"},
        ]}],
    }  # fmt: skip
    page = render_page(report)
    assert (
        '<del class="line">y = 2\n</del><ins class="line">y = 3\n</ins><ins class="line">z = 4\n</ins>'
        in page
    )
    assert (
        '<span class="ph">`f`</span>' in page and '<span class="ph">$n$</span>' in page
    )  # whole or split by the diff
