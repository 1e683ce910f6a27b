"""End to end with the real bundled model: ingest a small library, search by meaning, re-run for free."""

import numpy as np
import pytest

from mcdewey.embeddings import BUNDLED_MODEL, get_embedder
from mcdewey.ingest import ingest
from mcdewey.search import search

pytestmark = pytest.mark.slow


def test_bundled_model_embeds_normalized_vectors():
    emb = get_embedder()
    vecs = emb.embed_documents(["a VLAN separates broadcast domains", "trunk ports carry tagged VLANs", "pizza"])
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, rtol=1e-5)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2]
    assert emb.name == f"{BUNDLED_MODEL}@{emb.backend}"


def test_ingest_and_search_with_the_bundled_model(library, workspace):
    report = ingest(library, workspace, "real", progress=False)
    assert report.chunks_added == report.chunks_total > 0 and report.cache_misses == report.chunks_added
    index = workspace.open_index("real")
    assert index.manifest["model"] == BUNDLED_MODEL
    # No query word appears in the provisioning text: only the meaning connects them.
    hits = search(index, "how do handsets fetch their settings when they start up", k=3, mode="vector")
    assert hits[0].chunk.doc_id == "globex/phone/3.1/admin/provisioning.txt"
    hybrid = search(index, "backbone area of a link-state protocol", k=3, mode="hybrid")
    assert hybrid[0].chunk.doc_id == "acme/router/2.0/guide/routing.md"
    again = ingest(library, workspace, "real", progress=False)
    assert again.chunks_added == 0 and again.unchanged == report.new
    other = ingest(library, workspace, "real-copy", progress=False)
    assert other.cache_hits == report.chunks_added and other.embed_seconds == 0
