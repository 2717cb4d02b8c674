"""Where a request is scored: on the event loop when the model is quick, else on a thread.

REST and gRPC (`grpc_api/`) share the event loop and one `Dispatch`. Scoring on the loop
saves the hop to a worker thread and back, and the fight for the GIL between that thread
and the loop reading the next requests: `pnpm bench` measured ~15% more 1-row and ~25% more
1000-row REST requests a second than always hopping. But while the loop scores, nothing else
on it answers, health probes included. So a request is scored there only
when this model's measured time for that many rows fits in `INLINE_BUDGET_MS` (default 20 ms);
a slower one goes to a worker thread, and health, metadata and metrics never wait behind it.

The time is measured, never assumed: after a (re)load, a model's first requests go to a
thread, and each scoring updates what the next decision uses (a refused request only when it
took longer than expected: refusing is quick whatever the model costs).

What a budget cannot bound: a probe may wait behind one quick scoring per caller with a
request ready (50 callers at 20 ms is a second, a probe's default timeout), and a model that
hangs part-way through a request of a size it used to score quickly stalls the loop, so
liveness fails and Kubernetes restarts the pod, as it would a hung process.
`INLINE_BUDGET_MS=0` scores every request on a thread.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from fastapi.concurrency import run_in_threadpool

T = TypeVar("T")

SMALL = 8
"""Requests of at most this many rows measure the fixed cost; larger ones the cost per row."""
WEIGHT = 0.2
"""How much a faster scoring moves an estimate down (an exponentially weighted average)."""


def _average(old: float | None, new: float, succeeded: bool) -> float | None:
    """Believe a slower time at once and a faster one slowly; a failure only ever raises it.

    A model that turns slow then stalls the loop for one request, and one slow outlier sends
    only the next few requests to a thread. A refused request is quick whatever the model
    costs, so refusals never make a model look quicker, nor measure one never yet scored.
    """
    if old is None:
        return new if succeeded else None
    if new > old:
        return new
    return old + WEIGHT * (new - old) if succeeded else old


@dataclass
class Estimate:
    """Seconds one model takes to score n rows: `fixed + per_row * n`, learnt from its requests."""

    fixed: float | None = None
    per_row: float | None = None

    def seconds(self, rows: int) -> float | None:
        """The expected time for `rows` rows, or None while there is nothing to go on."""
        if rows <= SMALL:
            return self.fixed
        if self.per_row is None:
            return None
        return (self.fixed or 0.0) + self.per_row * rows

    def record(self, rows: int, seconds: float, *, succeeded: bool = True) -> None:
        """Learn from one scoring of `rows` rows that took `seconds` (and raised, or not)."""
        if rows <= SMALL:
            self.fixed = _average(self.fixed, seconds, succeeded)
        else:
            per_row = max(seconds - (self.fixed or 0.0), 0.0) / rows
            self.per_row = _average(self.per_row, per_row, succeeded)


@dataclass
class Dispatch:
    """Runs scoring work under the scorer's lock, on the loop or on a thread (see above)."""

    lock: threading.Lock
    """The scorer's lock: one scoring at a time, REST or gRPC (`Scorer.lock`)."""
    budget: float
    """Seconds a request's scoring may take on the event loop; 0 never scores there."""
    estimate: Estimate = field(default_factory=Estimate)
    model: object = None
    """The model the estimate was learnt from; another (a reload) starts a new estimate."""

    async def run(self, model: object, rows: int, work: Callable[[], T]) -> T:
        """Return `work()`, run on the event loop or on a thread, under the lock, timed.

        `model` is the model that will score; None (none loaded, or the previous major) always
        goes to a thread. The loop never waits for the lock: while a thread scores, a thread
        waits.
        """
        if model is None:
            return await run_in_threadpool(self._locked, Estimate(), rows, work)
        if model is not self.model:
            self.estimate, self.model = Estimate(), model
        estimate = self.estimate  # this model's, whichever way the request goes
        seconds = estimate.seconds(rows)
        quick = seconds is not None and seconds <= self.budget
        if quick and self.lock.acquire(blocking=False):
            try:
                return self._timed(estimate, rows, work)
            finally:
                self.lock.release()
        return await run_in_threadpool(self._locked, estimate, rows, work)

    def _locked(self, estimate: Estimate, rows: int, work: Callable[[], T]) -> T:
        with self.lock:
            return self._timed(estimate, rows, work)

    @staticmethod
    def _timed(estimate: Estimate, rows: int, work: Callable[[], T]) -> T:
        started = time.perf_counter()
        try:
            result = work()
        except BaseException:
            estimate.record(rows, time.perf_counter() - started, succeeded=False)
            raise
        estimate.record(rows, time.perf_counter() - started)
        return result
