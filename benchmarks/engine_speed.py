"""Throughput (characters/s) of the local engines on real masked segments of the Hugging Face course.

Baselines measured in the same run: the raw `apertium -u eng-spa` command on the same text as one
stream (what our batched engine adds on top of Apertium itself), and one Apertium process per segment
(what batching saves). Run: .venv/bin/python benchmarks/engine_speed.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from amts.engines import get_engine  # noqa: E402
from amts.engines.chain import ChainEngine  # noqa: E402
from amts.engines.memory import MemoryEngine  # noqa: E402
from amts.markdown import iter_markdown_files, load, mask  # noqa: E402
from amts.markdown.inline import has_translatable_text  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "hf-course-es"


def segments(lang: str) -> list[str]:
    texts = []
    for path in iter_markdown_files([DATA / lang]):
        for segment in load(path).segments:
            if has_translatable_text(segment.text, segment.spans):
                texts.append(mask(segment.text, segment.spans)[0])
    return texts


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"{DATA} is absent")
    texts = segments("en")
    chars = sum(len(t) for t in texts)
    print(f"{len(texts)} masked English segments, {chars} characters; median of {args.repeats} runs\n")
    rows = []

    def fresh_apertium():  # a new engine each run: no cache from a previous repeat
        return get_engine("apertium").translate(texts, "en", "es")

    # A memory of 400 entries none of the queries match: every look-up pays the full fuzzy search and the
    # chain sends every segment on to Apertium (the worst case for both).
    pairs = list(zip(segments("es")[:400], ["x"] * 400, strict=False))
    memory = MemoryEngine(pairs=pairs, threshold=90)
    queries = texts
    if shutil.which("apertium"):
        raw = "\n\n".join(" ".join(t.split()) for t in texts)
        rows.append(
            (
                "apertium command, one stream (baseline)",
                median_time(
                    lambda: subprocess.run(
                        ["apertium", "-u", "eng-spa"], input=raw, text=True, capture_output=True, check=True
                    ),
                    args.repeats,
                ),
            )
        )
        rows.append(("amts apertium engine (batched)", median_time(fresh_apertium, args.repeats)))
        sample = texts[:40]
        per_segment = median_time(
            lambda: [
                subprocess.run(["apertium", "-u", "eng-spa"], input=t, text=True, capture_output=True)
                for t in sample
            ],
            1,
        )
        rows.append(("apertium, one process a segment", per_segment * len(texts) / len(sample)))
        chain = ChainEngine(memory, get_engine("apertium"), terms={"tokenizer": "tokenizador"})
        rows.append(
            (
                "memory (all misses) + apertium + terms (chain)",
                median_time(
                    lambda: ChainEngine(memory, get_engine("apertium"), terms=chain.terms).translate(
                        texts, "en", "es"
                    ),
                    args.repeats,
                ),
            )
        )
    rows.append(
        ("pseudo", median_time(lambda: get_engine("pseudo").translate(texts, "en", "es"), args.repeats))
    )
    rows.append(
        (
            "memory (exact + fuzzy >= 90 over 400 entries, all misses)",
            median_time(lambda: memory.translate(queries, "en", "es"), args.repeats),
        )
    )
    baseline = rows[0][1]
    print(f"{'engine':56} {'seconds':>9} {'chars/s':>12} {'time vs baseline':>17}")
    for name, seconds in rows:
        print(f"{name:56} {seconds:9.3f} {chars / seconds:12,.0f} {seconds / baseline:16.2f}x")


if __name__ == "__main__":
    main()
