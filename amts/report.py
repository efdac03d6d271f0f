"""The sync report schema: segment statuses and the typed records every producer and reader shares.

`amts sync --report`, the serverless pipeline's per-language `review.json`, the review page, the XLIFF export
and feedback all speak this one schema; its JSON form is documented in docs/CONTRACTS.md ("Sync report").
To add a report field: add it to `SegmentRecord` (and its JSON name to `_SEGMENT_FIELDS`), set it where the
sync decides it, read it where it is shown.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from typing import Any, Iterable, Iterator

from amts.errors import InputError


class Status(StrEnum):
    """What the sync did with one segment (the JSON value is the member's value).

    Needs review (decided once, here): `machine`, `fuzzy` and `untranslated` segments carry text no human
    has approved for this English, so a translator has to read or write them. `reused` and
    `reused-format` keep the human translation (the English is unchanged, or only its markup moved),
    `code-changed` is protected code (not the translator's to translate) and `deleted` has no text left in
    the output: none of these needs review. The review page still *lists* every segment that is not a
    plain `reused` (`Status.listed`), so a translator can see markup moves, code and deletions too.
    """

    REUSED = "reused"  # the human translation of unchanged English, as written
    REUSED_FORMAT = "reused-format"  # the human translation, the new English's markup carried into it
    FUZZY = "fuzzy"  # partly human text or a fuzzy memory match, partly new translation
    MACHINE = "machine"  # the engine's (or an external batch job's) translation
    UNTRANSLATED = "untranslated"  # nothing translated it: the old human text as a suggestion, else English
    CODE_CHANGED = "code-changed"  # protected code (or HTML/JSX) that changed in the new English
    DELETED = "deleted"  # human text of English the new chapter no longer has

    @property
    def needs_review(self) -> bool:
        """A translator has to read or write this segment's text (see the class docstring)."""
        return self in _NEEDS_REVIEW

    @property
    def listed(self) -> bool:
        """Shown on the review page: everything but a plain reuse (`reused-format` folded)."""
        return self is not Status.REUSED

    @property
    def in_output(self) -> bool:
        """The segment has text in the synchronised output (a deleted one has none)."""
        return self is not Status.DELETED

    @property
    def human(self) -> bool:
        """The target is a human translation of this very English (what feedback learns from)."""
        return self in (Status.REUSED, Status.REUSED_FORMAT)

    @property
    def count_key(self) -> str:
        """The name of this status in `counts` and `totals` (`reused-format` -> `reused_format`)."""
        return self.value.replace("-", "_")


_NEEDS_REVIEW = frozenset({Status.MACHINE, Status.FUZZY, Status.UNTRANSLATED})


@dataclass
class SegmentRecord:
    """One segment of a report. Texts are as written to the output (markup prefix included); "" when none."""

    id: str
    status: Status
    source: str = ""  # the new English ("" for a deleted segment)
    old_source: str = ""  # the old English it replaces, if any
    target: str = ""  # the text in the output at this segment
    old_target: str = ""  # the old human translation, if any
    kind: str | None = None  # segment kind (heading, paragraph, list_item, code, ...)
    line: int | None = None  # 1-based line in the new English (in the old translation when deleted)
    origin: str | None = None  # human | memory | source | an engine name | a "+"-joined mix
    chars_to_mt: int | None = None  # characters of this segment sent to machine translation
    info: str | None = None  # code-changed: the fence line of the code block
    context: str | None = None  # a code comment's segment: the code line it belongs to
    score: float | None = None  # fuzzy: the lowest match score of its pieces (0-100)
    reviewed: bool | None = None  # set by a reviewer: the target is approved (feedback learns it)
    target_id: str | None = None  # the segment id of the target in the output, when it differs
    extra: dict[str, Any] = field(default_factory=dict)  # fields this version does not know, kept as read

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "status": self.status.value}
        for name in _SEGMENT_FIELDS[2:]:
            value = getattr(self, name)
            if value is not None or name in _TEXT_FIELDS:
                data[name] = value
        data.update(self.extra)
        return data

    @classmethod
    def from_json(cls, data: Any, where: str = "segment") -> SegmentRecord:
        if not isinstance(data, dict):
            raise InputError(f"{where}: not an object")
        if not isinstance(data.get("id"), str) or "status" not in data:
            raise InputError(f'{where}: lacks "id" or "status"')
        where = f"{where} ({data['id']})"
        try:
            status = Status(data["status"])
        except ValueError:
            raise InputError(
                f"{where}: unknown status {data['status']!r} (expected one of {', '.join(Status)})"
            ) from None
        values: dict[str, Any] = {}
        for name in _SEGMENT_FIELDS[2:]:
            value = data.get(name)
            if value is None:
                continue
            types, expected = _SEGMENT_TYPES[name]
            if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
                raise InputError(f'{where}: "{name}" is {json.dumps(value)[:40]}, expected {expected}')
            if isinstance(value, str) and _SURROGATE_RE.search(value):
                raise InputError(
                    f'{where}: "{name}" holds a lone surrogate (not Unicode text); regenerate the report'
                )
            if name == "score" and isinstance(value, (int, float)) and not 0 <= value <= 100:
                raise InputError(f'{where}: "score" must be a number from 0 to 100, not {value!r}')
            values[name] = value
        extra = {k: v for k, v in data.items() if k not in _SEGMENT_FIELDS}
        return cls(data["id"], status, **values, extra=extra)


_SEGMENT_FIELDS = tuple(f.name for f in fields(SegmentRecord) if f.name != "extra")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")  # a lone surrogate: JSON allows it, UTF-8 cannot write it
_TEXT_FIELDS = frozenset({"source", "old_source", "target", "old_target"})  # always written, "" when none
# JSON type of every optional field: (accepted Python types, name in messages); null always accepted.
_SEGMENT_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    **dict.fromkeys(
        ("source", "old_source", "target", "old_target", "kind", "origin", "info", "context", "target_id"),
        ((str,), "a string"),
    ),
    **dict.fromkeys(("line", "chars_to_mt"), ((int,), "an integer")),
    "score": ((int, float), "a number"),
    "reviewed": ((bool,), "true or false"),
}


