"""The light runtime model: same vectors as sentence-transformers on the same runner, without importing it."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mcdewey import backends
from mcdewey.embeddings import model_location
from mcdewey.runtime_model import _layout, runtime_model, token_batches


def test_token_batches_keep_the_padded_size_in_budget():
    lengths = np.array([256, 250, 200, 120, 64, 30, 30, 12, 12, 3])
    batches = token_batches(lengths, tokens_per_batch=512, max_batch=4)
    covered = [i for b in batches for i in range(*b.indices(len(lengths)))]
    assert covered == list(range(len(lengths)))  # every text once, in order
    for b in batches:
        part = lengths[b]
        assert len(part) == 1 or len(part) * part.max() <= 512
        assert len(part) <= 4
    assert [b.stop - b.start for b in batches] == [2, 2, 4, 2]  # long texts in small batches, short ones in large


def _folder(tmp_path: Path, modules: list[str], pooling: dict, prompts: dict | None = None, lower=False) -> Path:
    root = tmp_path / "model"
    (root / "1_Pooling").mkdir(parents=True)
    (root / "modules.json").write_text(json.dumps(
        [{"idx": i, "name": str(i), "path": "" if i == 0 else f"{i}_{m}", "type": f"sentence_transformers.models.{m}"}
         for i, m in enumerate(modules)]))
    (root / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": 8, **pooling}))
    (root / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 64, "do_lower_case": lower}))
    (root / "config_sentence_transformers.json").write_text(json.dumps({"prompts": prompts or {}}))
    (root / "tokenizer.json").write_text("{}")
    return root


MEAN = {"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False}


def test_layouts_it_reproduces_and_those_it_leaves_to_sentence_transformers(tmp_path):
    assert _layout(_folder(tmp_path / "a", ["Transformer", "Pooling", "Normalize"], MEAN)) == (
        "mean", True, 8, 64, False)
    cls = {"pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}
    assert _layout(_folder(tmp_path / "b", ["Transformer", "Pooling"], cls))[:2] == ("cls", False)
    max_pool = {"pooling_mode_mean_tokens": False, "pooling_mode_max_tokens": True}
    assert _layout(_folder(tmp_path / "c", ["Transformer", "Pooling"], max_pool)) is None
    assert _layout(_folder(tmp_path / "d", ["Transformer", "Pooling", "Dense", "Normalize"], MEAN)) is None
    assert _layout(_folder(tmp_path / "e", ["Transformer", "Pooling"], MEAN, prompts={"query": "query: "})) is None
    assert runtime_model(_folder(tmp_path / "f", ["Transformer", "Pooling"], MEAN, lower=True), None, []) is None
    assert _layout(tmp_path / "missing") is None


def test_the_layout_sentence_transformers_6_saves(tmp_path):
    """A model `mcdewey tune` saved: pooling as one string, the sequence length in the tokenizer's config."""
    root = _folder(tmp_path, ["Transformer", "Pooling", "Normalize"], {})
    (root / "1_Pooling" / "config.json").write_text(json.dumps(
        {"embedding_dimension": 384, "pooling_mode": "mean", "include_prompt": True}))
    (root / "sentence_bert_config.json").write_text(json.dumps({"transformer_task": "feature-extraction"}))
    (root / "config_sentence_transformers.json").write_text(json.dumps({"prompts": {"document": "", "query": ""}}))
    (root / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": True, "model_max_length": 256}))
    assert _layout(root) == ("mean", True, 384, 256, False)
    (root / "tokenizer_config.json").write_text(json.dumps({"model_max_length": 1e30}))  # unset
    assert _layout(root)[3] == 512
    (root / "1_Pooling" / "config.json").write_text(json.dumps({"embedding_dimension": 384, "pooling_mode": "max"}))
    assert _layout(root) is None


TEXTS = ["How do I enable NAT keepalives?", "  leading and trailing spaces  ", "x",
         " ".join(["a long passage about SIP registration and dialog state"] * 60)]


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["onnx", "openvino"])
def test_runtime_model_matches_sentence_transformers_on_the_same_runner(tmp_path, monkeypatch, backend):
    if backend == "openvino":
        pytest.importorskip("openvino")
    light = backends.load_model(model_location(None), backend, tmp_path)
    assert type(light).__name__ == "RuntimeModel"
    monkeypatch.setenv("MCDEWEY_RUNTIME_MODEL", "0")
    full = backends.load_model(model_location(None), backend, tmp_path)
    assert type(full).__name__ == "SentenceTransformer"
    a = light.encode(TEXTS, batch_size=2)
    b = full.encode(TEXTS, batch_size=2, normalize_embeddings=True)
    assert a.shape == b.shape == (len(TEXTS), 384)
    assert np.sum(a * b, axis=1).min() > 0.9999


@pytest.mark.slow
def test_an_ingest_process_never_imports_sentence_transformers(tmp_path):
    """The ONNX build runs in a child process; the parent embeds with the light model only."""
    code = (
        "import sys; from pathlib import Path; from mcdewey.embeddings import SentenceTransformerEmbedder; "
        f"e = SentenceTransformerEmbedder(None, 'onnx', Path({str(tmp_path)!r})); "
        "v = e.embed_documents(['a passage', 'another one']); "
        "print(v.shape, 'sentence_transformers' in sys.modules, 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "(2, 384) False False"
    assert list(tmp_path.glob("*/onnx/model.onnx"))  # built (in the child) and cached


@pytest.mark.slow
def test_openvino_streams_give_the_same_vectors_in_order(tmp_path, monkeypatch):
    """MCDEWEY_OPENVINO_HINT=THROUGHPUT splits each batch across parallel infer requests."""
    pytest.importorskip("openvino")
    one = backends.load_model(model_location(None), "openvino", tmp_path).encode(TEXTS)
    monkeypatch.setenv("MCDEWEY_OPENVINO_HINT", "THROUGHPUT")
    streams = backends.load_model(model_location(None), "openvino", tmp_path)
    for texts, expected in ((TEXTS, one), (TEXTS[:1], one[:1])):
        got = streams.encode(texts)
        assert got.shape == expected.shape and np.sum(got * expected, axis=1).min() > 0.9999
