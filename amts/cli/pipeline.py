"""`amts local-run`: the serverless pipeline end to end on this machine (moto + fake Translate)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from amts.errors import AmtsError

console = Console()


def local_run(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for output/<lang>/, reports/ and execution.json.")
    ] = Path("demo-out"),
    book: Annotated[
        Path | None,
        typer.Option("--book", help="Book laid out like sample/: en/, en-new/, <lang>/ (default: sample/)."),
    ] = None,
    template: Annotated[
        Path | None,
        typer.Option(
            "--template",
            help="Synthesized CloudFormation template (cdk.out/Amts.template.json after `make synth`); "
            "default: synthesize the CDK app in-process with cdk.json's context.",
        ),
    ] = None,
    languages: Annotated[
        str | None,
        typer.Option("--languages", help="Target languages, comma-separated (default: the template's)."),
    ] = None,
) -> None:
    """Upload the sample book to a local S3, run the template's state machine and Lambdas with its IAM
    enforced, write the results."""
    from amts.localrun import REPO, LanguageRouter, LocalCloud, seed_book, write_results
    from amts.pipeline.settings import parse_languages

    book = book or REPO / "sample"
    if not book.is_dir():
        raise AmtsError(f"book folder {book} does not exist")
    langs = parse_languages(languages) if languages else None
    started = time.monotonic()
    with LocalCloud(template, languages=langs) as cloud:
        langs = cloud.languages
        counts = seed_book(cloud, book)
        console.print(
            f"uploaded {counts['source']} English chapters and human translations for "
            f"{', '.join(k for k in counts if k != 'source') or 'no language'} to s3://{cloud_bucket()}"
        )
        with console.status("running the state machine") as status:

            def show(history: list) -> None:
                entered = [e for e in history if e["type"].endswith("StateEntered")]
                if entered:
                    status.update(
                        f"state machine: {entered[-1]['stateEnteredEventDetails']['name']} "
                        f"({len(history)} events)"
                    )

            result = cloud.run(
                {"bucket": cloud_bucket(), "prefix": f"source/{cloud.source_lang}/"}, on_poll=show
            )
        files = write_results(cloud, result, out)
        report = result["output"] or {}
    print_summary(result, report, files, out, time.monotonic() - started)
    if isinstance(cloud.translate.engine, LanguageRouter):
        stand_ins = ", ".join(
            f"{lang} {cloud.translate.engine.describe(cloud.source_lang, lang)}" for lang in langs
        )
        console.print(f"offline Amazon Translate stand-in: {stand_ins}", soft_wrap=True)
    if result["status"] != "SUCCEEDED":
        raise AmtsError(
            f"execution {result['status']}: {result.get('error')} {result.get('cause') or ''}".strip()
        )
    if files["denied"]:
        raise AmtsError(f"access denied: {files['denied'][0]['error']} (see {files['execution']})")


def cloud_bucket() -> str:
    from amts.localrun import BUCKET

    return BUCKET


def print_summary(result: dict, report: dict, files: dict, out: Path, seconds: float) -> None:
    import json

    full = {}
    if report.get("report_key"):
        path = out / report["report_key"]
        if path.exists():
            full = json.loads(path.read_text(encoding="utf-8"))
    table = Table(title=f"AMTS local run: execution {result['status']} in {seconds:.1f}s")
    for column in ("language", "status", "chapters", "chars to MT", "BLEU", "chrF", "held-out n", "note"):
        table.add_column(column)
    for lang in full.get("languages", []):
        ev = lang.get("evaluation") or {}
        chapters = ", ".join(f"{k} {v}" for k, v in sorted((lang.get("chapters") or {}).items()))
        note = lang.get("cause") or lang.get("error") or "; ".join(e["path"] for e in lang.get("errors", []))
        note = "; ".join(filter(None, [note, (lang.get("parallel_data") or {}).get("note")]))
        table.add_row(
            lang["lang"],
            lang["status"],
            chapters,
            f"{lang.get('chars_to_mt', 0):,}",
            str(ev.get("bleu", "–")),
            str(ev.get("chrf", "–")),
            str(ev.get("segments", "–")),
            note or "",
        )
    console.print(table)
    if full:
        console.print(
            f"characters sent to machine translation: {full['chars_to_mt']:,}; "
            f"estimated cost ${full['estimated_cost_usd']:.4f} at $15 per million"
        )
        for rejected in full.get("rejected", []):
            console.print(f"[yellow]rejected[/] {rejected['key']}: {rejected['error']}")
    # soft_wrap: paths stay on one line so they can be copied
    console.print(f"outputs: {out / 'output'}  ({len(files['outputs'])} files)", soft_wrap=True)
    console.print(f"reports: {out / 'reports'}", soft_wrap=True)
    console.print(f"execution history: {files['execution']}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("local-run")(local_run)
