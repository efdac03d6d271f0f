"""Parallel data for Amazon Translate Active Custom Translation: build from a book and its translation,
write and read CSV, TSV and TMX.

Rules applied to every pair (Amazon Translate "Parallel data files" and "Guidelines and quotas"):
- UTF-8; CSV/TSV start with a header row of the two language codes;
- each segment is at most 1000 bytes: at paragraph granularity a longer pair is split at sentence level
  (sentence beads packed under the limit); a pair that still does not fit is dropped (`too_long`);
- no cell may start with ``+ - = @`` (spreadsheet formula injection guard): such pairs are dropped and
  counted (`formula_prefix`) rather than altered, so the data never teaches the engine a prefix;
- no duplicates: a repeated (source, target) pair is dropped (`duplicate`), as is a later different
  translation of an already seen source segment (`conflicting_duplicate`);
- suspicious pairs are dropped and counted: one side missing (`unaligned`), target equal to the source
  or not in the target script (`untranslated`), length ratio beyond 3x of the expected one
  (`length_ratio`).
Tabs and line breaks inside a segment become spaces so that every format holds one pair a record. CSV and
TSV are quoted as the developer guide's "CSV requirements" / "TSV requirements" say (a field holding the
delimiter is enclosed in double quotes; a double quote is doubled), and read back quote-aware as the
service reads them (`validate` reports a record that spans lines).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from amts.align import Bead, align_documents, default_ratio
from amts.align.beads import Sentence, align_sentences
from amts.align.features import length_logratio, text_features
from amts.errors import AlignmentError, AmtsError, InputError
from amts.languages import char_based, language
from amts.fsutil import atomic_write, read_regular_bytes, read_regular_text
from amts.markdown import load
from amts.sentences import split_sentences
from amts.translate_limits import FORBIDDEN_CELL_PREFIXES, MAX_PARALLEL_DATA_SEGMENT_BYTES, utf8_size

FORMATS = ("csv", "tsv", "tmx")
MAX_LENGTH_LOGRATIO = math.log(3.0)
_WS_RE = re.compile(r"[\t\r\n\v\f]+")


class ParallelDataError(AmtsError):
    """A parallel data file that cannot be read or written."""


@dataclass(slots=True)
class ParallelData:
    pairs: list[tuple[str, str]]
    source_lang: str
    target_lang: str
    problems: list[str] = field(default_factory=list)  # found while reading (records spanning lines)


@dataclass(slots=True)
class BuildSummary:
    """What `amts paralleldata build` kept and dropped, printed as JSON."""

    files: Counter = field(default_factory=Counter)
    kept: int = 0
    dropped: Counter = field(default_factory=Counter)
    unalignable: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "files": dict(self.files),
            "pairs": {
                "kept": self.kept,
                "dropped": dict(sorted(self.dropped.items())),
                "dropped_total": sum(self.dropped.values()),
            },
            "unalignable": self.unalignable,
        }


# ---------------------------------------------------------------------------------------------- files


@dataclass(frozen=True, slots=True)
class FilePair:
    source: Path
    target: Path
    name: str  # the path shown in summaries and matched by --exclude


def pairs_from_table(
    table: Path,
    source_lang: str,
    target_lang: str,
    source_root: Path | None = None,
    target_root: Path | None = None,
    origin_root: Path | None = None,
    summary: BuildSummary | None = None,
) -> list[FilePair]:
    """File pairs from a TSV table like d2l's pairs.tsv (columns <src>_path, <tgt>_path,
    <tgt>_origin_path, kind). The origin column names the exact source text a translation was made
    from; it is used instead of the source file when present. Rows of kind `meta` are skipped.
    Roots default to folders named after the languages (and `<tgt>_origin`) beside the table.
    """
    summary = summary if summary is not None else BuildSummary()
    base = table.parent
    source_root = source_root or base / source_lang
    target_root = target_root or base / target_lang
    if origin_root is None:
        origin_root = base / f"{target_lang}_origin" if (base / f"{target_lang}_origin").is_dir() else base
    try:
        rows = list(csv.DictReader(read_regular_text(table, "a pairs table").splitlines(), delimiter="\t"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read pairs table {table}: {exc}") from exc
    if not rows:
        raise InputError(f"pairs table {table} has no rows")
    columns = list(rows[0].keys())
    # d2l names a path column per language; a table with one "path" column (hf-course) uses it for both.
    shared = "path" if "path" in columns else None
    src_col = f"{source_lang}_path" if f"{source_lang}_path" in columns else shared or columns[0]
    tgt_col = f"{target_lang}_path" if f"{target_lang}_path" in columns else shared or columns[1]
    origin_col = f"{target_lang}_origin_path" if f"{target_lang}_origin_path" in columns else None
    result = []
    for row in rows:
        if (row.get("kind") or "").strip() == "meta":
            summary.files["meta"] += 1
            continue
        src_rel, tgt_rel = (row.get(src_col) or "").strip(), (row.get(tgt_col) or "").strip()
        origin_rel = (row.get(origin_col) or "").strip() if origin_col else ""
        origin = (
            _locate(origin_root, origin_rel, f"{target_lang}_origin") if origin_rel and origin_root else None
        )
        source = (
            origin if origin is not None and origin.is_file() else _locate(source_root, src_rel, source_lang)
        )
        result.append(FilePair(source, _locate(target_root, tgt_rel, target_lang), src_rel or tgt_rel))
    return result


def _locate(root: Path, rel: str, lang_folder: str) -> Path:
    """root/rel, or root/<lang_folder>/rel when the root given is the corpus folder itself."""
    direct = root / rel
    if direct.is_file():
        return direct
    nested = root / lang_folder / rel
    return nested if nested.is_file() else direct


def pairs_from_folders(source_dir: Path, target_dir: Path) -> list[FilePair]:
    """Markdown files present under both folders with the same relative path."""
    from amts.markdown import MARKDOWN_SUFFIXES

    result = []
    for source in sorted(source_dir.rglob("*")):
        if source.suffix not in MARKDOWN_SUFFIXES or not source.is_file():
            continue
        rel = source.relative_to(source_dir)
        if (target_dir / rel).is_file():
            result.append(FilePair(source, target_dir / rel, rel.as_posix()))
    return result


def is_excluded(name: str, excludes: Sequence[str]) -> bool:
    """True when `name` (a relative path) equals, lies under, or ends with one of `excludes`."""
    for pattern in excludes:
        pattern = pattern.strip().strip("/").replace("\\", "/")
        if not pattern:
            continue
        if name == pattern or name.startswith(pattern + "/") or name.endswith("/" + pattern):
            return True
    return False


# ---------------------------------------------------------------------------------------------- pairs


def _clean(text: str) -> str:
    return _WS_RE.sub(" ", text).strip()


def suspicious_pair(source: str, target: str, source_lang: str, target_lang: str) -> str | None:
    """Why a pair looks misaligned or untranslated (None when it looks like a translation)."""
    if not source or not target:
        return "unaligned"
    if source == target:
        return "untranslated"
    if char_based(target_lang) and not char_based(source_lang) and _lacks_script(target, target_lang):
        return "untranslated"
    if char_based(source_lang) and not char_based(target_lang) and _lacks_script(source, source_lang):
        return "untranslated"
    fs, ft = text_features(source), text_features(target)
    if fs.length + ft.length >= 20:
        lr = length_logratio(
            fs,
            ft,
            default_ratio(source_lang, target_lang),
            char_based(source_lang),
            char_based(target_lang),
        )
        if abs(lr) > MAX_LENGTH_LOGRATIO:
            return "length_ratio"
    return None


def _lacks_script(text: str, lang: str) -> bool:
    """No character of the language's own script: English left untranslated in a Chinese column."""
    script = language(lang).script_re
    return script is not None and not script.search(text)


