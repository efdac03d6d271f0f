"""`amts segments` and `amts check-roundtrip`: look inside the segment model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from amts.errors import AmtsError
from amts.markdown import iter_markdown_files, load, render

err = Console(stderr=True)


def segments(
    file: Annotated[Path, typer.Argument(help="A markdown chapter (.md or .mdx).")],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object a line (the default output).")
    ] = True,
) -> None:
    """Print the translatable segments of FILE, one JSON object a line: id, kind, text, line."""
    document = load(file)
    for warning in document.warnings:
        err.print(f"[yellow]warning[/]: {file}: {warning}")
    for segment in document.segments:
        typer.echo(json.dumps(segment.to_json(), ensure_ascii=False))


def check_roundtrip(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders (searched recursively for *.md, *.mdx).")
    ],
) -> None:
    """Parse and render every file with no translations; report files whose output differs."""
    total = identical = 0
    for path in iter_markdown_files(paths):
        total += 1
        try:
            document = load(path)
        except AmtsError as exc:
            typer.echo(f"FAIL {path}: {exc}")
            continue
        output = render(document, {})
        if output == document.text:
            identical += 1
            continue
        line = _first_difference(document.text, output)
        typer.echo(f"FAIL {path}: first difference at line {line}")
    typer.echo(f"roundtrip: {identical}/{total} files identical")
    if identical != total or total == 0:
        raise typer.Exit(1)


def _first_difference(expected: str, actual: str) -> int:
    for number, (a, b) in enumerate(
        zip(expected.splitlines(True), actual.splitlines(True), strict=False), start=1
    ):
        if a != b:
            return number
    return min(expected.count("\n"), actual.count("\n")) + 1


def register(app: typer.Typer) -> None:
    app.command("segments")(segments)
    app.command("check-roundtrip")(check_roundtrip)
