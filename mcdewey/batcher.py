"""Micro-batching: calls that arrive within a few milliseconds of each other from different threads are
answered by one call of a batch function (one model call for many concurrent queries)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Request:
    items: list
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


class Batcher:
    """Gathers concurrent calls into one call of `fn` on all their items, in arrival order.

    The first caller of a batch (its leader) waits up to `window` seconds, or until `max_batch` items
    are pending, then waits until the previous batch has finished (`fn` runs one batch at a time), and
    only then takes everything pending: while the model is busy, the next batch keeps growing. Each caller
    gets exactly the rows of its own items; an exception raised by `fn` is raised to every caller of
    that batch. `fn` must return one row per item (a list or an array).
    """

    def __init__(self, fn: Callable[[list], Sequence], window: float = 0.003, max_batch: int = 64):
        if window < 0 or max_batch < 1:
            raise ValueError(f"window must be >= 0 and max_batch >= 1, got {window} and {max_batch}")
        self.fn = fn
        self.window = window
        self.max_batch = max_batch
        self._cond = threading.Condition()
        self._pending: list[_Request] = []
        self._leader_waiting = False
        self._run_lock = threading.Lock()  # one batch in `fn` at a time
        self.batches = 0  # calls of `fn` so far, and the items they held (for measurements and tests)
        self.items = 0

    def __call__(self, items: Sequence) -> Any:
        request = _Request(list(items))
        if not request.items:
            return self.fn([])
        with self._cond:
            self._pending.append(request)
            leader = not self._leader_waiting
            self._leader_waiting = True
            if self._pending_items() >= self.max_batch:
                self._cond.notify_all()
        if leader:
            self._lead()
        request.done.wait()
        if request.error is not None:
            raise request.error
        return request.result

    def _pending_items(self) -> int:
        return sum(len(r.items) for r in self._pending)

    def _lead(self) -> None:
        deadline = time.monotonic() + self.window
        with self._cond:
            while self._pending_items() < self.max_batch and (left := deadline - time.monotonic()) > 0:
                self._cond.wait(left)
        with self._run_lock:
            with self._cond:
                batch, self._pending = self._pending, []
                self._leader_waiting = False
            self._run(batch)

    def _run(self, batch: list[_Request]) -> None:
        try:
            rows = self.fn([item for r in batch for item in r.items])
            if len(rows) != sum(len(r.items) for r in batch):
                raise RuntimeError(f"batch function returned {len(rows)} rows for "
                                   f"{sum(len(r.items) for r in batch)} items")
            self.batches += 1
            self.items += len(rows)
            start = 0
            for r in batch:
                r.result = rows[start:start + len(r.items)]
                start += len(r.items)
        except BaseException as exc:  # every caller of the batch sees the failure, none waits forever
            for r in batch:
                r.error = exc
        finally:
            for r in batch:
                r.done.set()
