"""Growth checks: run a function on doubling sizes and fit the exponent of time (and memory) against size.

Timing tests are usually flaky; these use sizes where one run takes milliseconds to a second, take the best
of a few repeats, and allow an exponent up to 1.3 where the old code was 2 or 3, so noise cannot flip them.
"""

from __future__ import annotations

import gc
import math
import time
import tracemalloc
from collections.abc import Callable


def fit_exponent(sizes: list[int], values: list[float]) -> float:
    """Slope of log(value) over log(size): the median of the slopes between every two sizes (Theil-Sen), so
    one point slowed by a neighbour on the shared machine cannot make linear code look quadratic."""
    points = [(math.log(s), math.log(max(v, 1e-9))) for s, v in zip(sizes, values, strict=True)]
    slopes = sorted(
        (y2 - y1) / (x2 - x1) for i, (x1, y1) in enumerate(points) for x2, y2 in points[i + 1 :] if x2 != x1
    )
    middle = len(slopes) // 2
    return slopes[middle] if len(slopes) % 2 else (slopes[middle - 1] + slopes[middle]) / 2


def best_time(run: Callable[[], object], repeats: int = 2) -> float:
    best = math.inf
    for _ in range(repeats):
        gc.collect()
        gc.disable()  # a collection landing in one run would look like growth
        try:
            start = time.perf_counter()
            run()
            best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
    return best


def peak_memory(run: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def assert_linear(
    run: Callable[[int], object],
    start: int,
    steps: int = 4,
    label: str = "",
    max_exponent: float = 1.3,
    memory: bool = False,
) -> tuple[float, float | None]:
    """Time (and optionally peak memory) of ``run(n)`` for n = start, 2*start, ...; both must fit n^<=1.3."""
    # grow the smallest size until one run takes 20 ms: below that, timer noise and CPU caches dominate
    first = start
    while start < 64 * first and best_time(lambda n=start: run(n), repeats=2) < 0.02:
        start *= 2
    sizes = [start * 2**i for i in range(steps)]
    times = [best_time(lambda n=n: run(n)) for n in sizes]
    time_exp = fit_exponent(sizes, times)
    for _ in range(3):  # the machine is shared: measure again (keeping the best) before calling it growth
        if time_exp < max_exponent:
            break
        times = [min(t, best_time(lambda n=n: run(n))) for n, t in zip(sizes, times, strict=True)]
        # the smallest size is the one timer noise distorts most: the larger sizes alone may show the growth
        time_exp = min(fit_exponent(sizes, times), fit_exponent(sizes[1:], times[1:]))
    # small runs are dominated by constant costs: a tiny total cannot show growth either way
    if sum(times) > 0.02:
        assert time_exp < max_exponent, f"{label}: time grows as n^{time_exp:.2f} ({sizes}: {times})"
    mem_exp = None
    if memory:
        peaks = [float(peak_memory(lambda n=n: run(n))) for n in sizes]
        mem_exp = fit_exponent(sizes, peaks)
        assert mem_exp < max_exponent, f"{label}: memory grows as n^{mem_exp:.2f} ({sizes}: {peaks})"
    return time_exp, mem_exp