def _join(parts: Iterable[str], lang: str) -> str:
    return language(lang).join(parts)


def _split_long(bead: Bead, source_lang: str, target_lang: str) -> list[tuple[str, str]] | None:
    """Split a long paragraph pair into sentence-aligned chunks that fit the byte limit."""
    src = [Sentence.of(s, 0) for t in bead.source for s in split_sentences(t, source_lang)]
    tgt = [Sentence.of(s, 0) for t in bead.target for s in split_sentences(t, target_lang)]
    beads = align_sentences(src, tgt, default_ratio(source_lang, target_lang), source_lang, target_lang)
    chunks: list[tuple[str, str]] = []
    cur_s: list[str] = []
    cur_t: list[str] = []
    for a, b in beads:
        if not a or not b:
            continue  # a sentence with no counterpart cannot go into either neighbour
        s_text, t_text = [x.text for x in a], [x.text for x in b]
        if cur_s and (
            utf8_size(_join(cur_s + s_text, source_lang)) > MAX_PARALLEL_DATA_SEGMENT_BYTES
            or utf8_size(_join(cur_t + t_text, target_lang)) > MAX_PARALLEL_DATA_SEGMENT_BYTES
        ):
            chunks.append((_join(cur_s, source_lang), _join(cur_t, target_lang)))
            cur_s, cur_t = [], []
        cur_s += s_text
        cur_t += t_text
    if cur_s:
        chunks.append((_join(cur_s, source_lang), _join(cur_t, target_lang)))
    return chunks or None


