"""The linear span scanners find exactly what the regular expressions they replaced found (random text, with
those expressions as the oracle), and the shapes that made the expressions quadratic or cubic stay fast."""

from __future__ import annotations

import random
import re

import pytest

from amts.align.features import inline_span_ranges, text_features
from amts.markdown.inline import find_spans
from amts.sentences import split_sentences
from amts.textscan import plain_span_ranges
from tests.growth import assert_linear
from tests.legacy_scanners import OLD_FEATURES, OLD_SENTENCES, old_find_spans

# Pieces that open, close or break spans, and ordinary text around them.
_ALPHABET = [
    "`", "``", "```", "$", "$$", "\\", ":a:", ":_x:", ":r-x:`", "[", "]", "(", ")", "*", "**", "<", ">",
    "</", "<a", "<b ", "/>", "&", "&amp;", "&#1;", "h", "http://", "https://x", " ", "\n", "\t", "a", "b",
    '"', "'", "](", "][", "[[", "]]", "x", "1", "_", "é", "中",
]  # fmt: skip


def _random_texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 16))) for _ in range(count)]


@pytest.mark.parametrize("seed", range(4))
def test_segment_spans_match_the_old_expression(seed):
    for text in _random_texts(seed, 5000):
        assert find_spans(text) == old_find_spans(text), text


@pytest.mark.parametrize("seed", range(4))
def test_plain_spans_match_the_old_expressions(seed):
    for text in _random_texts(100 + seed, 5000):
        assert plain_span_ranges(text) == [m.span() for m in OLD_SENTENCES.finditer(text)], text
        assert inline_span_ranges(text) == [m.span() for m in OLD_FEATURES.finditer(text)], text


def test_documented_examples():
    text = 'See :numref:`sec_x`, ``co`de``, $x^2$, [a](http://u.rl "t") and <br/> &amp; [**mark**]'
    kinds = [(text[s.start : s.end], s.kind) for s in find_spans(text)]
    assert kinds == [
        (":numref:`sec_x`", "role"),
        ("``co`de``", "code"),
        ("$x^2$", "math"),
        ("[", "url"),
        ('](http://u.rl "t")', "url"),
        ("<br/>", "html"),
        ("&amp;", "html"),
        ("[**", "marker"),
        ("**]", "marker"),
    ]


# Pathological shapes of #16, doubled twice from a size that takes 20 ms: the fitted exponent must stay near 1.
PATHOLOGICAL = {
    "backtick run": lambda n: "`" * n,
    "[a]( repeats": lambda n: "[a](" * (n // 4),
    "role openers": lambda n: ":a:``" * (n // 5),
    "unclosed autolinks": lambda n: "<http://x" * (n // 9),
    "dollars": lambda n: "$a " * (n // 3),
    "link then spaces": lambda n: '](x "' + " " * n,
}


def _all_scanners(text: str) -> None:
    find_spans(text)
    split_sentences(text, "en")
    text_features(text)


@pytest.mark.parametrize("shape", sorted(PATHOLOGICAL))
def test_scanners_grow_linearly(shape):
    make = PATHOLOGICAL[shape]
    assert_linear(lambda n: _all_scanners(make(n)), start=20_000, label=shape)


OLD_FENCED = re.compile(r"^(`{3,}|~{3,}).*?^\1", re.S | re.M)  # amts/sync/checks.py before #16


def test_fence_stripping_matches_the_old_expression():
    from amts.sync.checks import _without_fences

    rng = random.Random(7)
    pieces = ["`", "```", "````", "~~~", "~", "\n", "a", " ", "\n```\n", "x\n"]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert _without_fences(text) == OLD_FENCED.sub("", text), text
