"""Run settings, read from the Lambda environment (set by the CDK stack from cdk.json context)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass

from amts.errors import AmtsError

ENGINES = ("amazon", "none")

# Amazon Translate's language codes ("Supported languages and language codes",
# https://docs.aws.amazon.com/translate/latest/dg/what-is-languages.html): a code outside this list makes
# every job of that language fail, so the synth refuses it instead.
TRANSLATE_LANGUAGE_CODES = frozenset(
    "af sq am ar hy az bn bs bg ca zh zh-TW hr cs da fa-AF nl en et fa tl fi fr fr-CA ka de el gu ht ha he "
    "hi hu is id ga it ja kn kk ko lv lt mk ms ml mt mr mn no ps pl pt pt-PT pa ro ru sr si sk sl so es "
    "es-MX sw sv ta te th tr uk ur uz vi cy".split()
)


def parse_languages(value: object) -> tuple[str, ...]:
    """A language list as cdk.json gives it (a list) or as `-c` gives it (`'["zh","es"]'` or `zh,es`)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                raise AmtsError(f"language list {value!r} is not valid JSON ({exc.msg})") from None
        else:
            value = text.split(",")
    if not isinstance(value, (list, tuple)) or not all(isinstance(x, str) for x in value):
        raise AmtsError(f'language list {value!r} must be a list of codes, e.g. ["zh", "es"] or zh,es')
    return tuple(x.strip() for x in value if x.strip())


@dataclass(frozen=True)
class Settings:
    source_lang: str = "en"
    target_langs: tuple[str, ...] = ("zh", "es")
    engine: str = "amazon"
    parallel_data_prefix: str = "amts"
    granularity: str = "sentence"
    poll_seconds: int = 30  # first wait for a batch job; later waits double up to poll_max_seconds
    poll_max_seconds: int = 900
    inline_chapter_limit: int = 20
    eval_chars: int = 2000  # English held out of the parallel data and translated to measure BLEU/chrF

    def __post_init__(self) -> None:
        unknown = [c for c in (self.source_lang, *self.target_langs) if c not in TRANSLATE_LANGUAGE_CODES]
        if unknown:
            raise AmtsError(
                f"language code(s) {', '.join(repr(c) for c in unknown)} are not Amazon Translate codes "
                "(see https://docs.aws.amazon.com/translate/latest/dg/what-is-languages.html)"
            )
        if self.engine not in ENGINES:
            raise AmtsError(
                f"engine {self.engine!r} cannot run in the state machine; choose one of {', '.join(ENGINES)}"
            )
        if not 0 <= self.poll_seconds <= self.poll_max_seconds:
            raise AmtsError(
                f"poll seconds {self.poll_seconds} must be between 0 and poll max seconds {self.poll_max_seconds}"
            )
        if not self.target_langs or self.source_lang in self.target_langs:
            raise AmtsError(
                f"target languages {list(self.target_langs)} must be languages other than the source "
                f"language {self.source_lang!r}"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        env: Mapping[str, str] = os.environ if environ is None else environ
        default = cls()
        langs = env.get("AMTS_TARGET_LANGS")
        return cls(
            source_lang=env.get("AMTS_SOURCE_LANG", default.source_lang),
            target_langs=parse_languages(langs) if langs else default.target_langs,
            engine=env.get("AMTS_ENGINE", default.engine),
            parallel_data_prefix=env.get("AMTS_PARALLEL_DATA_PREFIX", default.parallel_data_prefix),
            granularity=env.get("AMTS_GRANULARITY", default.granularity),
            poll_seconds=int(env.get("AMTS_POLL_SECONDS", default.poll_seconds)),
            poll_max_seconds=int(env.get("AMTS_POLL_MAX_SECONDS", default.poll_max_seconds)),
            inline_chapter_limit=int(env.get("AMTS_INLINE_CHAPTER_LIMIT", default.inline_chapter_limit)),
            eval_chars=int(env.get("AMTS_EVAL_CHARS", default.eval_chars)),
        )

    def as_env(self) -> dict[str, str]:
        return {
            "AMTS_SOURCE_LANG": self.source_lang,
            "AMTS_TARGET_LANGS": ",".join(self.target_langs),
            "AMTS_ENGINE": self.engine,
            "AMTS_PARALLEL_DATA_PREFIX": self.parallel_data_prefix,
            "AMTS_GRANULARITY": self.granularity,
            "AMTS_POLL_SECONDS": str(self.poll_seconds),
            "AMTS_POLL_MAX_SECONDS": str(self.poll_max_seconds),
            "AMTS_INLINE_CHAPTER_LIMIT": str(self.inline_chapter_limit),
            "AMTS_EVAL_CHARS": str(self.eval_chars),
        }
