"""Machine-translate whole chapters through the segment model: mask -> engine -> unmask -> render.

Only segments are sent to the engine; code, math, directives, JSX and HTML blocks are never touched,
and protected inline spans travel as ⟦n⟧ tokens, so the output has the source's layout byte for byte
outside translated text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from amts.engines.base import Engine
from amts.errors import AmtsError, InputError, PlaceholderError
from amts.fsutil import staged_folder_writer
from amts.markdown import MARKDOWN_SUFFIXES, Document, iter_markdown_files, load, mask, render, unmask
from amts.markdown.inline import has_translatable_text


@dataclass
class TranslationResult:
    path: str
    text: str
    segments: int = 0
    translated: int = 0
    untranslated: int = 0
    characters: int = 0
    warnings: list[str] = field(default_factory=list)
    origins: Counter = field(default_factory=Counter)  # translated segments by origin ("memory", "apertium")


def translate_document(
    document: Document,
    engine: Engine,
    source_lang: str,
    target_lang: str,
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = 500,
) -> TranslationResult:
    """Translate every segment of one document; a segment the engine cannot serve keeps its source text."""
    todo = []
    for segment in document.segments:
        if has_translatable_text(segment.text, segment.spans):
            masked, originals = mask(segment.text, segment.spans)
            todo.append((segment, masked, originals))
    result = TranslationResult(path=document.path or "", text=document.text, segments=len(document.segments))
    translations: dict[str, str] = {}
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        outputs = engine.translate_results([masked for _, masked, _ in batch], source_lang, target_lang)
        for (segment, masked, originals), output in zip(batch, outputs, strict=True):
            if output.text is None:
                result.untranslated += 1
                continue
            try:
                translations[segment.id] = unmask(output.text, originals, segment.id)
            except PlaceholderError as exc:
                result.warnings.append(f"line {segment.line}: {exc}; source kept")
                result.untranslated += 1
                continue
            result.translated += 1
            result.origins[output.origin or engine.name] += 1
            result.characters += len(masked)
        if on_progress:
            on_progress(len(batch))
    result.text = render(document, translations)
    return result


def translatable_count(document: Document) -> int:
    return sum(has_translatable_text(s.text, s.spans) for s in document.segments)


def plan_outputs(source: Path, out: Path) -> list[tuple[Path, Path]]:
    """(input file, output file) pairs: a file to a file (or into a folder), a folder to a mirrored folder."""
    if not source.exists():
        raise InputError(f"{source}: no such file or folder")
    if source.is_dir():
        if out.exists() and not out.is_dir():
            raise InputError(f"{out}: is a file; translating a folder needs an output folder")
        return [(path, out / path.relative_to(source)) for path in iter_markdown_files([source])]
    if source.suffix not in MARKDOWN_SUFFIXES:
        raise InputError(f"{source}: not a markdown file ({', '.join(MARKDOWN_SUFFIXES)})")
    if out.is_dir():
        return [(source, out / source.name)]
    return [(source, out)]


def translate_path(
    source: Path,
    out: Path,
    engine: Engine,
    source_lang: str,
    target_lang: str,
    progress: Callable[[int, int], None] | None = None,
) -> list[TranslationResult]:
    """Translate a file or a folder of chapters into `out`; returns one result a file.

    `progress(advance, total)` is called with total once (advance 0), then with advances in segments.
    """
    plan = plan_outputs(source, out)
    if source.resolve() in {o.resolve() for _, o in plan} or any(i.resolve() == o.resolve() for i, o in plan):
        raise AmtsError(f"{out}: the output would overwrite the input; choose another --out")
    engine.check_pair(source_lang, target_lang)
    documents = [(load(path), target) for path, target in plan]
    if progress:
        progress(0, sum(translatable_count(doc) for doc, _ in documents))
    results = []
    # every output is staged and moved into place at the end: a failure (or a kill) midway leaves --out as it was
    with staged_folder_writer() as stage:
        for document, target in documents:
            result = translate_document(
                document,
                engine,
                source_lang,
                target_lang,
                on_progress=(lambda n: progress(n, 0)) if progress else None,
            )
            # written as UTF-8 bytes, unchanged: render returns the text exactly as it should be on disk (CRLF kept)
            stage.write(target, result.text)
            result.path = str(target)
            results.append(result)
    return results


__all__ = ["TranslationResult", "translate_document", "translate_path", "plan_outputs"]