def pairs_from_beads(
    beads: Iterable[Bead], source_lang: str, target_lang: str, summary: BuildSummary, granularity: str
) -> list[tuple[str, str]]:
    """Filtered (source, target) pairs from alignment beads; drops are counted in `summary`."""
    result = []
    for bead in beads:
        source, target = _join(bead.source, source_lang), _join(bead.target, target_lang)
        if not bead.source or not bead.target:
            summary.dropped["unaligned"] += 1
            continue
        candidates = [(source, target)]
        too_big = max(utf8_size(source), utf8_size(target)) > MAX_PARALLEL_DATA_SEGMENT_BYTES
        if too_big and granularity == "paragraph":
            candidates = _split_long(bead, source_lang, target_lang) or candidates
        for source, target in candidates:
            result.append((_clean(source), _clean(target)))
    return result


def enforce_limits(
    pairs: Iterable[tuple[str, str]], source_lang: str, target_lang: str, summary: BuildSummary
) -> list[tuple[str, str]]:
    """Apply the Amazon Translate rules and the suspicious-pair filters, in that order."""
    kept: list[tuple[str, str]] = []
    seen_pairs: set[tuple[str, str]] = set()
    seen_sources: set[str] = set()
    for source, target in pairs:
        reason = suspicious_pair(source, target, source_lang, target_lang)
        if reason is None and max(utf8_size(source), utf8_size(target)) > MAX_PARALLEL_DATA_SEGMENT_BYTES:
            reason = "too_long"
        if reason is None and (
            source.startswith(FORBIDDEN_CELL_PREFIXES) or target.startswith(FORBIDDEN_CELL_PREFIXES)
        ):
            reason = "formula_prefix"
        if reason is None and (source, target) in seen_pairs:
            reason = "duplicate"
        if reason is None and source in seen_sources:
            reason = "conflicting_duplicate"
        if reason:
            summary.dropped[reason] += 1
            continue
        seen_pairs.add((source, target))
        seen_sources.add(source)
        kept.append((source, target))
    summary.kept = len(kept)
    return kept


def build(
    file_pairs: Sequence[FilePair],
    source_lang: str,
    target_lang: str,
    granularity: str = "sentence",
    excludes: Sequence[str] = (),
    summary: BuildSummary | None = None,
    progress=None,
) -> tuple[list[tuple[str, str]], BuildSummary]:
    """Align every file pair and return the pairs that satisfy the rules, with a summary."""
    summary = summary if summary is not None else BuildSummary()
    raw: list[tuple[str, str]] = []
    for pair in file_pairs:
        if progress is not None:
            progress(pair.name)
        if is_excluded(pair.name, excludes):
            summary.files["excluded"] += 1
            continue
        if not pair.source.is_file() or not pair.target.is_file():
            summary.files["missing"] += 1
            continue
        try:
            beads = align_documents(
                load(pair.source), load(pair.target), source_lang, target_lang, granularity
            )
        except AlignmentError:
            summary.files["unalignable"] += 1
            summary.unalignable.append(pair.name)
            continue
        summary.files["aligned"] += 1
        raw.extend(pairs_from_beads(beads, source_lang, target_lang, summary, granularity))
    return enforce_limits(raw, source_lang, target_lang, summary), summary


# ------------------------------------------------------------------------------------------ read/write


def format_of(path: Path, fmt: str | None = None) -> str:
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ParallelDataError(f"unknown parallel data format '{fmt}' for {path} (use csv, tsv or tmx)")
    return fmt


def dumps(pairs: Sequence[tuple[str, str]], source_lang: str, target_lang: str, fmt: str) -> bytes:
    if fmt == "tmx":
        from translate.storage import tmx

        store = tmx.tmxfile(sourcelanguage=source_lang, targetlanguage=target_lang)
        for source, target in pairs:
            store.addtranslation(source, source_lang, target, target_lang)
        return bytes(store)
    buffer = io.StringIO()
    writer = csv.writer(buffer, **_dialect(fmt))
    writer.writerow([source_lang, target_lang])
    writer.writerows([_clean(s), _clean(t)] for s, t in pairs)
    return buffer.getvalue().encode("utf-8")


def _dialect(fmt: str) -> dict:
    """CSV and TSV as the Amazon Translate developer guide ("Parallel data input files") requires them.

    A field holding the delimiter (comma in CSV, tab in TSV) is enclosed in double quotes, and a double quote
    in a field is escaped by doubling it (``34" monitor`` -> ``34"" monitor``); we enclose such a field too,
    so that every RFC 4180 reader, the service's included, reads the doubled quote back as one. Fields never
    span lines (`_clean` turns line breaks into spaces).
    """
    return {
        "delimiter": "\t" if fmt == "tsv" else ",",
        "quotechar": '"',
        "doublequote": True,
        "quoting": csv.QUOTE_MINIMAL,
        "lineterminator": "\n",
    }


