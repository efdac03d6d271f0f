"""The review page: one static HTML file (inline CSS and JS, no server, no CDN) built from a sync report."""

from __future__ import annotations

import html
from importlib import resources
from pathlib import PurePosixPath
from string import Template
from typing import Any

from amts.markdown import find_spans
from amts.review.diff import line_diff_html, marked_html, word_diff
from amts.review.report import NO_REVIEW_STATUSES, STATUSES, status_counts, text_of

# Statuses whose segment is shown folded, and why: nothing in them is a translator's work.
FOLDED_STATUSES = {
    "reused-format": "markup-only change: human translation kept",
    # a changed code block: its new or edited comments are segments of their own, listed apart
    "code-changed": "code-only change: the new English code, human comment translations kept",
}
STATUS_LABELS = {
    "reused": "reused",
    "reused-format": "markup only",
    "fuzzy": "fuzzy",
    "machine": "machine",
    "untranslated": "untranslated",
    "code-changed": "code changed",
    "deleted": "deleted",
    "new": "new",
}


def _asset(name: str) -> str:
    return resources.files("amts.review").joinpath(name).read_text(encoding="utf-8")


def chapter_of(path: str) -> str:
    """The chapter a file belongs to: its top folder (d2l `chapter_x/`), or the file itself at the root."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    return parts[0] if len(parts) > 1 else path


def render_page(
    report: dict[str, Any], title: str = "Translation review", target_lang: str | None = None
) -> str:
    """The whole review page for a checked report, every report text HTML-escaped."""
    target_lang = target_lang or report.get("target_lang")
    counts = status_counts(report)
    to_review = [s for s in STATUSES if s not in NO_REVIEW_STATUSES]
    sections = [
        _file_section(entry, target_lang)
        for entry in report["files"]
        if any(seg["status"] not in NO_REVIEW_STATUSES for seg in entry["segments"])
    ]
    chapters = sorted({chapter_of(entry["path"]) for entry in report["files"]})
    page = Template(_asset("template.html")).substitute(
        title=html.escape(title),
        summary=_summary(report, counts),
        counts="".join(
            f'<span class="count st-{s}"><span class="badge st-{s}">{STATUS_LABELS[s]}</span> '
            f'<b data-count="{s}">{counts[s]}</b></span>'
            for s in STATUSES
        ),
        status_filters="".join(
            f'<label><input type="checkbox" name="status" value="{s}" checked> {STATUS_LABELS[s]} '
            f"({counts[s]})</label>"
            for s in to_review
        ),
        chapter_options="".join(
            f'<option value="{html.escape(c)}">{html.escape(c)}</option>' for c in chapters
        ),
        body="\n".join(sections)
        or '<p class="nothing">Nothing to review: every segment reused its human translation.</p>',
        css=_asset("review.css"),
        js=_asset("review.js"),
    )
    return page


def _summary(report: dict[str, Any], counts: dict[str, int]) -> str:
    total = sum(counts.values()) - counts["deleted"]  # deleted English is no longer a segment of the book
    untouched = counts["reused"] + counts["reused-format"]
    share = f"{100 * untouched / total:.0f}%" if total else "100%"
    totals = report.get("totals") or {}
    parts = [
        f"{len(report['files'])} files",
        f"{total} segments",
        f"{total - counts['reused'] + counts['deleted']} to look at",
        f"{share} need no translator",
    ]
    if "chars_to_mt" in totals and "chars_total" in totals:
        parts.append(f"{totals['chars_to_mt']} of {totals['chars_total']} characters to machine-translate")
    return html.escape(" · ".join(parts))


def _file_section(entry: dict[str, Any], target_lang: str | None) -> str:
    shown = [seg for seg in entry["segments"] if seg["status"] not in NO_REVIEW_STATUSES]
    path = entry["path"]
    chapter = html.escape(chapter_of(path))
    articles = "\n".join(_segment_article(path, chapter, seg, target_lang) for seg in shown)
    return (
        f'<section class="file" data-path="{html.escape(path)}" data-chapter="{chapter}">\n'
        f'<h2>{html.escape(path)}<span class="file-counts">{len(shown)} to review of '
        f"{len(entry['segments'])} segments</span></h2>\n{articles}\n</section>"
    )


def _segment_article(path: str, chapter: str, seg: dict[str, Any], target_lang: str | None) -> str:
    status = seg["status"]
    source, old_source = text_of(seg.get("source")), text_of(seg.get("old_source"))
    target, old_target = text_of(seg.get("target")), text_of(seg.get("old_target"))
    if status == "deleted":
        source, target = "", ""
    code = seg.get("kind") == "code" or status == "code-changed"
    english = _english_html(old_source, source, code)
    lang = f' lang="{html.escape(target_lang)}"' if target_lang else ""
    origin = _origin_label(seg)
    # Mark what the proposal adds to the old translation, so the reviewer reads only that.
    if code and old_target and target and old_target != target:
        proposed = line_diff_html(old_target, target)
    elif old_target and target and old_target != target:
        added = [(op, text) for op, text in word_diff(old_target, target) if op != "delete"]
        proposed = marked_html(added, ([], _spans(target)))
    else:
        proposed = _marked(target)
    meta = [
        f'<span class="badge st-{status}">{STATUS_LABELS[status]}</span>',
        f"<code>{html.escape(str(seg['id']))}</code>",
    ]
    if seg.get("line") is not None:
        meta.append(f"line {html.escape(str(seg['line']))}")
    if seg.get("kind"):
        meta.append(html.escape(str(seg["kind"])))
    if seg.get("context"):  # a code comment: the code line it speaks about
        meta.append(f"on <code>{html.escape(str(seg['context']))}</code>")
    if origin:
        meta.append(f"from {origin}")
    cells = (
        '<div class="cols">'
        f'<div class="cell en"><h3>English{" (old → new)" if old_source else ""}</h3>'
        f'<p class="text" lang="en">{english or _empty(status)}</p></div>'
        f'<div class="cell old"><h3>Old translation</h3><p class="text"{lang}>{_marked(old_target)}</p></div>'
        f'<div class="cell new"><h3>Proposed <span class="origin">{origin}</span></h3>'
        f'<p class="text"{lang}>{proposed}</p></div>'
        "</div>"
    )
    if status in FOLDED_STATUSES:
        cells = f'<details class="minor"><summary>{FOLDED_STATUSES[status]}</summary>{cells}</details>'
    kind_class = " kind-code" if code else ""
    return (
        f'<article class="seg st-{status}{kind_class}" data-status="{status}" data-chapter="{chapter}" '
        f'data-path="{html.escape(path)}" data-id="{html.escape(str(seg["id"]))}" tabindex="-1">'
        f'<div class="meta">{" · ".join(meta)}</div>{cells}</article>'
    )


def _origin_label(seg: dict[str, Any]) -> str:
    origin = seg.get("origin")
    if not origin:
        return ""
    label = html.escape(str(origin))
    score = seg.get("score")
    # An engine's output has no match score; a memory match (fuzzy or exact) does.
    if score is not None and ("memory" in str(origin) or float(score) < 100):
        label += f" (fuzzy score {float(score):g})"
    return label


def _english_html(old: str, new: str, code: bool) -> str:
    """The English, old -> new: code by whole lines, prose by words; placeholders marked in prose."""
    if code:
        return line_diff_html(old, new) if old else html.escape(new)
    pieces = word_diff(old, new) if old else [("equal", new)]
    return marked_html(pieces, (_spans(old), _spans(new)))


def _spans(text: str) -> list[tuple[int, int]]:
    return [(span.start, span.end) for span in find_spans(text)] if text else []


def _marked(text: str) -> str:
    """A text, escaped, its protected spans (code, math, links, roles) marked as placeholders."""
    return marked_html([("equal", text)], ([], _spans(text))) if text else '<span class="empty">none</span>'


def _empty(status: str) -> str:
    return '<span class="empty">deleted</span>' if status == "deleted" else '<span class="empty">none</span>'
