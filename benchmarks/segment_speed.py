"""Segmenting speed and round-trip fidelity on the whole shared corpus, next to d2lbook's own splitter.

Run: .venv/bin/python benchmarks/segment_speed.py   (needs ../shared/data; d2lbook 1.0.3 is installed
with --no-deps by `make bench`, or by hand: .venv/bin/pip install --no-deps d2lbook==1.0.3)

Baseline: d2lbook.markdown.split_markdown + split_text per markdown cell (what `d2lbook translate` uses),
and its join_markdown_cells/join_text for its round trip.
"""

from __future__ import annotations

import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from amts.markdown import comments, iter_markdown_files, parse, render  # noqa: E402

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
REPEATS = 5


def corpus() -> list[str]:
    roots = [DATA / "d2l", DATA / "hf-course-es"]
    missing = [str(r) for r in roots if not r.is_dir()]
    if missing:
        sys.exit(f"shared corpus missing: {', '.join(missing)}")
    return [p.read_bytes().decode("utf-8") for p in iter_markdown_files(roots)]


def median_seconds(fn, texts) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for text in texts:
            fn(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_seconds(texts) -> tuple[float, float]:
    """Medians of parse with and without the code-comment scan (amts.markdown.comments), runs interleaved."""
    with_scan, without_scan = [], []
    original = comments.find_comments
    for _ in range(REPEATS):
        for scan, times in ((original, with_scan), (lambda code, info: [], without_scan)):
            comments.find_comments = scan
            start = time.perf_counter()
            for text in texts:
                parse(text)
            times.append(time.perf_counter() - start)
    comments.find_comments = original
    return statistics.median(with_scan), statistics.median(without_scan)


def amts_roundtrips(texts) -> int:
    return sum(render(parse(t)) == t for t in texts)


def d2lbook_functions():
    try:
        from d2lbook import markdown as d2lmd
    except ImportError:
        return None
    logging.disable(logging.WARNING)  # split_text logs a warning per malformed paragraph

    def split(text):
        cells = d2lmd.split_markdown(text)
        for cell in cells:
            if cell["type"] == "markdown":
                try:
                    d2lmd.split_text(cell["source"])
                except Exception:  # d2lbook crashes on some cells; counted below
                    pass

    def roundtrip_and_crashes(texts):
        """Files that survive split_markdown -> split_text -> join_text -> join_markdown_cells unchanged."""
        identical = crashes = 0
        for text in texts:
            cells = d2lmd.split_markdown(text)
            ok = True
            for cell in cells:
                if cell["type"] == "markdown":
                    try:
                        cell["source"] = d2lmd.join_text(d2lmd.split_text(cell["source"]))
                    except Exception:
                        crashes += 1
                        ok = False
            identical += ok and d2lmd.join_markdown_cells(cells) == text
        return identical, crashes

    return split, roundtrip_and_crashes


def main() -> None:
    texts = corpus()
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"corpus: {len(texts)} files, {megabytes:.2f} MB (median of {REPEATS} runs each)")
    amts_s, without_s = interleaved_seconds(texts)
    print(
        f"amts.markdown.parse     {amts_s:6.3f} s  {megabytes / amts_s:6.2f} MB/s  "
        f"round trip {amts_roundtrips(texts)}/{len(texts)} identical"
    )
    print(
        f"  without code comments {without_s:6.3f} s  (comment scanning costs {amts_s / without_s:.2f}x the "
        "parse without it, same run)"
    )
    baseline = d2lbook_functions()
    if baseline is None:
        print("d2lbook not installed: pip install --no-deps d2lbook==1.0.3 for the baseline")
        return
    split, check = baseline
    d2l_s = median_seconds(split, texts)
    identical, crashes = check(texts)
    print(
        f"d2lbook 1.0.3 split     {d2l_s:6.3f} s  {megabytes / d2l_s:6.2f} MB/s  "
        f"round trip {identical}/{len(texts)} identical, split_text crashed on {crashes} cells"
    )
    print(f"ratio amts/d2lbook time: {amts_s / d2l_s:.2f}x")


if __name__ == "__main__":
    main()
