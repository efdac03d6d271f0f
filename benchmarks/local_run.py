"""Offline pipeline speed: the whole state machine in moto against the same sync work done directly.

Run: .venv/bin/python benchmarks/local_run.py [BOOK]   (BOOK laid out like sample/, default sample/)

With ../shared/data/d2l present it also runs the whole D2L book (every en/zh pair of pairs.tsv with its
zh_origin English, zh only) once: the distributed-Map path with more than a hundred chapters.

Baseline (same run, same machine): every chapter x language synced in a plain loop with the same local
engine the fake Translate uses, no S3, no Step Functions. The ratio is the price of the orchestration
(moto S3, the interpreter, the in-process Lambdas, the batch-job round trip) for the offline demo; the
issue's budget for `make demo` is 3 minutes.
"""

from __future__ import annotations

import csv
import logging
import shutil
import statistics
import tempfile
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from amts.localrun import BUCKET, LanguageRouter, LocalCloud, Template, seed_book  # noqa: E402
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
            sync_chapter(
                rel.as_posix(),
                path.read_text(encoding="utf-8"),
                origin.read_text(encoding="utf-8") if origin.exists() else None,
                old_target.read_text(encoding="utf-8") if old_target.exists() else None,
                "en",
                lang,
                engine,
            )
    return time.perf_counter() - start


def orchestrated(book: Path, template: Template) -> float:
    """The template's stack with IAM enforced (the template is synthesized once, outside the timing)."""
    start = time.perf_counter()
    with LocalCloud(template, languages=LANGS) as cloud:
        seed_book(cloud, book)
        result = cloud.run({"bucket": BUCKET, "prefix": "source/en/"})
    if result["status"] != "SUCCEEDED":
        sys.exit(f"execution {result['status']}: {result.get('cause')}")
    return time.perf_counter() - start


def d2l_book(target: Path) -> Path | None:
    """The shared D2L corpus laid out like sample/: en-new (current English), zh (human), en (zh's origin)."""
    data = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "d2l"
    if not (data / "pairs.tsv").is_file():
        return None
    with open(data / "pairs.tsv", encoding="utf-8") as table:
        for row in csv.DictReader(table, delimiter="\t"):
            files = (
                data / "en" / row["en_path"],
                data / "zh" / row["zh_path"],
                data / "zh_origin" / row["zh_origin_path"],
            )
            if row["kind"] == "meta" or not row["zh_origin_path"] or not all(f.is_file() for f in files):
                continue
            for source, folder in zip(files, ("en-new", "zh", "en"), strict=False):
                (target / folder / row["en_path"]).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target / folder / row["en_path"])
    return target


def whole_book(book: Path, template: Template) -> None:
    start = time.perf_counter()
    with LocalCloud(template, languages=("zh",)) as cloud:
        seed_book(cloud, book)
        result = cloud.run({"bucket": BUCKET, "prefix": "source/en/"}, timeout=1200)
        chapters = result["output"] and len(cloud.keys("output/zh/"))
    seconds = time.perf_counter() - start
    print(
        f"whole D2L book, zh: {chapters} chapters, execution {result['status']} in {seconds:.1f} s "
        f"(chapter map runs: {[run['itemCounts']['total'] for run in result['map_runs']]})"
    )


def main() -> None:
    logging.disable(logging.WARNING)
    book = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "sample"
    chapters = len(list((book / "en-new" if (book / "en-new").is_dir() else book / "en").rglob("*.md")))
    base = statistics.median(direct(book) for _ in range(REPEATS))
    started = time.perf_counter()
    template = Template.synthesize()
    synth = time.perf_counter() - started
    full = statistics.median(orchestrated(book, template) for _ in range(REPEATS))
    print(f"book: {book} ({chapters} chapters x {len(LANGS)} languages), median of {REPEATS}")
    print(f"direct sync loop (baseline): {base:8.2f} s")
    print(f"local state machine run:     {full:8.2f} s   ratio {full / base:5.1f}x   budget 180 s")
    print(f"in-process synth (once per `amts local-run` without --template): {synth:8.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        d2l = d2l_book(Path(tmp))
        if d2l is not None:
            whole_book(d2l, template)


if __name__ == "__main__":
    main()
