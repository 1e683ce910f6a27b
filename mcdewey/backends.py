"""Inference backends for sentence-transformers models: PyTorch, ONNX Runtime (fp32, int8) and OpenVINO.

The ONNX and OpenVINO models are built offline from the model's own weights the first time they are
asked for, then cached under ``<cache_dir>/<model-slug>/<backend>/`` so export and quantization happen once.

Why not sentence-transformers' ``backend="onnx"``: it needs optimum-onnx, which pins transformers<4.58,
while sentence-transformers 6 needs transformers>=5; optimum-intel would upgrade torch. So the export is
done here with ``torch.onnx.export`` (eager attention, so ONNX Runtime's BERT optimizer can fuse it),
quantized with ``onnxruntime.quantization.quantize_dynamic``, and run by a small module that takes the
place of the Hugging Face model inside an ordinary ``SentenceTransformer``: tokenization, pooling and
normalization stay sentence-transformers' own, so every backend embeds exactly the same way.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import re
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any, Callable

import numpy as np

# backend -> (python modules it needs, pip install hint)
_REQUIREMENTS: dict[str, tuple[tuple[str, ...], str]] = {
    "torch": (("torch",), "torch"),
    "onnx": (("onnxruntime", "onnx"), "onnxruntime onnx"),
    "onnx-int8": (("onnxruntime", "onnx"), "onnxruntime onnx"),
    # OpenVINO reads the fused ONNX file (its ONNX frontend knows ORT's com.microsoft fused ops).
    "openvino": (("openvino", "onnxruntime", "onnx"), "openvino onnxruntime onnx"),
    "openvino-bf16": (("openvino", "onnxruntime", "onnx"), "openvino onnxruntime onnx"),
}
BACKENDS = tuple(_REQUIREMENTS)
# Bump when the way a cached model is built changes, so old builds are not reused.
BUILD_VERSION = 1
ONNX_OPSET = 17


class BackendUnavailable(RuntimeError):
    """A backend's runtime package is not installed."""


def available_backends() -> list[str]:
    """Backends whose runtime packages are importable in this environment."""
    return [name for name, (mods, _) in _REQUIREMENTS.items() if all(_importable(m) for m in mods)]


def _importable(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def default_backend() -> str:
    """The fastest installed backend that keeps quality (docs/performance.md): OpenVINO bf16
    (itself f32 on CPUs without bf16), else ONNX Runtime int8, else PyTorch."""
    available = available_backends()
    return next(b for b in ("openvino-bf16", "onnx-int8", "torch") if b in available)


def cpu_has_vnni() -> bool:
    """True when the CPU has VNNI (AVX512-VNNI or AVX-VNNI) or is not x86 (no u8 x s8 saturation issue)."""
    import platform

    if platform.machine().lower() not in {"x86_64", "amd64", "i386", "i686"}:
        return True
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False  # unknown x86 CPU: assume the safe 7-bit weights
    return "avx512_vnni" in flags or "avx_vnni" in flags


def require(backend: str) -> None:
    """Raise a clear error when ``backend`` is unknown or its packages are missing."""
    if backend not in _REQUIREMENTS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    modules, hint = _REQUIREMENTS[backend]
    missing = [m for m in modules if not _importable(m)]
    if missing:
        raise BackendUnavailable(
            f"backend {backend!r} needs {', '.join(missing)}: install it with `pip install {hint}`"
        )


def default_threads() -> int | None:
    """Intra-op threads for the runtimes: MCDEWEY_THREADS, else the runtime's own default (physical cores)."""
    value = os.environ.get("MCDEWEY_THREADS")
    return int(value) if value else None


def load_model(model: str, backend: str, cache_dir: Path, threads: int | None = None):
    """``model`` (a name or local path) running on ``backend``: for ONNX / OpenVINO and a model folder of a
    plain layout, a :class:`mcdewey.runtime_model.RuntimeModel` (same vectors, no torch in this process);
    otherwise a ``SentenceTransformer``. Both answer ``encode``, ``prompts`` and the dimension."""
    require(backend)
    threads = threads if threads is not None else default_threads()
    if backend != "torch":
        light = _runtime_model(str(model), backend, Path(cache_dir), threads)
        if light is not None:
            return light
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(model), device="cpu", local_files_only=True)  # McDewey never downloads
    if backend == "torch":
        if threads:
            import torch

            torch.set_num_threads(threads)
        return st
    onnx_file = build_onnx(st, str(model), Path(cache_dir), quantize=backend == "onnx-int8")
    if backend.startswith("openvino"):
        runner = _openvino_runner(onnx_file, "bf16" if backend == "openvino-bf16" else "f32", threads)
    else:
        runner = _onnxruntime_runner(onnx_file, threads)
    transformer = st[0]
    transformer.model = _runtime_encoder_class()(runner, transformer.model.config, backend)
    transformer.backend = backend
    return st


