"""A small library with distinct paragraphs (so neighbours can be told apart), fake-embedded."""

from __future__ import annotations

import pytest

PARAGRAPHS = [
    "Alpha routers forward packets between subnets using a routing table of prefixes.",
    "Bravo switches learn MAC addresses and flood unknown unicast frames within a VLAN.",
    "Charlie firewalls inspect sessions statefully and drop packets that match no rule.",
    "Delta gateways transcode voice codecs such as G.711 and G.729 for SIP trunks.",
    "Echo cancellers remove reflected speech from analog lines on voice gateways.",
    "Foxtrot monitors poll devices over SNMP and raise alarms on threshold breaches.",
]
DOCS = {
    "acme/router/1.0/guide/network.md": "# Network guide\n\n" + "\n\n".join(PARAGRAPHS) + "\n",
    "acme/router/2.0/guide/network.md": "# Network guide\n\n" + "\n\n".join(reversed(PARAGRAPHS)) + "\n",
    "globex/phone/3.1/admin/phones.md": "# Phones\n\nPhones fetch their configuration over TFTP at boot.\n\n"
                                        "Each line registers with the SIP registrar.\n",
}


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    from mcdewey.ingest import ingest
    from mcdewey.store import Workspace

    root = tmp_path_factory.mktemp("ranking")
    for rel, text in DOCS.items():
        path = root / "library" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    workspace = Workspace(root / "home")
    # Chunks of about one paragraph, so that documents have several and neighbours exist.
    ingest(root / "library", workspace, "t", params={"max_tokens": 24, "min_tokens": 4}, model="fake",
           progress=False)
    return workspace.open_index("t")
