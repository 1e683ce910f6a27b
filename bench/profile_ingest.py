"""Profile one `mcdewey ingest` of a library subset with py-spy and say where the time goes.

Usage:
    .venv/bin/python bench/profile_ingest.py --library ../shared/library --subset cz-nic \
        --backend onnx-int8 --out bench/results/profile_ingest.json

The subset (top-level vendor folders, or deeper paths) is copied to a temporary library, ingested into
a fresh workspace (the model cache of --model-cache is reused so no export is profiled), sampled by
`py-spy record --format raw`, and the samples are grouped into stages by the frames they contain.
Use --summarize FILE to group an existing raw profile instead.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

# First match wins, so the more specific stage comes first. py-spy drops idle threads only when it can
# tell; a pipeline thread blocked on a queue or lock still shows, so waiting leaves get their own stage.
WAITING_LEAVES = ("Condition.wait", "EpollSelector.select", "Event.wait", "Queue.get", "sleep", "Thread.join")
STAGES = [
    ("startup imports", ("<module> (mcdewey/cli/", "_find_and_load")),
    ("model inference", ("Session.run", "RuntimeEncoder.forward", "infer (openvino", "BertModel.forward")),
    ("tokenization", ("tokenize", "Transformer.preprocess", "_call_processor", "_batch_encode_plus")),
    ("embedding cache (sqlite)", ("EmbeddingCache",)),
    ("writing + indexing (lancedb)", ("mcdewey/store.py", "lancedb/")),
    ("chunking", ("mcdewey/chunking/", "mcdewey/tokens.py")),
    ("reading documents", ("mcdewey/readers/", "mcdewey/library.py")),
    ("model loading", ("load_model", "SentenceTransformer.__init__", "get_embedder")),
]


def stage_of(stack: str) -> str:
    if stack.split(";")[-1].startswith(WAITING_LEAVES):
        return "waiting (pipeline threads blocked)"
    for name, needles in STAGES:
        if any(n in stack for n in needles):
            return name
    return "other"


def summarize(raw: Path) -> dict:
    """Samples per stage (all threads that were running), as counts and shares."""
    counts: Counter[str] = Counter()
    top_leaf: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        counts[stage_of(stack)] += int(n)
        top_leaf[re.sub(r" \(.*", "", stack.split(";")[-1])] += int(n)
    total = sum(counts.values()) or 1
    return {"samples": total,
            "stages": {k: {"samples": v, "share": round(v / total, 3)} for k, v in counts.most_common()},
            "top_leaf_functions": dict(top_leaf.most_common(12))}


def run(args: argparse.Namespace) -> dict:
    work = Path(tempfile.mkdtemp(prefix="mcdewey-profile-"))
    try:
        library, home = work / "library", work / "home"
        for part in args.subset:
            shutil.copytree(args.library / part, library / part)
        if args.model_cache and args.model_cache.exists():
            shutil.copytree(args.model_cache, home / "cache" / "models")
        raw = args.out.with_suffix(".raw")
        raw.parent.mkdir(parents=True, exist_ok=True)
        command = [str(Path(sys.executable).parent / "py-spy"), "record", "--rate", str(args.rate), "--format", "raw",
                   "--subprocesses", "-o", str(raw), "--", str(Path(sys.executable).parent / "mcdewey"), "ingest",
                   str(library), "--index", "profile", "--backend", args.backend, "--home", str(home)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        summary = re.findall(r".*chunks embedded.*\n.*", done.stdout)
        return {"command": " ".join(command), "ingest_summary": summary, **summarize(raw)}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=Path("../shared/library"))
    parser.add_argument("--subset", nargs="+", default=["cz-nic"])
    parser.add_argument("--backend", default="onnx-int8")
    parser.add_argument("--model-cache", type=Path, default=Path(".mcdewey/cache/models"))
    parser.add_argument("--rate", type=int, default=20, help="py-spy samples per second")
    parser.add_argument("--summarize", type=Path, help="only group this existing py-spy raw file")
    parser.add_argument("--out", type=Path, default=Path("bench/results/profile_ingest.json"))
    args = parser.parse_args()
    report = summarize(args.summarize) if args.summarize else run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
