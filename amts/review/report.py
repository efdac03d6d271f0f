"""Reading a sync report (`amts sync --report`): the one input of the review page, XLIFF export and feedback.

The report is produced by `amts.sync`; this module only checks the shape the translator tools rely on
(see docs/CONTRACTS.md, "Sync report") so that a wrong file fails with one clear line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

from amts.errors import InputError
from amts.fsutil import read_regular_text

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
    if not path.exists():
        raise InputError(f"{path}: report not found")
    text = read_regular_text(path, "a REPORT.json")
    try:
        report = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply to be a sync report") from None
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
            _check_segment_values(name, entry["path"], segment)
            if segment["status"] not in STATUSES:
                raise InputError(
                    f"{name}: {entry['path']}: segment {segment['id']} has unknown status "
                    f"{segment['status']!r} (expected one of {', '.join(STATUSES)})"
                )


_TEXT_FIELDS = ("source", "target", "old_source", "old_target")
# Characters XML 1.0 cannot hold (XLIFF export would fail on them): C0 controls but tab, newline and return.
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _check_segment_values(name: str, path: str, segment: dict[str, Any]) -> None:
    """Text fields are strings (or null) that UTF-8 can hold; a score is a number from 0 to 100."""
    where = f"{name}: {path}: segment {segment['id']!r}"
    for field in _TEXT_FIELDS:
        value = segment.get(field)
        if value is not None and not isinstance(value, str):
            raise InputError(f"{where}: {field} must be text, not {type(value).__name__}")
        if value and _SURROGATE_RE.search(value):
            raise InputError(
                f"{where}: {field} holds a lone surrogate (not Unicode text); regenerate the report"
            )
    score = segment.get("score")
    if score is not None and (
        isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 100
    ):
        raise InputError(f"{where}: score must be a number from 0 to 100, not {score!r}")


def check_xml_text(report: dict[str, Any], name: str = "report") -> None:
    """Refuse text XML 1.0 cannot carry (control characters), naming the segment, before writing XLIFF."""
    for path, segment in iter_segments(report):
        for field in _TEXT_FIELDS:
            match = _XML_INVALID_RE.search(segment.get(field) or "")
            if match:
                raise InputError(
                    f"{name}: {path}: segment {segment['id']!r}: {field} holds control character "
                    f"U+{ord(match.group()):04X}, which XLIFF cannot carry; remove it from the chapter"
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
