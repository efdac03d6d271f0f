"""Human review fed back into machine translation: reviewed pairs become parallel data.

Offline, the pairs update the local memory file that `amts sync --memory` reads, so the next sync of the
same English reuses the reviewed translation. With AWS credentials and a parallel data name, the file is
also uploaded to S3 and Amazon Translate's parallel data updated (Active Custom Translation).

Only what a person wrote or confirmed in this review is learned (amts.feedback.collect_pairs), and every
pair is checked first (amts.reviewset.pair_problem: placeholders, markup-only targets, length ratio,
untranslated). Amazon's limits (1000 bytes, formula prefixes, duplicates) are applied to the upload only:
the local memory keeps long paragraphs because sync looks them up whole.
Pairs are whole segments without their heading/list marker (what the sync looks up), one line each.
A reviewed pair replaces an older memory entry with the same English: the latest human decision wins.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from amts import paralleldata
from amts.errors import EngineError, InputError
from amts.review.report import iter_segments, load_report, text_of
from amts.fsutil import atomic_write
from amts.reviewset import block_text, pair_problem
from amts.xliff import read_xliff

_NO_SPACE_LANGS = frozenset({"zh", "ja", "th"})
_FORMATS = {".tsv": "TSV", ".csv": "CSV", ".tmx": "TMX"}  # Amazon's names for the formats


@dataclass(frozen=True)
class Pair:
    source: str
    target: str
    origin: str  # where it came from, for messages: "xliff:<file>" or "report:<file>"


@dataclass
class FeedbackResult:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    skipped: int = 0
    total: int = 0
    skipped_reasons: dict[str, int] = field(default_factory=dict)


def collect_pairs(
    xliff_files: Iterable[str | Path] = (),
    report: str | Path | None = None,
    po_files: Iterable[str | Path] = (),
) -> list[Pair]:
    """Reviewed (source, target) pairs: units a person edited or approved in this review, nothing else.

    XLIFF units and PO entries count when their target changed, or when the translator confirmed them
    (approved, a reviewed state, the fuzzy flag removed); a unit the export locked as needing no review does
    not. From a report, only segments marked ``"reviewed": true``. Edits win over approvals in the memory.
    """
    xliff_files, po_files = list(xliff_files), list(po_files)
    if not xliff_files and not po_files and report is None:
        raise InputError("nothing to learn from: give --xliff FILE, --po FILE and/or --report REPORT.json")
    pairs: list[Pair] = []
    if report is not None:
        data = load_report(report)
        for _, segment in iter_segments(data):
            if segment.get("reviewed") is True:
                source = block_text(text_of(segment.get("source")))
                target = block_text(text_of(segment.get("target")))
                pairs.append(Pair(source, target, f"report:{report}"))
    approved: list[Pair] = []
    edited: list[Pair] = []
    reviewed_files = [(f, read_xliff) for f in xliff_files] + [(f, _read_po) for f in po_files]
    for path, reader in reviewed_files:
        for unit in reader(path):
            if unit.error is not None:
                raise InputError(f"{path}: unit {unit.segment_id}: {unit.error}")
            if unit.reviewed:
                (edited if unit.changed else approved).append(
                    Pair(unit.source, unit.target_text or "", f"{path}")
                )
    return pairs + approved + edited


def _read_po(path: str | Path):
    from amts.po import read_po

    return read_po(path)


def target_language(
    xliff_files: Iterable[str | Path] = (),
    report: str | Path | None = None,
    po_files: Iterable[str | Path] = (),
) -> str | None:
    """The target language named by the first XLIFF (<file target-language>), PO (Language) or the report."""
    from lxml import etree

    for xlf in xliff_files:
        try:
            for element in etree.parse(str(xlf)).iter():
                if isinstance(element.tag, str) and etree.QName(element).localname == "file":
                    if element.get("target-language"):
                        return element.get("target-language")
        except (OSError, etree.XMLSyntaxError):
            continue
    for po in po_files:
        try:
            import polib

            language = polib.pofile(str(po)).metadata.get("Language")
        except (OSError, ValueError):
            continue
        if language:
            return language
    if report is not None:
        return load_report(report).get("target_lang")
    return None


def credentials_available(session=None) -> bool:
    """True when boto3 finds AWS credentials (environment, profile, role)."""
    return (session or _default_session()).get_credentials() is not None


def _default_session():
    """boto3's shared default session (where test doubles such as amts.fakes.translate hook in)."""
    import boto3

    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    return boto3.DEFAULT_SESSION