@dataclass
class Counts:
    """Segments per status and characters, of one file (`counts`) or of the whole report (`totals`)."""

    segments: int = 0  # every segment but deleted ones
    reused: int = 0
    fuzzy: int = 0
    machine: int = 0
    reused_format: int = 0
    untranslated: int = 0
    code_changed: int = 0
    deleted: int = 0
    chars_total: int = 0  # English characters of the prose segments
    chars_to_mt: int = 0  # of which sent to machine translation
    review: int = 0  # segments whose status needs review (file counts only; not in `totals`)

    @classmethod
    def of(cls, segments: Iterable[SegmentRecord]) -> Counts:
        counts = cls()
        for segment in segments:
            status = segment.status
            if status is not Status.DELETED:
                counts.segments += 1
            setattr(counts, status.count_key, getattr(counts, status.count_key) + 1)
            if status not in (Status.DELETED, Status.CODE_CHANGED):
                counts.chars_total += len(segment.source)
                counts.chars_to_mt += segment.chars_to_mt or 0
            counts.review += status.needs_review
        return counts

    @classmethod
    def sum(cls, parts: Iterable[Counts]) -> Counts:
        total = cls()
        for part in parts:
            for name in TOTAL_KEYS:
                setattr(total, name, getattr(total, name) + getattr(part, name))
        return total

    def to_json(self, review: bool = True) -> dict[str, int]:
        keys = (*TOTAL_KEYS, "review") if review else TOTAL_KEYS
        return {key: getattr(self, key) for key in keys}

    @classmethod
    def from_json(cls, data: Any, where: str = "counts") -> Counts:
        """Known keys read (missing ones 0); keys of older versions (such as `new`) ignored."""
        if not isinstance(data, dict):
            raise InputError(f"{where}: not an object")
        counts = cls()
        for name in (*TOTAL_KEYS, "review"):
            value = data.get(name, 0)
            if isinstance(value, bool) or not isinstance(value, int):
                raise InputError(f'{where}: "{name}" is {type(value).__name__}, expected int')
            setattr(counts, name, value)
        return counts


