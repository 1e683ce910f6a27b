"""The regression gate: fail when nDCG@10 or hit@5 falls more than allowed below a baseline."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

GATED = ("ndcg@10", "hit@5")


@dataclass(frozen=True)
class GateResult:
    """Whether the current metrics hold up against the baseline, and by how much each moved."""

    passed: bool
    baseline: str
    max_drop: float
    deltas: dict[str, float] = field(default_factory=dict)  # current - baseline
    failures: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return asdict(self)


def load_baseline(path: Path | str, name: str | None = None) -> dict:
    """A baseline's metrics: an `eval run --json` summary, an eval-summary.json, or a report's
    summary.json (its configuration called `name`, else its best one)."""
    data = json.loads(Path(path).read_text())
    configs = data.get("configurations")
    if configs:
        match = [c for c in configs if name and c.get("name") == name]
        return match[0] if match else configs[0]
    return data


def check_gate(current: dict, baseline: dict, max_drop: float = 0.02, baseline_name: str = "") -> GateResult:
    """Passed unless a gated metric is more than `max_drop` (absolute) below its baseline value."""
    deltas, failures = {}, []
    for key in GATED:
        if baseline.get(key) is None:
            continue
        now = current.get(key) or 0.0
        deltas[key] = round(now - baseline[key], 6)
        # A tiny epsilon so that a drop of exactly max_drop passes despite float rounding.
        if baseline[key] - now > max_drop + 1e-9:
            failures.append(f"{key} {now:.3f} < baseline {baseline[key]:.3f} - {max_drop}")
    return GateResult(not failures, baseline_name, max_drop, deltas, tuple(failures))