def one_line(text: str, lang: str | None) -> str:
    """A segment on one line (parallel data has one pair a row); CJK lines join without a space."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    joiner = "" if (lang or "").split("-")[0].lower() in _NO_SPACE_LANGS else " "
    return joiner.join(lines)


def update_memory(
    memory: str | Path,
    pairs: Iterable[Pair],
    source_lang: str = "en",
    target_lang: str | None = None,
) -> FeedbackResult:
    """Merge pairs into the memory file (created if absent; CSV, TSV or TMX by extension), atomically."""
    memory = Path(memory)
    fmt = memory_format(memory)
    if target_lang is None:
        raise InputError("give --target-lang: the memory file's header names both languages")
    entries = dict(read_memory(memory, source_lang, target_lang)) if memory.exists() else {}
    result = FeedbackResult()
    for pair in pairs:
        source, target = one_line(pair.source, source_lang), one_line(pair.target, target_lang)
        reason = _unusable(source, target, source_lang, target_lang)
        if reason:
            result.skipped += 1
            result.skipped_reasons[reason] = result.skipped_reasons.get(reason, 0) + 1
            continue
        if source not in entries:
            result.added += 1
        elif entries[source] != target:
            result.replaced += 1
        else:
            result.unchanged += 1
        entries[source] = target
    result.total = len(entries)
    atomic_write(memory, render_pairs(list(entries.items()), fmt, source_lang, target_lang))
    return result


def read_memory(path: Path, source_lang: str, target_lang: str) -> list[tuple[str, str]]:
    """Every pair of a memory file, unfiltered (an update must not lose any); its languages must match."""
    memory_format(path)
    data = paralleldata.read_parallel(path)
    found = (data.source_lang.split("-")[0].lower(), data.target_lang.split("-")[0].lower())
    if data.pairs and found != (source_lang, target_lang):
        raise InputError(
            f"{path}: holds {found[0]}->{found[1]} pairs, not {source_lang}->{target_lang} (header row)"
        )
    return data.pairs


def memory_format(path: Path) -> str:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: parallel data must end in .tsv, .csv or .tmx")
    return fmt


def _unusable(source: str, target: str, source_lang: str = "en", target_lang: str = "") -> str | None:
    """Why a pair cannot be learned (None when it can): amts.reviewset.pair_problem's checks."""
    return pair_problem(source, target, source_lang, target_lang)


def amazon_ready(
    pairs: list[tuple[str, str]], source_lang: str, target_lang: str
) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """Pairs Amazon Translate accepts as parallel data (amts.paralleldata rules), and drops by reason."""
    summary = paralleldata.BuildSummary()
    kept = paralleldata.enforce_limits(pairs, source_lang, target_lang, summary)
    return kept, dict(summary.dropped)


def render_pairs(pairs: list[tuple[str, str]], fmt: str, source_lang: str, target_lang: str) -> bytes:
    """Parallel data bytes: CSV/TSV with a header row of language codes, or TMX (amts.paralleldata)."""
    return paralleldata.dumps(pairs, source_lang, target_lang, fmt.lower())


def update_parallel_data(
    memory: str | Path,
    name: str,
    s3_uri: str | None,
    source_lang: str = "en",
    target_lang: str | None = None,
    region: str | None = None,
    session=None,
) -> dict:
    """Upload the memory (Amazon's limits applied) to S3 and update (or create) the parallel data `name`.

    Returns {"status", "uploaded", "dropped"}; raises EngineError without credentials or S3 location.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    memory = Path(memory)
    fmt = memory_format(memory)
    if not s3_uri or not re.fullmatch(r"s3://[^/]+/.+", s3_uri):
        raise EngineError("UpdateParallelData needs --s3-uri s3://bucket/key for the parallel data file")
    session = session or _default_session()
    if session.get_credentials() is None:
        raise EngineError("no AWS credentials: the local memory is updated, Amazon Translate is not")
    kept, dropped = amazon_ready(
        read_memory(memory, source_lang, target_lang or ""), source_lang, target_lang or ""
    )
    if not kept:
        raise InputError(f"{memory}: no pair fits Amazon Translate's parallel data limits")
    body = render_pairs(kept, fmt, source_lang, target_lang or "")
    bucket, _, key = s3_uri[5:].partition("/")
    region_name = region or session.region_name or "us-east-1"
    try:
        session.client("s3", region_name=region_name).put_object(Bucket=bucket, Key=key, Body=body)
        translate = session.client("translate", region_name=region_name)
        config = {"S3Uri": s3_uri, "Format": fmt}
        token = str(uuid.uuid4())
        try:
            response = translate.update_parallel_data(Name=name, ParallelDataConfig=config, ClientToken=token)
            status = response.get("LatestUpdateAttemptStatus") or response.get("Status", "")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                raise
            response = translate.create_parallel_data(Name=name, ParallelDataConfig=config, ClientToken=token)
            status = response.get("Status", "")
    except (ClientError, BotoCoreError) as exc:
        raise EngineError(f"Amazon Translate parallel data {name}: {exc}") from None
    return {"status": status, "uploaded": len(kept), "dropped": dropped}
