"""Growth of time and peak memory with input size (#16 point 6): segment, sync, align, review and evaluate on an
ordinary chapter and on the shapes that were quadratic or worse, from 10 KB up to 5 MB.

Run: .venv/bin/python benchmarks/growth.py [--min-kb 10] [--max-kb 5120] [--budget 60] [--repeats 3] [--only sync]

Each cell: median time of --repeats runs, peak memory of one run under tracemalloc. Where the code before #16
can still be run (the span expressions, uncapped word diff, sacrebleu's corpus_score), it is measured in the
same run and the ratio old/new printed. A measurement that took over --budget seconds stops that row (larger
sizes would only take longer). The ordinary chapter is a real d2l chapter repeated to size (a synthetic one
when ../shared/data is absent). Results: benchmarks/results/growth.md and growth.json.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import amts.align as align_module  # noqa: E402
import amts.align.features as features_module  # noqa: E402
import amts.markdown.document as document_module  # noqa: E402
import amts.review.diff as diff_module  # noqa: E402
import amts.sentences as sentences_module  # noqa: E402
from amts.align import align_documents  # noqa: E402
from amts.evaluate import evaluate  # noqa: E402
from amts.markdown import parse  # noqa: E402
from amts.review.diff import diff_html  # noqa: E402
from amts.sync.document import sync_document  # noqa: E402
from tests.legacy_scanners import OLD_FEATURES, OLD_SENTENCES, old_find_spans  # noqa: E402

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
RESULTS = Path(__file__).resolve().parent / "results"


# ---- the code before #16, to measure against -------------------------------------------------------------
@contextmanager
def old_code() -> Iterator[None]:
    """Swap the old expressions (and the uncapped diff) in for the duration of a measurement."""
    saved = (
        document_module.find_spans,
        sentences_module.plain_span_ranges,
        features_module.inline_span_ranges,
        diff_module.MAX_DIFF_TOKENS,
    )
    document_module.find_spans = old_find_spans
    sentences_module.plain_span_ranges = lambda text, **_: [m.span() for m in OLD_SENTENCES.finditer(text)]
    features_module.inline_span_ranges = lambda text: [m.span() for m in OLD_FEATURES.finditer(text)]
    diff_module.MAX_DIFF_TOKENS = 10**9
    try:
        yield
    finally:
        (
            document_module.find_spans,
            sentences_module.plain_span_ranges,
            features_module.inline_span_ranges,
            diff_module.MAX_DIFF_TOKENS,
        ) = saved


# ---- inputs ---------------------------------------------------------------------------------------------
def _ordinary_unit() -> str:
    chapter = DATA / "d2l" / "en" / "chapter_convolutional-neural-networks" / "pooling.md"
    if chapter.is_file():
        return chapter.read_text(encoding="utf-8") + "\n\n"
    return (
        "## Pooling\n\nPooling layers reduce `resolution` with $2 \\times 2$ windows, see :numref:`sec_x`.\n\n"
        "* max pooling\n* average pooling\n\n```python\nimport torch\n```\n\n"
    )


def _repeat(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def shapes() -> dict[str, Callable[[int], str]]:
    unit = _ordinary_unit()
    return {
        "ordinary chapter": lambda n: _repeat(unit, n),
        "backtick run": lambda n: "Intro words.\n\n" + "`" * n + "\n",
        "[a]( repeats": lambda n: "Intro words.\n\n" + "[a](" * (n // 4) + "\n",
        "huge table": lambda n: (
            "Intro words.\n\n| name | value |\n|---|---|\n"
            + "".join(f"| parameter {i} | value {7 * i} |\n" for i in range(n // 30))
        ),
        "one giant segment": lambda n: (
            "Intro words.\n\n" + _repeat("the layer and `code` $x$ reads ", n) + "\n"
        ),
    }


def _translated(text: str) -> str:
    """A stand-in Spanish translation of the same shape (enough to sync and align)."""
    for en, es in (
        ("the ", "el "),
        ("and ", "y "),
        ("Intro words", "Palabras iniciales"),
        ("value", "valor"),
    ):
        text = text.replace(en, es)
    return text


# ---- operations -----------------------------------------------------------------------------------------
def op_segment(text: str) -> Callable[[], object]:
    return lambda: parse(text)


def op_sync(text: str) -> Callable[[], object]:
    target = _translated(text)
    new = text + "\n\nA new closing paragraph.\n"
    return lambda: sync_document(text, new, target, "en", "es")


def op_align(text: str) -> Callable[[], object]:
    # the stand-in translation is mostly English: skip the language check, the cost measured is the alignment
    align_module.check_language = lambda *args, **kwargs: None
    en, es = parse(text), parse(_translated(text))
    return lambda: align_documents(en, es, "en", "es", "sentence")


def op_review(text: str) -> Callable[[], object]:
    new = text.replace("the ", "a ", max(1, len(text) // 400))
    return lambda: diff_html(text, new)


def op_evaluate(text: str) -> Callable[[], object]:
    folder = Path(tempfile.mkdtemp(prefix="amts-growth-"))
    lines = [line for line in text.splitlines() if line.strip()] or ["x"]
    (folder / "ref.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "hyp.txt").write_text("\n".join(_translated(line) for line in lines) + "\n", encoding="utf-8")
    return lambda: evaluate(folder / "hyp.txt", folder / "ref.txt", "en")


def op_evaluate_old(text: str) -> Callable[[], object]:
    """What evaluate did before #16: every line in memory, sacrebleu's corpus_score over all of them."""
    from sacrebleu.metrics import BLEU, CHRF

    lines = [line for line in text.splitlines() if line.strip()] or ["x"]
    folder = Path(tempfile.mkdtemp(prefix="amts-growth-"))
    (folder / "ref.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "hyp.txt").write_text("\n".join(_translated(line) for line in lines) + "\n", encoding="utf-8")

    def run() -> None:
        hyps = [line.rstrip() for line in open(folder / "hyp.txt", encoding="utf-8", newline="\n")]
        refs = [line.rstrip() for line in open(folder / "ref.txt", encoding="utf-8", newline="\n")]
        BLEU().corpus_score(hyps, [refs])
        CHRF().corpus_score(hyps, [refs])

    return run


OPERATIONS: dict[str, Callable[[str], Callable[[], object]]] = {
    "segment": op_segment,
    "sync": op_sync,
    "align": op_align,
    "review": op_review,
    "evaluate": op_evaluate,
}


# ---- measuring ------------------------------------------------------------------------------------------
def measure(run: Callable[[], object], repeats: int) -> tuple[float, int]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    try:
        run()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return statistics.median(times), peak


def exponent(sizes: list[int], times: list[float]) -> float | None:
    if len(sizes) < 2:
        return None
    xs, ys = [math.log(s) for s in sizes], [math.log(max(t, 1e-9)) for t in times]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def _measure_in_child(
    make_run, size: int, repeats: int, old: bool, budget: float
) -> tuple[float, int] | None:
    """Measure in a forked process killed after the budget: a backtracking expression cannot be interrupted
    from inside (the regex engine does not return to Python until it is done)."""
    queue: multiprocessing.Queue = multiprocessing.Queue()

    def child() -> None:
        try:
            if old:
                with old_code():
                    queue.put(measure(make_run(size), repeats))
            else:
                queue.put(measure(make_run(size), repeats))
        except Exception as exc:  # an input the code refuses: reported, the row stops
            print(f"  size {size}: {type(exc).__name__}: {exc}", file=sys.stderr)

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    process.join(budget * (repeats + 2))
    if process.is_alive():
        process.kill()
        process.join()
        return None
    return queue.get() if not queue.empty() else None


def run_row(make_run, sizes: list[int], repeats: int, budget: float, old: bool) -> list[dict]:
    cells = []
    for size in sizes:
        result = _measure_in_child(make_run, size, repeats, old, budget)
        if result is None:
            break  # over budget: larger sizes would take longer still
        seconds, peak = result
        cells.append({"size": size, "seconds": seconds, "peak_bytes": peak})
        if seconds > budget:
            break
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--min-kb", type=int, default=10)
    parser.add_argument("--max-kb", type=int, default=5120)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds a row may spend on one size")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated operations (default: all)")
    args = parser.parse_args()
    sizes = [s for s in (args.min_kb * 1024 * 4**i for i in range(8)) if s <= args.max_kb * 1024]
    if args.max_kb * 1024 not in sizes and args.max_kb * 1024 > sizes[-1]:
        sizes.append(args.max_kb * 1024)
    operations = [o for o in OPERATIONS if not args.only or o in args.only.split(",")]
    rows = []
    for shape, make_text in shapes().items():
        for op in operations:
            build = OPERATIONS[op]
            new = run_row(
                lambda n, b=build, m=make_text: b(m(n)), sizes, args.repeats, args.budget, old=False
            )
            if op == "evaluate":
                old = run_row(lambda n, m=make_text: op_evaluate_old(m(n)), sizes, 1, args.budget, old=False)
            elif op in ("segment", "sync", "align", "review"):
                old = run_row(lambda n, b=build, m=make_text: b(m(n)), sizes, 1, args.budget, old=True)
            else:
                old = []
            row: dict[str, Any] = {"shape": shape, "operation": op, "new": new, "old": old}
            row["exponent_new"] = exponent([c["size"] for c in new], [c["seconds"] for c in new])
            row["exponent_old"] = exponent([c["size"] for c in old], [c["seconds"] for c in old])
            rows.append(row)
            print(_line(row), flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "growth.json").write_text(json.dumps({"sizes": sizes, "rows": rows}, indent=1) + "\n")
    (RESULTS / "growth.md").write_text(_table(rows, sizes))
    print(f"wrote {RESULTS / 'growth.md'}")


