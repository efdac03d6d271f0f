"""Offline pipeline speed: the whole state machine in moto against the same sync work done directly.

Run: .venv/bin/python benchmarks/local_run.py [BOOK]   (BOOK laid out like sample/, default sample/)

Baseline (same run, same machine): every chapter x language synced in a plain loop with the same local
engine the fake Translate uses, no S3, no Step Functions. The ratio is the price of the orchestration
(moto S3, the interpreter, the in-process Lambdas, the batch-job round trip) for the offline demo; the
issue's budget for `make demo` is 3 minutes.
"""

from __future__ import annotations

import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from amts.localrun import BUCKET, LanguageRouter, LocalCloud, seed_book  # noqa: E402
from amts.pipeline.syncing import sync_chapter  # noqa: E402

REPEATS = 3
LANGS = ("zh", "es")


def direct(book: Path) -> float:
    engine = LanguageRouter()
    new = book / "en-new" if (book / "en-new").is_dir() else book / "en"
    start = time.perf_counter()
    for lang in LANGS:
        for path in sorted(new.rglob("*.md")):
            rel = path.relative_to(new)
            old_target = book / lang / rel
            origin = book / "en" / rel
            sync_chapter(rel.as_posix(), path.read_text(encoding="utf-8"),
                         origin.read_text(encoding="utf-8") if origin.exists() else None,
                         old_target.read_text(encoding="utf-8") if old_target.exists() else None,
                         "en", lang, engine)
    return time.perf_counter() - start


def orchestrated(book: Path) -> float:
    start = time.perf_counter()
    with LocalCloud(languages=LANGS) as cloud:
        seed_book(cloud, book)
        result = cloud.run({"bucket": BUCKET, "prefix": "source/en/"})
    if result["status"] != "SUCCEEDED":
        sys.exit(f"execution {result['status']}: {result.get('cause')}")
    return time.perf_counter() - start


def main() -> None:
    logging.disable(logging.WARNING)
    book = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "sample"
    chapters = len(list((book / "en-new" if (book / "en-new").is_dir() else book / "en").rglob("*.md")))
    base = statistics.median(direct(book) for _ in range(REPEATS))
    full = statistics.median(orchestrated(book) for _ in range(REPEATS))
    print(f"book: {book} ({chapters} chapters x {len(LANGS)} languages), median of {REPEATS}")
    print(f"direct sync loop (baseline): {base:8.2f} s")
    print(f"local state machine run:     {full:8.2f} s   ratio {full / base:5.1f}x   budget 180 s")


if __name__ == "__main__":
    main()
