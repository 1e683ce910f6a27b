"""A tuned embedder: fine-tune a sentence-transformers model on a library's own pairs, keep it in the workspace.

`tune()` mines pairs (mcdewey.pairs), refuses any that contain evaluation text, trains with
MultipleNegativesRankingLoss through sentence-transformers' own trainer (CPU, or CUDA when present) and
writes `<home>/models/<NAME>/` with a card (`mcdewey-card.json` + `mcdewey-card.md`). A bare NAME given as
`--model` anywhere resolves to that folder (`tuned_location`), offline; the manifest records the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mcdewey import paths
from mcdewey.pairs import EvalGuard, Pair, count_kinds, mine_pairs, select_pairs

CARD_JSON = "mcdewey-card.json"
CARD_MD = "mcdewey-card.md"
MODELS_DIR = "models"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_RESERVED = {"fake", "default", "bundled", "all-MiniLM-L6-v2"}


class TuneError(ValueError):
    """A tune that cannot start or finish; the message says what to change."""


@dataclass(frozen=True)
class TuneOptions:
    """How big a run is: pairs, epochs, steps, batch, learning rate, device."""

    max_pairs: int | None = 8000
    epochs: float = 1.0
    max_steps: int | None = None
    batch_size: int = 32
    learning_rate: float = 5e-5
    warmup_ratio: float = 0.1
    max_seq_length: int = 256
    seed: int = 0
    device: str | None = None  # None: cuda when available, else cpu


@dataclass
class TuneCard:
    """What a tuned model was made from and how: written next to the weights, read back by `load_card`."""

    name: str
    base_model: str
    library: str
    pairs: dict[str, int]
    pairs_mined: dict[str, int]
    pairs_dropped_eval: int
    eval_sources: list[str]
    options: dict
    device: str
    steps: int
    train_seconds: float
    mine_seconds: float
    final_loss: float | None
    mean_loss: float | None
    fingerprint: str = ""
    created_at: str = ""
    losses: list[tuple[int, float]] = field(default_factory=list)


# ---- where tuned models live -------------------------------------------------------------------------

def models_dir(home: Path | str | None = None) -> Path:
    return Path(paths.home(home)) / MODELS_DIR


def tuned_location(model: str | None, home: Path | str | None = None) -> str | None:
    """The folder of tuned model `model` (a bare name) in the workspace, or None when it is not one."""
    if not model or "/" in model or os.sep in model or not _NAME_RE.match(model):
        return None
    try:
        folder = models_dir(home) / model
    except Exception:  # a home on object storage holds no local model folders
        return None
    return str(folder.resolve()) if (folder / CARD_JSON).is_file() else None


def tuned_tag(location: str) -> str:
    """`#<fingerprint>` for a tuned model folder (so caches never mix two tunes saved at one path), else ""."""
    card = Path(location) / CARD_JSON
    if not card.is_file():
        return ""
    try:
        return "#" + json.loads(card.read_text())["fingerprint"][:12]
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def load_card(folder: Path | str) -> TuneCard:
    data = json.loads((Path(folder) / CARD_JSON).read_text())
    data["losses"] = [tuple(x) for x in data.get("losses", [])]
    return TuneCard(**data)


def check_name(name: str, home: Path | str | None = None) -> Path:
    """The folder NAME will be written to; raises TuneError for a bad or taken name."""
    if not _NAME_RE.match(name) or name in _RESERVED:
        raise TuneError(f"--to {name!r}: use letters, digits, '.', '_' or '-' (not a reserved name like 'fake')")
    folder = models_dir(home) / name
    if folder.exists():
        raise TuneError(f"{folder} already exists: choose another --to NAME or delete that folder first")
    return folder


# ---- mining and training -----------------------------------------------------------------------------

def library_pairs(library: Path, progress: bool = False) -> list[Pair]:
    """Every pair of the library, read with McDewey's own readers."""
    from mcdewey.library import iter_documents

    return mine_pairs(iter_documents(Path(library), progress=progress))


def pick_device(device: str | None) -> str:
    if device:
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def tune(library: Path, name: str, base: str | None = None, options: TuneOptions = TuneOptions(),
         guard: EvalGuard | None = None, home: Path | str | None = None, progress=None) -> TuneCard:
    """Mine, guard, train and save tuned model NAME; returns its card. `progress(step, total, loss)` is called."""
    from mcdewey.embeddings import canonical_model, model_location

    folder = check_name(name, home)
    guard = guard or EvalGuard([])
    started = time.perf_counter()
    mined = library_pairs(library, progress=progress is not None)
    kept, dropped = guard.drop(mined)
    chosen = select_pairs(kept, options.max_pairs, options.seed)
    if not chosen:
        raise TuneError(f"{library}: no training pairs found (no headed sections or definitions in its documents)")
    guard.check(chosen)  # the loud last check: nothing that reaches the trainer holds evaluation text
    mine_seconds = time.perf_counter() - started
    card = TuneCard(
        name=name, base_model=canonical_model(base), library=str(library), pairs=count_kinds(chosen),
        pairs_mined=count_kinds(mined), pairs_dropped_eval=len(dropped), eval_sources=guard.sources,
        options=asdict(options), device=pick_device(options.device), steps=0, train_seconds=0.0,
        mine_seconds=round(mine_seconds, 1), final_loss=None, mean_loss=None)
    train_pairs(model_location(card.base_model), chosen, options, card, folder, progress)  # a tuned NAME too
    return card


