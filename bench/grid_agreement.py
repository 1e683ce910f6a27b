"""Do two grids rank the chunking set-ups alike? Rank correlation of one metric between two grid summaries.

Usage:
    .venv/bin/python bench/grid_agreement.py evals/reports/library-dev/summary.json \
        evals/reports/library-fast-dev/summary.json --metric ndcg@10 --out bench/results/grid_agreement_dev.json

Each summary is an `mcdewey eval grid` report's summary.json. Configurations are matched by (strategy,
chunk size, other chunker parameters, mode) and the model is ignored, so a grid run with `--model fast`
lines up with the same grid on the full model. Per mode, and over every configuration together, it reports
Spearman's rho and Kendall's tau (scipy) of the metric, and whether both grids pick the same best set-up.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from scipy.stats import kendalltau, spearmanr


def setups(summary: dict, metric: str) -> dict[tuple, float]:
    """(strategy, params without the model, mode) -> metric, for every configuration of a grid summary."""
    out = {}
    for c in summary["configurations"]:
        params = {k: v for k, v in (c.get("params") or {}).items() if k != "model"}
        out[(c["strategy"], json.dumps(params, sort_keys=True), c["mode"])] = float(c[metric])
    return out


def label(key: tuple) -> str:
    strategy, params, mode = key
    return f"{strategy}-{json.loads(params).get('max_tokens', '?')}/{mode}"


def agreement(a: dict[tuple, float], b: dict[tuple, float]) -> dict:
    """Rank correlations over the keys both grids have (nan-free: ties are allowed, constant inputs are not)."""
    keys = sorted(set(a) & set(b))
    xs, ys = [a[k] for k in keys], [b[k] for k in keys]
    result = {"configurations": len(keys), "best_first": label(max(keys, key=a.get)),
              "best_second": label(max(keys, key=b.get))}
    if len(keys) >= 3 and len(set(xs)) > 1 and len(set(ys)) > 1:
        result["spearman"] = round(float(spearmanr(xs, ys).statistic), 3)
        result["kendall"] = round(float(kendalltau(xs, ys).statistic), 3)
    result["same_best"] = result["best_first"] == result["best_second"]
    return result


def compare(first: dict, second: dict, metric: str) -> dict:
    a, b = setups(first, metric), setups(second, metric)
    modes = sorted({k[2] for k in a} & {k[2] for k in b})
    report = {"metric": metric, "all": agreement(a, b)}
    for mode in modes:
        report[mode] = agreement({k: v for k, v in a.items() if k[2] == mode}, {k: v for k, v in b.items() if k[2] == mode})
    report["rows"] = [{"setup": label(k), "first": round(a[k], 4), "second": round(b[k], 4)}
                      for k in sorted(set(a) & set(b))]
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path, help="summary.json of the reference grid (the full model)")
    parser.add_argument("second", type=Path, help="summary.json of the grid to compare (e.g. --model fast)")
    parser.add_argument("--metric", default="ndcg@10")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    report = compare(json.loads(args.first.read_text()), json.loads(args.second.read_text()), args.metric)
    report["first"], report["second"] = str(args.first), str(args.second)
    print("| set-up | first | second |\n|---|---|---|")
    for row in report["rows"]:
        print(f"| {row['setup']} | {row['first']:.3f} | {row['second']:.3f} |")
    print(json.dumps({k: v for k, v in report.items() if k != "rows"}, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
