"""Input checks run before anything is written: language codes and scripts of the three texts."""

from __future__ import annotations

import re

from amts.errors import AlignmentError, LanguageError
from amts.languages import CJK_RE, CJK_SCRIPTS, language

_LETTER_RE = re.compile(r"[^\W\d_]")


def _leading_run(line: str) -> tuple[str, int]:
    if line[:1] not in ("`", "~"):
        return "", 0
    return line[0], len(line) - len(line.lstrip(line[0]))


def _without_fences(text: str) -> str:
    """``text`` without fenced blocks, from an opening run of 3+ backticks or tildes at a line start to the
    closing run on a later line (the rest of that line kept). Linear: the expression this replaces,
    ``^(`{3,}|~{3,}).*?^\\1``, retried every shorter run and took seconds on one long backtick line."""
    lines = text.split("\n")
    runs = [_leading_run(line) for line in lines]
    later_max = {"`": [0] * (len(lines) + 1), "~": [0] * (len(lines) + 1)}  # longest run on a later line
    for i in range(len(lines) - 1, -1, -1):
        for ch, best in later_max.items():
            best[i] = max(best[i + 1], runs[i][1] if runs[i][0] == ch else 0)
    kept, i = [], 0
    while i < len(lines):
        ch, length = runs[i]
        longest_after = later_max[ch][i + 1] if length >= 3 else 0
        if longest_after >= 3:
            k = min(length, longest_after)  # the longest opening run a later line can close
            j = next(j for j in range(i + 1, len(lines)) if runs[j][0] == ch and runs[j][1] >= k)
            kept.append(lines[j][k:])
            i = j + 1
            continue
        kept.append(lines[i])
        i += 1
    return "\n".join(kept)


def _cjk_share(text: str) -> float | None:
    """Share of CJK characters among the letters of the prose (code blocks left out); None if no letters."""
    prose = _without_fences(text)
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
