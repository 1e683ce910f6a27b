"""The fake embedder is honest, vectors are normalized, and the persistent cache saves model calls."""

import numpy as np

from mcdewey.embeddings import (
    BUNDLED_MODEL, CachedEmbedder, EmbeddingCache, FakeEmbedder, canonical_model, get_embedder,
)


def test_fake_embedder_is_deterministic_normalized_and_similarity_aware():
    emb = FakeEmbedder()
    texts = ["configure a BGP neighbor", "configure the BGP neighbor address", "echo cancellation on gateways", ""]
    a, b = emb.embed_documents(texts), FakeEmbedder().embed_documents(texts)
    assert a.dtype == np.float32 and a.shape == (4, 384)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, rtol=1e-5)
    assert a[0] @ a[1] > a[0] @ a[2] + 0.3


def test_get_embedder_is_cached_per_model_and_backend():
    assert get_embedder("fake") is get_embedder("fake", "onnx")  # the fake model has no backend
    assert get_embedder("fake").name == "fake"
    assert canonical_model(None) == canonical_model("all-MiniLM-L6-v2") == BUNDLED_MODEL
    assert canonical_model("BAAI/bge-small-en-v1.5") == "BAAI/bge-small-en-v1.5"


class CountingEmbedder(FakeEmbedder):
    def __init__(self):
        super().__init__()
        self.seen: list[str] = []

    def embed_documents(self, texts):
        self.seen.extend(texts)
        return super().embed_documents(texts)


def test_cache_returns_same_vectors_and_counts_hits(tmp_path):
    inner = CountingEmbedder()
    cache = EmbeddingCache(tmp_path / "e.sqlite")
    first = CachedEmbedder(inner, cache).embed_documents(["alpha beta", "gamma", "alpha beta"])
    assert inner.seen == ["alpha beta", "gamma"]  # a repeat inside one batch is embedded once
    cache.close()
    again = CachedEmbedder(inner, EmbeddingCache(tmp_path / "e.sqlite"))  # persisted across processes
    second = again.embed_documents(["gamma", "alpha beta", "delta"])
    assert inner.seen == ["alpha beta", "gamma", "delta"]
    assert (again.hits, again.misses) == (2, 1)
    np.testing.assert_array_equal(second[0], first[1])
    np.testing.assert_array_equal(second[1], first[0])


def test_cache_is_keyed_by_model_identity(tmp_path):
    cache = EmbeddingCache(tmp_path / "e.sqlite")
    a = CachedEmbedder(FakeEmbedder(), cache)
    a.embed_documents(["same text"])
    other = FakeEmbedder()
    other.name = "other-model@torch"
    b = CachedEmbedder(other, cache)
    b.embed_documents(["same text"])
    assert (b.hits, b.misses) == (0, 1)
