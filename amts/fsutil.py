"""Files on disk, safely: readers accept regular files only (a FIFO or a device would block or never end), single
files are replaced atomically (a reader sees the old file or the new one), and a set of outputs is staged and then
moved into place together, so that a failure leaves the destination as it was and no temporary files behind."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from amts.errors import InputError, OutputError

# Temporary names start with these, so that folder scans can skip them and stale ones can be recognised.
STAGE_PREFIX = ".amts-stage-"


def _umask() -> int:
    # os.umask can only be read by setting it; set it back at once (single-threaded CLI use)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode() -> int:
    """The mode `cp` or `open(..., "w")` would give a new file: 0666 less the umask (0644 under umask 022)."""
    return 0o666 & ~_umask()


def _describe(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a folder"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device"
    if stat.S_ISSOCK(mode):
        return "is a socket"
    return "is not a regular file"


def read_regular_bytes(path: str | Path, what: str = "a file") -> bytes:
    """The bytes of the regular file at ``path``; a folder, FIFO, device or socket is refused with one line.

    The file is opened without blocking (a FIFO with no writer would otherwise wait forever) and checked on the
    open descriptor, so a path swapped between the check and the read cannot slip through.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; give the path of {what}") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder; give the path of {what}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({_why(exc)}); check its permissions") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(f"{path}: {_describe(mode)}; give the path of {what} (regular files only)")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as stream:
            fd = -1
            return stream.read()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({_why(exc)})") from None
    finally:
        if fd >= 0:
            os.close(fd)


def read_regular_text(path: str | Path, what: str = "a file") -> str:
    """The text of the regular UTF-8 file at ``path`` (a BOM is dropped); one-line errors for anything else."""
    data = read_regular_bytes(path, what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 at byte offset {exc.start}; save it as UTF-8") from None


def require_regular(path: str | Path, what: str = "a file") -> Path:
    """``path`` if it is a regular file (symlinks followed); a one-line error for a missing or special file."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; give the path of {what}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({_why(exc)}); check its permissions") from None
    if not stat.S_ISREG(mode):
        raise InputError(f"{path}: {_describe(mode)}; give the path of {what} (regular files only)")
    return path


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _encode(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def _nearest_existing(folder: Path) -> Path:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _check_destination(path: Path) -> None:
    """One-line errors for a destination that cannot be written, before anything is written."""
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file path to write to")
    if path.exists() and not path.is_file():
        raise OutputError(
            f"{path}: {_describe(path.stat().st_mode)}; give the path of a regular file to write"
        )
    anchor = _nearest_existing(path.parent)
    if not anchor.is_dir():
        raise OutputError(f"{anchor}: is a file, so {path} cannot be created under it; choose another path")
    if not os.access(anchor, os.W_OK | os.X_OK):
        raise OutputError(f"{anchor}: not writable, so {path} cannot be written; choose another output path")


def _mkdirs(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(
            f"{folder}: a file is in the way of this folder; choose another output path"
        ) from None
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create this folder ({_why(exc)}); choose another path") from None


def atomic_write(path: str | Path, data: str | bytes) -> None:
    """Write through a temporary file in the same folder, then rename over ``path`` (text as UTF-8, line endings
    unchanged). An existing file keeps its permissions; a new one gets 0666 less the umask, as `cp` would give."""
    path = Path(path)
    _check_destination(path)
    _mkdirs(path.parent)
    try:
        handle, temp = tempfile.mkstemp(prefix=f"{STAGE_PREFIX}{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({_why(exc)}); choose another output path") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(_encode(data))
        mode = path.stat().st_mode & 0o7777 if path.exists() else new_file_mode()
        os.chmod(temp, mode)
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write ({_why(exc)}); choose another output path") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class StagedWriter:
    """Outputs written into hidden staging folders first; `commit` moves them all into place.

    A staging folder sits in the nearest existing folder above each destination (same filesystem, so the final
    moves are renames); nothing is created at a destination until every output has been written. If a move
    fails, the files already moved are put back, so the destinations end as they began.
    """

    def __init__(self) -> None:
        self._stages: dict[Path, Path] = {}  # anchor folder -> its staging folder
        self._files: dict[Path, Path] = {}  # destination -> staged copy

    def _stage_for(self, path: Path) -> Path:
        anchor = _nearest_existing(path.parent)
        if anchor not in self._stages:
            try:
                self._stages[anchor] = Path(
                    tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}{os.getpid()}-", dir=anchor)
                )
            except OSError as exc:
                raise OutputError(f"{path}: cannot write ({_why(exc)}); choose another output path") from None
        return self._stages[anchor]

    def write(self, path: str | Path, data: str | bytes) -> None:
        """Stage ``data`` for ``path`` (later writes to the same path replace earlier ones)."""
        path = Path(os.path.abspath(path))
        _check_destination(path)
        stage = self._stage_for(path)
        staged = self._files.get(path) or stage / f"{len(self._files)}{path.suffix}"
        try:
            with open(staged, "wb") as stream:
                stream.write(_encode(data))
            os.chmod(staged, path.stat().st_mode & 0o7777 if path.is_file() else new_file_mode())
        except OSError as exc:
            raise OutputError(f"{path}: cannot write ({_why(exc)}); choose another output path") from None
        self._files[path] = staged

    @property
    def paths(self) -> list[Path]:
        return list(self._files)

    def commit(self) -> None:
        """Move every staged file into place; on a failure, undo the moves already made and raise."""
        done: list[tuple[Path, Path | None]] = []  # destination, where its previous version was kept
        try:
            for path in self._files:
                _check_destination(path)
            for path, staged in self._files.items():
                _mkdirs(path.parent)
                previous = None
                if path.exists():
                    previous = staged.with_name(staged.name + ".previous")
                    os.replace(path, previous)
                done.append((path, previous))
                os.replace(staged, path)
        except BaseException as exc:
            for path, previous in reversed(done):
                with contextlib.suppress(OSError):
                    if previous is not None:
                        os.replace(previous, path)
                    else:
                        path.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                name = getattr(exc, "filename", None) or "an output"
                raise OutputError(f"{name}: cannot write ({_why(exc)}); nothing was changed") from None
            raise
        finally:
            self.discard()

    def discard(self) -> None:
        """Remove the staging folders and everything still in them."""
        for stage in self._stages.values():
            shutil.rmtree(stage, ignore_errors=True)
        self._stages.clear()
        self._files.clear()


@contextlib.contextmanager
def staged_folder_writer() -> Iterator[StagedWriter]:
    """Stage outputs inside the block and move them all into place when it ends without an error; any error
    discards every staged file, so the destinations are left unchanged and no temporary file remains.

        with staged_folder_writer() as stage:
            for path, text in outputs:
                stage.write(path, text)
            stage.write(report_path, report_json)
    """
    writer = StagedWriter()
    try:
        yield writer
    except BaseException:
        writer.discard()
        raise
    writer.commit()


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name the same file (symlinks and `..` resolved; False when either does not exist)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def refuse_overwriting_input(out: str | Path, inputs: Mapping[str, str | Path | None]) -> None:
    """A one-line error when the output path is one of the command's inputs (name -> path, e.g. "--old-target")."""
    for flag, path in inputs.items():
        if path is not None and (
            same_file(out, path) or Path(os.path.abspath(out)) == Path(os.path.abspath(path))
        ):
            raise InputError(f"{out}: is also the {flag} input; write to another path so the input is kept")