def _runtime_model(model: str, backend: str, cache_dir: Path, threads: int | None):
    """The model as a light :class:`mcdewey.runtime_model.RuntimeModel` (no torch in this process), or None
    when it is not a local folder of a layout that module reproduces."""
    from mcdewey.runtime_model import runtime_model

    if not Path(model).is_dir() or os.environ.get("MCDEWEY_RUNTIME_MODEL") == "0":  # 0: the old path, to compare
        return None
    quantize = backend == "onnx-int8"
    onnx_file = cached_onnx(model, cache_dir, quantize) or _build_in_child(model, cache_dir, quantize)
    inputs = _build_info(onnx_file.parent).get("inputs") or ["input_ids", "attention_mask", "token_type_ids"]
    if backend.startswith("openvino"):
        runner = _openvino_runner(onnx_file, "bf16" if backend == "openvino-bf16" else "f32", threads)
    else:
        runner = _onnxruntime_runner(onnx_file, threads)
    return runtime_model(model, runner, inputs)


def cached_onnx(model: str, cache_dir: Path, quantize: bool) -> Path | None:
    """The ONNX file already built for ``model`` by this build version, or None."""
    folder = cache_dir / model_slug(model) / ("onnx-int8" if quantize else "onnx")
    info = _build_info(folder)
    reduce_range = quantize and not cpu_has_vnni()
    if (folder / "model.onnx").exists() and \
            (info.get("build_version"), info.get("reduce_range", False)) == (BUILD_VERSION, reduce_range):
        return folder / "model.onnx"
    return None


def _build_in_child(model: str, cache_dir: Path, quantize: bool) -> Path:
    """Build the ONNX file in a fresh process, so torch and sentence-transformers never load in this one."""
    import concurrent.futures
    import multiprocessing

    with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_build_onnx_for, model, cache_dir, quantize).result()


def _build_onnx_for(model: str, cache_dir: Path, quantize: bool) -> Path:
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(model, device="cpu", local_files_only=True)
    return build_onnx(st, model, cache_dir, quantize)


def model_slug(model: str) -> str:
    """A folder name for a model: readable tail plus a hash of where it comes from and its weights."""
    path = Path(model)
    identity = model
    if path.exists():
        weights = sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin"))
        identity = str(path.resolve()) + "".join(f"|{w.name}:{w.stat().st_size}" for w in weights)
        tail = "-".join(path.resolve().parts[-2:])
    else:
        tail = model
    readable = re.sub(r"[^A-Za-z0-9._-]+", "-", tail).strip("-")[-60:]
    return f"{readable}-{hashlib.sha1(identity.encode()).hexdigest()[:10]}"


