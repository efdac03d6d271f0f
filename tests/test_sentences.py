"""Sentence splitting for en, zh and es: abbreviations, protected inline spans, CJK punctuation."""

from __future__ import annotations

import csv
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amts.markdown import find_spans, load
from amts.sentences import split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One sentence. Another one! A third? Yes.", ["One sentence.", "Another one!", "A third?", "Yes."]),
        (
            "We use e.g. ResNet, i.e., a deep net. It works.",
            ["We use e.g. ResNet, i.e., a deep net.", "It works."],
        ),
        (
            "As Smith et al. Showed in 2020, it holds. Next.",
            ["As Smith et al. Showed in 2020, it holds.", "Next."],
        ),
        ("Compare A vs. B in Fig. 3 today. Then stop.", ["Compare A vs. B in Fig. 3 today.", "Then stop."]),
        (
            "Pi is 3.14 and e is 2.72. Both are constants.",
            ["Pi is 3.14 and e is 2.72.", "Both are constants."],
        ),
        ("Use tools, etc. The list is long.", ["Use tools, etc.", "The list is long."]),
        ("This is **bold.** And *this.* Next.", ["This is **bold.**", "And *this.*", "Next."]),
        ('He said "stop." Then left.', ['He said "stop."', "Then left."]),
    ],
)
def test_english_boundaries(text, expected):
    assert split_sentences(text, "en") == expected


@pytest.mark.parametrize(
    "text",
    [
        "Call `torch.nn.Module. Forward` now. Done.",
        "See :numref:`sec_a. B` for details. Done.",
        "The value $x. Y = 1$ is set. Done.",
        "Visit https://d2l.ai/a. Next/b.html for more. Done.",
    ],
)
def test_never_splits_inside_protected_spans(text):
    sentences = split_sentences(text, "en")
    assert sentences[-1] == "Done."
    assert len(sentences) == 2, sentences
    # The same holds when the caller passes the segment model's spans.
    assert split_sentences(text, "en", find_spans(text)) == sentences


def test_chinese_punctuation_and_closers():
    text = "他说：“你好。”然后离开了！真的吗？是的。*步幅*则可以帮助。"
    assert split_sentences(text, "zh") == [
        "他说：“你好。”",
        "然后离开了！",
        "真的吗？",
        "是的。",
        "*步幅*则可以帮助。",
    ]


def test_chinese_comma_after_closing_quote_continues_the_sentence():
    text = "例如（“图像是否包含一只猫呢？”），所以我们最后一层应该敏感。下一句。"
    assert split_sentences(text, "zh") == [
        "例如（“图像是否包含一只猫呢？”），所以我们最后一层应该敏感。",
        "下一句。",
    ]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "[**We treat NaN as a category.**] Since the column has two values, it works.",
            "en",
            ["[**We treat NaN as a category.**]", "Since the column has two values, it works."],
        ),
        ("Note (**this is highlighted.**) Next one.", "en", ["Note (**this is highlighted.**)", "Next one."]),
        (
            "[**我们将“NaN”视为一个类别。**] 由于该列只有两个值。",
            "zh",
            ["[**我们将“NaN”视为一个类别。**]", "由于该列只有两个值。"],
        ),
    ],
)
def test_d2l_highlight_markers_close_the_sentence_they_end(text, lang, expected):
    """d2l's `[**...**]` / `(**...**)` markers are protected spans; the closing one ends its sentence."""
    assert split_sentences(text, lang, find_spans(text)) == expected
    assert split_sentences(text, lang) == expected


def test_chinese_does_not_split_on_semicolon_or_inside_math():
    text = "第一部分；第二部分。公式$a。b$在这里。"
    assert split_sentences(text, "zh") == ["第一部分；第二部分。", "公式$a。b$在这里。"]


def test_spanish_inverted_marks_and_abbreviations():
    text = "¿Qué es un modelo? ¡Es una función! Usamos p. ej. redes, etc. Fin del texto."
    assert split_sentences(text, "es") == [
        "¿Qué es un modelo?",
        "¡Es una función!",
        "Usamos p. ej. redes, etc.",
        "Fin del texto.",
    ]


def test_empty_and_whitespace():
    assert split_sentences("", "en") == []
    assert split_sentences("   ", "zh") == []


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list('ab .?!。？！ `$*"”)Ab1')), max_size=60),
    st.sampled_from(["en", "zh", "es"]),
)
def test_sentences_are_verbatim_and_cover_the_text(text, lang):
    sentences = split_sentences(text, lang)
    position = 0
    for sentence in sentences:
        assert sentence == sentence.strip() and sentence
        found = text.find(sentence, position)
        assert found >= 0 and not text[position:found].strip()
        position = found + len(sentence)
    assert not text[position:].strip()


@pytest.mark.corpus
def test_real_corpus_sentences_are_substrings_and_keep_spans_whole(d2l_data):
    rows = list(csv.DictReader(open(d2l_data / "pairs.tsv", encoding="utf-8"), delimiter="\t"))[3:23]
    checked = 0
    for row in rows:
        for path, lang in (
            (d2l_data / "en" / row["en_path"], "en"),
            (d2l_data / "zh" / row["zh_path"], "zh"),
        ):
            for segment in load(path).segments:
                sentences = split_sentences(segment.text, lang, segment.spans)
                assert re.sub(r"\s", "", "".join(sentences)) == re.sub(r"\s", "", segment.text)
                # Each sentence boundary lies outside every protected span.
                offset = 0
                for sentence in sentences[:-1]:
                    offset = segment.text.index(sentence, offset) + len(sentence)
                    assert not any(span.start < offset < span.end for span in segment.spans), sentence
                checked += 1
    assert checked > 500
