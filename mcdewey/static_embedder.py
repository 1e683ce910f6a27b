"""The fast experiment embedder: a static model distilled from the bundled model with model2vec.

`--model fast` (ingest, `eval grid`, `bench telequad`, `Lab(model="fast")` in the notebooks) selects it.
A static model keeps one vector per token of the bundled model's vocabulary (each token run through
all-MiniLM-L6-v2 once, reduced by PCA and SIF-weighted, model2vec's `distill`); a text's vector is the
mean of its tokens' vectors, so embedding costs a tokenizer pass and a table look-up instead of six
transformer layers. It tokenizes with the bundled model's own tokenizer and truncates at the same 256
tokens, so chunk boundaries and token counts are those of the full model.

The model is built on first use, offline from the bundled model's files, into the local model cache
(`mcdewey.paths.model_cache`, `<home>/cache/models/fast-...`), and reused from there. Its name in manifests,
`FAST_MODEL`, spells the source and the distillation settings, so an index records what it was built with
and search embeds queries with the same model.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

import numpy as np

FAST_ALIAS = "fast"
DISTILL_SETTINGS = {"pca_dims": 256, "sif_coefficient": 1e-4, "max_length": 256}
FAST_MODEL = "fast:model2vec(bundled:all-MiniLM-L6-v2,pca=256,sif=1e-4,max_length=256)"
FAST_BACKEND = "static"  # no runtime backend: a table look-up in numpy
BUILD_VERSION = 1  # bump when the build changes what lands in the folder


def is_fast(model: str | None) -> bool:
    return model in (FAST_ALIAS, FAST_MODEL)


def fast_model_dir(cache_dir: Path) -> Path:
    """The folder of the built model inside the model cache (named by the settings, so a change rebuilds)."""
    key = json.dumps([FAST_MODEL, DISTILL_SETTINGS, BUILD_VERSION], sort_keys=True)
    return Path(cache_dir) / f"fast-model2vec-{hashlib.sha1(key.encode()).hexdigest()[:10]}"


def distill_bundled(source: str, settings: dict):
    """model2vec's `distill` of the sentence-transformers model at `source` (a local folder; never downloads)."""
    try:
        from model2vec.distill import distill
    except ImportError as exc:  # model2vec or its distill dependencies missing
        raise RuntimeError(f"the fast embedder needs model2vec and skeletoken ({exc}); "
                           "install them with `pip install model2vec skeletoken` (`make setup` does)") from exc
    return distill(source, pca_dims=settings["pca_dims"], sif_coefficient=settings["sif_coefficient"],
                   device="cpu")


_BUILD_LOCK = threading.Lock()


def ensure_fast_model(cache_dir: Path, distiller: Callable | None = None,
                      log: Callable[[str], None] | None = None) -> Path:
    """The built model's folder, distilled now (once, with a message) when the cache does not hold it."""
    target = fast_model_dir(cache_dir)
    if (target / "build.json").exists():
        return target
    log = log or (lambda line: print(line, file=sys.stderr, flush=True))
    with _BUILD_LOCK:
        if (target / "build.json").exists():
            return target
        from mcdewey.embeddings import BUNDLED_MODEL, model_location

        source = model_location(BUNDLED_MODEL)
        log(f"building the fast embedder: distilling {BUNDLED_MODEL} with model2vec (once; a few minutes "
            f"on 2 busy cores, no download) into {target}")
        started = time.perf_counter()
        model = (distiller or distill_bundled)(source, DISTILL_SETTINGS)
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-fast-") as tmp:
            staging = Path(tmp) / "model"
            model.save_pretrained(str(staging))
            seconds = round(time.perf_counter() - started, 1)
            info = {"model": FAST_MODEL, "source": source, "settings": DISTILL_SETTINGS,
                    "build_version": BUILD_VERSION, "seconds": seconds}
            (staging / "build.json").write_text(json.dumps(info, indent=2))
            if target.exists():  # a half-built folder from an interrupted run
                shutil.rmtree(target)
            staging.rename(target)
        log(f"fast embedder built in {seconds} s: {target}")
    return target


def _normalize(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


class StaticEmbedder:
    """A model2vec static model: documents and queries embed the same way, L2-normalized float32."""

    def __init__(self, folder: Path, name: str = FAST_MODEL, batch_size: int = 1024):
        from model2vec import StaticModel

        self.folder = Path(folder)
        self.model_name = name
        self.backend = FAST_BACKEND
        self.name = f"{name}@{FAST_BACKEND}"
        self.batch_size = batch_size
        self.model = StaticModel.from_pretrained(str(self.folder), force_download=False)
        self.max_length = DISTILL_SETTINGS["max_length"]
        self.dim = int(self.model.dim)

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Single process: ingest and search call with batches, and the machine's cores belong to the pipeline.
        out = self.model.encode(list(texts), max_length=self.max_length, batch_size=self.batch_size,
                                use_multiprocessing=False, show_progress_bar=False)
        return _normalize(out)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)


def load_fast_embedder(cache_dir: Path | None = None) -> StaticEmbedder:
    """The fast embedder from the model cache (`cache_dir`, else the workspace's), built first if missing."""
    if cache_dir is None:
        from mcdewey.paths import model_cache

        cache_dir = model_cache()
    return StaticEmbedder(ensure_fast_model(Path(cache_dir)))
