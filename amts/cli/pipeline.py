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


UPLOAD_MODES = ("each", "prefix")


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
    uploads: Annotated[
        str,
        typer.Option(
            "--uploads",
            help="each: put every chapter as its own object and let S3 -> EventBridge -> SQS -> the starter "
            "start the runs, as in AWS; prefix: one manual start with {bucket, prefix}.",
        ),
    ] = "each",
    then: Annotated[
        list[Path] | None,
        typer.Option(
            "--then",
            help="After the first round, upload the chapters of this folder (a later edition laid out like "
            "en-new/) the same way and run again. Repeatable.",
        ),
    ] = None,
) -> None:
    """Upload the sample book to a local S3, run the template's state machine and Lambdas with its IAM
    enforced, write the results."""
    from amts.localrun import REPO, LanguageRouter, LocalCloud, seed_book, write_results
    from amts.pipeline.settings import parse_languages

    book = book or REPO / "sample"
    if not book.is_dir():
        raise AmtsError(f"book folder {book} does not exist")
    if uploads not in UPLOAD_MODES:
        raise AmtsError(f"--uploads {uploads!r}: choose one of {', '.join(UPLOAD_MODES)}")
    editions = list(then or [])
    for edition in editions:
        if not edition.is_dir():
            raise AmtsError(f"--then folder {edition} does not exist")
    langs = parse_languages(languages) if languages else None
    started = time.monotonic()
    with LocalCloud(template, languages=langs) as cloud:
        langs = cloud.languages
        rounds = UploadRounds(cloud, uploads)
        counts = seed_book(cloud, book, sources=False)
        current = book / f"{cloud.source_lang}-new"
        current = current if current.is_dir() else book / cloud.source_lang
        how = "one object at a time" if uploads == "each" else "together, then one manual start"
        humans = ", ".join(k for k in counts if k != "source") or "no language"
        console.print(
            f"uploaded human translations for {humans} to s3://{cloud_bucket()}; English chapters go up {how}"
        )
        for folder in [current, *editions]:
            with console.status(f"uploading {folder} and running") as status:
                result = rounds.round(folder, status)
            console.print(rounds.describe(rounds.runs[-1], folder))
        files = write_results(cloud, result, out)
        rounds.write(files["execution"])
        report = result["output"] or {}
    print_summary(result, report, files, out, time.monotonic() - started)
    if isinstance(cloud.translate.engine, LanguageRouter):
        stand_ins = ", ".join(
            f"{lang} {cloud.translate.engine.describe(cloud.source_lang, lang)}" for lang in langs
        )
        console.print(f"offline Amazon Translate stand-in: {stand_ins}", soft_wrap=True)
    failed = [e for run in rounds.runs for e in run["executions"] if e["status"] != "SUCCEEDED"]
    if failed or result["status"] != "SUCCEEDED":
        raise AmtsError(
            f"execution {result['status']}: {result.get('error')} {result.get('cause') or ''}".strip()
        )
    if files["denied"]:
        raise AmtsError(f"access denied: {files['denied'][0]['error']} (see {files['execution']})")


class UploadRounds:
    """Rounds of uploads (the book, then each --then edition) and the executions each one started."""

    def __init__(self, cloud, mode: str):
        from amts.localtrigger import UploadTrigger

        self.cloud = cloud
        self.mode = mode
        self.trigger = UploadTrigger(cloud) if mode == "each" else None
        self.runs: list[dict] = []

    def round(self, folder: Path, status) -> dict:
        from amts.localtrigger import round_summary

        cloud = self.cloud
        prefix = f"source/{cloud.source_lang}/"
        calls_before = len(cloud.translate.calls)
        if self.trigger is not None:
            self.trigger.upload_each(folder, prefix)
            executions = self.trigger.settle()
        else:
            cloud.upload_folder(folder, prefix)
            status.update("running the state machine")
            result = cloud.run({"bucket": cloud_bucket(), "prefix": prefix})
            executions = [{**result, "chapter_count": len(list(folder.rglob("*.md")))}]
        if not executions:
            raise AmtsError(f"uploading {folder} started no execution")
        self.runs.append(round_summary(cloud, executions, calls_before))
        return executions[-1]

    def describe(self, run: dict, folder: Path) -> str:
        jobs = sum(c["operation"] == "StartTextTranslationJob" for c in run["translate_calls"])
        return (
            f"{folder}: {len(run['executions'])} execution(s) "
            f"({', '.join(e['status'] for e in run['executions'])}), {jobs} translation job(s), "
            f"{run['chars_to_mt']:,} characters to MT"
        )

    def write(self, execution_json: Path) -> None:
        import json

        data = json.loads(execution_json.read_text(encoding="utf-8"))
        data["uploads"] = self.mode
        data["runs"] = self.runs
        execution_json.write_text(
            json.dumps(data, indent=1, default=str, ensure_ascii=False) + "\n", encoding="utf-8"
        )


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
            f"estimated cost ${full['estimated_cost_usd']:.4f}"
        )
        if full.get("pricing"):
            from amts.pipeline.report import pricing_line

            console.print(pricing_line(full["pricing"]), soft_wrap=True)
        for rejected in full.get("rejected", []):
            console.print(f"[yellow]rejected[/] {rejected['key']}: {rejected['error']}")
    # soft_wrap: paths stay on one line so they can be copied
    console.print(f"outputs: {out / 'output'}  ({len(files['outputs'])} files)", soft_wrap=True)
    console.print(f"reports: {out / 'reports'}", soft_wrap=True)
    console.print(f"execution history: {files['execution']}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("local-run")(local_run)
