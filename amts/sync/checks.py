"""Input checks run before anything is written: language codes and scripts of the three texts."""

from __future__ import annotations

import re

from amts.errors import AlignmentError, LanguageError
from amts.languages import CJK_RE, CJK_SCRIPTS, language

_LETTER_RE = re.compile(r"[^\W\d_]")
_FENCED_RE = re.compile(r"^(`{3,}|~{3,}).*?^\1", re.S | re.M)


def _cjk_share(text: str) -> float | None:
    """Share of CJK characters among the letters of the prose (code blocks left out); None if no letters."""
    prose = _FENCED_RE.sub("", text)
    letters = _LETTER_RE.findall(prose)
    if len(letters) < 40:
        return None
    return sum(1 for ch in letters if CJK_RE.match(ch)) / len(letters)


def check_languages(source_lang: str, target_lang: str) -> None:
    """Both codes valid and different, and the target's word joiner known (LanguageError otherwise)."""
    for name, code in (("--source-lang", source_lang), ("--target-lang", target_lang)):
        try:
            language(code)
        except LanguageError:
            raise AlignmentError(
                f"{name} {code!r} is not an ISO 639-1 language code such as en, zh or es"
            ) from None
    if language(source_lang).code == language(target_lang).code:
        raise AlignmentError(f"source and target language are both {source_lang!r}")
    language(target_lang).join(())  # sync joins sentences: LanguageError if the joiner is unknown


def check_texts(
    path: str, old_source: str, new_source: str, old_target: str, source_lang: str, target_lang: str
) -> None:
    """Refuse texts whose script contradicts the stated language, or a 'translation' equal to its source."""
    for role, text, lang in (
        ("old source", old_source, source_lang),
        ("new source", new_source, source_lang),
        ("old target", old_target, target_lang),
    ):
        share = _cjk_share(text)
        if share is None:
            continue
        cjk = language(lang).script in CJK_SCRIPTS
        # a synced chapter can be largely untranslated English; a few CJK characters are enough here
        if cjk and share < 0.03:
            raise AlignmentError(
                f"{path or 'chapter'}: the {role} does not look like {lang!r} text (little CJK script)"
            )
        if not cjk and share > 0.3:
            raise AlignmentError(
                f"{path or 'chapter'}: the {role} does not look like {lang!r} text (mostly CJK script)"
            )
    if old_target.strip() and old_target == old_source and _cjk_share(old_source) is not None:
        raise AlignmentError(
            f"{path or 'chapter'}: the old target is identical to the old source, not a translation"
        )
