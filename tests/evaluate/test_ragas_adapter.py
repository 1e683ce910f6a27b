"""ragas' offline metrics through the adapter, on hand-worked inputs."""

import pytest

from mcdewey.evaluate.ragas_adapter import RagasInput, RagasScorer, ragas_available

pytestmark = pytest.mark.skipif(not ragas_available(), reason="ragas not installed")


def test_id_based_precision_and_recall():
    s = RagasScorer().score(RagasInput(["a", "b", "c"], ["b", "d"], [], []))
    assert s["ragas_id_precision"] == pytest.approx(1 / 3)
    assert s["ragas_id_recall"] == pytest.approx(1 / 2)
    assert s["ragas_precision"] is None and s["ragas_recall"] is None


def test_text_based_precision_and_recall():
    ref = "A zone is an independent connection tracking context which can be set by a ct action."
    other = "Relay server handles all the read-only requests on its own and forwards the rest."
    s = RagasScorer().score(RagasInput([], [], [other, ref], [ref]))
    # Relevant only at rank 2: average precision = (1/2) / 1.
    assert s["ragas_precision"] == pytest.approx(0.5)
    assert s["ragas_recall"] == pytest.approx(1.0)
    s = RagasScorer().score(RagasInput([], [], [other], [ref]))
    assert s["ragas_recall"] == 0.0


def test_ragas_scores_with_the_network_blocked(tmp_path):
    import subprocess
    import sys

    script = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network used')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from mcdewey.evaluate.ragas_adapter import RagasInput, RagasScorer\n"
        "s = RagasScorer().score(RagasInput(['a'], ['a'], ['same text here'], ['same text here']))\n"
        "assert s['ragas_id_recall'] == 1.0 and s['ragas_recall'] == 1.0, s\n"
        "print('ok')\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # RAGAS_DO_NOT_TRACK unset: the adapter sets it
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]
