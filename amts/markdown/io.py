"""Reading chapters from disk: strict UTF-8, binary refused, errors that name the file and the byte."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from amts.errors import InputError
from amts.fsutil import read_regular_bytes, require_regular
from amts.markdown.document import Document, parse

MARKDOWN_SUFFIXES = (".md", ".mdx")


def decode(data: bytes, name: str) -> str:
    """Bytes of a chapter as text, exactly (no newline translation); clear errors for bad input."""
    nul = data.find(b"\x00", 0, 8192)
    if nul >= 0:
        raise InputError(f"{name}: binary file (NUL byte at offset {nul}), not markdown")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not valid UTF-8 at byte offset {exc.start} ({exc.reason})") from None


def read_text(path: str | Path) -> str:
    """The exact text of the chapter at ``path`` (BOM and line endings kept); clear errors for bad input.

    Regular files only: a FIFO or a device (``/dev/zero``) is refused at once instead of blocking or filling memory.
    """
    return decode(read_regular_bytes(path, "a markdown chapter"), str(path))


def load(path: str | Path) -> Document:
    """Parse the chapter at ``path``; the BOM, if any, stays part of the text."""
    return parse(read_text(path), str(path))


def iter_markdown_files(
    paths: Iterable[str | Path], suffixes: tuple[str, ...] = MARKDOWN_SUFFIXES
) -> Iterator[Path]:
    """Files given directly, and every markdown file under given folders, in a stable order."""
    for item in paths:
        item = Path(item)
        if item.is_dir():
            yield from sorted(p for p in item.rglob("*") if p.is_file() and p.suffix in suffixes)
        elif item.exists():
            yield require_regular(item, "a markdown chapter")  # a FIFO or device would block or never end
        else:
            raise InputError(f"{item}: no such file or folder")
