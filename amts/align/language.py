"""A cheap check that a document's prose is written in the language the user named.

Only what alignment needs: Chinese/Japanese/Korean are recognised by script, Latin-script languages by
the function words of their row in `amts.languages`. Other languages are not judged.
"""

from __future__ import annotations

import re
from collections import Counter

from amts.errors import AlignmentError
from amts.languages import CJK_RE, CJK_SCRIPTS, language, profiles

_WORD_RE = re.compile(r"[^\W\d_]+")
# Prose mostly in CJK script is reported as Chinese: the three scripts are not told apart here.
CJK_GUESS = "zh"
_FUNCTION_SETS = {p.code: p.function_words for p in profiles() if p.function_words}


def guess_language(text: str) -> tuple[str | None, float]:
    """(language or None when unsure, share of the evidence for it). Looks at the first 20000 characters."""
    text = text[:20000]
    letters = sum(1 for ch in text if ch.isalpha())
    if letters < 40:
        return None, 0.0
    cjk = len(CJK_RE.findall(text))
    if cjk / letters > 0.25:
        return CJK_GUESS, cjk / letters
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
    profile = language(lang)
    guessed, share = guess_language(text)
    if guessed is None:
        return
    if profile.char_based:
        if guessed != CJK_GUESS and profile.script in CJK_SCRIPTS:
            raise AlignmentError(
                f"{role} was declared '{lang}' but its prose is not written in CJK script "
                f"(looks like '{guessed}')"
            )
        return
    if guessed == CJK_GUESS:
        raise AlignmentError(f"{role} was declared '{lang}' but its prose is Chinese/Japanese/Korean script")
    if profile.function_words and guessed != profile.code and share > 0.45:
        raise AlignmentError(f"{role} was declared '{lang}' but its prose looks like '{guessed}'")
