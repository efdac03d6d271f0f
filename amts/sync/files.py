"""Sync of files and mirrored folders: read and check everything first, then write atomically."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from amts.errors import InputError
from amts.fsutil import atomic_write
from amts.markdown import MARKDOWN_SUFFIXES, read_text
from amts.report import FileReport, SegmentRecord, Status, SyncReport
from amts.sync.assemble import Fill, assemble
from amts.sync.document import plan_chapter, reuse_reviewed_units, translate_requests
from amts.sync.plan import DocumentPlan
from amts.sync.text import segment_id
from amts.sync.units import logical_text, split_units


@dataclass
class ChapterJob:
    """One chapter to sync: where its texts come from and where its new translation goes."""

    name: str  # path reported (the target's relative path)
    old_source: str
    new_source: str
    old_target: str
    out: Path


@dataclass
class PairsTable:
    """Source path -> target path, and optionally -> old-source path (d2l-zh keeps `X_origin.md` beside `X.md`)."""

    target: dict[str, str]
    old_source: dict[str, str]


_OLD_SOURCE_COLUMNS = ("old_source_path", "zh_origin_path", "origin_path")


def read_pairs_table(path: Path) -> PairsTable:
    """Read a TSV/CSV pairs table: `en_path`/`zh_path` style header (any `*_path` names), or two bare columns.

    A third column named old_source_path (or zh_origin_path) gives where the old source of that chapter is,
    relative to --old-source. Rows of kind `meta` (README, style guide) are skipped.
    """
    text = read_text(path)
    first_line = text.splitlines()[0] if text.strip() else ""
    delimiter = "\t" if "\t" in first_line else ","
    rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
    if not rows:
        raise InputError(f"{path}: empty pairs table")
    header = [c.strip().lower() for c in rows[0]]
    has_header = any(h.endswith("_path") for h in header)
    kind_col = header.index("kind") if has_header and "kind" in header else None
    old_col = next((header.index(c) for c in _OLD_SOURCE_COLUMNS if has_header and c in header), None)
    table = PairsTable({}, {})
    for number, row in enumerate(rows[1:] if has_header else rows, start=2 if has_header else 1):
        if not row or not row[0].strip():
            continue
        if len(row) < 2 or not row[1].strip():
            raise InputError(f"{path}: row {number} needs a source path and a target path")
        if kind_col is not None and len(row) > kind_col and row[kind_col].strip() == "meta":
            continue  # meta files (README, style guide) are not translations of each other
        table.target[row[0].strip()] = row[1].strip()
        if old_col is not None and len(row) > old_col and row[old_col].strip():
            table.old_source[row[0].strip()] = row[old_col].strip()
    return table


def _markdown_files(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.suffix in MARKDOWN_SUFFIXES
    )


def collect_jobs(
    old_source: Path,
    new_source: Path,
    old_target: Path,
    out: Path,
    pairs: PairsTable | dict[str, str] | None = None,
) -> tuple[list[ChapterJob], list[tuple[str, str]]]:
    """Chapters to sync, and (name, old target text) of chapters the new source no longer has."""
    if not new_source.exists():
        raise InputError(f"{new_source}: no such file or folder")
    if new_source.is_file():
        for path in (old_source, old_target):
            if path.is_dir():
                raise InputError(f"{path}: is a folder but --new-source is a file")
        if out.is_dir():
            raise InputError(f"{out}: is a folder but --new-source is a file")
        job = ChapterJob(out.name, read_text(old_source), read_text(new_source), read_text(old_target), out)
        return [job], []
    for path, flag in ((old_source, "--old-source"), (old_target, "--old-target")):
        if not path.exists():
            raise InputError(f"{path}: no such folder ({flag})")
        if not path.is_dir():
            raise InputError(f"{path}: {flag} must be a folder when --new-source is a folder")
    if isinstance(pairs, dict):
        pairs = PairsTable(pairs, {})
    targets = pairs.target if pairs else {}
    old_sources = pairs.old_source if pairs else {}
    jobs = []
    new_files = _markdown_files(new_source)
    for rel in new_files:
        target_rel = targets.get(rel, rel)
        old_src_path, old_tgt_path = old_source / old_sources.get(rel, rel), old_target / target_rel
        new_text = read_text(new_source / rel)
        if old_tgt_path.is_file():
            if not old_src_path.is_file():
                raise InputError(
                    f"{old_src_path}: missing; it is the English that {old_tgt_path} was translated from"
                )
            jobs.append(
                ChapterJob(
                    target_rel, read_text(old_src_path), new_text, read_text(old_tgt_path), out / target_rel
                )
            )
        else:
            # a chapter with no translation yet: everything in it is new
            jobs.append(ChapterJob(target_rel, "", new_text, "", out / target_rel))
    # chapters the new source dropped: the old source's files (or, when the pairs table says where each old
    # source is, its rows: an old-source folder may then be the translation's own repository)
    gone = []
    kept = {targets.get(rel, rel) for rel in new_files}
    if old_sources:
        candidates = [rel for rel, old_rel in old_sources.items() if (old_source / old_rel).is_file()]
    else:
        candidates = _markdown_files(old_source)
    for rel in candidates:
        target_rel = targets.get(rel, rel)
        if target_rel not in kept and (old_target / target_rel).is_file():
            gone.append((target_rel, read_text(old_target / target_rel)))
    return jobs, gone


def sync_jobs(
    jobs: list[ChapterJob],
    gone: list[tuple[str, str]],
    source_lang: str,
    target_lang: str,
    engine=None,
    memory=None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Plan every chapter (any bad input fails here, before a byte is written), translate, then write.

    `progress` is called twice a chapter (planned, translated).
    """
    plans: list[tuple[ChapterJob, DocumentPlan]] = []
    for job in jobs:
        plans.append(
            (
                job,
                plan_chapter(
                    job.old_source, job.new_source, job.old_target, source_lang, target_lang, job.name
                ),
            )
        )
        if progress:
            progress(f"planned {job.name}")
    for job in jobs:
        if job.out.is_dir():
            raise InputError(f"{job.out}: is a folder, cannot write the chapter there")
        if job.out.is_file() and not force and read_text(job.out) != job.old_target:
            raise InputError(
                f"{job.out}: exists and differs from the old target (edited since?); "
                "use --force to overwrite it"
            )
    results = []
    for job, plan in plans:
        reuse_reviewed_units(plan, memory)
        fills: dict[str, Fill] = translate_requests(
            plan.requests, source_lang, target_lang, engine=engine, memory=memory
        )
        results.append((job, *assemble(plan, fills)))
        if progress:
            progress(f"translated {job.name}")
    file_reports = [report for _, _, report in results]
    for name, old_target in gone:
        file_reports.append(_gone_report(name, old_target))
    for job, text, _ in results:
        atomic_write(job.out, text)
    return SyncReport.of(file_reports, source_lang, target_lang).to_json()


