"""A cheap check that a document's prose is written in the language the user named.

Only what alignment needs: Chinese/Japanese/Korean are recognised by script, Latin-script languages by
their most frequent function words. Unknown languages are not judged.
"""

from __future__ import annotations

import re
from collections import Counter

from amts.align.features import is_spaceless
from amts.errors import AlignmentError

_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_WORD_RE = re.compile(r"[^\W\d_]+")
_FUNCTION_WORDS = {
    "en": "the of and to is in that for are with this we it be as by on can an",
    "es": "el la de que y en los las del por un una es para con se al lo como más",
    "pt": "o os as de que e do da em um uma para com não dos das no na",
    "fr": "le la les de des et est un une du en que pour dans pas sur au",
    "de": "der die das und ist nicht mit den ein eine zu von dem sich auf",
}
_FUNCTION_SETS = {lang: frozenset(words.split()) for lang, words in _FUNCTION_WORDS.items()}


def guess_language(text: str) -> tuple[str | None, float]:
    """(language or None when unsure, share of the evidence for it). Looks at the first 20000 characters."""
    text = text[:20000]
    letters = sum(1 for ch in text if ch.isalpha())
    if letters < 40:
        return None, 0.0
    cjk = len(_CJK_RE.findall(text))
    if cjk / letters > 0.25:
        return "zh", cjk / letters
    words = [w.lower() for w in _WORD_RE.findall(text)]
    counts: Counter[str] = Counter()
    for word in words:
        for lang, table in _FUNCTION_SETS.items():
            if word in table:
                counts[lang] += 1
    if sum(counts.values()) < 10:
        return None, 0.0
    lang, top = counts.most_common(1)[0]
    return lang, top / sum(counts.values())


def check_language(text: str, lang: str, role: str) -> None:
    """Raise AlignmentError when `text` is clearly not in `lang`; `role` names the file in the message."""
    base = lang.split("-")[0].lower()
    guessed, share = guess_language(text)
    if guessed is None:
        return
    if is_spaceless(base):
        if guessed != "zh" and base in ("zh", "ja", "ko"):
            raise AlignmentError(
                f"{role} was declared '{lang}' but its prose is not written in CJK script "
                f"(looks like '{guessed}')"
            )
        return
    if guessed == "zh":
        raise AlignmentError(f"{role} was declared '{lang}' but its prose is Chinese/Japanese/Korean script")
    if base in _FUNCTION_SETS and guessed != base and share > 0.45:
        raise AlignmentError(f"{role} was declared '{lang}' but its prose looks like '{guessed}'")
