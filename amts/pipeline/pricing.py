"""What a run's machine translation costs: Amazon Translate's per-character rates, standard and ACT apart.

Rates are list prices (US regions, per million characters) from https://aws.amazon.com/translate/pricing/
(checked 2026-12: standard text translation $15; Active Custom Translation, i.e. a batch job that names
parallel data, $60 - the developer guide's ACT page says only "priced at a higher rate" and points there).
The free tier is left out on purpose: a book's pipeline should not look free because an account is new.
"""

from __future__ import annotations

from typing import Any

PRICING_URL = "https://aws.amazon.com/translate/pricing/"
STANDARD_USD_PER_MILLION_CHARS = 15.0
ACT_USD_PER_MILLION_CHARS = 60.0  # batch jobs with ParallelDataNames (Active Custom Translation)


def rate(custom: bool) -> float:
    """USD per million characters for a job with parallel data (custom=True) or without."""
    return ACT_USD_PER_MILLION_CHARS if custom else STANDARD_USD_PER_MILLION_CHARS


def cost_usd(chars: int, custom: bool) -> float:
    return round(chars * rate(custom) / 1_000_000, 4)


def price(standard_chars: int, act_chars: int, full_standard_chars: int = 0, full_act_chars: int = 0) -> dict:
    """The pricing block of a report: what was sent, split by rate, and what sending everything would cost.

    `full_*` are the characters a retranslation without the MT cache (every segment sync asked for, plus the
    held-out sample) would have sent at the same rates.
    """
    sent = cost_usd(standard_chars, False) + cost_usd(act_chars, True)
    full = cost_usd(full_standard_chars, False) + cost_usd(full_act_chars, True)
    return {
        "standard_chars": standard_chars,
        "act_chars": act_chars,
        "standard_usd_per_million_chars": STANDARD_USD_PER_MILLION_CHARS,
        "act_usd_per_million_chars": ACT_USD_PER_MILLION_CHARS,
        "pricing_url": PRICING_URL,
        "estimated_cost_usd": round(sent, 4),
        "full_retranslation_chars": full_standard_chars + full_act_chars,
        "full_retranslation_cost_usd": round(full, 4),
    }


def language_split(summary: dict[str, Any]) -> tuple[int, int, int, int]:
    """(standard, act, full standard, full act) characters of one language's summary or batch result."""
    sent = int(summary.get("chars_to_mt") or 0)
    full = int(summary.get("chars_full_retranslation") or sent)
    if summary.get("custom"):
        return 0, sent, 0, full
    return sent, 0, full, 0
