"""Property tests: generated d2lbook-like markdown round-trips and never leaks protected lines."""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from amts.markdown import PLACEHOLDER_RE, mask, parse, render, unmask

words = st.sampled_from(
    [
        "the",
        "model",
        "loss",
        "data",
        "we",
        "train",
        "gradient",
        "é",
        "数据",
        "*bold*",
        "_em_",
        "1.5",
        "e.g.",
        "(see)",
    ]
)
inline = st.sampled_from(
    [
        "`x = 1`",
        "$\\alpha$",
        ":numref:`sec_a`",
        ":cite:`A.B.2020`",
        "[**",
        "**]",
        "[link](https://a.org/x)",
        "<sub>",
    ]
)
prose_line = st.lists(st.one_of(words, words, inline), min_size=1, max_size=8).map(" ".join)
eol = st.sampled_from(["\n", "\n", "\r\n"])
trailing = st.sampled_from(["", "", "  ", "\t"])


@st.composite
def blocks(draw):
    kind = draw(
        st.sampled_from(
            [
                "para",
                "heading",
                "fence",
                "math1",
                "mathn",
                "directive",
                "list",
                "table",
                "image",
                "tab",
                "html",
            ]
        )
    )
    line = draw(prose_line)
    if kind == "para":
        return [draw(prose_line) + draw(trailing) for _ in range(draw(st.integers(1, 4)))]
    if kind == "heading":
        return ["#" * draw(st.integers(1, 4)) + " " + line]
    if kind == "fence":
        body = [draw(prose_line) for _ in range(draw(st.integers(0, 3)))]
        opener = draw(st.sampled_from(["```{.python .input}", "```python", "```toc", "```eval_rst", "~~~"]))
        return [opener, "#@tab pytorch", *body, opener[:3]]
    if kind == "math1":
        return ["$$" + line + "$$"]
    if kind == "mathn":
        return ["$$", "\\begin{aligned}", line, "\\end{aligned}", "$$", ":eqlabel:`eq_x`"]
    if kind == "directive":
        return [
            draw(st.sampled_from([":label:`sec_x`", ":width:`400px`", ":begin_tab:`mxnet`", ":end_tab:"]))
        ]
    if kind == "list":
        marker = draw(st.sampled_from(["* ", "- ", "1. "]))
        return [marker + draw(prose_line) for _ in range(draw(st.integers(1, 3)))]
    if kind == "table":
        return ["| " + line + " | b |", "|---|---|", "| c | " + draw(prose_line) + " |"]
    if kind == "image":
        return ["![" + line + "](../img/a.svg)", ":width:`300px`"]
    if kind == "tab":
        return [":begin_tab:`pytorch`", line, ":end_tab:"]
    return ["<div>", line, "</div>"]


@st.composite
def documents(draw):
    parts = draw(st.lists(blocks(), min_size=0, max_size=8))
    ending = draw(eol)
    lines = []
    for block in parts:
        lines.extend(block)
        lines.append("")
    text = ending.join(lines)
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text


PROTECTED_LINE = re.compile(r"^\s*(```|~~~|\$\$|:(label|width|eqlabel|begin_tab|end_tab|maxdepth):)")


@settings(max_examples=300, deadline=None)
@given(documents())
def test_round_trip_is_identical(text):
    assert render(parse(text)) == text


@settings(max_examples=300, deadline=None)
@given(documents())
def test_no_segment_holds_a_fence_math_or_directive_line(text):
    doc = parse(text)
    for segment in doc.segments:
        assert "```" not in segment.text and "~~~" not in segment.text
        assert not segment.text.startswith("$$")
        assert not PROTECTED_LINE.match(segment.text), segment.text
        assert "#@tab" not in segment.text
    for block in doc.blocks:
        if block.kind in ("code", "math", "directive"):
            assert block.segments == []


@settings(max_examples=300, deadline=None)
@given(prose_line, st.randoms(use_true_random=False))
def test_placeholders_survive_reordering(text, rnd: random.Random):
    masked, originals = mask(text)
    tokens = masked.split(" ")
    rnd.shuffle(tokens)  # an engine that reorders words and placeholders
    restored = unmask(" ".join(tokens), originals)
    assert "⟦" not in restored and "⟧" not in restored
    assert sorted(restored.split(" ")) == sorted(text.split(" ")) or sorted(restored) == sorted(text)
    assert len(PLACEHOLDER_RE.findall(masked)) == len(originals)


@settings(max_examples=200, deadline=None)
@given(documents())
def test_translating_every_segment_keeps_protected_blocks(text):
    doc = parse(text)
    translations = {}
    for segment in doc.segments:
        masked, originals = mask(segment.text, segment.spans)
        reordered = " ".join(reversed(masked.split(" ")))  # placeholders move, as in a real translation
        translations[segment.id] = unmask("T " + reordered, originals, segment.id)
    out = render(doc, translations)
    again = parse(out)

    def protected(d):
        return [b.raw.rstrip("\r\n") for b in d.blocks if b.kind in ("code", "math", "directive")]

    assert protected(again) == protected(doc)


markdownish = st.lists(
    st.sampled_from(
        list("`$*[]()<>|:!#-_~{}\\/ \t\r\n\x0b\x0c\u2028aé数1")
        + ["```", "$$", ":label:", ":begin_tab:", "<Tip>", "{#if x}", "**]", "[**", "](u)", "\r\n"]
    )
).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), markdownish))
def test_any_text_parses_and_round_trips(text):
    assert render(parse(text)) == text
