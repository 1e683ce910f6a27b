"""`mcdewey inspect` over the generated library, as JSON and as a table."""

import json

from typer.testing import CliRunner

from mcdewey.cli.app import app

runner = CliRunner()


def test_inspect_json_groups_counts_and_issues(small_library):
    result = runner.invoke(app, ["inspect", str(small_library), "--json", "--param", "max_tokens=120"])
    assert result.exit_code == 3, result.output  # the library holds broken files: read, listed, status 3
    data = json.loads(result.stdout)
    groups = {(g["vendor"], g["product"], g["version"]): g for g in data["groups"]}
    assert set(groups) == {("acme", "router", "1.0"), ("acme", "router", "2.0"), ("broken", "samples", "0.1"),
                           ("globex", "phone", "3.1"), ("initech", "gateway", "latest"), ("kamailio", "kamailio", "5.6.3"),
                           ("", "", "")}  # README.md at the root and acme/.hidden/: above the version folders
    assert {i["path"] for i in groups[("", "", "")]["skipped"]} == {"README.md", "acme/.hidden/"}
    assert groups[("acme", "router", "1.0")]["pages"] == 6
    assert groups[("globex", "phone", "3.1")]["documents"] == {"html": 4}
    assert data["strategy"] == "recursive" and data["params"]["max_tokens"] == 120
    assert data["totals"]["chunks"] == sum(g["chunks"] for g in groups.values()) > 9
    assert data["totals"]["chunk_tokens"]["max"] <= 120
    assert {i["reason"] for i in groups[("acme", "router", "2.0")]["skipped"]} == {"image", "no text layer"}
    assert len(data["errors"]) == 5 and all(e["path"].startswith("broken/") for e in data["errors"])


def test_inspect_table_lists_skips_and_errors(small_library):
    result = runner.invoke(app, ["inspect", str(small_library), "--no-chunks", "--max-mb", "0.01"])
    assert result.exit_code == 3, result.output
    assert "no text layer" in result.stdout
    assert "big.log: file is 0 MB, over the size limit of 0 MB" in result.stdout or "size limit" in result.stdout
    assert "encrypted PDF" in result.stdout


def test_inspect_rejects_unknown_strategy(small_library):
    result = runner.invoke(app, ["inspect", str(small_library), "--strategy", "nonesuch"])
    assert result.exit_code != 0
