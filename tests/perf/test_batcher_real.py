"""Query batching with the real bundled model: concurrent queries get the vectors they would get alone."""

import threading

import numpy as np
import pytest

from mcdewey.embeddings import get_embedder

pytestmark = pytest.mark.slow

QUERIES = ["how do I configure a static route", "BGP hold timer", "reset the admin password",
           "TFTP provisioning of phones", "one-way audio NAT", "upgrade the firmware of the gateway"]


def test_batched_queries_match_unbatched_ones():
    emb = get_embedder()
    emb.batch_queries(0)
    emb.clear_query_cache()
    alone = np.stack([emb.embed_queries([q])[0] for q in QUERIES])
    emb.clear_query_cache()
    emb.batch_queries(0.05)
    try:
        out = [None] * len(QUERIES)
        barrier = threading.Barrier(len(QUERIES))

        def run(i):
            barrier.wait()
            out[i] = emb.embed_queries([QUERIES[i]])[0]

        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(QUERIES))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert emb._batcher.batches < len(QUERIES)  # some queries shared a model call
        cosines = np.sum(np.stack(out) * alone, axis=1)
        assert cosines.min() > 0.999  # padding in a batch changes the vectors by rounding only
    finally:
        emb.batch_queries(0)
        emb.clear_query_cache()
