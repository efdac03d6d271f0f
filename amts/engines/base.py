"""The engine interface: masked segments (with ⟦n⟧ placeholder tokens) in, translations with the same tokens out."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections import Counter
from typing import Iterable

from amts.errors import EngineError, LanguageError
from amts.languages import base_code

# Same shape as amts.markdown.PLACEHOLDER_RE; kept here so engines do not depend on the segment model.
TOKEN_RE = re.compile(r"⟦\d+⟧")


def tokens_of(text: str) -> Counter:
    """The multiset of placeholder tokens in a text (order-free: engines may reorder them)."""
    return Counter(TOKEN_RE.findall(text))


def normalise_lang(code: str) -> str:
    """ISO 639-1 base code ("ZH-cn" -> "zh"), from amts.languages; the region is not used by any engine here."""
    try:
        return base_code(code)
    except LanguageError as exc:
        raise EngineError(str(exc)) from None


class Engine(ABC):
    """A machine-translation engine. Subclasses implement `_translate` and `pairs`."""

    name: str = "engine"

    def supports(self, source_lang: str, target_lang: str) -> bool:
        pair = (normalise_lang(source_lang), normalise_lang(target_lang))
        pairs = self.pairs()
        return pairs is None and pair[0] != pair[1] or pairs is not None and pair in pairs

    def pairs(self) -> set[tuple[str, str]] | None:
        """The (source, target) pairs served; None means any pair of distinct languages."""
        return None

    def check_pair(self, source_lang: str, target_lang: str) -> tuple[str, str]:
        src, tgt = normalise_lang(source_lang), normalise_lang(target_lang)
        if not self.supports(src, tgt):
            from amts.engines import engines_supporting  # late: the registry imports this module

            others = engines_supporting(src, tgt)
            hint = (
                f"engines that support it: {', '.join(others)}"
                if others
                else "no installed engine supports it"
            )
            raise EngineError(f"engine {self.name!r} does not support {src}->{tgt}; {hint}")
        return src, tgt

    def translate(self, masked_texts: list[str], source_lang: str, target_lang: str) -> list[str | None]:
        """Translate a batch; every placeholder token of an input comes back exactly once in its output."""
        src, tgt = self.check_pair(source_lang, target_lang)
        texts = list(masked_texts)
        if not texts:
            return []
        return self._translate(texts, src, tgt)

    @abstractmethod
    def _translate(self, texts: list[str], source_lang: str, target_lang: str) -> list[str | None]:
        """Translate texts for a pair already checked."""

    def untranslated_by_text(self, texts: list[str], source_lang: str, target_lang: str) -> list[Counter]:
        """untranslated_words for each text separately (engines override this to use one batch)."""
        return [self.untranslated_words([text], source_lang, target_lang) for text in texts]

    def untranslated_words(self, texts: Iterable[str], source_lang: str, target_lang: str) -> Counter:
        """Source words the engine leaves untranslated (candidates for learned terminology), with counts.

        Default: words of three letters or more that come back verbatim. Engines that mark unknown
        words (Apertium's `*`) override this with their exact knowledge.
        """
        texts = [t for t in texts if t.strip()]
        found: Counter = Counter()
        for source, target in zip(texts, self.translate(texts, source_lang, target_lang), strict=False):
            target_words = set(WORD_RE.findall(target or ""))
            for word in WORD_RE.findall(TOKEN_RE.sub(" ", source)):
                if len(word) >= 3 and word in target_words and not word[0].isupper():
                    found[word] += 1
        return found


def restore_tokens(source: str, output: str) -> str:
    """Make an engine output carry each token of its source exactly once.

    A token the engine dropped is appended (unmask then still puts the protected span back, at the
    end of the sentence, rather than losing code); a duplicated one is removed from the end.
    """
    missing = tokens_of(source) - tokens_of(output)
    if missing:
        output = (output + " " + " ".join(missing.elements())).strip()
    for token, count in (tokens_of(output) - tokens_of(source)).items():
        for _ in range(count):
            output = output[::-1].replace(token[::-1], "", 1)[::-1]
    return output


WORD_RE = re.compile(r"[^\W\d_][\w'-]*[^\W_]|[^\W\d_]")
