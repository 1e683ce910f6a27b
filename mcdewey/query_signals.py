"""Signals a query carries, and the hybrid fusion weights they choose (adaptive fusion).

One global weight treats "natping_interval" and "why do my phones drop their registration after a
few minutes behind NAT?" alike. With `SearchConfig.adaptive_fusion` on, the configured weights are
scaled per query: an identifier or error code asks for the exact word (more keyword weight), a long
question in plain words describes a meaning (more vector weight), a named product or version is a
word the manual's titles carry (a little more keyword weight).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mcdewey import identifiers

LONG_QUESTION = 10  # words from which a question without identifiers counts as natural language
IDENTIFIER_BOOST = 2.0  # keyword weight x this when the query names an identifier
QUESTION_BOOST = 1.5  # vector weight x this for a long plain-language question
PRODUCT_BOOST = 1.25  # keyword weight x this when the query names a product or version of the library
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Signals:
    identifier: bool
    words: int
    named_scope: bool

    @property
    def long_question(self) -> bool:
        return not self.identifier and self.words >= LONG_QUESTION


def signals(query: str, named_scope: bool = False) -> Signals:
    """What `query` carries: an identifier, how many words, whether it names a product/version."""
    return Signals(identifiers.has_identifier(query), len(_WORD.findall(query)), named_scope)


def weights(sig: Signals, vector_weight: float, keyword_weight: float) -> tuple[float, float]:
    """(vector, keyword) weights for a query with these signals."""
    if sig.identifier:
        keyword_weight *= IDENTIFIER_BOOST
    if sig.long_question:
        vector_weight *= QUESTION_BOOST
    if sig.named_scope:
        keyword_weight *= PRODUCT_BOOST
    return vector_weight, keyword_weight
