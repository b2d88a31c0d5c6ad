"""How the benchmarks time an action: the median of a few runs, so one slow run on a busy machine does not
decide a figure."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

RUNS = 5


def median_seconds(action: Callable[[], object], runs: int = RUNS) -> float:
    """The median wall time of `runs` calls of `action`, in seconds."""
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)