def write_pairs(
    path: str | Path,
    pairs: Sequence[tuple[str, str]],
    source_lang: str,
    target_lang: str,
    fmt: str | None = None,
) -> int:
    """Write pairs as CSV, TSV (header row of language codes) or TMX; returns the bytes written."""
    path = Path(path)
    data = dumps(pairs, source_lang, target_lang, format_of(path, fmt))
    atomic_write(path, data)
    return len(data)


def read_parallel(path: str | Path, fmt: str | None = None, strict: bool = True) -> ParallelData:
    """Pairs and language codes from a CSV, TSV or TMX parallel data file.

    A malformed record (wrong number of cells, a quoted field running across lines) raises ParallelDataError,
    or with ``strict=False`` is left out and named in ``problems`` (what `paralleldata validate` reports).
    """
    path = Path(path)
    fmt = format_of(path, fmt)
    data = read_regular_bytes(path, "a parallel data file")
    if fmt == "tmx":
        return _read_tmx(data, path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParallelDataError(f"{path} is not UTF-8 (byte {exc.start})") from exc
    rows, problems = _read_records(text, fmt)
    if not rows or len(rows[0][1]) != 2:
        raise ParallelDataError(f"{path}: first row must be the two language codes")
    problems += [
        f"line {line}: a record of {len(row)} cells, not 2 (read quote-aware, as the service does)"
        for line, row in rows[1:]
        if len(row) != 2
    ]
    if problems and strict:
        raise ParallelDataError(
            f"{path}: {problems[0]}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
        )
    rows = [rows[0]] + [(line, row) for line, row in rows[1:] if len(row) == 2]
    header = rows[0][1]
    pairs = [(row[0], row[1]) for _, row in rows[1:]]
    return ParallelData(pairs, header[0].strip(), header[1].strip(), problems)


def _read_records(text: str, fmt: str) -> tuple[list[tuple[int, list[str]]], list[str]]:
    """(first line, cells) of every record, read quote-aware like the service; and records spanning lines."""
    reader = csv.reader(io.StringIO(text), **_dialect(fmt))
    rows: list[tuple[int, list[str]]] = []
    problems: list[str] = []
    last_line = 0
    try:
        for row in reader:
            first = last_line + 1
            if reader.line_num > first:
                problems.append(
                    f"lines {first}-{reader.line_num}: one record across {reader.line_num - first + 1} lines "
                    "(an unescaped double quote opens a quoted field)"
                )
            last_line = reader.line_num
            if row and any(cell.strip() for cell in row):
                rows.append((first, row))
    except csv.Error as exc:
        raise ParallelDataError(f"line {reader.line_num}: {exc}") from None
    return rows, problems


def _read_tmx(data: bytes, path: Path) -> ParallelData:
    from translate.storage import tmx

    try:
        store = tmx.tmxfile.parsestring(data)
    except Exception as exc:  # lxml raises several types for broken XML
        raise ParallelDataError(f"{path}: not a readable TMX file ({exc})") from exc
    source_lang = store.sourcelanguage or ""
    target_lang = ""
    pairs = []
    for unit in store.units:
        if not target_lang:
            for node in unit.getlanguageNodes():
                lang = node.get("{http://www.w3.org/XML/1998/namespace}lang") or node.get("lang") or ""
                if lang and lang != source_lang:
                    target_lang = lang
        pairs.append((unit.source or "", unit.target or ""))
    return ParallelData(pairs, source_lang, target_lang)


def read_pairs(path: str | Path, fmt: str | None = None) -> list[tuple[str, str]]:
    """(source, target) pairs from a CSV, TSV or TMX parallel data file (languages: read_parallel)."""
    return read_parallel(path, fmt).pairs


def validate(data: ParallelData) -> list[str]:
    """Problems that would make Amazon Translate reject or skip records; empty when the data is valid."""
    problems = list(data.problems)
    if not data.source_lang or not data.target_lang:
        problems.append("missing language codes")
    seen: set[tuple[str, str]] = set()
    for n, (source, target) in enumerate(data.pairs, start=1):
        for side, text in (("source", source), ("target", target)):
            if not text.strip():
                problems.append(f"pair {n}: empty {side}")
            if utf8_size(text) > MAX_PARALLEL_DATA_SEGMENT_BYTES:
                problems.append(
                    f"pair {n}: {side} has {utf8_size(text)} bytes (> {MAX_PARALLEL_DATA_SEGMENT_BYTES})"
                )
            if text.startswith(FORBIDDEN_CELL_PREFIXES):
                problems.append(f"pair {n}: {side} starts with {text[0]!r}")
            if _WS_RE.search(text):
                problems.append(f"pair {n}: {side} contains a tab or line break")
        if (source, target) in seen:
            problems.append(f"pair {n}: duplicate")
        seen.add((source, target))
    return problems