def train_pairs(location: str, pairs: list[Pair], options: TuneOptions, card: TuneCard, folder: Path,
                progress=None) -> None:
    """Train `location` on `pairs` and write the model and `card` to `folder` (atomically)."""
    from datasets import Dataset
    from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer
    from sentence_transformers.losses import MultipleNegativesRankingLoss

    model = SentenceTransformer(location, device=card.device, local_files_only=True)
    model.max_seq_length = options.max_seq_length
    data = Dataset.from_dict({"anchor": [p.anchor for p in pairs], "positive": [p.positive for p in pairs]})
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=f".tune-{card.name}-") as tmp:
        trainer = SentenceTransformerTrainer(
            model=model, args=_arguments(options, card.device, Path(tmp) / "trainer"), train_dataset=data,
            loss=MultipleNegativesRankingLoss(model), callbacks=[_progress_callback(card, progress)])
        from transformers.trainer_callback import PrinterCallback

        trainer.remove_callback(PrinterCallback)  # the progress bar shows the loss; no dict per step on stdout
        started = time.perf_counter()
        output = trainer.train()
        card.train_seconds = round(time.perf_counter() - started, 1)
        card.steps = int(output.global_step)
        card.mean_loss = round(float(output.training_loss), 4)
        card.final_loss = card.losses[-1][1] if card.losses else card.mean_loss
        staging = Path(tmp) / "model"
        model.save(str(staging))
        card.fingerprint = _fingerprint(staging)
        card.created_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        write_card(card, staging)
        os.replace(staging, folder)
    _forget_builds(folder)


def _arguments(options: TuneOptions, device: str, out: Path):
    from sentence_transformers import SentenceTransformerTrainingArguments
    from sentence_transformers.training_args import BatchSamplers

    return SentenceTransformerTrainingArguments(
        output_dir=str(out), num_train_epochs=options.epochs, max_steps=options.max_steps or -1,
        per_device_train_batch_size=options.batch_size, learning_rate=options.learning_rate,
        # transformers 5 takes the warm-up ratio as a float warmup_steps
        warmup_steps=options.warmup_ratio, seed=options.seed, data_seed=options.seed,
        batch_sampler=BatchSamplers.NO_DUPLICATES,  # a repeated text would be its own in-batch negative
        use_cpu=device == "cpu", save_strategy="no", logging_steps=1, report_to="none",
        disable_tqdm=True, dataloader_num_workers=0)


def _progress_callback(card: TuneCard, progress):
    """A TrainerCallback that feeds each logged loss to the card and to the caller's progress function."""
    from transformers import TrainerCallback

    class Progress(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "loss" in logs:
                card.losses.append((int(state.global_step), round(float(logs["loss"]), 4)))
                if progress:
                    progress(int(state.global_step), int(state.max_steps), float(logs["loss"]))

    return Progress()


def _fingerprint(folder: Path) -> str:
    digest = hashlib.sha1()
    for weights in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
        with open(weights, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _forget_builds(folder: Path) -> None:
    """Drop ONNX/OpenVINO builds cached for this path (a tune saved again at the same path is new weights)."""
    from mcdewey.backends import model_slug

    try:
        cache = paths.model_cache(folder.parent.parent)
    except Exception:
        return
    shutil.rmtree(cache / model_slug(str(folder)), ignore_errors=True)


# ---- the card ----------------------------------------------------------------------------------------

def write_card(card: TuneCard, folder: Path) -> None:
    """`mcdewey-card.json` (read back by load_card) and `mcdewey-card.md` (for people)."""
    (folder / CARD_JSON).write_text(json.dumps(asdict(card), indent=2) + "\n")
    (folder / CARD_MD).write_text(card_markdown(card))


def card_markdown(card: TuneCard) -> str:
    rows = "\n".join(f"| {k} | {card.pairs_mined.get(k, 0)} | {v} |" for k, v in card.pairs.items())
    o = card.options
    return f"""# Tuned embedder `{card.name}`

Fine-tuned from `{card.base_model}` by `mcdewey tune` on pairs mined from `{card.library}` without labels,
with MultipleNegativesRankingLoss (sentence-transformers' trainer) on {card.device}.

| kind | mined | trained on |
|---|---|---|
{rows}

- pairs dropped because they contain evaluation text: {card.pairs_dropped_eval}
  (sets checked: {", ".join(card.eval_sources) or "none given"})
- steps: {card.steps} (batch {o["batch_size"]}, epochs {o["epochs"]}, max steps {o["max_steps"]},
  learning rate {o["learning_rate"]}, max sequence length {o["max_seq_length"]})
- training time: {card.train_seconds / 60:.1f} min (mining {card.mine_seconds / 60:.1f} min)
- loss: final {card.final_loss}, mean {card.mean_loss}
- weights fingerprint: {card.fingerprint[:12]}; created {card.created_at}

Use it with `--model {card.name}` in `mcdewey ingest`, an experiment grid or a notebook.
"""
