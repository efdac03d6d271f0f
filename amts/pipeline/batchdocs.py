"""Batch-job documents: the segments of one chapter as an HTML file, and reading the translated file back.

Amazon Translate's batch API translates whole documents; HTML keeps each segment addressable (`<p id>`)
and lets placeholders pass untouched (`<span translate="no">`).
"""

from __future__ import annotations

import html
import re

from amts.markdown import PLACEHOLDER_RE

_P_RE = re.compile(r'<p id="(s\d+)">(.*?)</p>', re.S)
_NO_TRANSLATE_RE = re.compile(r'<span translate="no">(.*?)</span>', re.S)


def _carry(text: str) -> str:
    escaped = html.escape(text, quote=False)
    return PLACEHOLDER_RE.sub(lambda m: f'<span translate="no">{m.group(0)}</span>', escaped)


def write_document(texts: list[str]) -> str:
    """One HTML document with every masked text as its own paragraph, ids s0, s1, ..."""
    body = "\n".join(f'<p id="s{i}">{_carry(text)}</p>' for i, text in enumerate(texts))
    return f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n{body}\n</body></html>\n'


def read_document(document: str, texts: list[str]) -> dict[str, str]:
    """Map each sent masked text to its translation from a translated document (missing ids are absent)."""
    found: dict[str, str] = {}
    for ident, inner in _P_RE.findall(document):
        index = int(ident[1:])
        if index >= len(texts):
            continue
        plain = _NO_TRANSLATE_RE.sub(lambda m: m.group(1), inner)
        found[texts[index]] = html.unescape(re.sub(r"<[^>]+>", "", plain)).strip()
    return found
