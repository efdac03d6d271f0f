"""Importing a reviewed file (XLIFF or PO) into the synchronised markdown, safely.

Every chapter path read from the file must stay inside the folder given; the placeholder table a file
carries is checked against the chapter; a target language must fit the chapter; every problem of the file
is collected and reported in one line, and nothing is written unless every unit applies. The chapters are
then staged beside their destination and moved in (permissions as `cp` gives them).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable

from amts.errors import AmtsError, InputError
from amts.fsutil import new_file_mode
from amts.markdown import find_spans, load, parse, render
from amts.reviewset import ReviewedUnit, block_text, is_still_english


class ImportRefusedError(AmtsError):
    """A reviewed file with one or more broken units: every problem is named, nothing is written."""


class TargetNotFoundError(AmtsError):
    """The text a unit proposed is no longer in the markdown: it was edited after the export."""


# -- placeholder tables (XLIFF) ------------------------------------------------------------------------


def table_problems(
    table: dict[str, str], chapter: str, source_table: dict[str, str] | None = None
) -> list[str]:
    """A placeholder table written by the export: each entry one protected span; HTML and links found in the
    chapter, or (a link the new English added) equal to the unit's <source> copy and of a safe scheme.

    The table travels inside the XLIFF, so an edited one could smuggle markup into the book.
    """
    source_table = source_table or {}
    problems = []
    for pid, original in table.items():
        if pid.endswith(":end"):
            continue  # checked with its opener
        closer = table.get(f"{pid}:end")
        if original in ("**", "__", "*", "_") and closer == original:
            continue  # emphasis delimiters: plain markdown, nothing to smuggle
        # A pair (a link's "[" and "](url)", slide markers) is a protected span only around text.
        text = original if closer is None else f"{original}x{closer}"
        expected = (
            [(0, len(text))] if closer is None else [(0, len(original)), (len(original) + 1, len(text))]
        )
        spans = find_spans(text)
        if [(span.start, span.end) for span in spans] != expected:
            problems.append(f"placeholder {pid} ({text!r}) is not a protected span: the table was edited")
        elif not all(part in chapter for part in (original, closer or "")) and not _new_link(
            pid, table, spans, source_table
        ):
            if any(span.kind in ("html", "url") for span in spans):
                problems.append(f"placeholder {pid} ({text!r}) is not in the chapter: the table was edited")
    return problems


_UNSAFE_URL_RE = re.compile(r"\]\(\s*<?\s*(?:javascript|vbscript|data):", re.IGNORECASE)


def _new_link(pid: str, table: dict[str, str], spans: list, source_table: dict[str, str]) -> bool:
    """A link of the new English (not yet in the chapter): the <source> carries the same text, safe scheme."""
    if any(span.kind == "html" for span in spans):
        return False
    keys = [pid] + ([f"{pid}:end"] if f"{pid}:end" in table else [])
    return all(source_table.get(k) == table[k] and not _UNSAFE_URL_RE.search(table[k]) for k in keys)


# -- paths --------------------------------------------------------------------------------------------


def unsafe_path_reason(rel_path: str) -> str | None:
    """Why a chapter path read from a reviewed file may not be used (None when it is a plain relative path)."""
    if not rel_path:
        return "empty"
    if "\x00" in rel_path:
        return "holds a NUL character"
    if "\\" in rel_path:
        return "holds a backslash"
    if rel_path.startswith("/") or re.match(r"^[A-Za-z]:", rel_path):
        return "is absolute"
    parts = rel_path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "has an empty, '.' or '..' segment"
    if PurePosixPath(rel_path).is_absolute():
        return "is absolute"
    return None


def chapter_file(into: Path, rel_path: str, n_paths: int, name: str) -> Path:
    """The chapter a unit names: inside the folder `into` (symlinks resolved), or `into` itself if a file."""
    reason = unsafe_path_reason(rel_path)
    if reason:
        raise ImportRefusedError(f"{name}: chapter path {rel_path!r} {reason}: refused (nothing written)")
    if into.is_dir():
        root = into.resolve()
        path = (into / rel_path).resolve()
        if not path.is_relative_to(root):
            raise ImportRefusedError(
                f"{name}: chapter path {rel_path!r} leads outside {into}: refused (nothing written)"
            )
        if not path.is_file():
            raise InputError(f"{into / rel_path}: no such file (the reviewed file names {rel_path!r})")
        return into / rel_path
    if not into.exists():
        raise InputError(f"{into}: no such file or folder")
    if n_paths > 1:
        raise InputError(f"{into} is one file but {name} holds {n_paths} chapters: pass their folder")
    return into


_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_CJK_LANGS = frozenset({"zh", "ja", "ko"})


def language_problem(chapter: str, lang: str) -> str | None:
    """A reviewed file for `lang` applied to a chapter clearly in another script.

    Only a CJK chapter for a non-CJK language is certain: a CJK book's chapter may still be all English.
    """
    letters = sum(1 for ch in chapter if ch.isalpha())
    if not lang or letters < 200:
        return None
    share = len(_CJK_RE.findall(chapter)) / letters
    base = lang.split("-")[0].lower()
    if base not in _CJK_LANGS and share > 0.3:
        return f"target-language {lang!r} but the chapter is mostly CJK script"
    return None


# -- import ----------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    written: dict[Path, str]
    left_english: dict[str, int]  # chapter -> units whose target is still the English
    to_review: dict[str, int]  # chapter -> units nobody edited or approved that needed review


def import_units(
    units: list[ReviewedUnit], into: str | Path, name: str, target_lang: str | None = None
) -> ImportResult:
    """Apply the changed targets to the markdown at `into`; any problem in any unit refuses the whole file.

    Every problem is collected first and reported in one line; the chapters are staged, then moved.
    """
    into = Path(into)
    by_path: dict[str, list[ReviewedUnit]] = {}
    for unit in units:
        by_path.setdefault(unit.path, []).append(unit)
    problems: list[str] = []
    langs = {u.lang for u in units if u.lang}
    if target_lang and langs and langs != {target_lang}:
        problems.append(f"target-language {', '.join(sorted(langs))} but --target-lang {target_lang}")
    new_texts: dict[Path, str] = {}
    for rel_path, file_units in by_path.items():
        changed = [u for u in file_units if u.changed or u.problems]
        if not changed:
            continue
        file_path = chapter_file(into, rel_path, len(by_path), name)
        old_text = load(file_path).text
        file_problems = [f"unit {u.segment_id}: {p}" for u in file_units for p in u.problems]
        for unit in changed:
            file_problems += [
                f"unit {unit.segment_id}: {p}"
                for p in table_problems(unit.table, old_text, unit.source_table)
            ]
        lang_problem = language_problem(old_text, (target_lang or next(iter(langs), "")) if langs else "")
        if lang_problem:
            file_problems.append(lang_problem)
        if file_problems:
            problems += [f"{rel_path}: {p}" for p in file_problems]
            continue
        try:
            new_text = apply_units(old_text, file_units, str(file_path))
        except TargetNotFoundError as exc:
            problems.append(f"{rel_path}: {exc}")
            continue
        if new_text != old_text:
            new_texts[file_path] = new_text
    if problems:
        raise ImportRefusedError(
            f"{name}: {len(problems)} problem(s), nothing written: " + " | ".join(problems)
        )
    write_all(new_texts)
    return ImportResult(
        written=new_texts,
        left_english=_per_file(units, lambda u: u.left_english or (u.target is None and _english_output(u))),
        to_review=_per_file(units, lambda u: u.for_review and not u.reviewed),
    )


def _english_output(unit: ReviewedUnit) -> bool:
    """No target came back and the output still holds the English."""
    return unit.status not in ("reused", "reused-format") and is_still_english(
        unit.source, block_text(unit.proposed)
    )


def _per_file(units: Iterable[ReviewedUnit], test) -> dict[str, int]:
    counts: Counter = Counter(u.path for u in units if test(u))
    return dict(counts)


def write_all(texts: dict[Path, str]) -> None:
    """Stage every file beside its destination, then move them all in; a failure while staging writes nothing.

    New files get the permissions `cp` would give (0666 less the umask); replaced files keep theirs.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in texts.items():
            handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((temp, path))
            with os.fdopen(handle, "wb") as stream:
                stream.write(text.encode("utf-8"))
            mode = path.stat().st_mode & 0o7777 if path.exists() else new_file_mode()
            os.chmod(temp, mode)
    except BaseException:
        for temp, _ in staged:
            Path(temp).unlink(missing_ok=True)
        raise
    for temp, path in staged:
        os.replace(temp, path)


