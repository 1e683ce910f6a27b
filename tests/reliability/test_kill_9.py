"""`kill -9` at random points of an ingest: the index stays consistent and the next run completes."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mcdewey.ingest import ingest
from mcdewey.store import UnknownIndex, Workspace

TRIALS = 20
INGEST = textwrap.dedent("""
    import sys
    from mcdewey import ingest as m
    from mcdewey.store import Workspace
    m.EMBED_BATCH = m.WRITE_BATCH = 8  # many small writes: many points to be killed at
    print("READY", flush=True)
    m.ingest(sys.argv[1], Workspace(sys.argv[2]), "t", model="fake", progress=False)
    print("DONE", flush=True)
""")
WORDS = ("packet frame codec latency jitter queue policy interface address table session timer buffer channel "
         "signal port protocol header payload routing switch vlan trunk gateway").split()


def _doc(seed: int) -> str:
    rng = random.Random(seed)
    parts = [f"## Part {j}\n\n" + " ".join(rng.choice(WORDS) for _ in range(150)) for j in range(5)]
    return f"# Manual {seed}\n\n" + "\n\n".join(parts) + f"\n\nmarker{seed}\n"


def _mutate(library: Path, trial: int, rng: random.Random) -> None:
    """Each trial adds six documents, changes one and deletes one: every kind of write happens."""
    for i in range(6):
        path = library / f"acme/box/{trial % 3}.0/new-{trial}-{i}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_doc(1000 + trial * 10 + i))
    docs = sorted(library.rglob("*.md"))
    rng.choice(docs).write_text(_doc(5000 + trial))
    rng.choice(sorted(library.rglob("*.md"))).unlink()


def _run_ingest(library: Path, home: Path, kill_after: float | None) -> tuple[bool, float]:
    """(finished, seconds from READY to the end or the kill) of an ingest in a child process."""
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]))
    proc = subprocess.Popen([sys.executable, "-c", INGEST, str(library), str(home)], stdout=subprocess.PIPE,
                            text=True, env=env)
    try:
        assert proc.stdout.readline().strip() == "READY"
        start = time.monotonic()
        if kill_after is None:
            proc.wait(timeout=300)
            return proc.returncode == 0, time.monotonic() - start
        try:
            proc.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return False, kill_after
        return proc.returncode == 0, time.monotonic() - start
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


def _check_consistent(home: Path) -> int:
    """The committed index agrees with its manifest: chunk count, unique ids, documents; returns chunks."""
    try:
        index = Workspace(home).open_index("t")
    except UnknownIndex:
        return 0
    files = {rel: f for rel, f in index.manifest["files"].items() if f["status"] == "indexed"}
    table = index.arrow(["chunk_id", "doc_id"])
    ids, doc_ids = table["chunk_id"].to_pylist(), table["doc_id"].to_pylist()
    assert len(ids) == len(set(ids)) == index.manifest["counts"]["chunks"]
    assert set(doc_ids) == {f["doc_id"] for f in files.values()}
    for f in files.values():
        assert doc_ids.count(f["doc_id"]) == f["chunks"], f["doc_id"]
    return len(ids)


@pytest.mark.slow
def test_kill_9_at_random_points_then_rerun(tmp_path):
    library, home = tmp_path / "lib", tmp_path / "home"
    for i in range(30):
        path = library / f"acme/box/{i % 3}.0/manual-{i}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_doc(i))
    assert _run_ingest(library, home, None)[0]  # the first build
    rng = random.Random(10)
    _mutate(library, TRIALS, rng)
    finished, seconds = _run_ingest(library, home, None)  # an unkilled update: how long a trial's run takes
    assert finished
    killed = 0
    for trial in range(TRIALS):
        _mutate(library, trial, rng)
        finished, _ = _run_ingest(library, home, rng.uniform(0, seconds))
        killed += not finished
        _check_consistent(home)
        report = ingest(library, Workspace(home), "t", model="fake", progress=False)  # the re-run completes
        on_disk = {p.relative_to(library).as_posix() for p in library.rglob("*.md")}
        assert report.errors == 0 and report.documents == len(on_disk)
        assert _check_consistent(home) == report.chunks_total
        assert {rel for rel, f in Workspace(home).read_manifest("t")["files"].items()
                if f["status"] == "indexed"} == on_disk
    print(f"kill -9: {killed} of {TRIALS} ingests killed mid-run (a run takes {seconds:.1f} s), "
          f"{TRIALS} consistent indexes, {TRIALS} completing re-runs")
    assert killed >= TRIALS // 2  # most trials were really killed mid-run
