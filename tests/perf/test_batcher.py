"""Micro-batching of concurrent calls (mcdewey.batcher) and its use for query embeddings."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from mcdewey.batcher import Batcher
from mcdewey.embeddings import FakeEmbedder, SentenceTransformerEmbedder


def _together(n: int, fn) -> list:
    """Run fn(i) in n threads released at the same moment; results in thread order (exceptions as values)."""
    barrier = threading.Barrier(n)
    out: list = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            out[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return out


class _Recording:
    """A batch function that records each call's items (and can be slow or fail)."""

    def __init__(self, embedder=None, delay: float = 0.0, fail: bool = False):
        self.embedder = embedder or FakeEmbedder()
        self.calls: list[list[str]] = []
        self.delay = delay
        self.fail = fail

    def __call__(self, items: list[str]) -> np.ndarray:
        self.calls.append(list(items))
        time.sleep(self.delay)
        if self.fail:
            raise RuntimeError("model exploded")
        return self.embedder.embed_queries(items)


def test_concurrent_callers_get_exactly_their_own_vectors_in_fewer_model_calls():
    fake = FakeEmbedder()
    fn = _Recording(fake)
    batcher = Batcher(fn, window=0.05)
    texts = [[f"query number {i}", f"another question {i} about routes"] for i in range(16)]
    out = _together(16, lambda i: batcher(texts[i]))
    for i, got in enumerate(out):
        assert np.array_equal(got, fake.embed_queries(texts[i])), i  # identical to the unbatched vectors
    assert sum(len(c) for c in fn.calls) == 32
    assert len(fn.calls) < 16  # at least some callers shared a model call
    assert batcher.batches == len(fn.calls) and batcher.items == 32


def test_a_lone_caller_waits_for_the_window_and_no_longer():
    fn = _Recording()
    batcher = Batcher(fn, window=0.08)
    start = time.perf_counter()
    batcher(["only me"])
    took = time.perf_counter() - start
    assert 0.07 <= took < 0.5
    assert fn.calls == [["only me"]]


def test_a_full_batch_does_not_wait_for_the_window():
    fn = _Recording()
    batcher = Batcher(fn, window=5.0, max_batch=4)
    start = time.perf_counter()
    out = _together(4, lambda i: batcher([f"q{i}"]))
    assert time.perf_counter() - start < 2.0
    assert all(isinstance(v, np.ndarray) and v.shape == (1, 384) for v in out)


def test_calls_arriving_while_the_model_is_busy_form_the_next_batch():
    fn = _Recording(delay=0.2)
    batcher = Batcher(fn, window=0.0)
    first = threading.Thread(target=batcher, args=(["first"],))
    first.start()
    time.sleep(0.05)  # the first batch is in the model now
    out = _together(6, lambda i: batcher([f"later {i}"]))
    first.join()
    assert fn.calls[0] == ["first"]
    assert sorted(x for c in fn.calls[1:] for x in c) == sorted(f"later {i}" for i in range(6))
    assert len(fn.calls) < 7  # the six waited together while the first batch ran
    assert all(v.shape == (1, 384) for v in out)


def test_an_error_reaches_every_caller_of_the_batch_and_the_next_batch_works():
    fn = _Recording(fail=True)
    batcher = Batcher(fn, window=0.05)
    out = _together(5, lambda i: batcher([f"q{i}"]))
    assert all(isinstance(e, RuntimeError) and "model exploded" in str(e) for e in out)
    fn.fail = False
    assert batcher(["after"]).shape == (1, 384)


def test_a_wrong_number_of_rows_is_an_error_not_a_mix_up():
    batcher = Batcher(lambda items: np.zeros((len(items) + 1, 3)), window=0.0)
    with pytest.raises(RuntimeError, match="2 rows for 1 items"):
        batcher(["x"])


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        Batcher(lambda items: items, window=-1)
    with pytest.raises(ValueError):
        Batcher(lambda items: items, max_batch=0)


class _StubModel:
    """Stands in for a sentence-transformers model: the fake embedder's vectors, calls recorded."""

    def __init__(self):
        self.fake = FakeEmbedder()
        self.calls: list[list[str]] = []
        self.prompts = {}

    def get_embedding_dimension(self) -> int:
        return 384

    def encode(self, texts, **kwargs):
        self.calls.append(list(texts))
        return self.fake.embed_queries(list(texts))


@pytest.fixture
def stub_embedder(monkeypatch):
    monkeypatch.setattr(SentenceTransformerEmbedder, "_load", lambda self, cache_dir: _StubModel())
    return SentenceTransformerEmbedder("some-model", backend="torch")


def test_the_embedder_batches_concurrent_queries_when_asked(stub_embedder):
    stub_embedder.batch_queries(0.05)
    queries = [f"how do I reset device {i}" for i in range(12)]
    out = _together(12, lambda i: stub_embedder.embed_queries([queries[i]]))
    expected = FakeEmbedder().embed_queries(queries)
    for i, got in enumerate(out):
        assert np.array_equal(got[0], expected[i])
    assert len(stub_embedder.model.calls) < 12
    again = stub_embedder.embed_queries(queries[:3])  # remembered: no model call
    assert np.array_equal(again, expected[:3]) and sum(map(len, stub_embedder.model.calls)) == 12


def test_without_batching_each_call_embeds_its_own_queries(stub_embedder):
    stub_embedder.batch_queries(0)
    out = _together(6, lambda i: stub_embedder.embed_queries([f"q{i}"]))
    assert sorted(map(tuple, stub_embedder.model.calls)) == [(f"q{i}",) for i in range(6)]
    assert all(v.shape == (1, 384) for v in out)


def test_a_remembered_query_does_not_wait_for_a_running_model_call(stub_embedder):
    slow = threading.Event()
    stub_embedder.embed_queries(["remembered"])
    encode = stub_embedder.model.encode

    def slow_encode(texts, **kwargs):
        slow.set()
        time.sleep(0.5)
        return encode(texts, **kwargs)

    stub_embedder.model.encode = slow_encode
    worker = threading.Thread(target=stub_embedder.embed_queries, args=(["new and slow"],))
    worker.start()
    slow.wait(5)
    start = time.perf_counter()
    stub_embedder.embed_queries(["remembered"])
    assert time.perf_counter() - start < 0.25
    worker.join()
