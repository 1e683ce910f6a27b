"""Every notebook runs headlessly from top to bottom, and is committed with its outputs stripped."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).parents[2] / "notebooks").glob("*.ipynb"))


def test_there_are_four_numbered_notebooks():
    assert [p.name[:3] for p in NOTEBOOKS] == ["01-", "02-", "03-", "04-"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stripped_and_parameterized(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code), "run nbstripout before committing"
    first = code[0]
    assert "parameters" in first.metadata.get("tags", []), "the first code cell holds the parameters"
    assert "HOME" in first.source and "MODEL" in first.source
    # Thin cells: the work happens in the package.
    assert max(len(c.source.splitlines()) for c in code) <= 15


# What CI injects: the tiny generated library and the fake embedder. A person who opens a notebook gets its
# defaults: the real bundled model on the Debian sample library.
CI_PARAMETERS = {"LIBRARY": "demo", "MODEL": "fake"}


def test_defaults_are_the_real_model_on_a_real_library():
    for path in NOTEBOOKS:
        params = {}
        exec(next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code").source, params)
        assert params["MODEL"] is None and params["LIBRARY"] is None, path.name


def _with_parameters(nb, **values) -> None:
    """Papermill's convention: an injected cell after the `parameters` cell overrides its values."""
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    source = "\n".join(f"{k} = {v!r}" for k, v in values.items())
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]}))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes_without_errors(path, tmp_path_factory):
    from nbclient import NotebookClient

    # One workspace for the whole run, so each notebook also works after the ones before it.
    home = tmp_path_factory.getbasetemp() / "notebook-home"
    nb = nbformat.read(path, as_version=4)
    _with_parameters(nb, HOME=str(home), **CI_PARAMETERS)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()  # raises CellExecutionError
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    assert any(o.output_type in ("execute_result", "display_data") for c in nb.cells for o in c.get("outputs", []))