def _gone_report(name: str, old_target: str) -> FileReport:
    seen: dict[str, int] = {}
    segments = [
        SegmentRecord(
            segment_id(logical_text(u.raw), seen),
            Status.DELETED,
            old_target=logical_text(u.raw),
            kind=u.kind,
            line=u.line,
        )
        for u in split_units(old_target)
        if u.is_prose
    ]
    return FileReport.of(name, segments)


def write_report(path: Path, report: dict) -> None:
    atomic_write(path, json.dumps(report, ensure_ascii=False, indent=2) + "\n")


def sync_paths(
    old_source: str | Path,
    new_source: str | Path,
    old_target: str | Path,
    out: str | Path,
    source_lang: str,
    target_lang: str,
    engine=None,
    memory=None,
    pairs: PairsTable | dict[str, str] | str | Path | None = None,
    force: bool = False,
    report: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Sync a chapter file or a folder of chapters; writes the outputs (and REPORT.json if asked) atomically.

    `pairs` maps source paths to target paths (or is a TSV/CSV pairs table); returns the report dict.
    """
    from amts.sync.checks import check_languages

    check_languages(source_lang, target_lang)
    if pairs is not None and not isinstance(pairs, (dict, PairsTable)):
        pairs = read_pairs_table(Path(pairs))
    jobs, gone = collect_jobs(Path(old_source), Path(new_source), Path(old_target), Path(out), pairs)
    result = sync_jobs(
        jobs, gone, source_lang, target_lang, engine=engine, memory=memory, force=force, progress=progress
    )
    if report is not None:
        write_report(Path(report), result)
    return result
