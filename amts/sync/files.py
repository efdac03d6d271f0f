"""Sync of files and mirrored folders: read and check everything first, then write atomically."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable

from amts.errors import InputError, warn
from amts.fsutil import (
    atomic_write,
    refuse_overwriting_input,
    require_regular,
    same_file,
    staged_folder_writer,
)
from amts.markdown import MARKDOWN_SUFFIXES, parse, read_text
from amts.report import FileReport, SegmentRecord, Status, SyncReport
from amts.sync.assemble import Fill, assemble
from amts.sync.document import as_memory, plan_chapter, reuse_reviewed_units, translate_requests
from amts.sync.plan import DocumentPlan
from amts.sync.text import segment_id
from amts.sync.units import logical_text, split_units


# Beside the output (in the --out folder, or the folder of an --out file): the hash of every chapter the last
# sync wrote there, so a re-run can tell a hand edit from its own output.
MANIFEST_NAME = ".amts-manifest.json"
# Where --force keeps the hand-edited files it replaces: <out root>/.amts-backup/<UTC time>/<chapter path>.
BACKUP_FOLDER = ".amts-backup"


@dataclass
class ChapterJob:
    """One chapter to sync: where its texts come from and where its new translation goes."""

    name: str  # path reported (the target's relative path)
    old_source: str
    new_source: str
    old_target: str
    out: Path

    @property
    def root(self) -> Path:
        """The folder the manifest sits in: --out for a folder sync, the --out file's folder for one file."""
        return self.out.parents[len(PurePosixPath(self.name).parts) - 1]


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


def _walk_error(error: OSError) -> None:
    raise InputError(
        f"{error.filename}: cannot read this folder ({error.strerror}); fix its permissions so no chapter is skipped"
    )