def _fmt_cell(cell: dict | None) -> str:
    if cell is None:
        return "over budget"
    return f"{cell['seconds']:.3g} s / {cell['peak_bytes'] / 1e6:.3g} MB"


def _line(row: dict) -> str:
    if not row["new"]:
        return f"{row['shape']:18} {row['operation']:9} over budget or refused at the smallest size"
    last = row["new"][-1]
    exp = row["exponent_new"]
    text = f"{row['shape']:18} {row['operation']:9} up to {last['size'] // 1024} KB: {_fmt_cell(last)}"
    text += f", exponent {exp:.2f}" if exp is not None else ""
    if row["old"]:
        old_last = row["old"][-1]
        text += f" | old up to {old_last['size'] // 1024} KB: {_fmt_cell(old_last)}"
    return text


def _table(rows: list[dict], sizes: list[int]) -> str:
    head = (
        "| shape | operation | "
        + " | ".join(f"{s // 1024} KB" for s in sizes)
        + " | exponent | old/new at largest common size |"
    )
    lines = [
        "# Growth of time and peak memory (benchmarks/growth.py)",
        "",
        "Each cell: median time / peak traced memory (new code). Exponent: least-squares slope of log time over",
        "log size (1 = linear). Ratio: the code before #16 over the new one, at the largest size both finished.",
        "",
        head,
        "|" + "---|" * (len(sizes) + 4),
    ]
    for row in rows:
        by_size = {c["size"]: c for c in row["new"]}
        old_by_size = {c["size"]: c for c in row["old"]}
        common = [s for s in by_size if s in old_by_size]
        ratio = ""
        if common:
            s = max(common)
            ratio = (
                f"{old_by_size[s]['seconds'] / max(by_size[s]['seconds'], 1e-9):.2g}x time at {s // 1024} KB"
            )
            ratio += f", {old_by_size[s]['peak_bytes'] / max(by_size[s]['peak_bytes'], 1):.2g}x memory"
            if len(row["old"]) < len(row["new"]):
                ratio += f" (old stopped after {max(old_by_size) // 1024} KB: over budget)"
        cells = " | ".join(_fmt_cell(by_size.get(s)) if s in by_size else "over budget" for s in sizes)
        exp = row["exponent_new"]
        lines.append(
            f"| {row['shape']} | {row['operation']} | {cells} | {'' if exp is None else f'{exp:.2f}'} | {ratio} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
