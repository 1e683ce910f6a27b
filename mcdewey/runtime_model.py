"""A sentence-transformers model run without sentence-transformers: its fast tokenizer, an ONNX / OpenVINO
runner and its pooling, in numpy.

Importing sentence-transformers costs about 500 MB of resident memory (torch, transformers and what they
pull in) before any model is loaded; an ingest that only runs a cached ONNX or OpenVINO model needs none
of it. For the models this module understands (a Transformer module, then mean or CLS pooling, then an
optional Normalize, with a ``tokenizer.json``), :func:`runtime_model` returns a :class:`RuntimeModel`
whose ``encode`` gives the same vectors as ``SentenceTransformer.encode`` on the same runner
(``tests/embedding/test_runtime_model.py`` checks cosine > 0.9999); any other model returns ``None`` and
is run by sentence-transformers as before.

Batches are formed by token count, not characters: the texts are tokenized first, sorted by their
number of tokens, and cut into batches of about ``TOKENS_PER_BATCH`` padded tokens, so short texts go
in large batches and long ones in small, and almost nothing is padding.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import numpy as np

TOKENS_PER_BATCH = 8192  # padded tokens per runner call (docs/performance.md, round two)
MAX_BATCH = 256


class RuntimeModel:
    """The subset of ``SentenceTransformer`` McDewey uses: ``encode``, ``prompts`` and the dimension."""

    def __init__(self, tokenizer, run: Callable[[dict], np.ndarray], inputs: list[str], pooling: str,
                 normalize: bool, dim: int, prompts: dict[str, str] | None = None):
        self.tokenizer = tokenizer
        self._run = run
        self._inputs = inputs
        self.pooling = pooling
        self.normalize = normalize
        self.dim = dim
        self.prompts = prompts or {}
        self.tokens_per_batch = TOKENS_PER_BATCH

    def get_sentence_embedding_dimension(self) -> int:
        return self.dim

    def encode(self, texts: list[str], prompt: str | None = None, batch_size: int | None = None,
               normalize_embeddings: bool = False, **_: object) -> np.ndarray:
        """L2-normalized (when the model normalizes) float32 vectors, in the order of ``texts``.

        ``batch_size`` is accepted for sentence-transformers' signature and ignored: batches hold up to
        ``TOKENS_PER_BATCH`` padded tokens (at most ``MAX_BATCH`` texts), measured faster than a fixed count
        (docs/performance.md, round two).
        """
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encodings = self.tokenizer.encode_batch([(prompt or "") + t.strip() for t in texts])
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(-lengths, kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for batch in token_batches(lengths[order], self.tokens_per_batch, MAX_BATCH):
            rows = order[batch]
            out[rows] = self._embed([encodings[i] for i in rows])
        if normalize_embeddings and not self.normalize:
            out /= np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-12, None)
        return out

    def _embed(self, encodings: list) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        feeds = {name: np.zeros((len(encodings), width), dtype=np.int64) for name in
                 ("input_ids", "attention_mask", "token_type_ids")}
        for row, enc in enumerate(encodings):
            n = len(enc.ids)
            feeds["input_ids"][row, :n] = enc.ids
            feeds["attention_mask"][row, :n] = 1
            feeds["token_type_ids"][row, :n] = enc.type_ids
        hidden = self._run({k: feeds[k] for k in self._inputs})
        if self.pooling == "cls":
            vectors = hidden[:, 0]
        else:
            mask = feeds["attention_mask"][..., None].astype(np.float32)
            vectors = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        if self.normalize:
            vectors = vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
        return vectors.astype(np.float32, copy=False)


def token_batches(sorted_lengths: np.ndarray, tokens_per_batch: int, max_batch: int) -> list[slice]:
    """Cut texts sorted longest first into slices whose padded size (rows × longest) stays in budget."""
    batches, start = [], 0
    while start < len(sorted_lengths):
        rows = max(1, min(max_batch, tokens_per_batch // max(int(sorted_lengths[start]), 1)))
        batches.append(slice(start, min(start + rows, len(sorted_lengths))))
        start += rows
    return batches


def runtime_model(model_dir: str | Path, run: Callable[[dict], np.ndarray], inputs: list[str]) -> RuntimeModel | None:
    """A :class:`RuntimeModel` for the sentence-transformers folder ``model_dir``, or None when its modules,
    pooling or prompts are not ones this module reproduces exactly (the caller then uses sentence-transformers)."""
    root = Path(model_dir)
    layout = _layout(root)
    if layout is None:
        return None
    pooling, normalize, dim, max_len, lower = layout
    if lower:
        return None  # sentence-transformers lower-cases before its tokenizer: not reproduced here
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(root / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=max_len)
    tokenizer.no_padding()
    return RuntimeModel(tokenizer, run, inputs, pooling, normalize, dim)


def _layout(root: Path) -> tuple[str, bool, int, int, bool] | None:
    """(pooling, normalize, dim, max_seq_length, do_lower_case) when the folder is a plain
    Transformer → Pooling(mean|cls) → [Normalize] model without prompts; else None."""
    try:
        modules = json.loads((root / "modules.json").read_text())
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
            return None
        if modules[0].get("path") or not (root / "tokenizer.json").exists():
            return None
        pool = json.loads((root / modules[1]["path"] / "config.json").read_text())
        bert = json.loads((root / "sentence_bert_config.json").read_text())
        st_config = root / "config_sentence_transformers.json"
        prompts = json.loads(st_config.read_text()).get("prompts") if st_config.exists() else None
    except (OSError, ValueError, KeyError, IndexError):
        return None
    # sentence-transformers < 6 writes one flag per pooling mode; 6 writes "pooling_mode": "mean" (a model
    # `mcdewey tune` saved) and keeps the sequence length in the tokenizer's config
    modes = [k for k, v in pool.items() if k.startswith("pooling_mode_") and v]
    mode = pool.get("pooling_mode") if isinstance(pool.get("pooling_mode"), str) else modes[0] if len(modes) == 1 else None
    pooling = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls", "mean": "mean", "cls": "cls"}.get(mode)
    dim = pool.get("word_embedding_dimension") or pool.get("embedding_dimension")
    if pooling is None or not dim or any(prompts.values() if isinstance(prompts, dict) else ()):
        return None
    return (pooling, kinds[-1] == "Normalize", int(dim),
            int(bert.get("max_seq_length") or _tokenizer_max_length(root) or 512), bool(bert.get("do_lower_case")))


def _tokenizer_max_length(root: Path) -> int | None:
    try:
        length = json.loads((root / "tokenizer_config.json").read_text()).get("model_max_length")
    except (OSError, ValueError):
        return None
    return int(length) if isinstance(length, (int, float)) and 0 < length < 100_000 else None  # 1e30: unset
