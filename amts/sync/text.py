"""Text helpers of sync: segment wording and ids, markup prefixes, inline spans carried into human text."""

from __future__ import annotations

import hashlib
import re

from amts.markdown import mask
from amts.sync.units import Unit, logical_text, prose_key, strip_markers

_PREFIX_RE = re.compile(r"^\s*(?:#{1,6}\s+|(?:[*+-]|\d+[.)])\s+)")
_MARKED_WHOLE_RE = re.compile(r"^(\[\*\*|\(\*\*)(.*)(\*\*\]|\*\*\))([。.!?！？:：]?)$", re.S)
_END_PUNCTUATION = "。.!?！？:："


def segment_id(text: str, seen: dict[str, int]) -> str:
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
    n = seen.get(digest, 0)
    seen[digest] = n + 1
    return f"{digest}-{n}"


_IMAGE_ALT_RE = re.compile(r"^\s*!\[(.*)\]\(")


def segment_text(unit: Unit) -> str:
    """The unit's text as the segment model words it (no heading hashes, list marker or image syntax)."""
    text = logical_text(unit.raw)
    if unit.kind in ("heading", "list_item"):
        text = strip_prefix(text)
        if unit.kind == "heading":
            text = text.rstrip("#").rstrip() or text
    elif unit.kind == "image":
        match = _IMAGE_ALT_RE.match(text)
        text = match.group(1).strip() if match else text
    return text


def strip_prefix(text: str) -> str:
    return _PREFIX_RE.sub("", text, count=1)


def markup_prefix(raw: str) -> str:
    match = _PREFIX_RE.match(raw)
    return match.group(0) if match else ""


def masked_key(sentence: str) -> tuple[str, list[str]]:
    """Comparison key with inline code/math/roles masked, and those spans (normalised) in order."""
    masked, originals = mask(strip_markers(sentence))
    return prose_key(masked), originals


def carry_spans(old_spans: list[str], new_spans: list[str], human: str) -> str | None:
    """The human sentence with the new English's changed inline spans (code, math) put in; None if unsure.

    A span that changed is replaced where it occurs exactly once in the human text; if the human text already
    has the new span, nothing is needed. Anything else is ambiguous and the sentence is treated as changed.
    """
    for old, new in zip(old_spans, new_spans, strict=False):
        if old == new or (new in human and old not in human):
            continue
        if human.count(old) != 1:
            return None
        human = human.replace(old, new)
    return human


def transfer_markers(old_english: str, new_english: str, human: str) -> str:
    """Apply a d2l slide marker (`[**...**]`, `(**...**)`) added or removed around a whole sentence or unit.

    Only the unambiguous cases: the new English wraps all of its text (the human text, unmarked, gets the
    same wrapping, before its final punctuation), or the English dropped every marker (so does the human
    text). A marker around part of a sentence has no known place in the translation: left as it is.
    """
    body_new = strip_prefix(new_english).strip()
    whole = _MARKED_WHOLE_RE.match(body_new)
    if whole and strip_markers(whole.group(2)) == whole.group(2):
        if strip_markers(human) != human or "\n" in human.strip():
            return human
        prefix = markup_prefix(human)
        body = human[len(prefix) :]
        end = ""
        if body and body[-1] in _END_PUNCTUATION:
            body, end = body[:-1], body[-1]
        return f"{prefix}{whole.group(1)}{body}{whole.group(3)}{end}"
    if strip_markers(old_english) != old_english and strip_markers(new_english) == new_english:
        return strip_markers(human)
    return human
