"""Command `tune`: a thin shell over mcdewey.tuning (fine-tune the embedder on the library's own pairs)."""

from __future__ import annotations

from pathlib import Path

import typer

from mcdewey.cli.app import HomeOption, app, console, err_console, fail

DEFAULT_EVALS = Path("../shared/evals")  # relative to the repo root, where commands run (as TeleQuAD's default)


@app.command()
def tune(
    library: Path = typer.Argument(..., help="Library folder: <vendor>/<product>/<version>/..."),
    base: str = typer.Option(None, "--from", help="Model to start from (default: bundled all-MiniLM-L6-v2)."),
    name: str = typer.Option(..., "--to", help="Name of the tuned model: written to <home>/models/NAME, "
                             "then usable as --model NAME."),
    max_pairs: int = typer.Option(8000, "--max-pairs", help="Train on at most this many pairs (taken evenly "
                                  "from each kind); 0 for all."),
    epochs: float = typer.Option(1.0, "--epochs", help="Passes over the pairs."),
    max_steps: int = typer.Option(None, "--max-steps", help="Stop after this many steps (overrides --epochs)."),
    batch_size: int = typer.Option(32, "--batch-size", help="Pairs per step (each pair's passage is a negative "
                                   "for the others)."),
    learning_rate: float = typer.Option(5e-5, "--learning-rate", help="Peak learning rate."),
    device: str = typer.Option(None, "--device", help="cpu or cuda (default: cuda when present, else cpu)."),
    exclude: list[Path] = typer.Option(None, "--exclude", help="Query set (.jsonl or folder) whose questions "
                                       "and quotes must never be trained on (repeatable; default ../shared/evals)."),
    telequad: Path = typer.Option(None, "--telequad", help="TeleQuAD folder whose questions are excluded too "
                                  "(default: ../shared/benchmarks/telequad when present)."),
    home: Path = HomeOption,
) -> None:
    """Fine-tune an embedding model on pairs LIBRARY gives without labels; evaluation sets are never used."""
    from mcdewey.pairs import EvalGuard, EvalLeak
    from mcdewey.tuning import TuneError, TuneOptions, check_name, tune as run_tune

    if not library.is_dir():
        fail(f"{library}: no such library folder")
    try:
        check_name(name, home)
        guard = EvalGuard.from_sets(*_eval_sets(exclude, telequad))
    except (TuneError, ValueError, OSError) as exc:
        fail(str(exc))
    if not guard.sources:
        err_console.print("[yellow]warning:[/yellow] no evaluation sets to exclude; pass --exclude SET")
    options = TuneOptions(max_pairs=max_pairs or None, epochs=epochs, max_steps=max_steps, batch_size=batch_size,
                          learning_rate=learning_rate, device=device)
    try:
        with _bar() as progress:
            card = run_tune(library, name, base, options, guard, home, progress)
    except (TuneError, EvalLeak) as exc:
        fail(str(exc))
    _report(card, home)


def _eval_sets(exclude: list[Path] | None, telequad: Path | None) -> tuple[list[Path], Path | None]:
    from mcdewey.evaluate.telequad import DEFAULT_ROOT

    sets = list(exclude) if exclude else ([DEFAULT_EVALS] if DEFAULT_EVALS.is_dir() else [])
    if telequad is None and DEFAULT_ROOT.exists():
        telequad = DEFAULT_ROOT
    return sets, telequad


class _bar:
    """A rich progress bar fed with (step, total, loss) by the trainer; reading the library shows its own."""

    def __enter__(self):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(TextColumn("training"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("loss {task.fields[loss]}"), TimeRemainingColumn(),
                                  console=err_console, transient=True)
        self._task = None
        self._progress.__enter__()
        return self

    def __call__(self, step: int, total: int, loss: float) -> None:
        if self._task is None:
            self._task = self._progress.add_task("train", total=total, loss="-")
        self._progress.update(self._task, completed=step, total=total, loss=f"{loss:.4f}")

    def __exit__(self, *exc):
        return self._progress.__exit__(*exc)


def _report(card, home: Path | None) -> None:
    from mcdewey.tuning import models_dir

    pairs = ", ".join(f"{k} {v}" for k, v in card.pairs.items())
    console.print(f"tuned [bold]{card.name}[/bold] from {card.base_model} on {card.device}: {card.steps} steps, "
                  f"{card.train_seconds / 60:.1f} min, final loss {card.final_loss}")
    console.print(f"pairs: {pairs} ({card.pairs_dropped_eval} dropped: they contain evaluation text)")
    console.print(f"written to {models_dir(home) / card.name}; use it with --model {card.name}")
