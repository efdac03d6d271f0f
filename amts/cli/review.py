"""`amts review`, `amts xliff export|import`, `amts feedback`: the translator's side of a sync."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from amts.review.report import load_report

out = Console()

xliff_app = typer.Typer(
    help="Exchange a sync report with CAT tools as XLIFF 1.2 (export), and write reviewed targets back (import).",
    no_args_is_help=True,
)


def review(
    report: Annotated[Path, typer.Argument(help="REPORT.json written by `amts sync --report`.")],
    out_path: Annotated[Path, typer.Option("--out", help="The HTML page to write (one static file).")],
    title: Annotated[str, typer.Option(help="Page title.")] = "Translation review",
    target_lang: Annotated[
        Optional[str], typer.Option("--target-lang", help="Language of the translations (HTML lang).")
    ] = None,
) -> None:
    """Write a static review page: every segment a translator should look at, with filters."""
    from amts.fsutil import atomic_write, refuse_overwriting_input
    from amts.review.page import render_page

    refuse_overwriting_input(out_path, {"REPORT": report})
    data = load_report(report)
    atomic_write(out_path, render_page(data, title=title, target_lang=target_lang))
    shown = sum(1 for entry in data["files"] for seg in entry["segments"] if seg["status"] != "reused")
    out.print(f"review page: {out_path} ({shown} segments to review)", soft_wrap=True)


@xliff_app.command("export")
def xliff_export(
    report: Annotated[Path, typer.Argument(help="REPORT.json written by `amts sync --report`.")],
    out_path: Annotated[Path, typer.Option("--out", help="The XLIFF 1.2 file to write.")],
    source_lang: Annotated[str, typer.Option("--source-lang")] = "en",
    target_lang: Annotated[
        Optional[str], typer.Option("--target-lang", help="Default: the report's target_lang.")
    ] = None,
) -> None:
    """Export the report's segments: reused ones final, others needs-review-translation."""
    from amts.fsutil import atomic_write, refuse_overwriting_input
    from amts.xliff import export_xliff

    from amts.review.report import check_xml_text

    refuse_overwriting_input(out_path, {"REPORT": report})
    checked = load_report(report)
    check_xml_text(checked, str(report))
    data = export_xliff(checked, source_lang=source_lang, target_lang=target_lang)
    atomic_write(out_path, data)
    out.print(f"xliff: {out_path}", soft_wrap=True)


@xliff_app.command("import")
def xliff_import(
    xlf: Annotated[Path, typer.Argument(help="The reviewed XLIFF (exported by `amts xliff export`).")],
    into: Annotated[
        Path, typer.Option("--into", help="The synchronised markdown: a file, or the folder of chapters.")
    ],
) -> None:
    """Write the reviewed targets back into the markdown; nothing is written if any unit is broken."""
    from amts.xliff import import_xliff

    written = import_xliff(xlf, into)
    for path in written:
        out.print(f"updated {path}", soft_wrap=True)
    out.print(f"xliff import: {len(written)} file(s) updated", soft_wrap=True)


def feedback(
    xliff_files: Annotated[list[Path], typer.Option("--xliff", help="Reviewed XLIFF (repeatable).")] = [],  # noqa: B006
    report: Annotated[
        Optional[Path], typer.Option("--report", help="REPORT.json: its human translations (reused).")
    ] = None,
    memory: Annotated[
        Path,
        typer.Option(
            "--memory",
            help="Local parallel data (.tsv/.csv/.tmx) to create or update; what `amts sync --memory` reads.",
        ),
    ] = Path("memory.tsv"),
    source_lang: Annotated[str, typer.Option("--source-lang")] = "en",
    target_lang: Annotated[
        Optional[str], typer.Option("--target-lang", help="Default: from the XLIFF or report.")
    ] = None,
    parallel_data: Annotated[
        Optional[str],
        typer.Option(
            "--parallel-data", help="Amazon Translate parallel data name to update (needs AWS credentials)."
        ),
    ] = None,
    s3_uri: Annotated[
        Optional[str],
        typer.Option(
            "--s3-uri",
            help="s3://bucket/key where the parallel data file is uploaded for UpdateParallelData.",
        ),
    ] = None,
    region: Annotated[Optional[str], typer.Option("--region")] = None,
) -> None:
    """Turn reviewed pairs into parallel data: update the local memory, and Amazon Translate when asked."""
    from amts.errors import InputError
    from amts.feedback import (
        collect_pairs,
        credentials_available,
        target_language,
        update_memory,
        update_parallel_data,
    )

    from amts.fsutil import refuse_overwriting_input

    refuse_overwriting_input(memory, {"--report": report, **{f"--xliff {x}": x for x in xliff_files}})
    target_lang = target_lang or target_language(xliff_files, report)
    if not target_lang:
        raise InputError("cannot tell the target language from the inputs: pass --target-lang")
    pairs = collect_pairs(xliff_files, report)
    result = update_memory(memory, pairs, source_lang=source_lang, target_lang=target_lang)
    skipped = ", ".join(f"{n} {reason}" for reason, n in sorted(result.skipped_reasons.items()))
    out.print(
        f"feedback: {result.added} added, {result.replaced} replaced, {result.unchanged} unchanged, "
        f"{result.skipped} skipped{f' ({skipped})' if skipped else ''} -> {memory} ({result.total} pairs)"
    )
    if not parallel_data:
        return
    if not credentials_available():
        out.print(
            f"[yellow]no AWS credentials[/]: parallel data {parallel_data} not updated (local memory only)",
            soft_wrap=True,
        )
        return
    done = update_parallel_data(
        memory, parallel_data, s3_uri, source_lang=source_lang, target_lang=target_lang, region=region
    )
    dropped = sum(done["dropped"].values())
    out.print(
        f"UpdateParallelData {parallel_data}: {done['status']} ({done['uploaded']} pairs, {dropped} over the limits)",
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    app.command("review")(review)
    app.add_typer(xliff_app, name="xliff")
    app.command("feedback")(feedback)
