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


class LanguageError(AmtsError):
    """A language code that is not a code, or a language the table in amts/languages.py lacks a rule for."""


class OutputError(AmtsError):
    """An output that cannot be written (unwritable folder, a folder or special file in the way)."""


def warn(message: str) -> None:
    """A loud one-line warning on stderr (text kept but needing attention, a replaced hand edit)."""
    print(f"warning: {' '.join(message.split())}", file=sys.stderr)


def one_line(text: str) -> str:
    """``text`` on one line: newlines and other control characters (and lone surrogates) shown escaped."""
    out = []
    for ch in " ".join(str(text).split("\n")):
        code = ord(ch)
        if code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF or 0x80 <= code < 0xA0:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def user_error_message(exc: BaseException) -> str | None:
    """The one line to print for a failure caused by input or environment; None for a bug (keep the traceback)."""
    if isinstance(exc, AmtsError):
        return one_line(str(exc))
    if isinstance(exc, OSError):
        where = exc.filename if exc.filename is not None else "a file"
        why = exc.strerror or exc.__class__.__name__
        return one_line(f"{where}: {why}; check the path and its permissions")
    if isinstance(exc, RecursionError):
        return "input nested too deeply to read; check the file is what the command expects"
    if isinstance(exc, MemoryError):
        return "out of memory; the input is too large for this command"
    if type(exc).__module__.split(".")[0] in ("botocore", "boto3"):
        return one_line(f"AWS: {exc}; check AWS_PROFILE, the credentials and the region")
    return None
