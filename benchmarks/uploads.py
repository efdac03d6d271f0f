"""Uploads as users make them (issue #13): the whole D2L book chapter by chapter, then the v0161 edition.

Run: .venv/bin/python benchmarks/uploads.py   (needs ../shared/data/d2l; zh only, the language with a
human translation)

Book: every translated D2L chapter (en v0.17.6 over zh v2.0.0 with its zh_origin English), except the five
chapters of the `sync/v0161-237f802b` event, which start at en v0.16.0 with the Chinese and origin of that
time. Round 1 puts every chapter as its own object through moto S3 -> EventBridge -> SQS -> the starter
(`amts local-run --uploads each`); round 2 puts the five v0.16.1 chapters the same way.

Measured: executions, translation jobs, parallel-data imports, characters sent and their cost at the
rate each job is billed (ACT when it names parallel data). Baseline (today's design, from the same run's
batch plans): one execution per uploaded object, each sending its chapter's segments without the MT cache
plus the held-out sample, priced as today's report does ($15 per million) and at the ACT rate it is
actually billed. It is derived, not run: 150 concurrent executions each aligning the whole book are what
the issue reports as failing (ConflictException, ConcurrentModificationException, the 5 TPS quota).

Also measured (point 4): exact matches between the job-form text of the book's unchanged sentences and
the parallel-data sources, raw markdown pairs (before) against pairs masked like the job input (now).
"""

from __future__ import annotations

import csv
import json
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from amts.localrun import LocalCloud, seed_book  # noqa: E402
from amts.localtrigger import UploadTrigger, round_summary  # noqa: E402
from amts.pipeline import pricing  # noqa: E402

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "d2l"
EVENT = DATA / "sync" / "v0161-237f802b"


def build_book(target: Path) -> tuple[list[str], list[str]]:
    """The book laid out like sample/ (en-new, zh, en = origin) and the v0161 edition's chapter paths."""
    event_paths = sorted(p.relative_to(EVENT / "en-new").as_posix() for p in (EVENT / "en-new").rglob("*.md"))
    paths = []
    with open(DATA / "pairs.tsv", encoding="utf-8") as table:
        for row in csv.DictReader(table, delimiter="\t"):
            files = (
                DATA / "en" / row["en_path"],
                DATA / "zh" / row["zh_path"],
                DATA / "zh_origin" / row["zh_origin_path"],
            )
            if row["kind"] == "meta" or not row["zh_origin_path"] or not all(f.is_file() for f in files):
                continue
            path = row["en_path"]
            if path in event_paths:  # the v0161 chapters start where that event started
                origin = EVENT / "zh-old-origin" / path.replace(".md", "_origin.md")
                files = (
                    EVENT / "en-old" / path,
                    EVENT / "zh-old" / path,
                    origin if origin.is_file() else EVENT / "en-old" / path,
                )
            for source, folder in zip(files, ("en-new", "zh", "en"), strict=True):
                (target / folder / path).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target / folder / path)
            paths.append(path)
    return paths, event_paths


def measured(cloud: LocalCloud, run: dict) -> dict:
    """What a round of the new design did, with its cost at the rate each job is billed."""
    jobs = [c for c in run["translate_calls"] if c["operation"] == "StartTextTranslationJob"]
    imports = [
        c for c in run["translate_calls"] if c["operation"] in ("CreateParallelData", "UpdateParallelData")
    ]
    standard = act = full = 0
    for execution in run["executions"]:
        report = json.loads(cloud.get(report_key(cloud, execution["arn"])) or b"{}")
        priced = report.get("pricing") or {}
        standard += priced.get("standard_chars", 0)
        act += priced.get("act_chars", 0)
        full += priced.get("full_retranslation_chars", 0)
    return {
        "executions": len(run["executions"]),
        "failed": sum(e["status"] != "SUCCEEDED" for e in run["executions"]),
        "jobs": len(jobs),
        "imports": len(imports),
        "chars": standard + act,
        "cost": pricing.cost_usd(standard, False) + pricing.cost_usd(act, True),
        "full_chars": full,
    }


def report_key(cloud: LocalCloud, arn: str) -> str:
    described = cloud.sfn.describe_execution(executionArn=arn)
    output = json.loads(described.get("output") or "{}")
    if not output.get("report_key"):
        sys.exit(f"execution {arn} {described['status']}: {described.get('error')} {described.get('cause')}")
    return output["report_key"]


