"""Exit statuses shared by `ingest` and `inspect`, and the grouped list of files that were not indexed."""

from __future__ import annotations

import re
from collections import Counter

from rich.console import Console

EXIT_OK = 0  # every document indexed, or skipped by design (images, assets)
EXIT_NOTHING = 1  # nothing could be done: missing or empty library, no document at a valid depth
EXIT_USAGE = 2  # bad command line (typer's own status for usage errors)
EXIT_PARTIAL = 3  # the run completed, some documents failed; all the others are in
SHOWN = 20  # problems listed per kind; --json lists them all
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def issue_dicts(errors, skipped) -> list[dict]:
    """FileIssue lists -> [{"path", "kind", "reason"}], errors first."""
    return ([{"path": i.path, "kind": "error", "reason": i.reason} for i in errors]
            + [{"path": i.path, "kind": "skipped", "reason": i.reason} for i in skipped])


def print_problems(problems: list[dict], out: Console) -> None:
    """Errors, then skipped files: a count per reason, the first SHOWN paths with their reasons, and how many more."""
    for kind, title in (("error", "errors"), ("skipped", "skipped")):
        group = [p for p in problems if p["kind"] == kind]
        if not group:
            continue
        reasons = Counter(_reason_kind(p["reason"]) for p in group)
        summary = ", ".join(f"{r} {n}" for r, n in reasons.most_common(6))
        out.print(f"\n[bold]{title}[/bold] ({len(group)}): {summary}", highlight=False)
        for p in group[:SHOWN]:
            path = ascii(p["path"]) if _CONTROL.search(p["path"]) else p["path"]
            out.print(f"  {path}: {p['reason']}", markup=False, highlight=False)
        if len(group) > SHOWN:
            out.print(f"  ... and {len(group) - SHOWN} more (--json lists them all)", highlight=False)


def _reason_kind(reason: str) -> str:
    """The reason without its particulars: "symlink to /etc/passwd leaves ..." -> "symlink"."""
    head = reason.split(":")[0]
    return head if len(head) <= 40 else head.split()[0]