def apply_units(text: str, units: list[ReviewedUnit], name: str) -> str:
    """The markdown text with each changed unit's proposed text replaced by its reviewed target."""
    doc = parse(text, name)
    occurrence: Counter = Counter()
    translations: dict[str, str] = {}
    by_text: list[
        tuple[str, str, int, str]
    ] = []  # (proposed, reviewed, occurrence, segment id) for raw edits
    for unit in units:
        k = occurrence[unit.proposed]
        occurrence[unit.proposed] += 1
        if not (unit.changed and unit.target):
            continue
        segment_id = _segment_for(doc, unit, k)
        if segment_id is not None:
            translations[segment_id] = unit.target
        else:
            by_text.append((unit.proposed, unit.target, k, unit.segment_id))
    new_text = render(doc, translations) if translations else text
    for proposed, reviewed, k, segment_id in by_text:
        new_text = _replace_exact(new_text, proposed, reviewed, occurrence[proposed], k, segment_id, name)
    return new_text


def _segment_for(doc, unit: ReviewedUnit, k: int) -> str | None:
    """The output segment holding the unit's proposed text, when the segment model finds it unambiguously."""
    if unit.target_id:
        for segment in doc.segments:
            if segment.id == unit.target_id and segment.text == unit.proposed:
                return segment.id
    matches = [s.id for s in doc.segments if s.text == unit.proposed]
    if len(matches) == 1:
        return matches[0]
    # Same text several times: units and segments are both in document order.
    if matches and k < len(matches):
        return matches[k]
    return None


def _replace_exact(
    text: str, proposed: str, reviewed: str, expected: int, k: int, segment_id: str, name: str
) -> str:
    """Replace the proposed text where it stands as whole lines (never inside a longer line)."""
    if "\r\n" in text and "\n" in proposed and "\r\n" not in proposed:
        proposed, reviewed = proposed.replace("\n", "\r\n"), reviewed.replace("\n", "\r\n")
    if not proposed.strip():
        raise TargetNotFoundError(
            f"segment {segment_id}: the sync wrote no text for it in {name}, so there is nothing to replace "
            "(add the translation in the markdown itself)"
        )
    pattern = re.compile(r"(?m)^[ \t]*(" + re.escape(proposed) + r")[ \t]*(?=\r?$)")
    starts = [m.start(1) for m in pattern.finditer(text)]
    if not starts:
        raise TargetNotFoundError(
            f"segment {segment_id}: its proposed translation is no longer in {name} (edited since the export?)"
        )
    if len(starts) != 1:
        if len(starts) != expected:
            raise TargetNotFoundError(
                f"segment {segment_id}: its proposed translation occurs {len(starts)} times in {name}; "
                "cannot tell which"
            )
        starts = [starts[k]]
    start = starts[0]
    return text[:start] + reviewed + text[start + len(proposed) :]