def _markdown_files(folder: Path) -> list[str]:
    """Markdown files under ``folder``; an unreadable sub-folder is an error (its chapters would be skipped), and
    amts's own hidden folders (backups, staging) are not chapters."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder, onerror=_walk_error, followlinks=True):
        dirnames[:] = [d for d in dirnames if not d.startswith(".amts")]
        for name in filenames:
            path = Path(dirpath) / name
            if path.suffix in MARKDOWN_SUFFIXES and path.is_file():
                found.append(path.relative_to(folder).as_posix())
    return sorted(found)


def _check_old_source(old_source_text: str, old_target_text: str, old_source: Path, old_target: Path) -> None:
    """An empty old English with a non-empty translation would make every old unit "deleted" and append the
    whole old translation after the new text: refuse, naming both files."""
    if not old_source_text.strip() and old_target_text.strip():
        raise InputError(
            f"{old_source}: the old English is empty but its translation {old_target} is not; give the English "
            f"that {old_target.name} was translated from (or remove the translation to translate anew)"
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
    # --out may be --old-target (an update in place) but never the English it is made from
    refuse_overwriting_input(out, {"--old-source": old_source, "--new-source": new_source})
    if not new_source.is_dir():
        require_regular(new_source, "the new English chapter")
        for path in (old_source, old_target):
            if path.is_dir():
                raise InputError(f"{path}: is a folder but --new-source is a file")
        if out.is_dir():
            raise InputError(f"{out}: is a folder but --new-source is a file")
        job = ChapterJob(out.name, read_text(old_source), read_text(new_source), read_text(old_target), out)
        _check_old_source(job.old_source, job.old_target, old_source, old_target)
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
            job = ChapterJob(
                target_rel, read_text(old_src_path), new_text, read_text(old_tgt_path), out / target_rel
            )
            _check_old_source(job.old_source, job.old_target, old_src_path, old_tgt_path)
            jobs.append(job)
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
    report: Path | None = None,
) -> dict:
    """Plan every chapter (any bad input fails here, before a byte is written), translate, then write.

    Every output, the manifest beside it and ``report`` (REPORT.json) are staged and moved into place together:
    a failure leaves --out as it was. `progress` is called twice a chapter (planned, translated).
    """
    if report is not None:
        check_report_path(report, jobs)
    plans: list[tuple[ChapterJob, DocumentPlan]] = []
    for job in jobs:
        for warning in parse(
            job.new_source, job.name
        ).warnings:  # an unclosed fence hides the rest of the file
            warn(f"{job.name} (new English): {warning}")
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
    replaced = _edited_outputs(jobs, force)
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
    result = SyncReport.of(file_reports, source_lang, target_lang).to_json()
    _write_all(results, replaced, report, result)
    return result


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(root: Path) -> dict[str, str]:
    """Chapter path -> sha256 of what the last sync wrote under ``root`` (empty when there is no usable one)."""
    path = root / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        files = json.loads(path.read_text(encoding="utf-8")).get("files", {})
    except (OSError, ValueError, AttributeError, RecursionError):
        warn(f"{path}: unreadable sync manifest, ignored; outputs are compared with --old-target instead")
        return {}
    return (
        {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}
        if isinstance(files, dict)
        else {}
    )


def _edited_outputs(jobs: list[ChapterJob], force: bool) -> list[ChapterJob]:
    """Outputs changed by hand since the last sync wrote them (or, with no record, differing from the old target).

    Without --force, any such file is an error naming each one; with --force they are returned, to be backed up.
    """
    manifests: dict[Path, dict[str, str]] = {}
    edited = []
    for job in jobs:
        if job.out.is_dir():
            raise InputError(
                f"{job.out}: is a folder, cannot write the chapter there; move it or choose another --out"
            )
        if not job.out.exists():
            continue
        current = read_text(job.out)
        root = job.root
        if root not in manifests:
            manifests[root] = read_manifest(root)
        recorded = manifests[root].get(job.name)
        if recorded == _digest(current.encode("utf-8")) or current == job.old_target:
            continue  # what the last sync wrote, or the human translation being updated
        edited.append(job)
    if edited and not force:
        names = ", ".join(str(job.out) for job in edited)
        raise InputError(
            f"{len(edited)} output(s) edited since the last sync: {names}; merge the edits into --old-target, "
            f"or use --force (a copy of each is kept in {BACKUP_FOLDER}/)"
        )
    return edited


def _write_all(results: list, replaced: list[ChapterJob], report: Path | None, result: dict) -> None:
    """Stage every output, the manifests, the backups of --force and the report; then move them all into place."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    manifests: dict[Path, dict[str, str]] = {}
    with staged_folder_writer() as stage:
        for job in replaced:
            backup = job.root / BACKUP_FOLDER / stamp / job.name
            stage.write(backup, job.out.read_bytes())
            warn(
                f"{job.out}: edited since the last sync; replaced (--force), the edited copy is kept in {backup}"
            )
        for job, text, _ in results:
            stage.write(job.out, text)
            if job.root not in manifests:
                manifests[job.root] = read_manifest(job.root)
            manifests[job.root][job.name] = _digest(text.encode("utf-8"))
        for root, files in manifests.items():
            body = {
                "about": "amts sync: sha256 of each chapter as last written here",
                "files": dict(sorted(files.items())),
            }
            stage.write(root / MANIFEST_NAME, json.dumps(body, ensure_ascii=False, indent=2) + "\n")
        if report is not None:
            stage.write(report, report_json(result))


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


def report_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def write_report(path: Path, report: dict) -> None:
    atomic_write(path, report_json(report))


def check_report_path(report: Path, jobs: list[ChapterJob], inputs: tuple[Path, ...] = ()) -> None:
    """REPORT.json must not land on a chapter: refuse a markdown name, an output chapter or an input file."""
    if report.suffix in MARKDOWN_SUFFIXES:
        raise InputError(f"{report}: --report is JSON, not a chapter; give a path ending in .json")
    for path in [job.out for job in jobs] + list(inputs):
        if same_file(report, path) or report.resolve() == path.resolve():
            raise InputError(f"{report}: --report would overwrite {path}; give another path")


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
    memory = as_memory(
        memory, source_lang, target_lang
    )  # a file path is read (and its language pair checked)
    report_path = Path(report) if report is not None else None
    if report_path is not None:
        check_report_path(report_path, jobs, (Path(old_source), Path(new_source), Path(old_target)))
    return sync_jobs(
        jobs,
        gone,
        source_lang,
        target_lang,
        engine=engine,
        memory=memory,
        force=force,
        progress=progress,
        report=report_path,
    )
