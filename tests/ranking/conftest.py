"""A small library with distinct paragraphs (so neighbours can be told apart), fake-embedded."""

from __future__ import annotations

import pytest
from data.build import build_index

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
    # Chunks of about one paragraph, so that documents have several and neighbours exist.
    return build_index(tmp_path_factory.mktemp("ranking"), DOCS, max_tokens=24, min_tokens=4)
