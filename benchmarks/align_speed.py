"""Time to align the whole D2L book (every zh_origin <-> zh chapter pair, sentence beads).

Prints the median of --repeat runs for: parsing only (the floor), `amts align` (block + sentence
alignment), and the nltk Gale-Church sentence aligner inside the same blocks as a baseline, with ratios.
The acceptance target is <= 10 s for the whole book on 2 cores. CPU time is printed too: on a machine
shared with other jobs it is the figure that does not depend on the load.
Usage: .venv/bin/python benchmarks/align_speed.py [--data ../shared/data/d2l] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from align_quality import gale_church_aligner  # noqa: E402

from amts.align import align_documents  # noqa: E402
from amts.errors import AlignmentError  # noqa: E402
from amts.markdown import load  # noqa: E402


def book_pairs(data: Path) -> list[tuple[Path, Path]]:
    rows = csv.DictReader(open(data / "pairs.tsv", encoding="utf-8"), delimiter="\t")
    return [
        (data / "zh_origin" / r["zh_origin_path"], data / "zh" / r["zh_path"])
        for r in rows
        if r["kind"] != "meta" and r["zh_origin_path"]
    ]


def run(pairs, mode: str) -> tuple[float, float, int]:
    start, cpu_start = time.perf_counter(), time.process_time()
    beads = 0
    for source, target in pairs:
        src, tgt = load(source), load(target)
        if mode == "parse":
            continue
        try:
            if mode == "amts":
                beads += len(align_documents(src, tgt, "en", "zh"))
            else:
                beads += len(align_documents(src, tgt, "en", "zh", sentence_aligner=gale_church_aligner))
        except AlignmentError:
            pass
    return time.perf_counter() - start, time.process_time() - cpu_start, beads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "d2l")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pairs = book_pairs(args.data)
    results = {}
    for mode in ("parse", "amts", "gale-church"):
        times, cpu_times, beads = [], [], 0
        for _ in range(args.repeat):
            elapsed, cpu, beads = run(pairs, mode)
            times.append(elapsed)
            cpu_times.append(cpu)
        results[mode] = statistics.median(times)
        print(
            f"{mode:12} median {results[mode]:6.2f} s wall, {statistics.median(cpu_times):6.2f} s CPU "
            f"over {args.repeat} runs, {len(pairs)} chapter pairs, {beads} beads"
        )
    print(
        f"amts align whole book: {results['amts']:.2f} s (target <= 10 s); "
        f"x{results['amts'] / results['gale-church']:.2f} the time of nltk Gale-Church in the same blocks; "
        f"parsing alone is {results['parse'] / results['amts']:.0%} of it"
    )


if __name__ == "__main__":
    main()
