"""The Ray engine of `mcdewey ingest --engine ray`: read and chunk as Ray tasks, embed in a Ray Data actor pool.

Everything else is the single-process ingest of mcdewey.ingest: the same plan (only new and changed files),
the same embedding cache consulted in the driver (only misses go to the actors), the same writer and manifest,
rows appended in the same order. So the index is the same, and an interrupted run leaves the previous
version searchable, as the writer commits through the manifest only at the end.

- Reading and chunking: one Ray task per group of documents (`READ_GROUP`), all of a wave in flight at
  once; results are taken in plan order. Workers read the library by path: on a cluster it must be on a
  file system every node mounts at the same path.
- Embedding: `Dataset.map_batches(_EmbedActor, concurrency=N)`: each actor loads the model once, in its
  constructor; with GPUs in the cluster each actor takes one (`num_gpus=1`), else one CPU each.
- Ray is optional: this module imports it only when called (`pip install 'mcdewey[ray]'`).
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from pathlib import Path

import numpy as np

WAVE_DOCS = 2000  # documents read, embedded and written per wave: bounds the driver's memory
READ_GROUP = 8  # documents per read task: enough work per task to hide Ray's per-task cost
START_ATTEMPTS = 3


class RayStartError(RuntimeError):
    """Ray could not be started or reached."""


def _ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise ImportError("--engine ray needs Ray: pip install 'mcdewey[ray]'") from None
    return ray


def start(address: str | None = None, workers: int | None = None):
    """Connect to the cluster at `address`, or start a local Ray with `workers` CPUs (default: all cores)."""
    ray = _ray()
    for attempt in range(START_ATTEMPTS):
        if ray.is_initialized():
            break
        try:
            if address:
                ray.init(address=address, log_to_driver=False)
            else:  # local workers inherit this process's environment (PYTHONPATH, HF_HUB_OFFLINE, ...)
                ray.init(num_cpus=workers or os.cpu_count(), include_dashboard=False, log_to_driver=False)
        except Exception as exc:  # a raylet that did not come up in time on a loaded machine: try again
            ray.shutdown()
            if address or attempt == START_ATTEMPTS - 1:
                raise RayStartError(f"could not start Ray ({exc}); on a busy machine start it yourself with "
                                   "`ray start --head` and pass --ray-address") from exc
    ray.data.DataContext.get_current().enable_progress_bars = False
    return ray


def read_group(library: str, items: list[tuple], chunker) -> list[tuple]:
    """Read and chunk documents as ingest._produce does; one bad file never stops the others."""
    from mcdewey.library import ReadError, SkipFile, read_document

    out = []
    for doc_id, path, fp, fmt in items:
        try:
            doc = read_document(Path(library), Path(path), fmt=fmt)
            out.append((doc_id, fp, doc, chunker.chunk(doc), None))
        except SkipFile as exc:
            out.append((doc_id, fp, None, [], ("skipped", exc.reason)))
        except ReadError as exc:
            out.append((doc_id, fp, None, [], ("error", exc.reason)))
        except Exception as exc:
            out.append((doc_id, fp, None, [], ("error", f"{type(exc).__name__}: {exc}")))
    return out


class _EmbedActor:
    """One per actor in the pool: loads the model once, then embeds batch after batch."""

    def __init__(self, model: str, backend: str, cache_dir: str):
        from mcdewey.embeddings import get_embedder

        self.embedder = get_embedder(model, None if backend == "none" else backend, Path(cache_dir))

    def __call__(self, batch: dict) -> dict:
        vectors = self.embedder.embed_documents([str(t) for t in batch["text"]])
        return {"i": batch["i"], "vector": vectors}


class RayPoolEmbedder:
    """The `inner` embedder of ingest's CachedEmbedder: the texts the cache misses go through the actor pool."""

    def __init__(self, local, model: str, backend: str, cache_dir: Path, ray):
        self.local = local  # the driver's embedder: its name, dimension and prompts key the cache
        self.name, self.dim = local.name, local.dim
        self.model, self.backend, self.cache_dir = model, backend, str(cache_dir)
        self.ray = ray
        gpus = int(ray.cluster_resources().get("GPU", 0))
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.actors = gpus or max(1, cpus)
        self.num_gpus = 1 if gpus else 0

    def document_text(self, text: str) -> str:
        return getattr(self.local, "document_text", lambda t: t)(text)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        from mcdewey.ingest import EMBED_BATCH

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        items = [{"i": i, "text": t} for i, t in enumerate(texts)]
        ds = self.ray.data.from_items(items, override_num_blocks=max(1, min(len(items) // EMBED_BATCH, 64)))
        ds = ds.map_batches(_EmbedActor, fn_constructor_kwargs={"model": self.model, "backend": self.backend,
                                                                  "cache_dir": self.cache_dir},
                            batch_size=EMBED_BATCH, batch_format="numpy", concurrency=min(self.actors, ds.num_blocks()),
                            num_gpus=self.num_gpus or None, num_cpus=None if self.num_gpus else 1)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for batch in ds.iter_batches(batch_format="numpy", batch_size=None):
            out[np.asarray(batch["i"])] = np.stack(batch["vector"])
        return out

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.local.embed_queries(texts)


def run_ray_pipeline(library: Path, plan, chunker, embedder, writer, report, progress: bool,
                     config: dict, cache_dir: Path, address: str | None = None, workers: int | None = None) -> None:
    """ingest._run_pipeline on Ray: same records, same order of rows, same writer."""
    from mcdewey.ingest import WRITE_BATCH, _Bars, _record, _write

    ray = start(address, workers)
    embedder.inner = RayPoolEmbedder(embedder.inner, config["model"], config["backend"], cache_dir, ray)
    reader = ray.remote(read_group)
    chunker_ref = ray.put(chunker)
    bars = _Bars(len(plan.todo)) if progress else None
    with bars or nullcontext():
        for w in range(0, len(plan.todo), WAVE_DOCS):
            wave = [(d, str(p), fp, fmt) for d, p, fp, fmt in plan.todo[w:w + WAVE_DOCS]]
            refs = [reader.remote(str(library), wave[g:g + READ_GROUP], chunker_ref)
                    for g in range(0, len(wave), READ_GROUP)]
            chunks, docs = [], []
            for ref in refs:  # in plan order, so rows land in the order the single process writes them
                for rel, fp, doc, doc_chunks, problem in ray.get(ref):
                    _record(plan.files, report, rel, fp, doc, doc_chunks, problem)
                    if doc is not None:
                        docs.append((doc, fp))
                    chunks.extend(doc_chunks)
                    bars and bars.advance("read", 1, extra=len(doc_chunks))
            vectors = embedder.embed_documents([c.embed_text or c.text for c in chunks])
            bars and bars.advance("embedded", len(chunks))
            for s in range(0, max(len(chunks), 1), WRITE_BATCH):
                part = chunks[s:s + WRITE_BATCH]
                _write(writer, [(part, vectors[s:s + len(part)])] if part else [], docs if s == 0 else [],
                       report, bars)
