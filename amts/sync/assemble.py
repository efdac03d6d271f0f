"""Build the new translation from a plan and the translations found for its requests; decide the statuses."""

from __future__ import annotations

from dataclasses import dataclass

from amts.languages import language
from amts.report import FileReport, Status
from amts.sync.plan import DocumentPlan
from amts.sync.text import markup_prefix


@dataclass(frozen=True)
class Fill:
    """A translation found for one request: its text, where it came from, and a fuzzy score if any."""

    text: str
    origin: str  # "memory" or an engine name
    score: float = 100.0


def assemble(plan: DocumentPlan, fills: dict[str, Fill]) -> tuple[str, FileReport]:
    """The new target text and the file's report entry; decides the status of units with requests."""
    joiner = language(plan.target_lang).word_joiner
    parts = [plan.leading]
    for unit in plan.units:
        if unit.code is not None:  # a changed code block: its comments filled in (sync/code.py)
            parts.append(unit.code.render(fills) + unit.sep)
            continue
        if unit.raw is not None:
            parts.append(unit.raw + unit.sep)
            continue
        texts = []
        found, missing = 0, 0
        scores: list[float] = []
        origins: set[str] = set()
        for piece in unit.pieces:
            if piece.request is None:
                texts.append(piece.text or "")
                continue
            fill = fills.get(piece.request.id)
            if fill is not None:
                texts.append(fill.text)
                found += 1
                scores.append(fill.score)
                origins.add(fill.origin)
            else:
                # nothing translated it: keep the old human text as the suggestion, else the English
                texts.append(piece.request.suggestion or piece.request.text)
                missing += 1
        body = joiner.join(t for t in texts if t)
        text = unit.prefix + body
        if (
            not found
            and unit.fallback_raw is not None
            and _same_prefix(unit.fallback_raw, unit.prefix)
            and "".join(text.split()) == "".join(unit.fallback_raw.split())
        ):
            text = unit.fallback_raw  # nothing new went in: keep the human unit exactly as written
        parts.append(text + unit.sep)
        entry = unit.segment
        if entry is None:
            continue
        entry.target = text
        if found or missing:
            partly_human = unit.partly_human
            if missing:
                entry.status = Status.UNTRANSLATED
            elif origins == {"memory"} and min(scores) >= 100:
                # every piece is human text: this chapter's translators' and the memory's exact matches
                entry.status, entry.origin = Status.REUSED, "human+memory" if partly_human else "memory"
            elif partly_human or min(scores) < 100:
                entry.status = Status.FUZZY
                entry.origin = "+".join(sorted(origins | ({"human"} if partly_human else set())))
                entry.score = min(scores)
            else:
                entry.status, entry.origin = Status.MACHINE, "+".join(sorted(origins))
    text = "".join(parts) if plan.unchanged_text is None else plan.unchanged_text
    return text, FileReport.of(plan.path, plan.segments)


def _same_prefix(raw: str, prefix: str) -> bool:
    return markup_prefix(raw).strip() == prefix.strip()
