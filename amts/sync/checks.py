"""Input checks run before anything is written: language codes and scripts of the three texts."""

from __future__ import annotations

import re

from amts.errors import AlignmentError

_CJK_LANGS = frozenset({"zh", "ja", "ko"})
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_LETTER_RE = re.compile(r"[^\W\d_]")
_FENCED_RE = re.compile(r"^(`{3,}|~{3,}).*?^\1", re.S | re.M)
_LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")


def _cjk_share(text: str) -> float | None:
    """Share of CJK characters among the letters of the prose (code blocks left out); None if no letters."""
    prose = _FENCED_RE.sub("", text)
    letters = _LETTER_RE.findall(prose)
    if len(letters) < 40:
        return None
    return sum(1 for ch in letters if _CJK_RE.match(ch)) / len(letters)


def check_languages(source_lang: str, target_lang: str) -> None:
    for name, code in (("--source-lang", source_lang), ("--target-lang", target_lang)):
        if not _LANG_RE.match(code or ""):
            raise AlignmentError(f"{name} {code!r} is not an ISO 639-1 language code such as en, zh or es")
    if source_lang.split("-")[0] == target_lang.split("-")[0]:
        raise AlignmentError(f"source and target language are both {source_lang!r}")


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
        base = lang.split("-")[0]
        # a synced chapter can be largely untranslated English; a few CJK characters are enough here
        if base in _CJK_LANGS and share < 0.03:
            raise AlignmentError(
                f"{path or 'chapter'}: the {role} does not look like {lang!r} text (little CJK script)"
            )
        if base not in _CJK_LANGS and share > 0.3:
            raise AlignmentError(
                f"{path or 'chapter'}: the {role} does not look like {lang!r} text (mostly CJK script)"
            )
    if old_target.strip() and old_target == old_source and _cjk_share(old_source) is not None:
        raise AlignmentError(
            f"{path or 'chapter'}: the old target is identical to the old source, not a translation"
        )
