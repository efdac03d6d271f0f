"""Build the new translation from a plan and the translations found for its requests; count the report."""

from __future__ import annotations

from dataclasses import dataclass

from amts.sync.plan import DocumentPlan
from amts.sync.text import markup_prefix

STATUSES = ("reused", "reused-format", "fuzzy", "machine", "untranslated", "code-changed", "deleted", "new")
TOTAL_KEYS = (
    "segments",
    "reused",
    "fuzzy",
    "machine",
    "reused_format",
    "untranslated",
    "code_changed",
    "deleted",
    "chars_total",
    "chars_to_mt",
)
# Statuses a translator has to look at (protected code is not theirs to translate).
REVIEW_STATUSES = frozenset({"fuzzy", "machine", "untranslated", "new"})


@dataclass(frozen=True)
class Fill:
    """A translation found for one request: its text, where it came from, and a fuzzy score if any."""

    text: str
    origin: str  # "memory" or an engine name
    score: float = 100.0


def assemble(plan: DocumentPlan, fills: dict[str, Fill]) -> tuple[str, dict]:
    """The new target text and the file's report entry (`path`, `segments`, `counts`)."""
    joiner = "" if plan.target_lang in ("zh", "ja", "th") else " "
    parts = [plan.leading]
    for unit in plan.units:
        if unit.code is not None:  # a changed code block: its comments filled in (sync/code.py)
            parts.append(unit.code.render(fills) + unit.sep)
            continue
        if unit.raw is not None:
            parts.append(unit.raw + unit.sep)
            continue
        texts = []
        found, missing, scores, origins = 0, 0, [], set()
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
        entry["target"] = text
        if entry["status"] in ("fuzzy", "new-text"):
            partly_human = entry["status"] == "fuzzy"
            if missing:
                entry["status"] = "untranslated"
            elif origins == {"memory"} and min(scores) >= 100:
                # every piece is human text: this chapter's translators' and the memory's exact matches
                entry["status"], entry["origin"] = "reused", "human+memory" if partly_human else "memory"
            elif partly_human or min(scores) < 100:
                entry["status"] = "fuzzy"
                entry["origin"] = "+".join(sorted(origins | ({"human"} if partly_human else set())))
                entry["score"] = min(scores)
            else:
                entry["status"], entry["origin"] = "machine", "+".join(sorted(origins))
    text = "".join(parts) if plan.unchanged_text is None else plan.unchanged_text
    return text, {"path": plan.path, "segments": plan.segments, "counts": count(plan.segments)}


def _same_prefix(raw: str, prefix: str) -> bool:
    return markup_prefix(raw).strip() == prefix.strip()


def count(segments: list[dict]) -> dict:
    counts = dict.fromkeys(TOTAL_KEYS, 0)
    for entry in segments:
        status = entry["status"]
        if status != "deleted":
            counts["segments"] += 1
        key = status.replace("-", "_")
        if key in counts:
            counts[key] += 1
        if status not in ("deleted", "code-changed"):
            counts["chars_total"] += len(entry["source"])
            counts["chars_to_mt"] += entry.get("chars_to_mt", 0)
    counts["new"] = sum(1 for e in segments if e["status"] == "new")
    counts["review"] = sum(1 for e in segments if e["status"] in REVIEW_STATUSES)
    return counts


def totals(file_reports: list[dict]) -> dict:
    result = dict.fromkeys(TOTAL_KEYS, 0)
    for report in file_reports:
        for key in TOTAL_KEYS:
            result[key] += report["counts"].get(key, 0)
    return result