# The keys of `totals`, in the order written.
TOTAL_KEYS = tuple(f.name for f in fields(Counts) if f.name != "review")


@dataclass
class FileReport:
    """One chapter of a report: its path (the target's relative path), segments in output order, counts."""

    path: str
    segments: list[SegmentRecord]
    counts: Counts

    @classmethod
    def of(cls, path: str, segments: list[SegmentRecord]) -> FileReport:
        """The report of a chapter whose segment statuses are final (counted here)."""
        return cls(path, segments, Counts.of(segments))

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "segments": [s.to_json() for s in self.segments],
            "counts": self.counts.to_json(),
        }

    @classmethod
    def from_json(cls, data: Any, where: str = "file") -> FileReport:
        if not isinstance(data, dict) or not isinstance(data.get("path"), str):
            raise InputError(f'{where}: has no "path"')
        path = data["path"]
        if not isinstance(data.get("segments"), list):
            raise InputError(f'{path}: no "segments" list')
        segments = [
            SegmentRecord.from_json(s, f"{path}: segment {j}") for j, s in enumerate(data["segments"])
        ]
        if "counts" not in data:
            return cls.of(path, segments)
        return cls(path, segments, Counts.from_json(data["counts"], f"{path}: counts"))


@dataclass
class SyncReport:
    """A whole report: `amts sync --report`, or one language's `review.json` of a pipeline run."""

    files: list[FileReport]
    totals: Counts
    source_lang: str | None = None
    target_lang: str | None = None

    @classmethod
    def of(
        cls, files: list[FileReport], source_lang: str | None = None, target_lang: str | None = None
    ) -> SyncReport:
        """A report of these files, totals summed from their counts."""
        return cls(files, Counts.sum(f.counts for f in files), source_lang, target_lang)

    def segments(self) -> Iterator[tuple[str, SegmentRecord]]:
        """(file path, segment) for every segment, in report order."""
        for entry in self.files:
            for segment in entry.segments:
                yield entry.path, segment

    def status_counts(self) -> dict[Status, int]:
        """Segments per status, in the enum's order (zero counts kept)."""
        counts = dict.fromkeys(Status, 0)
        for _, segment in self.segments():
            counts[segment.status] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "files": [f.to_json() for f in self.files],
            "totals": self.totals.to_json(review=False),
        }
        if self.source_lang is not None:
            data["source_lang"] = self.source_lang
        if self.target_lang is not None:
            data["target_lang"] = self.target_lang
        return data

    @classmethod
    def from_json(cls, data: Any, name: str = "report") -> SyncReport:
        """A checked report; InputError (an AmtsError: one line, exit 2) naming `name` and the problem."""
        if not isinstance(data, dict) or not isinstance(data.get("files"), list):
            raise InputError(f'{name}: not a sync report (no "files" list)')
        for key in ("source_lang", "target_lang"):
            if data.get(key) is not None and not isinstance(data[key], str):
                raise InputError(f'{name}: "{key}" is not a string')
        files = []
        for i, entry in enumerate(data["files"]):
            try:
                files.append(FileReport.from_json(entry, f"files[{i}]"))
            except InputError as exc:
                raise InputError(f"{name}: {exc}") from None
        report = cls.of(files, data.get("source_lang"), data.get("target_lang"))
        if "totals" in data:
            report.totals = Counts.from_json(data["totals"], f"{name}: totals")
        return report


def read_report(path: str | Path) -> SyncReport:
    """Read and check a REPORT.json; InputError naming the file and the problem."""
    from amts.fsutil import read_regular_text  # regular files only: a FIFO or /dev/zero would never end

    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: report not found")
    text = read_regular_text(path, "a REPORT.json")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply to be a sync report") from None
    return SyncReport.from_json(data, str(path))
