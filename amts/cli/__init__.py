"""The `amts` command line. Each area registers its commands from its own module."""

from __future__ import annotations

import importlib
import sys

import typer

from amts.errors import user_error_message

app = typer.Typer(
    name="amts",
    help="Auto Machine Translation and Synchronization for markdown books.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# One module a command group; each defines register(app). Missing modules are skipped so that
# areas can land independently.
_COMMAND_MODULES = (
    "amts.cli.segments",
    "amts.cli.align",
    "amts.cli.sync",
    "amts.cli.engines",
    "amts.cli.pipeline",
    "amts.cli.review",
)

for _name in _COMMAND_MODULES:
    try:
        _module = importlib.import_module(_name)
    except ModuleNotFoundError as exc:  # an area that has not landed yet
        if exc.name != _name:
            raise
        continue
    _module.register(app)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: every failure caused by input or environment is one line on stderr and exit code 2.

    Bugs (anything else) keep their traceback, so they can be reported and fixed.
    """
    try:
        app(args=argv)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        print(
            "error: interrupted; outputs are written all together or not at all, so --out is unchanged",
            file=sys.stderr,
        )
        sys.exit(130)
    except Exception as exc:  # re-raised below unless it is a user-caused failure
        message = user_error_message(exc)
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        sys.exit(2)