def today(cloud: LocalCloud, run: dict, uploaded: int) -> dict:
    """Today's design for the same uploads: one execution per object, no cache, the held-out sample each time."""
    chars = held_out = 0
    for execution in run["executions"]:
        report = json.loads(cloud.get(report_key(cloud, execution["arn"])) or b"{}")
        plan = json.loads(cloud.get(f"work/runs/{report.get('run_id')}/zh/batch-plan.json") or b"{}")
        for chapter in (plan.get("chapters") or {}).values():
            chars += chapter.get("chars_full_retranslation", 0)
        held_out = max(held_out, sum(len(t) for t in (plan.get("evaluation") or {}).get("texts", [])))
    chars += uploaded * held_out
    return {
        "executions": uploaded,
        "jobs": uploaded,
        # every execution ensures the same parallel data: the first creates it, the others race that create
        "imports": f"1 + {uploaded - 1} racing" if uploaded > 1 else "1",
        "chars": chars,
        "cost_as_reported": pricing.cost_usd(chars, False),
        "cost": pricing.cost_usd(chars, True),
    }


def parallel_data_matches(book: Path, paths: list[str], cloud: LocalCloud) -> dict:
    """Exact matches ACT can find for the book's unchanged sentences: raw-markdown pairs vs job-form pairs."""
    from amts.markdown import parse
    from amts.pipeline.jobform import exact_matches, job_form_pairs, job_text
    from amts.pipeline.paralleldata import _pairs_for_chapter
    from amts.sentences import split_sentences

    raw, texts = [], []
    for path in paths:
        origin = (book / "en" / path).read_text(encoding="utf-8")
        current = (book / "en-new" / path).read_text(encoding="utf-8")
        raw += _pairs_for_chapter(
            origin, (book / "zh" / path).read_text(encoding="utf-8"), "en", "zh", "sentence"
        )
        old = {
            s
            for seg in parse(origin).segments
            if seg.kind == "paragraph"
            for s in split_sentences(seg.text, "en")
        }
        texts += [
            job_text(s)
            for seg in parse(current).segments
            if seg.kind == "paragraph"
            for s in split_sentences(seg.text, "en")
            if s in old
        ]
    masked, dropped = job_form_pairs(raw)
    return {
        "unchanged_sentences": len(texts),
        "raw_matches": exact_matches((s for s, _ in raw), texts),
        "masked_matches": exact_matches((s for s, _ in masked), texts),
        "pairs": len(raw),
        "dropped": dropped,
    }


def main() -> None:
    if not (DATA / "pairs.tsv").is_file() or not EVENT.is_dir():
        sys.exit(f"{DATA} is absent: this benchmark needs the shared D2L corpus")
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "book"
        paths, event_paths = build_book(book)
        started = time.perf_counter()
        with LocalCloud(languages=("zh",)) as cloud:
            seed_book(cloud, book, sources=False)
            trigger = UploadTrigger(cloud)
            rounds = []
            for folder, count in ((book / "en-new", len(paths)), (EVENT / "en-new", len(event_paths))):
                calls = len(cloud.translate.calls)
                trigger.upload_each(folder, "source/en/")
                run = round_summary(cloud, trigger.settle(), calls)
                rounds.append((folder, count, measured(cloud, run), today(cloud, run, count)))
            seconds = time.perf_counter() - started
            matches = parallel_data_matches(book, paths, cloud)
    print(
        f"D2L book, zh: {len(paths)} chapters uploaded one object at a time, then the v0161 edition "
        f"({len(event_paths)} chapters); both rounds in {seconds:.0f} s"
    )
    print()
    print(
        "| round | design | executions | failed | translation jobs | PD imports | chars to MT | est. cost |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for folder, count, new, old in rounds:
        name = "book" if folder.name == "en-new" and folder.parent.name == "book" else "v0161 edition"
        print(
            f"| {name} ({count} objects) | uploads path + MT cache | {new['executions']} | {new['failed']} | "
            f"{new['jobs']} | {new['imports']} | {new['chars']:,} | ${new['cost']:.2f} |"
        )
        print(
            f"| | today (one execution per object) | {old['executions']} | – | {old['jobs']} | {old['imports']} | "
            f"{old['chars']:,} | ${old['cost']:.2f} (reported ${old['cost_as_reported']:.2f}) |"
        )
        print(
            f"| | ratio today / now | {old['executions'] / max(new['executions'], 1):.0f}x | | | | "
            f"{old['chars'] / max(new['chars'], 1):.1f}x | |"
        )
    print()
    print(
        f"Parallel data in the job's form: of {matches['unchanged_sentences']:,} unchanged English sentences "
        f"(job-form text), {matches['raw_matches']:,} are an exact parallel-data source with raw-markdown pairs, "
        f"{matches['masked_matches']:,} with masked pairs ({matches['pairs']:,} aligned pairs, "
        f"{matches['dropped']} left out because the two sides protect different spans)."
    )


if __name__ == "__main__":
    main()
