"""One set-up, three front doors: the CLI, the grid and Lab record the same ChunkingSpec under the same index name."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mcdewey.cli import app
from mcdewey.evaluate.grid import load_grid, run_grid
from mcdewey.lab import Lab, Setup
from mcdewey.manifest import ChunkingSpec
from mcdewey.store import Workspace


@pytest.fixture(scope="module")
def three_ways(tmp_path_factory):
    """The same set-up (recursive, 120 tokens, fake model) built by `mcdewey ingest`, a grid and a Lab,
    each in its own workspace."""
    from mcdewey.demo import demo_library, demo_queries
    from mcdewey.evaluate.queries import load_queries

    root = tmp_path_factory.mktemp("three-ways")
    library = demo_library(root / "library")
    queries = load_queries(demo_queries(root / "queries.jsonl"))[:2]
    cli_home, grid_home, lab_home = root / "cli", root / "grid", root / "lab"
    result = CliRunner().invoke(app, ["ingest", str(library), "--param", "max_tokens=120", "--model", "fake",
                                      "--home", str(cli_home)])
    assert result.exit_code == 0, result.output
    grid_file = root / "grid.yaml"
    grid_file.write_text("models: [fake]\nmodes: [keyword]\nstrategies:\n  recursive: {max_tokens: 120}\n")
    run_grid(load_grid(grid_file), library, Workspace(grid_home), queries, use_ragas=False, log=lambda line: None)
    lab = Lab(library, Workspace(lab_home), queries, model="fake")
    lab.run(Setup("recursive", 120, mode="keyword"))
    return library, {way: Workspace(home) for way, home in (("cli", cli_home), ("grid", grid_home), ("lab", lab_home))}


def test_cli_grid_and_lab_record_the_same_spec_and_index_name(three_ways):
    library, workspaces = three_ways
    names = {way: ws.index_names() for way, ws in workspaces.items()}
    assert names["cli"] == names["grid"] == names["lab"] and len(names["cli"]) == 1
    name = names["cli"][0]
    specs = {way: ws.read_manifest(name).spec for way, ws in workspaces.items()}
    assert specs["cli"] == specs["grid"] == specs["lab"]
    expected = ChunkingSpec.resolve("recursive", {"max_tokens": 120}, "fake")
    assert specs["cli"] == expected and name == expected.index_name(library)
    # every parameter is recorded, defaults included, and the model counts the tokens
    assert specs["cli"].params["context"] is True and specs["cli"].params["min_tokens"] == 50


def test_the_name_shows_what_differs_from_the_defaults():
    spec = ChunkingSpec.resolve("recursive", {"max_tokens": 120}, "fake")
    assert spec.index_name("lib").startswith("grid-recursive-mt120-")
    other = ChunkingSpec.resolve("recursive", {"max_tokens": 120}, "my/model", "torch")
    assert other.params["model"] == "my/model"  # a model of its own counts the tokens
    assert other.index_name("lib").startswith("grid-recursive-mt120-tokmy") and other.index_name("lib") != \
        spec.index_name("lib") != spec.index_name("other-lib")


def test_an_unknown_parameter_fails_before_anything_is_built():
    with pytest.raises(ValueError, match="no parameter max_tokenz"):
        ChunkingSpec.resolve("recursive", {"max_tokenz": 120}, "fake")


def test_ingest_without_index_prints_the_name(tmp_path):
    from mcdewey.demo import demo_library

    library = demo_library(tmp_path / "library")
    result = CliRunner().invoke(app, ["ingest", str(library), "--strategy", "page", "--model", "fake",
                                      "--home", str(tmp_path / "home")])
    assert result.exit_code == 0, result.output
    name = ChunkingSpec.resolve("page", {}, "fake").index_name(library)
    assert name in result.output.replace("\n", "")
    listed = CliRunner().invoke(app, ["indexes", "--json", "--home", str(tmp_path / "home")])
    assert json.loads(listed.output)[name]["strategy"] == "page"
