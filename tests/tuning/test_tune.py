"""`mcdewey tune` end to end, the eval-set guard inside tune(), and a tuned NAME resolving as --model."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mcdewey import tuning
from mcdewey.cli import app
from mcdewey.embeddings import canonical_model
from mcdewey.manifest import ChunkingSpec
from mcdewey.pairs import EvalGuard, EvalLeak


def _fake_tuned(home, name="mine", fingerprint="abc123def4567890"):
    folder = home / "models" / name
    folder.mkdir(parents=True)
    (folder / tuning.CARD_JSON).write_text(json.dumps({"fingerprint": fingerprint}))
    return folder


def test_tuned_name_resolves_to_its_workspace_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MCDEWEY_HOME", str(tmp_path))
    folder = _fake_tuned(tmp_path)
    assert canonical_model("mine") == str(folder.resolve())
    assert canonical_model("other") == "other"  # not tuned: a hub name, as before
    assert tuning.tuned_tag(str(folder)) == "#abc123def456"
    spec = ChunkingSpec.resolve("recursive", {"max_tokens": 200}, "mine", "torch")
    assert spec.model == str(folder.resolve())  # the manifest records the folder, so search uses the same model
    (folder / tuning.CARD_JSON).unlink()
    assert canonical_model("mine") == "mine"  # a folder without a card is not a tuned model


def test_tune_refuses_a_taken_or_reserved_name(tmp_path):
    _fake_tuned(tmp_path, "taken")
    with pytest.raises(tuning.TuneError, match="already exists"):
        tuning.check_name("taken", tmp_path)
    with pytest.raises(tuning.TuneError, match="reserved"):
        tuning.check_name("fake", tmp_path)


def test_tune_drops_eval_pairs_and_the_last_check_fails_loudly(widget_library, eval_set, tmp_path, monkeypatch):
    trained = []
    monkeypatch.setattr(tuning, "train_pairs", lambda location, pairs, *a, **k: trained.append(pairs))
    guard = EvalGuard.from_sets([eval_set])
    card = tuning.tune(widget_library, "t1", options=tuning.TuneOptions(device="cpu"), guard=guard, home=tmp_path)
    assert card.pairs_dropped_eval == 2 and sum(card.pairs.values()) == len(trained[0])
    assert all("widget logs" not in p.anchor and p.anchor != "What is a widget?" for p in trained[0])
    # If the filter were skipped, the check right before training refuses: nothing reaches the trainer.
    monkeypatch.setattr(EvalGuard, "drop", lambda self, pairs: (pairs, []))
    with pytest.raises(EvalLeak):
        tuning.tune(widget_library, "t2", options=tuning.TuneOptions(device="cpu"), guard=guard, home=tmp_path)
    assert len(trained) == 1


def test_cli_tune_errors_name_the_fix(widget_library, tmp_path):
    _fake_tuned(tmp_path, "taken")
    runner = CliRunner()
    result = runner.invoke(app, ["tune", str(widget_library), "--to", "taken", "--home", str(tmp_path)])
    assert result.exit_code == 1 and "choose another --to NAME" in " ".join(result.output.split())
    result = runner.invoke(app, ["tune", str(tmp_path / "nope"), "--to", "x", "--home", str(tmp_path)])
    assert result.exit_code == 1 and "no such library folder" in " ".join(result.output.split())


@pytest.mark.slow
def test_cli_tune_writes_a_loadable_model_usable_in_ingest_and_search(widget_library, eval_set, tmp_path,
                                                                       monkeypatch):
    from sentence_transformers import SentenceTransformer

    from mcdewey.search import search
    from mcdewey.store import Workspace

    home = tmp_path / "home"
    monkeypatch.setenv("MCDEWEY_HOME", str(home))
    runner = CliRunner()
    result = runner.invoke(app, ["tune", str(widget_library), "--to", "tiny", "--max-steps", "2", "--batch-size",
                                 "4", "--exclude", str(eval_set), "--device", "cpu"])
    assert result.exit_code == 0, result.output
    folder = home / "models" / "tiny"
    card = tuning.load_card(folder)
    assert card.steps == 2 and card.final_loss is not None and card.base_model == "bundled:all-MiniLM-L6-v2"
    assert card.pairs_dropped_eval == 2 and card.pairs["identifier"] == 3 and card.fingerprint
    assert "| identifier | 3 | 3 |" in (folder / tuning.CARD_MD).read_text()
    assert SentenceTransformer(str(folder), device="cpu").encode(["natping_interval"]).shape == (1, 384)

    monkeypatch.delenv("MCDEWEY_HOME")  # ingest finds NAME in the workspace given by --home
    result = runner.invoke(app, ["ingest", str(widget_library), "--index", "w", "--model", "tiny",
                                 "--backend", "torch", "--json", "--home", str(home)])
    assert result.exit_code == 0, result.output
    index = Workspace(home).open_index("w")
    assert index.manifest.model == str(folder.resolve())
    hits = search(index, "NAT keepalive ping period", k=3, mode="vector")
    assert hits and hits[0].chunk.doc_id == "acme/widget/1.0/guide.md"
    assert index.embedder().name == f"{folder.resolve()}#{card.fingerprint[:12]}@torch"  # queries: the same model


def test_tuned_name_in_a_grid_and_in_the_notebooks_lab(tmp_path, monkeypatch):
    from mcdewey.evaluate.grid import load_grid
    from mcdewey.lab import Lab
    from mcdewey.store import Workspace

    lab_home = tmp_path / "notebook-home"
    lab_folder = _fake_tuned(lab_home, "mine")
    assert Lab(tmp_path, Workspace(lab_home), [], model="mine").model == str(lab_folder.resolve())

    monkeypatch.setenv("MCDEWEY_HOME", str(tmp_path / "home"))
    folder = _fake_tuned(tmp_path / "home", "mine")
    grid = tmp_path / "grid.yaml"
    grid.write_text("models: [mine, null]\nbackend: torch\nstrategies:\n  recursive:\n    max_tokens: [200]\n")
    models = [spec.model for spec in load_grid(grid).indexes]
    assert models == [str(folder.resolve()), "bundled:all-MiniLM-L6-v2"]


def test_tune_from_a_tuned_name_starts_from_its_folder(widget_library, tmp_path, monkeypatch):
    monkeypatch.setenv("MCDEWEY_HOME", str(tmp_path))
    base = _fake_tuned(tmp_path, "base")
    seen = []
    monkeypatch.setattr(tuning, "train_pairs", lambda location, *a, **k: seen.append(location))
    card = tuning.tune(widget_library, "next", base="base", options=tuning.TuneOptions(device="cpu"))
    assert seen == [str(base.resolve())] and card.base_model == str(base.resolve())
