"""`amts review`, `amts xliff export|import`, `amts feedback`: the translator's side of a sync."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from amts.report import read_report
from amts.review.report import load_report

out = Console()

xliff_app = typer.Typer(
    help="Exchange a sync report with CAT tools as XLIFF 1.2 (export), and write reviewed targets back (import).",
    no_args_is_help=True,
)


po_app = typer.Typer(
    help="Exchange a sync report with Poedit, Weblate or OmegaT as gettext PO (export), and import it back.",
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
    data = read_report(report)
    atomic_write(out_path, render_page(data, title=title, target_lang=target_lang))
    shown = sum(1 for _, seg in data.segments() if seg.status.listed)
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
    from amts.review.report import check_xml_text
    from amts.xliff import export_xliff

    def render(checked: dict) -> bytes | str:
        check_xml_text(checked, str(report))
        return export_xliff(checked, source_lang=source_lang, target_lang=target_lang)

    _export(report, out_path, "xliff", render)


@xliff_app.command("import")
def xliff_import(
    xlf: Annotated[Path, typer.Argument(help="The reviewed XLIFF (exported by `amts xliff export`).")],
    into: Annotated[
        Path, typer.Option("--into", help="The synchronised markdown: a file, or the folder of chapters.")
    ],
    target_lang: Annotated[
        Optional[str],
        typer.Option("--target-lang", help="Refuse the file unless its target-language is this one."),
    ] = None,
    fail_on_untranslated: Annotated[
        Optional[int],
        typer.Option(
            "--fail-on-untranslated",
            help="Exit 1 when more than N units are still English after the import (0: any).",
        ),
    ] = None,
) -> None:
    """Write the reviewed targets back into the markdown; nothing is written if any unit is broken."""
    from amts.xliff import import_xliff_result

    result = import_xliff_result(xlf, into, target_lang)
    report_import(result, "xliff import", fail_on_untranslated)


@po_app.command("export")
def po_export(
    report: Annotated[Path, typer.Argument(help="REPORT.json written by `amts sync --report`.")],
    out_path: Annotated[Path, typer.Option("--out", help="The PO file to write.")],
    source_lang: Annotated[str, typer.Option("--source-lang")] = "en",
    target_lang: Annotated[
        Optional[str], typer.Option("--target-lang", help="Default: the report's target_lang.")
    ] = None,
) -> None:
    """Export the segments to review: proposed targets fuzzy, previous English as #| msgid."""
    from amts.po import export_po

    _export(
        report,
        out_path,
        "po",
        lambda checked: export_po(checked, source_lang=source_lang, target_lang=target_lang),
    )


def _export(report: Path, out_path: Path, label: str, render) -> None:
    """The review set of a checked report, rendered and written atomically; never over the report itself."""
    from amts.fsutil import atomic_write, refuse_overwriting_input

    refuse_overwriting_input(out_path, {"REPORT": report})
    atomic_write(out_path, render(load_report(report)))
    out.print(f"{label}: {out_path}", soft_wrap=True)


@po_app.command("import")
def po_import(
    po: Annotated[Path, typer.Argument(help="The reviewed PO (exported by `amts po export`).")],
    into: Annotated[
        Path, typer.Option("--into", help="The synchronised markdown: a file, or the folder of chapters.")
    ],
    target_lang: Annotated[
        Optional[str], typer.Option("--target-lang", help="Refuse the file unless its Language is this one.")
    ] = None,
    fail_on_untranslated: Annotated[
        Optional[int],
        typer.Option(
            "--fail-on-untranslated",
            help="Exit 1 when more than N units are still English after the import (0: any).",
        ),
    ] = None,
) -> None:
    """Write the reviewed entries back into the markdown; nothing is written if any entry is broken."""
    from amts.po import import_po

    report_import(import_po(po, into, target_lang), "po import", fail_on_untranslated)


def report_import(result, label: str, fail_on_untranslated: int | None) -> None:
    """Print what was written and, per chapter, what is still English or unreviewed; exit 1 over the limit."""
    for path in result.written:
        out.print(f"updated {path}", soft_wrap=True)
    out.print(f"{label}: {len(result.written)} file(s) updated", soft_wrap=True)
    english = sum(result.left_english.values())
    for path in sorted(set(result.left_english) | set(result.to_review)):
        out.print(
            f"  {path}: {result.left_english.get(path, 0)} still English, "
            f"{result.to_review.get(path, 0)} still to review",
            soft_wrap=True,
        )
    if english:
        out.print(f"[yellow]{english} unit(s) still English[/]", soft_wrap=True)
    if fail_on_untranslated is not None and english > fail_on_untranslated:
        out.print(f"{english} unit(s) still English: more than --fail-on-untranslated {fail_on_untranslated}")
        raise typer.Exit(1)


def feedback(
    xliff_files: Annotated[list[Path], typer.Option("--xliff", help="Reviewed XLIFF (repeatable).")] = [],  # noqa: B006
    po_files: Annotated[Optional[list[Path]], typer.Option("--po", help="Reviewed PO (repeatable).")] = None,
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
    """Learn what a person edited or confirmed in this review: update the local memory (and Amazon Translate)."""
    from amts.errors import InputError
    from amts.feedback import (
        collect_pairs,
        credentials_available,
        target_language,
        update_memory,
        update_parallel_data,
    )

    from amts.fsutil import refuse_overwriting_input

    inputs = {
        "--report": report,
        **{f"--xliff {x}": x for x in xliff_files},
        **{f"--po {p}": p for p in po_files or []},
    }
    refuse_overwriting_input(memory, inputs)
    target_lang = target_lang or target_language(xliff_files, report, po_files or [])
    if not target_lang:
        raise InputError("cannot tell the target language from the inputs: pass --target-lang")
    pairs = collect_pairs(xliff_files, report, po_files or [])
    result = update_memory(memory, pairs, source_lang=source_lang, target_lang=target_lang)
    skipped = ", ".join(f"{n} {reason}" for reason, n in sorted(result.skipped_reasons.items()))
    out.print(
        f"feedback: {result.added} added, {result.replaced} replaced, {result.unchanged} unchanged, "
        f"{result.skipped} skipped{f' ({skipped})' if skipped else ''} -> {memory} ({result.total} pairs)"
    )
    if not parallel_data:
        return
    if not credentials_available():
        from amts.errors import EngineError

        raise EngineError(
            f"no AWS credentials: parallel data {parallel_data} not updated (the local memory {memory} was)"
        )
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
    app.add_typer(po_app, name="po")
    app.command("feedback")(feedback)
