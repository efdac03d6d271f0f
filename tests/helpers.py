"""Helpers shared by several test modules (fixtures live in conftest.py)."""

from __future__ import annotations

from typer.testing import CliRunner

from amts.cli import app

TEST_BUCKET = "amts-test"
TEST_ROLE = "arn:aws:iam::123456789012:role/translate"

_runner = CliRunner()


def run_cli(*args: str):
    """Run `amts ARGS...` in-process; an unexpected exception is raised as itself, a non-zero exit fails."""
    result = _runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result
