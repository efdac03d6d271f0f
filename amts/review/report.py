"""Reading a sync report (`amts sync --report`): the one input of the review page, XLIFF export and feedback.

The report is produced by `amts.sync`; this module only checks the shape the translator tools rely on
(see docs/CONTRACTS.md, "Sync report") so that a wrong file fails with one clear line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from amts.errors import InputError

STATUSES = (
    "reused",
    "reused-format",
    "fuzzy",
    "machine",
    "untranslated",
    "code-changed",
    "deleted",
    "new",
)
# Statuses a translator never needs to look at.
NO_REVIEW_STATUSES = frozenset({"reused"})
# Statuses with no text in the synchronised output (nothing to edit or to export).
NOT_IN_OUTPUT_STATUSES = frozenset({"deleted"})


def load_report(path: str | Path) -> dict[str, Any]:
    """Read and check a REPORT.json; raise InputError naming the file and the problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: report not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read report ({exc})") from None
    try:
        report = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from None
    check_report(report, str(path))
    return report


def check_report(report: Any, name: str = "report") -> None:
    """Raise InputError unless `report` has the files/segments shape of a sync report."""
    if not isinstance(report, dict) or not isinstance(report.get("files"), list):
        raise InputError(f'{name}: not a sync report (no "files" list)')
    for i, entry in enumerate(report["files"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise InputError(f'{name}: files[{i}] has no "path"')
        segments = entry.get("segments")
        if not isinstance(segments, list):
            raise InputError(f'{name}: {entry["path"]}: no "segments" list')
        for j, segment in enumerate(segments):
            if not isinstance(segment, dict) or "id" not in segment or "status" not in segment:
                raise InputError(f'{name}: {entry["path"]}: segment {j} lacks "id" or "status"')
            if segment["status"] not in STATUSES:
                raise InputError(
                    f"{name}: {entry['path']}: segment {segment['id']} has unknown status "
                    f"{segment['status']!r} (expected one of {', '.join(STATUSES)})"
                )


def iter_segments(report: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(file path, segment) for every segment of the report, in report order."""
    for entry in report["files"]:
        for segment in entry["segments"]:
            yield entry["path"], segment


def status_counts(report: dict[str, Any]) -> dict[str, int]:
    """Number of segments per status, in the canonical status order (zero counts kept)."""
    counts = dict.fromkeys(STATUSES, 0)
    for _, segment in iter_segments(report):
        counts[segment["status"]] += 1
    return counts


def text_of(value: Any) -> str:
    """A report text field as a string: missing or null becomes empty."""
    return "" if value is None else str(value)
