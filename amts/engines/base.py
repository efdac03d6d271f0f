"""The engine interface: masked segments (with ⟦n⟧ placeholder tokens) in, translations with the same tokens out."""

from __future__ import annotations

import inspect
import re
from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Iterable, Literal, Mapping

from amts.errors import EngineError

# Same shape as amts.markdown.PLACEHOLDER_RE; kept here so engines do not depend on the segment model.
TOKEN_RE = re.compile(r"⟦\d+⟧")


def tokens_of(text: str) -> Counter:
    """The multiset of placeholder tokens in a text (order-free: engines may reorder them)."""
    return Counter(TOKEN_RE.findall(text))


def normalise_lang(code: str) -> str:
    """ISO 639-1 code in lower case ("ZH-cn" -> "zh"); the region is not used by any engine here."""
    code = (code or "").strip().lower().replace("_", "-")
    if not code:
        raise EngineError("empty language code: give an ISO 639-1 code such as en, es, zh")
    return code.split("-")[0]


@dataclass(frozen=True)
class Capabilities:
    """What an engine can do, declared on its class; the registry and the commands read these."""

    machine: bool = True  # translates text it has never seen (False: memory look-ups, `none`)
    # How a terminology reaches the output: "tokens" (terms travel through the engine as ⟦n⟧ tokens and are
    # put back after), "service" (the engine applies it itself, e.g. Amazon ImportTerminology), "none".
    terminology: Literal["tokens", "service", "none"] = "tokens"
    batch: bool = False  # asynchronous batch jobs with parallel data (Amazon Translate ACT)
    needs_memory: bool = False  # built from parallel data: needs --memory
    credentials: bool = False  # needs cloud credentials
    scorable: bool = True  # its output is a real language, so BLEU against a human reference means something


@dataclass(frozen=True)
class Result:
    """One translated text and where it came from."""

    # None: not translated (the caller keeps the source or marks it untranslated)
    text: str | None
    # "memory", an engine name, "memory+<engine>" (sentence by sentence); None for blank input or no text
    origin: str | None = None
    # memory match score; 100 for exact matches and engine output
    score: float = 100.0
    # the batch job that produced it (Amazon): `job` (id, status), `characters_translated`, `parallel_data`
    job: Mapping[str, Any] | None = None


class Engine(ABC):
    """A machine-translation engine. Subclasses implement `_translate` (or `_results`) and `pairs`."""

    name: str = "engine"  # the registry name (a chain names itself after its parts)
    summary: ClassVar[str] = ""  # one line for --help
    capabilities: ClassVar[Capabilities] = Capabilities()

    @classmethod
    def create(cls, **options: Any) -> Engine:
        """The engine from command-line options, keeping those its constructor takes."""
        params = inspect.signature(cls).parameters
        if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
            options = {k: v for k, v in options.items() if k in params}
        return cls(**options)

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
        return [r.text for r in self.translate_results(masked_texts, source_lang, target_lang)]

    def translate_results(
        self,
        masked_texts: list[str],
        source_lang: str,
        target_lang: str,
        terms: Mapping[str, str] | None = None,
    ) -> list[Result]:
        """Translate a batch, each output with its origin; `terms` (source word -> target phrase) are applied
        the way the class declares (`capabilities.terminology`)."""
        src, tgt = self.check_pair(source_lang, target_lang)
        texts = list(masked_texts)
        if not texts:
            return []
        results = self._results(texts, src, tgt, dict(terms or {}))
        return [r if t.strip() else replace(r, origin=None) for t, r in zip(texts, results, strict=True)]

    def _results(
        self, texts: list[str], source_lang: str, target_lang: str, terms: dict[str, str]
    ) -> list[Result]:
        """Results for a pair already checked; the default protects terms as tokens around `_translate`."""
        if not terms or self.capabilities.terminology != "tokens":
            outputs = self._translate(texts, source_lang, target_lang)
        else:
            from amts.engines.terminology import TermProtector  # late: terminology imports this module

            protector = TermProtector(terms)
            protected = [protector.protect(text) for text in texts]
            raw = self._translate([p[0] for p in protected], source_lang, target_lang)
            outputs = [
                None if out is None else protector.restore(out, found)
                for (_, found), out in zip(protected, raw, strict=True)
            ]
        return [Result(out, self.name if out is not None else None) for out in outputs]

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