def build_onnx(st: Any, model: str, cache_dir: Path, quantize: bool) -> Path:
    """The cached ONNX file for ``st`` (fused fp32, or dynamic int8), built now if missing."""
    folder = cache_dir / model_slug(model) / ("onnx-int8" if quantize else "onnx")
    target = folder / "model.onnx"
    # Without VNNI, x86 int8 kernels add u8 x s8 pairs in 16 bits and can saturate: use 7-bit weights there.
    reduce_range = quantize and not cpu_has_vnni()
    if cached_onnx(model, cache_dir, quantize):
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".build-") as tmp:
        staging = Path(tmp) / "out"
        staging.mkdir()
        raw = Path(tmp) / "raw.onnx"
        inputs = _export(st, model, raw)
        fused = _optimize(raw, Path(tmp) / "fused.onnx", st[0].model.config)
        if quantize:
            _quantize(fused, staging / "model.onnx", reduce_range)
        else:
            shutil.copyfile(fused, staging / "model.onnx")
        info = {"build_version": BUILD_VERSION, "model": model, "inputs": inputs, "quantized": quantize,
                "reduce_range": reduce_range, "opset": ONNX_OPSET}
        (staging / "build.json").write_text(json.dumps(info, indent=2))
        # Rename is atomic: a concurrent or interrupted build never leaves a half-written model behind.
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        folder.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(staging, folder)
        except OSError:  # another process finished the same build first
            if not target.exists():
                raise
    return target


def _build_info(folder: Path) -> dict:
    try:
        return json.loads((folder / "build.json").read_text())
    except (OSError, ValueError):
        return {}


def _export(st: Any, model: str, out: Path) -> list[str]:
    """Export the transformer with eager attention (fusable by ONNX Runtime); returns the input names."""
    import torch
    from transformers import AutoModel

    tokenizer = st[0].tokenizer
    hf = AutoModel.from_pretrained(_weights_location(st, model), attn_implementation="eager").eval()
    sample = tokenizer(["a short one", "a slightly longer sample sentence"], padding=True, return_tensors="pt")
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in sample]

    class _Wrapper(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module):
            super().__init__()
            self.inner = inner

        def forward(self, *args: torch.Tensor) -> torch.Tensor:
            return self.inner(**dict(zip(names, args))).last_hidden_state

    axes = {n: {0: "batch", 1: "sequence"} for n in [*names, "last_hidden_state"]}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer and deprecation warnings about the exporter, not about us
        # The TorchScript exporter needs no onnxscript and yields the graph ORT's BERT fusion expects.
        torch.onnx.export(_Wrapper(hf), tuple(sample[n] for n in names), str(out), input_names=names,
                          output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=ONNX_OPSET,
                          dynamo=False)
    return names


def _weights_location(st: Any, model: str) -> str:
    """Where the Hugging Face weights of the first module live (a model folder, or its name on the hub)."""
    path = Path(model)
    if path.exists():
        # sentence-transformers models keep the transformer in the root or in 0_Transformer/.
        sub = path / "0_Transformer"
        return str(sub if (sub / "config.json").exists() else path)
    return getattr(st[0].model, "name_or_path", None) or model


def _optimize(raw: Path, out: Path, config: Any) -> Path:
    """Fuse attention, layer norm and GELU with ONNX Runtime's transformer optimizer (BERT-like models)."""
    from onnxruntime.transformers import optimizer

    heads = int(getattr(config, "num_attention_heads", 0) or 0)
    hidden = int(getattr(config, "hidden_size", 0) or 0)
    model_type = "bert" if getattr(config, "model_type", "") in {"bert", "roberta", "xlm-roberta", "mpnet"} else None
    if model_type is None:
        return raw
    fused = optimizer.optimize_model(str(raw), model_type=model_type, num_heads=heads, hidden_size=hidden,
                                     opt_level=1, use_gpu=False)
    fused.save_model_to_file(str(out))
    return out


