"""The book going in and the results coming out of a local run, and the local stand-in for Amazon Translate."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amts.engines.base import Engine
from amts.errors import AmtsError
from amts.pipeline import layout

if TYPE_CHECKING:
    from amts.localrun.cloud import LocalCloud


class LanguageRouter(Engine):
    """The fake Translate's engine: Apertium where it serves the pair (en<->es), pseudo-translation elsewhere."""

    name = "local"

    def __init__(self) -> None:
        from amts.engines import get_engine

        self._pseudo = get_engine("pseudo")
        self._apertium: Engine | None
        try:
            self._apertium = get_engine("apertium")
        except AmtsError:
            self._apertium = None

    def _pick(self, source_lang: str, target_lang: str):
        if self._apertium is not None and self._apertium.supports(source_lang, target_lang):
            return self._apertium
        return self._pseudo

    def supports(self, source_lang: str, target_lang: str) -> bool:
        return self._pick(source_lang, target_lang).supports(source_lang, target_lang)

    def describe(self, source_lang: str, target_lang: str) -> str:
        """Which local engine stands in for Amazon Translate on this pair, said plainly for the summary."""
        if self._pick(source_lang, target_lang) is self._apertium:
            return "Apertium"
        return "pseudo-localisation (no local engine for this pair)"

    def _translate(self, texts: list[str], source_lang: str, target_lang: str) -> list[str | None]:
        return self._pick(source_lang, target_lang).translate(texts, source_lang, target_lang)


def seed_book(cloud: LocalCloud, book: Path) -> dict[str, int]:
    """Upload a book laid out like sample/: en-new/ (current English), <lang>/ (human translations, may hold
    d2l-style x_origin.md files), en/ (the English the translations were made from)."""
    src = cloud.source_lang
    current = book / f"{src}-new" if (book / f"{src}-new").is_dir() else book / src
    counts = {"source": cloud.upload_folder(current, layout.source_prefix(src))}
    for lang in cloud.languages:
        if (book / lang).is_dir():  # d2l-style x_origin.md files beside the translations are kept as they are
            counts[lang] = cloud.upload_folder(book / lang, layout.translations_prefix(lang))
            if current != book / src:
                cloud.upload_folder(book / src, f"{layout.ORIGIN}{lang}/")
    return counts


def write_results(cloud: LocalCloud, result: dict, out: Path) -> dict[str, Any]:
    """output/<lang>/..., reports/... and execution.json (the execution history) under `out`."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in (layout.OUTPUT, layout.REPORTS):  # the folder shows this run only
        shutil.rmtree(out / stale, ignore_errors=True)
    outputs = cloud.download(layout.OUTPUT, out)
    reports = cloud.download(layout.REPORTS, out)
    execution = {k: result.get(k) for k in ("arn", "status", "output", "error", "cause", "map_runs")}
    execution["history"] = result["history"]
    execution["lambda_invocations"] = cloud.lambdas.timeline
    # permissions the template lacks: function, action and key of every denied request
    execution["access_denied"] = cloud.denials()
    execution["translate_calls"] = [
        {
            "operation": op,
            **{k: request[k] for k in ("Name", "JobName", "JobId", "TargetLanguageCodes") if k in request},
        }
        for op, request in cloud.translate.calls
    ]
    (out / "execution.json").write_text(
        json.dumps(execution, indent=1, default=str, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return {
        "outputs": outputs,
        "reports": reports,
        "execution": out / "execution.json",
        "denied": execution["access_denied"],
    }
