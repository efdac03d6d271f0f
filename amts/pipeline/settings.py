"""Run settings, read from the Lambda environment (set by the CDK stack from cdk.json context)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from amts.errors import AmtsError


ENGINES = ("amazon", "none")


@dataclass(frozen=True)
class Settings:
    source_lang: str = "en"
    target_langs: tuple[str, ...] = ("zh", "es")
    engine: str = "amazon"
    parallel_data_prefix: str = "amts"
    granularity: str = "sentence"
    poll_seconds: int = 30
    inline_chapter_limit: int = 20
    eval_chars: int = 2000  # English held out of the parallel data and translated to measure BLEU/chrF
    evaluate_every_run: bool = False  # re-send the held-out sample even when its translation is cached

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise AmtsError(
                f"engine {self.engine!r} cannot run in the state machine; choose one of {', '.join(ENGINES)}"
            )
        if not self.target_langs or self.source_lang in self.target_langs:
            raise AmtsError(
                f"target languages {list(self.target_langs)} must be languages other than the source "
                f"language {self.source_lang!r}"
            )

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        default = cls()
        langs = env.get("AMTS_TARGET_LANGS")
        return cls(
            source_lang=env.get("AMTS_SOURCE_LANG", default.source_lang),
            target_langs=tuple(x.strip() for x in langs.split(",") if x.strip())
            if langs
            else default.target_langs,
            engine=env.get("AMTS_ENGINE", default.engine),
            parallel_data_prefix=env.get("AMTS_PARALLEL_DATA_PREFIX", default.parallel_data_prefix),
            granularity=env.get("AMTS_GRANULARITY", default.granularity),
            poll_seconds=int(env.get("AMTS_POLL_SECONDS", default.poll_seconds)),
            inline_chapter_limit=int(env.get("AMTS_INLINE_CHAPTER_LIMIT", default.inline_chapter_limit)),
            eval_chars=int(env.get("AMTS_EVAL_CHARS", default.eval_chars)),
            evaluate_every_run=_flag((env if env is not None else os.environ).get("AMTS_EVALUATE_EVERY_RUN")),
        )

    def as_env(self) -> dict[str, str]:
        return {
            "AMTS_SOURCE_LANG": self.source_lang,
            "AMTS_TARGET_LANGS": ",".join(self.target_langs),
            "AMTS_ENGINE": self.engine,
            "AMTS_PARALLEL_DATA_PREFIX": self.parallel_data_prefix,
            "AMTS_GRANULARITY": self.granularity,
            "AMTS_POLL_SECONDS": str(self.poll_seconds),
            "AMTS_INLINE_CHAPTER_LIMIT": str(self.inline_chapter_limit),
            "AMTS_EVAL_CHARS": str(self.eval_chars),
            "AMTS_EVALUATE_EVERY_RUN": "true" if self.evaluate_every_run else "false",
        }


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes")
