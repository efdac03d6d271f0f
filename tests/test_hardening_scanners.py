"""The linear span scanners find exactly what the regular expressions they replaced found (random text, with
those expressions as the oracle), and the shapes that made the expressions quadratic or cubic stay fast."""

from __future__ import annotations

import random
import re

import pytest

from amts.align.features import inline_span_ranges, text_features
from amts.markdown.inline import Span, _with_link_openers, find_spans
from amts.sentences import split_sentences
from amts.textscan import plain_span_ranges
from tests.growth import assert_linear

# The expressions as they were before #16 (amts/markdown/inline.py, amts/sentences.py, amts/align/features.py).
OLD_INLINE = re.compile(
    r"""
    (?=[`$\[\]()*<&:h])
    (?:(?P<role>:[A-Za-z_][\w-]*:(?P<rticks>`+).*?(?P=rticks))
  | (?P<code>(?P<ticks>`+)(?!`).*?(?<!`)(?P=ticks)(?!`))
  | (?P<math>(?<![\\$])\$\$.+?(?<!\\)\$\$|(?<![\\$])\$(?=\S)(?:\\.|[^$\\])+?(?<![\s\\])\$(?!\$))
  | (?P<marker>\[\*\*|\*\*\]|\(\*\*|\*\*\))
  | (?P<url>\[\[[^\[\]\s]+\]\]|\]\([^)\s]*(?:\s+"[^"]*")?\)|\]\[[^\]]*\]|<https?://[^>\s]+>|https?://[^\s)\]>"']+)
  | (?P<html></?[A-Za-z][A-Za-z0-9-]*(?:\s+[^<>]*?)?/?>|&[a-zA-Z]+;|&\#\d+;))
    """,
    re.VERBOSE | re.DOTALL,
)
OLD_SENTENCES = re.compile(
    r"""
      :[A-Za-z][\w-]*:`[^`]*`
    | (`+)(?:(?!\1).)+?\1
    | \$\$.+?\$\$
    | (?<![\\$])\$(?!\s)[^$]+?(?<![\s\\])\$
    | <https?://[^>]+>
    | https?://[^\s)\]>]+
    | \]\([^)\s]+\)
    | </?[A-Za-z][^<>]*>
    """,
    re.VERBOSE,
)
OLD_FEATURES = re.compile(
    r":[A-Za-z_][\w-]*:`[^`]*`|(`+)(?:(?!\1).)+?\1|\$\$.+?\$\$|(?<![\\$])\$(?!\s)[^$]+?(?<![\s\\])\$"
    r"|\]\([^)\s]+\)|https?://[^\s)\]>]+"
)
_KINDS = ("role", "code", "math", "marker", "url", "html")

# Pieces that open, close or break spans, and ordinary text around them.
_ALPHABET = [
    "`", "``", "```", "$", "$$", "\\", ":a:", ":_x:", ":r-x:`", "[", "]", "(", ")", "*", "**", "<", ">",
    "</", "<a", "<b ", "/>", "&", "&amp;", "&#1;", "h", "http://", "https://x", " ", "\n", "\t", "a", "b",
    '"', "'", "](", "][", "[[", "]]", "x", "1", "_", "é", "中",
]  # fmt: skip


def _random_texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 16))) for _ in range(count)]


def _old_find_spans(text: str) -> list[Span]:
    spans = [
        Span(m.start(), m.end(), next(k for k in _KINDS if m.group(k) is not None))
        for m in OLD_INLINE.finditer(text)
    ]
    return _with_link_openers(text, spans)


@pytest.mark.parametrize("seed", range(4))
def test_segment_spans_match_the_old_expression(seed):
    for text in _random_texts(seed, 5000):
        assert find_spans(text) == _old_find_spans(text), text


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
