"""Errors raised on user input: the CLI prints them as one clear line, never a traceback."""

import sys


class AmtsError(Exception):
    """Base class for errors caused by user input or environment, shown without a traceback."""


class InputError(AmtsError):
    """A file that cannot be read as a markdown chapter (encoding, binary, missing)."""


class PlaceholderError(AmtsError):
    """A translation lost, duplicated or corrupted a protected inline span."""

    def __init__(self, segment_id: str, message: str):
        super().__init__(f"segment {segment_id}: {message}")
        self.segment_id = segment_id


class AlignmentError(AmtsError):
    """Two files that are not translations of each other, or languages that do not match."""


class EngineError(AmtsError):
    """A translation engine that cannot serve a request (unknown pair, missing credentials)."""


class OutputError(AmtsError):
    """An output that cannot be written (unwritable folder, a folder or special file in the way)."""


def warn(message: str) -> None:
    """A loud one-line warning on stderr (text kept but needing attention, a replaced hand edit)."""
    print(f"warning: {' '.join(message.split())}", file=sys.stderr)
