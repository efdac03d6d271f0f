"""`amts sync`: keep the human translation, retranslate only what changed in the English, report it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from amts.cli.engines import engine_option
from amts.engines import memory_first
from amts.report import TOTAL_KEYS
from amts.sync.checks import check_languages
from amts.sync.document import as_memory
from amts.sync.files import check_report_path, collect_jobs, read_pairs_table, sync_jobs

console = Console(stderr=True)


def sync(
    old_source: Annotated[
        Path, typer.Option("--old-source", help="English the old translation was made from (file or folder).")
    ],
    new_source: Annotated[Path, typer.Option("--new-source", help="The new English (file or folder).")],
    old_target: Annotated[Path, typer.Option("--old-target", help="The human translation of --old-source.")],
    target_lang: Annotated[str, typer.Option("--target-lang", help="Target language code, e.g. zh.")],
    out: Annotated[Path, typer.Option("--out", help="Where the new translation goes (file or folder).")],
    report: Annotated[Path, typer.Option("--report", help="REPORT.json: per-segment statuses and totals.")],
    source_lang: Annotated[str, typer.Option("--source-lang", help="Source language code.")] = "en",
    engine: Annotated[
        str,
        engine_option(
            "sync", "Engine for the changed English, after --memory (none: leave it untranslated)."
        ),
    ] = "none",
    memory: Annotated[
        Optional[Path],
        typer.Option("--memory", help="Parallel data (CSV/TSV/TMX) looked up before the engine."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace --out files edited since the last sync (a copy is kept).")
    ] = False,
    pairs: Annotated[
        Optional[Path],
        typer.Option(
            "--pairs",
            help="TSV/CSV: source path, target path (renamed chapters), optional old_source_path column.",
        ),
    ] = None,
    fuzzy_threshold: Annotated[
        Optional[float], typer.Option("--fuzzy-threshold", help="Lowest memory fuzzy score used (0-100).")
    ] = None,
    fail_on_untranslated: Annotated[
        Optional[int],
        typer.Option(
            "--fail-on-untranslated",
            help="Exit 1 (after writing) when more than N segments are still English (0: any).",
        ),
    ] = None,
) -> None:
    """Sync a translation with a new English edition: reuse human text, translate only changed text."""
    if fuzzy_threshold is not None and not 0 <= fuzzy_threshold <= 100:
        raise typer.BadParameter("must be between 0 and 100", param_hint="--fuzzy-threshold")
    check_languages(source_lang, target_lang)
    table = read_pairs_table(pairs) if pairs is not None else None
    jobs, gone = collect_jobs(old_source, new_source, old_target, out, table)
    check_report_path(report, jobs, (old_source, new_source, old_target))
    translation_memory = as_memory(memory, source_lang, target_lang, fuzzy_threshold)
    # The chain `amts translate` uses: memory, then the engine with terminology learned from the memory.
    mt_engine = memory_first(engine, translation_memory, source_lang, target_lang)
    mt_engine.check_pair(source_lang, target_lang)
    with Progress(
        TextColumn("sync"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=2 * len(jobs))  # each chapter is planned, then translated
        result = sync_jobs(
            jobs,
            gone,
            source_lang,
            target_lang,
            engine=mt_engine,
            memory=translation_memory,
            force=force,
            progress=lambda name: bar.update(task, advance=1, description=name),
            report=report,  # written with the outputs, all or nothing
        )
    _print_totals(result["totals"])
    print_still_to_do(result, fail_on_untranslated)


def print_still_to_do(report: dict, fail_on_untranslated: int | None) -> None:
    """Per chapter, what is still English and what a translator should review; exit 1 over the limit."""
    from amts.reviewset import still_to_do

    todo = still_to_do(report)
    out = Console()
    for path, (english, review) in sorted(todo.items()):
        out.print(f"  {path}: {english} still English, {review} to review", soft_wrap=True)
    english_total = sum(english for english, _ in todo.values())
    review_total = sum(review for _, review in todo.values())
    out.print(f"still English: {english_total} segment(s); to review: {review_total}", soft_wrap=True)
    if fail_on_untranslated is not None and english_total > fail_on_untranslated:
        console.print(
            f"{english_total} segment(s) still English: more than --fail-on-untranslated {fail_on_untranslated}"
        )
        raise typer.Exit(1)


def _print_totals(totals: dict) -> None:
    table = Table(title="sync totals")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key in TOTAL_KEYS:
        table.add_row(key, str(totals[key]))
    segments = totals["segments"] or 1
    untouched = totals["reused"] + totals["reused_format"] + totals["code_changed"]
    table.add_row("[bold]no translator needed[/]", f"{100 * untouched / segments:.1f}%")
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.command("sync")(sync)
