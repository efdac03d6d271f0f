"""Reading a sync report for the translator tools (review page, XLIFF export, feedback).

The schema and its checks live in `amts.report`; this module hands the tools that still read report
JSON (`export_xliff`, feedback) the checked report in its canonical JSON form.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from amts.report import read_report


def load_report(path: str | Path) -> dict[str, Any]:
    """Read and check a REPORT.json (InputError naming the file and the problem); canonical JSON form."""
    return read_report(path).to_json()


def iter_segments(report: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(file path, segment) for every segment of a report's JSON, in report order."""
    for entry in report["files"]:
        for segment in entry["segments"]:
            yield entry["path"], segment


def text_of(value: Any) -> str:
    """A report text field as a string: missing or null becomes empty."""
    return "" if value is None else str(value)
