"""`amts align` (bead alignment of a chapter and its translation) and `amts paralleldata build|validate`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from amts.align import GRANULARITIES, align_documents
from amts.errors import AlignmentError, InputError
from amts.fsutil import atomic_write, refuse_overwriting_input
from amts.markdown import load
from amts.paralleldata import (
    FORMATS,
    BuildSummary,
    build,
    dumps,
    format_of,
    pairs_from_folders,
    pairs_from_table,
    read_parallel,
    validate,
    write_pairs,
)


def _check_granularity(value: str) -> str:
    if value not in GRANULARITIES:
        raise AlignmentError(f"unknown granularity '{value}' (choose {' or '.join(GRANULARITIES)})")
    return value


def align(
    source: Annotated[Path, typer.Argument(help="Source markdown file (e.g. the English chapter).")],
    target: Annotated[Path, typer.Argument(help="Its translation.")],
    source_lang: Annotated[str, typer.Option("--source-lang", help="Language of SOURCE (ISO 639-1).")] = "en",
    target_lang: Annotated[str, typer.Option("--target-lang", help="Language of TARGET (ISO 639-1).")] = "zh",
    granularity: Annotated[str, typer.Option(help="sentence or paragraph beads.")] = "sentence",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the JSON Lines here instead of stdout.")
    ] = None,
) -> None:
    """Align SOURCE with its translation TARGET; print one JSON bead a line: {"source": [...], "target": [...]}.

    Every prose sentence of both files is in exactly one bead, in document order (unmatched ones as
    1-0 / 0-1 beads). Files that are not translations of each other are refused as unalignable.
    """
    _check_granularity(granularity)
    if out is not None:
        refuse_overwriting_input(out, {"SOURCE": source, "TARGET": target})
    beads = align_documents(load(source), load(target), source_lang, target_lang, granularity)
    lines = "".join(json.dumps(b.to_json(), ensure_ascii=False) + "\n" for b in beads)
    if out is None:
        sys.stdout.write(lines)
    else:
        atomic_write(out, lines)


paralleldata_app = typer.Typer(
    help="Parallel data for Amazon Translate Active Custom Translation.", no_args_is_help=True
)


@paralleldata_app.command(
    "build", context_settings={"allow_extra_args": True, "ignore_unknown_options": False}
)
def build_command(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Output file (.csv, .tsv or .tmx); without it the data goes to stdout and the summary to stderr.",
        ),
    ] = None,
    pairs: Annotated[
        Path | None, typer.Option("--pairs", help="TSV table of file pairs (like d2l pairs.tsv).")
    ] = None,
    source_root: Annotated[
        Path | None,
        typer.Option(
            "--source-root", help="Folder of the table's source paths (default: <table dir>/<source-lang>)."
        ),
    ] = None,
    target_root: Annotated[
        Path | None,
        typer.Option(
            "--target-root", help="Folder of the table's target paths (default: <table dir>/<target-lang>)."
        ),
    ] = None,
    origin_root: Annotated[
        Path | None,
        typer.Option(
            "--origin-root",
            help=(
                "Folder of the <target-lang>_origin_path column: the exact source each translation was made "
                "from (default: <table dir>/<target-lang>_origin if present)."
            ),
        ),
    ] = None,
    source: Annotated[
        Path | None, typer.Option("--source", help="Source folder (instead of --pairs).")
    ] = None,
    target: Annotated[
        Path | None, typer.Option("--target", help="Target folder (instead of --pairs).")
    ] = None,
    source_lang: Annotated[str, typer.Option("--source-lang", help="ISO 639-1 code.")] = "en",
    target_lang: Annotated[str, typer.Option("--target-lang", help="ISO 639-1 code.")] = "zh",
    granularity: Annotated[str, typer.Option(help="sentence or paragraph pairs.")] = "sentence",
    fmt: Annotated[
        str | None, typer.Option("--format", help=f"{' | '.join(FORMATS)} (default: from --out suffix).")
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude", help="Relative path or folder to leave out (repeatable; also --exclude A B C)."
        ),
    ] = None,
) -> None:
    """Build Amazon Translate parallel data from a pairs table or two folders; print a JSON summary."""
    _check_granularity(granularity)
    fmt = format_of(out or Path(f"stdout.{fmt or 'csv'}"), fmt)
    excludes = list(exclude or []) + [arg for arg in ctx.args if not arg.startswith("-")]
    unknown = [arg for arg in ctx.args if arg.startswith("-")]
    if unknown:
        raise InputError(f"unknown option(s): {' '.join(unknown)}")
    summary = BuildSummary()
    if pairs is not None:
        if source is not None or target is not None:
            raise InputError("give either --pairs or --source/--target, not both")
        if not pairs.is_file():
            raise InputError(f"pairs table {pairs} does not exist")
        file_pairs = pairs_from_table(
            pairs, source_lang, target_lang, source_root, target_root, origin_root, summary
        )
    elif source is not None and target is not None:
        for folder in (source, target):
            if not folder.is_dir():
                raise InputError(f"{folder} is not a folder")
        file_pairs = pairs_from_folders(source, target)
    else:
        raise InputError("give --pairs TABLE or both --source DIR and --target DIR")
    with Progress(
        TextColumn("aligning"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        transient=True,
        console=Console(stderr=True),
    ) as progress:
        task = progress.add_task("", total=len(file_pairs))

        def step(name: str) -> None:
            progress.update(task, advance=1, description=name)

        kept, summary = build(file_pairs, source_lang, target_lang, granularity, excludes, summary, step)
    if not summary.files["aligned"]:
        found = ", ".join(f"{n} {what}" for what, n in sorted(summary.files.items())) or "no file pair"
        raise InputError(f"no chapter could be aligned ({found}): nothing written; check the paths and roots")
    if out is None:
        data = dumps(kept, source_lang, target_lang, fmt)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        size = len(data)
    else:
        size = write_pairs(out, kept, source_lang, target_lang, fmt)
    report = {
        "out": str(out) if out else "-",
        "format": fmt,
        "granularity": granularity,
        "source_lang": source_lang,
        "target_lang": target_lang,
        "bytes": size,
        **summary.to_json(),
    }
    typer.echo(json.dumps(report, ensure_ascii=False, indent=2), err=out is None)


@paralleldata_app.command("validate")
def validate_command(
    file: Annotated[Path, typer.Argument(help="A parallel data file (.csv, .tsv or .tmx).")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv, tsv or tmx (default: from suffix).")
    ] = None,
) -> None:
    """Check a parallel data file against the Amazon Translate limits; exit 1 when it breaks one."""
    data = read_parallel(file, fmt, strict=False)
    problems = validate(data)
    typer.echo(
        json.dumps(
            {
                "file": str(file),
                "pairs": len(data.pairs),
                "source_lang": data.source_lang,
                "target_lang": data.target_lang,
                "problems": problems[:50],
                "problem_count": len(problems),
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    if problems:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("align")(align)
    app.add_typer(paralleldata_app, name="paralleldata")