def _quantize(src: Path, out: Path, reduce_range: bool = False) -> None:
    """Dynamic int8: signed per-channel weights (VNNI u8 x s8 kernels), activations quantized at run time."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel keeps cosine to fp32 at ~0.994; per-tensor (optimum's avx512_vnni preset) drops to ~0.94.
    quantize_dynamic(str(src), str(out), weight_type=QuantType.QInt8, per_channel=True, reduce_range=reduce_range,
                     extra_options={"DefaultTensorType": 1})  # 1 = FLOAT, for outputs of fused contrib ops


def _onnxruntime_runner(onnx_file: Path, threads: int | None) -> Callable[[dict], np.ndarray]:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
    wanted = [i.name for i in session.get_inputs()]

    def run(feeds: dict) -> np.ndarray:
        return session.run(["last_hidden_state"], {k: feeds[k] for k in wanted})[0]

    return run


def import_openvino():
    """`openvino`, imported without its usage telemetry: on import it forks a process to send an event,
    which forks a process whose LanceDB runtime is already running (lancedb warns of deadlocks) and
    tries the network from a tool that works offline. The telemetry package's own switch is a file in
    the user's home, so the sender is turned off in this process only, before openvino first loads."""
    try:
        from openvino_telemetry.utils.sender import TelemetrySender
    except ImportError:  # openvino without its telemetry package
        pass
    else:  # every event, error and opt-in message goes through this one method
        TelemetrySender.send = lambda self, backend, message: None
    import openvino

    return openvino


def _openvino_runner(onnx_file: Path, precision: str, threads: int | None) -> Callable[[dict], np.ndarray]:
    ov = import_openvino()

    core = ov.Core()
    hint = os.environ.get("MCDEWEY_OPENVINO_HINT", "LATENCY").upper()
    config: dict[str, Any] = {"PERFORMANCE_HINT": hint, "INFERENCE_PRECISION_HINT": precision}
    if threads:
        config["INFERENCE_NUM_THREADS"] = threads
    if precision == "bf16" and "BF16" not in core.get_property("CPU", "OPTIMIZATION_CAPABILITIES"):
        config["INFERENCE_PRECISION_HINT"] = "f32"  # no native bf16 on this CPU: emulation would be slower
    compiled = core.compile_model(core.read_model(str(onnx_file)), "CPU", config)
    wanted = [p.get_any_name() for p in compiled.inputs]
    if hint == "THROUGHPUT":
        return _streams_runner(ov, compiled, wanted)
    request = compiled.create_infer_request()

    def run(feeds: dict) -> np.ndarray:
        return np.array(request.infer({k: feeds[k] for k in wanted})[compiled.output(0)], copy=True)

    return run


def _streams_runner(ov, compiled, wanted: list[str]) -> Callable[[dict], np.ndarray]:
    """MCDEWEY_OPENVINO_HINT=THROUGHPUT: each batch split across the compiled model's parallel infer
    requests (one CPU stream each), the parts joined in order."""
    queue = ov.AsyncInferQueue(compiled, compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
    parts: dict[int, np.ndarray] = {}
    queue.set_callback(lambda request, i: parts.__setitem__(i, np.array(request.get_output_tensor(0).data, copy=True)))

    def run(feeds: dict) -> np.ndarray:
        rows = len(feeds[wanted[0]])
        parts.clear()
        for i, part in enumerate(np.array_split(np.arange(rows), min(len(queue), max(rows, 1)))):
            queue.start_async({k: feeds[k][part] for k in wanted}, i)
        queue.wait_all()
        return np.concatenate([parts[i] for i in range(len(parts))])

    return run


@functools.cache
def _runtime_encoder_class() -> type:
    """Defined on first use so that importing this module does not import torch."""
    import torch
    from transformers.modeling_outputs import BaseModelOutput

    class RuntimeEncoder(torch.nn.Module):
        """Stands in for the Hugging Face model inside sentence-transformers' Transformer module."""

        def __init__(self, run: Callable[[dict], np.ndarray], config: Any, backend: str):
            super().__init__()
            self._run = run
            self.config = config
            self.backend = backend

        def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, **_: Any):
            feeds = {"input_ids": input_ids, "attention_mask": attention_mask,
                     "token_type_ids": token_type_ids if token_type_ids is not None else torch.zeros_like(input_ids)}
            arrays = {k: v.detach().cpu().numpy().astype(np.int64, copy=False) for k, v in feeds.items()}
            return BaseModelOutput(last_hidden_state=torch.from_numpy(self._run(arrays)))

    return RuntimeEncoder
