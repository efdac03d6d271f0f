"""Text in the form a batch job receives it, so that parallel data looks like what ACT translates.

The job input masks protected spans (inline code, math, roles such as :numref:, URLs, d2l markers) as
numbered ``⟦n⟧`` tokens, each wrapped in ``<span translate="no">`` in the HTML document
(`amts.engines.amazon.to_html_document`), whitespace collapsed. Parallel data built from raw markdown
would show Active Custom Translation examples such as ``:numref:`sec_sgd``` and ``$\\beta$`` that never
occur in its input. Here both sides of a pair are masked the same way, the target's tokens renumbered to
the source token that holds the same span, so an unchanged sentence in a job is literally a parallel-data
source. The CSV carries the bare tokens (parallel data is plain text; the span markup is the document's).
"""

from __future__ import annotations

import re
from typing import Iterable

from amts.markdown import mask
from amts.markdown.inline import PLACEHOLDER_RE


def job_text(text: str) -> str:
    """A segment or sentence as the job sees it: masked, whitespace collapsed."""
    return " ".join(mask(text)[0].split())


def job_form_pair(source: str, target: str) -> tuple[str, str] | None:
    """Both sides masked alike; None when they do not protect the same spans (the example would teach
    the engine to drop or invent a placeholder)."""
    masked_source, source_spans = mask(source)
    masked_target, target_spans = mask(target)
    if sorted(source_spans) != sorted(target_spans):
        return None
    numbers: dict[str, list[int]] = {}
    for number, span in enumerate(source_spans, start=1):
        numbers.setdefault(span, []).append(number)

    def renumber(match: re.Match) -> str:
        return f"⟦{numbers[target_spans[int(match.group(1)) - 1]].pop(0)}⟧"

    return " ".join(masked_source.split()), " ".join(PLACEHOLDER_RE.sub(renumber, masked_target).split())


def job_form_pairs(pairs: Iterable[tuple[str, str]]) -> tuple[list[tuple[str, str]], int]:
    """(masked pairs, how many were left out because their two sides protect different spans)."""
    kept: list[tuple[str, str]] = []
    dropped = 0
    for source, target in pairs:
        pair = job_form_pair(source, target)
        if pair is None:
            dropped += 1
        else:
            kept.append(pair)
    return kept, dropped


def exact_matches(parallel_sources: Iterable[str], job_texts: Iterable[str]) -> int:
    """How many job texts are literally a parallel-data source: what ACT can take as an exact example."""
    sources = {" ".join(s.split()) for s in parallel_sources}
    return sum(" ".join(t.split()) in sources for t in job_texts)
