"""`amts translate`, `amts evaluate` and `amts experiment`: machine translation and its measurement."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from amts.engines import ENGINES, Fits, engine_class, engine_names, engines_supporting
from amts.experiment import WHY as EXPERIMENT_WHY
from amts.experiment import fits as experiment_fits

err = Console(stderr=True)


def engine_option(command: str, help: str, fits: Fits | None = None, why: str = "") -> Any:
    """`--engine` for a command: its choices are the registered engines that fit the command (all when `fits`
    is None); any other name is refused in one line naming those that fit."""
    names = engine_names(fits)

    def parse(value: str) -> str:
        return engine_class(value, fits, f"amts {command}", why).name

    return typer.Option(
        "--engine",
        help=f"{help} `amts engines` says what each does.",
        metavar="[" + "|".join(names) + "]",
        parser=parse,
    )


def translate(
    source: Annotated[Path, typer.Argument(help="A markdown chapter (.md/.mdx) or a folder of them.")],
    target_lang: Annotated[
        str, typer.Option("--target-lang", help="Target language (ISO 639-1), e.g. es, zh.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Output file, or folder (mirrors the input folder).")],
    source_lang: Annotated[str, typer.Option("--source-lang", help="Source language.")] = "en",
    engine: Annotated[str, engine_option("translate", "Engine; memory needs --memory.")] = "pseudo",
    memory: Annotated[
        Path | None,
        typer.Option(
            "--memory",
            help="Parallel data (CSV/TSV/TMX) used first: exact/fuzzy matches, then learned terminology.",
        ),
    ] = None,
    threshold: Annotated[
        float, typer.Option("--fuzzy-threshold", help="Fuzzy match score 0-100 for memory.")
    ] = 90.0,
    bucket: Annotated[
        str | None,
        typer.Option(
            "--bucket",
            help="amazon: S3 bucket for a batch job "
            "(with parallel data); without it, real-time TranslateText.",
        ),
    ] = None,
    role_arn: Annotated[
        str | None, typer.Option("--role-arn", help="amazon batch: DataAccessRoleArn.")
    ] = None,
) -> None:
    """Machine-translate chapters through the segment model; code, math and markup stay byte-identical."""
    from amts.engines import get_engine
    from amts.translate_doc import translate_path

    options: dict = {"threshold": threshold}
    if engine_class(engine).capabilities.batch and bucket:
        from amts.engines.amazon import BatchSettings
        from amts.errors import EngineError

        if not role_arn:
            raise EngineError(
                "--bucket needs --role-arn (the IAM role Amazon Translate uses to read and write S3)"
            )
        options["batch"] = BatchSettings(bucket=bucket, role_arn=role_arn)
        if memory is not None:
            from amts.engines.memory import read_parallel_file

            options["parallel_data"] = read_parallel_file(memory, source_lang, target_lang)
            memory = None  # a batch engine uses the parallel data itself (ACT) instead of a local memory
    mt = get_engine(engine, memory=memory, **options)
    with Progress(
        TextColumn("translating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("segments", total=None)

        def progress(advance: int, total: int) -> None:
            if total:
                bar.update(task, total=total)
            bar.advance(task, advance)

        results = translate_path(source, out, mt, source_lang, target_lang, progress=progress)
    for result in results:
        for warning in result.warnings:
            err.print(f"[yellow]warning[/]: {result.path}: {warning}")
    origins: Counter = sum((r.origins for r in results), Counter())
    by = ", ".join(f"{count} by {origin}" for origin, count in origins.most_common()) or f"0 by {mt.name}"
    untranslated = sum(r.untranslated for r in results)
    typer.echo(
        f"{len(results)} file(s) -> {out}: segments translated {by}; {untranslated} left in the source language"
    )


def evaluate(
    hyp: Annotated[
        Path,
        typer.Option(
            "--hyp", help="Machine translation: text file (one segment a line), markdown file, or folder."
        ),
    ],
    ref: Annotated[Path, typer.Option("--ref", help="Reference translation, same structure as --hyp.")],
    lang: Annotated[str, typer.Option("--lang", help="Target language (zh uses sacrebleu's zh tokenizer).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """BLEU and chrF (sacrebleu, 0-100) per document and for the whole corpus."""
    from amts.evaluate import evaluate as run

    report = run(hyp, ref, lang)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    for doc in report["documents"]:
        typer.echo(
            f"{doc['hyp']}: BLEU {doc['bleu']:.2f}  chrF {doc['chrf']:.2f}  ({doc['segments']} segments)"
        )
    typer.echo(
        f"corpus: BLEU {report['bleu']:.2f}  chrF {report['chrf']:.2f}  ({report['segments']} segments)"
    )
    typer.echo(f"{report['signature']['bleu']}\n{report['signature']['chrf']}")


def experiment(
    src: Annotated[Path, typer.Option("--src", help="Folder of source-language chapters.")],
    tgt: Annotated[
        Path, typer.Option("--tgt", help="Folder of their human translations (same relative paths).")
    ],
    source_lang: Annotated[str, typer.Option("--source-lang", help="Source language, e.g. en.")],
    target_lang: Annotated[str, typer.Option("--target-lang", help="Target language, e.g. es.")],
    engine: Annotated[
        str,
        engine_option(
            "experiment",
            "Engine measured; memory runs the memory conditions only.",
            experiment_fits,
            EXPERIMENT_WHY,
        ),
    ] = "apertium",
    articles: Annotated[
        list[str] | None,
        typer.Option(
            "--article", help="Article path relative to --src (repeat; default: every aligned chapter)."
        ),
    ] = None,
    pairs: Annotated[
        Path | None,
        typer.Option(
            "--pairs", help="TSV of source<TAB>target relative paths, for books whose files are renamed."
        ),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the markdown table, JSON and PNG chart.")
    ] = Path("experiment"),
    samples: Annotated[int, typer.Option("--bootstrap", help="Paired bootstrap resamples.")] = 1000,
    threshold: Annotated[float, typer.Option("--fuzzy-threshold", help="Fuzzy match score 0-100.")] = 90.0,
    bucket: Annotated[
        str | None, typer.Option("--bucket", help="amazon: S3 bucket for the batch jobs.")
    ] = None,
    role_arn: Annotated[
        str | None, typer.Option("--role-arn", help="amazon: DataAccessRoleArn for the jobs.")
    ] = None,
) -> None:
    """BLEU without parallel data, with paragraph pairs and with sentence pairs (leave-one-out), with
    paired bootstrap p-values; writes a markdown table, JSON and a PNG bar chart."""
    from amts.experiment import markdown_table, run_experiment, write_reports

    options: dict = {}
    if bucket or role_arn:
        from amts.engines.amazon import BatchSettings

        if not (bucket and role_arn):
            raise typer.BadParameter("--bucket and --role-arn go together")
        options["batch"] = BatchSettings(bucket=bucket, role_arn=role_arn)
    with err.status("running the experiment") as status:
        report = run_experiment(
            src,
            tgt,
            source_lang,
            target_lang,
            engine,
            articles=articles or None,
            pairs_file=pairs,
            samples=samples,
            threshold=threshold,
            log=lambda message: status.update(message),
            engine_options=options,
        )
    paths = write_reports(report, out)
    typer.echo(markdown_table(report))
    typer.echo("written: " + ", ".join(str(p) for p in paths.values()))


def engines(
    source_lang: Annotated[
        str | None, typer.Option("--source-lang", help="Say which serve this pair here.")
    ] = None,
    target_lang: Annotated[str | None, typer.Option("--target-lang", help="Target of the pair.")] = None,
) -> None:
    """The registered engines: what each does and what it can do (the --engine choices of every command)."""
    serving = set(engines_supporting(source_lang, target_lang)) if source_lang and target_lang else None
    for name, cls in ENGINES.items():
        caps = cls.capabilities
        traits = [
            "machine translation" if caps.machine else "no machine translation",
            f"terminology: {caps.terminology}",
            *(["batch jobs"] if caps.batch else []),
            *(["needs --memory"] if caps.needs_memory else []),
            *(["needs AWS credentials"] if caps.credentials else []),
            *(["not scored by the experiment"] if not caps.scorable else []),
        ]
        if serving is not None and caps.machine:
            traits.append(f"{source_lang}->{target_lang}: {'yes' if name in serving else 'no'}")
        typer.echo(f"{name:9} {cls.summary}\n{'':9} {'; '.join(traits)}")


def register(app: typer.Typer) -> None:
    app.command("engines")(engines)
    app.command("translate")(translate)
    app.command("evaluate")(evaluate)
    app.command("experiment")(experiment)
