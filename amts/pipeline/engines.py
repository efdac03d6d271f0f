"""Two engines that split one sync into the two halves around a batch translation job.

Amazon Translate batch jobs are asynchronous, so the state machine runs sync twice over the same inputs:
`Prepare batch input` with a `RecordingEngine` (collects exactly the masked segments sync wants translated,
translates nothing), and `Assemble chapter` with a `LookupEngine` serving the job's output. Sync is
deterministic, so both runs ask for the same texts.
"""

from __future__ import annotations

from amts.engines.base import Engine


class RecordingEngine(Engine):
    """Remembers every masked text it is asked for, in first-seen order; returns no translation."""

    name = "recording"

    def __init__(self) -> None:
        self.requested: list[str] = []
        self._seen: set[str] = set()

    def _translate(self, texts: list[str], source_lang: str, target_lang: str) -> list[str | None]:
        for text in texts:
            if text not in self._seen:
                self._seen.add(text)
                self.requested.append(text)
        return [None] * len(texts)


class LookupEngine(Engine):
    """Serves translations produced earlier (by a batch job) for exactly the texts that were sent."""

    name = "amazon"

    def __init__(self, translations: dict[str, str]) -> None:
        self.translations = translations
        self.missing: list[str] = []

    def _translate(self, texts: list[str], source_lang: str, target_lang: str) -> list[str | None]:
        out: list[str | None] = []
        for text in texts:
            found = self.translations.get(text)
            if found is None:
                self.missing.append(text)
            out.append(found)
        return out
