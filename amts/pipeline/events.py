"""The typed state inputs the handlers parse and pass to the core (one definition per event shape)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class LanguageEvent:
    """The state input inside one language's branch (built by the Map's ItemSelector, grown by each step)."""

    lang: str
    run_id: str
    bucket: str
    source_lang: str
    manifest_key: str
    parallel_data: dict = field(default_factory=dict)  # Build parallel data's result
    parallel_data_status: dict = field(default_factory=dict)  # {status, note} of the Translate resource
    batch: dict = field(default_factory=dict)  # Prepare batch input's result
    job: dict = field(default_factory=dict)  # {job_id, status} of the batch job
    extra: dict = field(default_factory=dict)

    REQUIRED = ("lang", "run_id", "bucket", "source_lang", "manifest_key")

    @classmethod
    def parse(cls, event: dict[str, Any]) -> "LanguageEvent":
        missing = [name for name in cls.REQUIRED if not event.get(name)]
        if missing:
            raise ValueError(f"language event lacks {', '.join(missing)}")
        known = {f.name for f in fields(cls) if f.name != "extra"}
        return cls(
            **{k: v for k, v in event.items() if k in known and v is not None},
            extra={k: v for k, v in event.items() if k not in known},
        )

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}


@dataclass(frozen=True)
class ChapterEvent:
    """The input of `Assemble chapter`: one chapter of one language, and the batch it was translated in."""

    chapter: dict
    lang: str
    source_lang: str
    run_id: str
    bucket: str
    batch: dict

    @classmethod
    def parse(cls, event: dict[str, Any]) -> "ChapterEvent":
        missing = [f.name for f in fields(cls) if f.name not in event]
        if missing:
            raise ValueError(f"assemble event lacks {', '.join(missing)}")
        return cls(**{f.name: event[f.name] for f in fields(cls)})
