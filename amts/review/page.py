"""The review page: one static HTML file (inline CSS and JS, no server, no CDN) built from a sync report."""

from __future__ import annotations

import html
from importlib import resources
from pathlib import PurePosixPath
from string import Template
from typing import Any

from amts.markdown import find_spans
from amts.report import FileReport, SegmentRecord, Status, SyncReport
from amts.review.diff import line_diff_html, marked_html, word_diff

# Statuses whose segment is shown folded, and why: nothing in them is a translator's work.
FOLDED_STATUSES = {
    Status.REUSED_FORMAT: "markup-only change: human translation kept",
    # a changed code block: its new or edited comments are segments of their own, listed apart
    Status.CODE_CHANGED: "code-only change: the new English code, human comment translations kept",
}
STATUS_LABELS = {
    Status.REUSED: "reused",
    Status.REUSED_FORMAT: "markup only",
    Status.FUZZY: "fuzzy",
    Status.MACHINE: "machine",
    Status.UNTRANSLATED: "untranslated",
    Status.CODE_CHANGED: "code changed",
    Status.DELETED: "deleted",
}


def _asset(name: str) -> str:
    return resources.files("amts.review").joinpath(name).read_text(encoding="utf-8")


def chapter_of(path: str) -> str:
    """The chapter a file belongs to: its top folder (d2l `chapter_x/`), or the file itself at the root."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    return parts[0] if len(parts) > 1 else path


def render_page(
    report: SyncReport | dict[str, Any], title: str = "Translation review", target_lang: str | None = None
) -> str:
    """The whole review page for a report (or its JSON, checked here), every report text HTML-escaped."""
    if not isinstance(report, SyncReport):
        report = SyncReport.from_json(report)
    target_lang = target_lang or report.target_lang
    counts = report.status_counts()
    to_review = [s for s in Status if s.listed]
    sections = [
        _file_section(entry, target_lang)
        for entry in report.files
        if any(seg.status.listed for seg in entry.segments)
    ]
    chapters = sorted({chapter_of(entry.path) for entry in report.files})
    page = Template(_asset("template.html")).substitute(
        title=html.escape(title),
        summary=_summary(report, counts),
        counts="".join(
            f'<span class="count st-{s}"><span class="badge st-{s}">{STATUS_LABELS[s]}</span> '
            f'<b data-count="{s}">{counts[s]}</b></span>'
            for s in Status
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


def _summary(report: SyncReport, counts: dict[Status, int]) -> str:
    # deleted English is no longer a segment of the book
    total = sum(counts.values()) - counts[Status.DELETED]
    untouched = counts[Status.REUSED] + counts[Status.REUSED_FORMAT]
    share = f"{100 * untouched / total:.0f}%" if total else "100%"
    parts = [
        f"{len(report.files)} files",
        f"{total} segments",
        f"{total - counts[Status.REUSED] + counts[Status.DELETED]} to look at",
        f"{share} need no translator",
    ]
    totals = report.totals
    parts.append(f"{totals.chars_to_mt} of {totals.chars_total} characters to machine-translate")
    return html.escape(" · ".join(parts))


def _file_section(entry: FileReport, target_lang: str | None) -> str:
    shown = [seg for seg in entry.segments if seg.status.listed]
    path = entry.path
    chapter = html.escape(chapter_of(path))
    articles = "\n".join(_segment_article(path, chapter, seg, target_lang) for seg in shown)
    return (
        f'<section class="file" data-path="{html.escape(path)}" data-chapter="{chapter}">\n'
        f'<h2>{html.escape(path)}<span class="file-counts">{len(shown)} to review of '
        f"{len(entry.segments)} segments</span></h2>\n{articles}\n</section>"
    )


def _segment_article(path: str, chapter: str, seg: SegmentRecord, target_lang: str | None) -> str:
    status = seg.status
    source, old_source = seg.source, seg.old_source
    target, old_target = seg.target, seg.old_target
    if status is Status.DELETED:
        source, target = "", ""
    code = seg.kind == "code" or status is Status.CODE_CHANGED
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
        f"<code>{html.escape(seg.id)}</code>",
    ]
    if seg.line is not None:
        meta.append(f"line {seg.line}")
    if seg.kind:
        meta.append(html.escape(seg.kind))
    if seg.context:  # a code comment: the code line it speaks about
        meta.append(f"on <code>{html.escape(seg.context)}</code>")
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
        f'data-path="{html.escape(path)}" data-id="{html.escape(seg.id)}" tabindex="-1">'
        f'<div class="meta">{" · ".join(meta)}</div>{cells}</article>'
    )


def _origin_label(seg: SegmentRecord) -> str:
    if not seg.origin:
        return ""
    label = html.escape(seg.origin)
    # An engine's output has no match score; a memory match (fuzzy or exact) does.
    if seg.score is not None and ("memory" in seg.origin or seg.score < 100):
        label += f" (fuzzy score {float(seg.score):g})"
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


def _empty(status: Status) -> str:
    return (
        '<span class="empty">deleted</span>'
        if status is Status.DELETED
        else '<span class="empty">none</span>'
    )
