"""ragas' non-LLM retrieval metrics, computed offline; ragas is imported only when asked for.

What each metric receives (per query):
- IDBasedContextPrecision / IDBasedContextRecall: the retrieved chunk ids against the ids of every
  chunk of the index that overlaps an evidence span (so the reference depends on the chunking).
- NonLLMContextPrecisionWithReference / NonLLMContextRecall: the retrieved chunk texts against the
  texts of those same reference chunks, compared by ragas' default string similarity (Levenshtein,
  threshold 0.5). Reference chunks rather than the bare quotes, because a one-sentence quote is never
  within 0.5 edit similarity of a 250-token chunk; with chunk texts a near-duplicate chunk of another
  version of the same manual counts as relevant, which the id-based pair does not allow.
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass
from collections.abc import Sequence

RAGAS_KEYS = ("ragas_id_precision", "ragas_id_recall", "ragas_precision", "ragas_recall")


@dataclass(frozen=True)
class RagasInput:
    """What the four metrics need for one query."""

    retrieved_ids: Sequence[str]
    reference_ids: Sequence[str]
    retrieved_texts: Sequence[str]
    reference_texts: Sequence[str]


def ragas_available() -> bool:
    """True when ragas imports (it is an optional part of the evaluation)."""
    try:
        _metrics()
    except ImportError:
        return False
    return True


def _metrics() -> tuple:
    # Telemetry off before the first import: ragas would otherwise try to reach the network.
    os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 0.4.x warns that these move to ragas.metrics.collections in 1.0
        from ragas.dataset_schema import SingleTurnSample
        from ragas.metrics import (IDBasedContextPrecision, IDBasedContextRecall,
                                   NonLLMContextPrecisionWithReference, NonLLMContextRecall)
    return (SingleTurnSample, IDBasedContextPrecision(), IDBasedContextRecall(),
            NonLLMContextPrecisionWithReference(), NonLLMContextRecall())


class RagasScorer:
    """Scores queries with the four offline ragas metrics; metric objects are built once."""

    def __init__(self):
        self._sample, self._id_p, self._id_r, self._p, self._r = _metrics()

    def score(self, item: RagasInput) -> dict[str, float | None]:
        """The four scores of one query; None where ragas has nothing to score (no reference)."""
        out: dict[str, float | None] = dict.fromkeys(RAGAS_KEYS)
        if item.reference_ids and item.retrieved_ids:
            ids = self._sample(retrieved_context_ids=list(item.retrieved_ids),
                               reference_context_ids=list(item.reference_ids))
            out["ragas_id_precision"] = _clean(self._id_p.single_turn_score(ids))
            out["ragas_id_recall"] = _clean(self._id_r.single_turn_score(ids))
        if item.reference_texts and item.retrieved_texts:
            texts = self._sample(retrieved_contexts=list(item.retrieved_texts),
                                 reference_contexts=list(item.reference_texts))
            out["ragas_precision"] = _clean(self._p.single_turn_score(texts))
            out["ragas_recall"] = _clean(self._r.single_turn_score(texts))
        return out


def _clean(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value
