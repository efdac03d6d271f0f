"""Reading a sync report for the translator tools (review page, XLIFF export, feedback).

The schema and its checks live in `amts.report`; this module hands the tools that still read report
JSON (`export_xliff`, feedback) the checked report in its canonical JSON form.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

from amts.errors import InputError
from amts.report import read_report


def load_report(path: str | Path) -> dict[str, Any]:
    """Read and check a REPORT.json (InputError naming the file and the problem); canonical JSON form."""
    return read_report(path).to_json()


_TEXT_FIELDS = ("source", "target", "old_source", "old_target")
# Characters XML 1.0 cannot hold (XLIFF export would fail on them): C0 controls but tab, newline and return.
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


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
    """(file path, segment) for every segment of a report's JSON, in report order."""
    for entry in report["files"]:
        for segment in entry["segments"]:
            yield entry["path"], segment


def text_of(value: Any) -> str:
    """A report text field as a string: missing or null becomes empty."""
    return "" if value is None else str(value)
