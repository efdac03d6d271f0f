"""Writing files so that nothing is ever half-written: a reader sees the old file or the new one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def new_file_mode() -> int:
    """The mode a new file gets under the process umask (0644 under 022), read without changing it for long."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: str | Path, data: str | bytes) -> None:
    """Write through a temporary file in the same folder, then rename over ``path`` (text as UTF-8, unchanged
    line endings); an existing file keeps its permissions, a new one gets 0666 less the umask."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
        # mkstemp creates 0600; give what `cp` would: the existing file's mode, else 0666 less the umask.
        os.chmod(temp, path.stat().st_mode & 0o7777 if path.exists() else new_file_mode())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
