"""Pseudo-localisation: accented, lengthened text for any target language.

The usual i18n way to run a whole pipeline without a real engine: every translated character is
visibly different, text grows by about a third (as real translations often do), and placeholder
tokens pass through untouched, so layout and markup survival can be checked byte for byte.
"""

from __future__ import annotations

import re

from amts.engines.base import Capabilities, Engine

_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "àƀçđéƒĝĥîĵķĺɱñöþǫŕšţûṽŵẋýžÀßÇĐÉƑĜĤÎĴĶĹṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
# Markdown punctuation is left alone: only letters change, so emphasis, links and tables keep their shape.
# HTML entities (&amp;) and backslash escapes stay as written, like tokens.
_PIECE_RE = re.compile(r"(⟦\d+⟧|&#?\w+;|\\.)")
_VOWEL_RE = re.compile(r"([aeiouAEIOU])")


def pseudo_localise(text: str) -> str:
    """Deterministic pseudo-translation of one masked text; tokens kept verbatim."""
    if not text.strip():
        return text
    pieces = []
    for piece in _PIECE_RE.split(text):
        if _PIECE_RE.fullmatch(piece):
            pieces.append(piece)
        else:
            # Doubling every other vowel lengthens text by roughly 30 %, like English -> German/Spanish.
            count = 0

            def lengthen(match: re.Match) -> str:
                nonlocal count
                count += 1
                return match.group(1) * (2 if count % 2 else 1)

            pieces.append(_VOWEL_RE.sub(lengthen, piece).translate(_ACCENTED))
    return "".join(pieces)


class PseudoEngine(Engine):
    name = "pseudo"
    summary = "pseudo-localisation, any pair (checks layout and markup, not a translation)"
    capabilities = Capabilities(scorable=False)

    def _translate(self, texts, source_lang, target_lang):
        return [pseudo_localise(text) for text in texts]
