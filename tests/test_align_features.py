"""The evidence the aligners weigh: code keys, math normalisation, anchors, lengths, language checks."""

from __future__ import annotations

import math

import pytest

from amts.align.blocks import _code_key
from amts.align.features import anchor_counts, estimate_ratio, length_logratio, normalize_math, text_features
from amts.align.language import check_language, guess_language
from amts.errors import AlignmentError


def test_code_key_ignores_translated_comments_and_strings():
    en = "```{.python .input}\n# Define the layer\nnet = nn.Dense(10)  # ten outputs\nprint('loss', l)\n```"
    zh = "```{.python .input}\n# 定义该层\nnet = nn.Dense(10)  # 十个输出\nprint('损失', l)\n```"
    other = "```{.python .input}\nnet = nn.Dense(20)\nprint('loss', l)\n```"
    assert _code_key(en)[0] == _code_key(zh)[0]
    assert _code_key(en)[0] != _code_key(other)[0]
    # Framework tab markers are code, not comments: two tabs never share a key.
    assert _code_key("```\n#@tab pytorch\nx = 1\n```")[0] != _code_key("```\n#@tab paddle\nx = 1\n```")[0]


def test_math_normalisation_drops_spacing_and_chinese_full_stop():
    assert normalize_math("$$(n_h-k_h+1) \\times (n_w-k_w+1).$$") == normalize_math(
        "$$(n_h-k_h+1)\\times(n_w-k_w+1)。$$"
    )


def test_anchors_shared_and_lonely():
    en = text_features("Set the *stride* to $2$ with `conv2d` as in :numref:`sec_x` using padding.")
    zh = text_features("按 :numref:`sec_x`所述，用`conv2d`把*步幅*（stride）设为$2$。")
    shared, lonely = anchor_counts(en, zh, "en", "zh")
    # sec_x, conv2d, 2, the emphasis and the kept English word "stride"
    assert shared == 5 and lonely == 0
    unrelated = text_features("我们使用`relu`激活函数，设为$3$。")
    shared2, lonely2 = anchor_counts(en, unrelated, "en", "zh")
    assert shared2 == 0 and lonely2 >= 4


def test_length_ratio_counts_untranslated_latin_one_to_one():
    en = text_features("Discussions about the chapter happen in the forum of the book.")
    zh_translated = text_features("关于本章的讨论在本书的论坛中进行。")
    zh_kept_english = text_features("Discussions about the chapter happen in the forum of the book.")
    ratio = 0.35
    assert abs(length_logratio(en, zh_translated, ratio, False, True)) < 0.5
    assert abs(length_logratio(en, zh_kept_english, ratio, False, True)) < 0.1
    est = estimate_ratio(en, zh_translated, False, True)
    assert est is not None and 0.2 < est < 0.5
    assert math.isclose(estimate_ratio(en, en, False, False), 1.0)


def test_language_guess_and_check():
    english = "The model learns the weights of the network and we evaluate it on the test set. " * 3
    spanish = "El modelo aprende los pesos de la red y lo evaluamos en el conjunto de prueba. " * 3
    chinese = "模型学习网络的权重，我们在测试集上评估它。" * 5
    assert guess_language(english)[0] == "en"
    assert guess_language(spanish)[0] == "es"
    assert guess_language(chinese)[0] == "zh"
    check_language(spanish, "es", "target")
    with pytest.raises(AlignmentError, match="looks like 'en'"):
        check_language(english, "es", "target")
    with pytest.raises(AlignmentError, match="Chinese"):
        check_language(chinese, "en", "source")
    check_language("too short", "zh", "target")  # not enough text to judge
