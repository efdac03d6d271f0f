"""The segment model on hand-written d2lbook and MDX snippets."""

from __future__ import annotations

import pytest

from amts.errors import InputError, PlaceholderError
from amts.markdown import load, mask, parse, render, unmask
from amts.markdown.io import decode


def texts(document, kind=None):
    return [s.text for s in document.segments if kind is None or s.kind == kind]


D2L = """# Softmax Regression
:label:`sec_softmax`

In :numref:`sec_linear`, we introduced
linear regression with `d2l.train`
and $\\mathbf{w}$.

```{.python .input}
#@tab pytorch
x = 1  # a comment in prose-like words
```

$$
y = \\mathrm{softmax}(o)
$$
:eqlabel:`eq_softmax`

$$z = 1.$$

* first item
  wrapped
* second item

1. numbered one

:Table caption with $x$.

| Name | Value |
|---|---|
| alpha | `a|b` |
| 1970 | 2 |
:label:`tab_x`

![A single-layer network.](../img/x.svg)
:width:`300px`

:begin_tab:`mxnet`
Tab text is translated.
:end_tab:

```toc
:maxdepth: 2

intro
```

<div align="center">
kept raw
</div>
"""


def test_d2l_segments_kinds_and_text():
    doc = parse(D2L)
    assert texts(doc, "heading") == ["Softmax Regression"]
    assert texts(doc, "paragraph") == [
        "In :numref:`sec_linear`, we introduced linear regression with `d2l.train` and $\\mathbf{w}$.",
        "Tab text is translated.",
    ]
    assert texts(doc, "list_item") == ["first item wrapped", "second item", "numbered one"]
    assert texts(doc, "caption") == ["Table caption with $x$."]
    # numeric-only cells carry nothing to translate
    assert texts(doc, "table_cell") == ["Name", "Value", "alpha"]
    assert texts(doc, "image_alt") == ["A single-layer network."]
    kinds = [b.kind for b in doc.blocks]
    assert kinds.count("code") == 2 and kinds.count("math") == 2
    assert kinds.count("directive") == 6
    assert "html" in kinds
    assert doc.warnings == []


def test_segment_lines_ids_and_spans():
    doc = parse(D2L)
    para = doc.segments[1]
    assert (para.line, para.end_line) == (4, 6)
    assert para.id.endswith("-0") and len(para.id.split("-")[0]) == 12
    assert [para.text[s.start : s.end] for s in para.spans] == [
        ":numref:`sec_linear`",
        "`d2l.train`",
        "$\\mathbf{w}$",
    ]
    assert doc.blocks[para.block].segments[0] is para


def test_repeated_text_gets_occurrence_ids():
    doc = parse("Same text.\n\nSame text.\n")
    first, second = doc.segments
    assert first.id.split("-")[0] == second.id.split("-")[0]
    assert (first.id[-2:], second.id[-2:]) == ("-0", "-1")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no final newline",
        "line one\r\nline two\r\n\r\n# Title\r\n",
        "\ufeff# BOM title\n\ntext\n",
        "tabs\tinside  \n\ttabbed line   \n",
        "mixed\r\nendings\nhere\r",
        "| a | b |\n|---|---|\n| c | d |",
        "```python\nunclosed fence\n\nmore",
        "$$\nunclosed math\n\ntext",
        "* a\n\n    indented code\n\n> quote\n> more\n",
    ],
)
def test_round_trip_is_byte_identical(text):
    assert render(parse(text)) == text


def test_render_translations_one_line_a_paragraph_keeping_framing():
    source = (
        "## Old Title\r\n\r\nsoft wrapped\r\nparagraph\r\n\r\n"
        "* item one\r\n  wrapped\r\n\r\n| a | b |\r\n|--|--|\r\n"
    )
    doc = parse(source)
    by_text = {s.text: s.id for s in doc.segments}
    out = render(
        doc,
        {
            by_text["Old Title"]: "新标题",
            by_text["soft wrapped paragraph"]: "一行的段落",
            by_text["item one wrapped"]: "第一项",
            by_text["a"]: "x|y",
        },
    )
    assert out == "## 新标题\r\n\r\n一行的段落\r\n\r\n* 第一项\r\n\r\n| x\\|y | b |\r\n|--|--|\r\n"


def test_image_alt_and_caption_render():
    doc = parse(":Caption here\n\n| a |\n|---|\n\n![Old alt](../img/a.svg)\n")
    ids = {s.kind: s.id for s in doc.segments}
    out = render(doc, {ids["caption"]: "Leyenda", ids["image_alt"]: "Texto"})
    assert out == ":Leyenda\n\n| a |\n|---|\n\n![Texto](../img/a.svg)\n"


def test_unbalanced_fence_and_math_protect_rest_with_warning():
    doc = parse("Intro.\n\n```python\nx = 1\n\nNot prose.\n")
    assert texts(doc) == ["Intro."]
    assert doc.warnings == ["unbalanced fence opened at line 3: rest of file protected"]
    doc = parse("Intro.\n\n$$\nx\n\nNot prose.\n")
    assert texts(doc) == ["Intro."]
    assert "unbalanced $$ opened at line 3" in doc.warnings[0]


def test_math_and_directives_inside_a_paragraph_are_cut_out():
    doc = parse("Before the math\n$$x = 1$$\n:eqlabel:`eq`\nafter the math.\n")
    assert texts(doc) == ["Before the math", "after the math."]


def test_roles_at_line_start_stay_prose():
    doc = parse("As shown\n:cite:`Foo.2020`\nand in\n:numref:`sec_x`.\n")
    assert texts(doc) == ["As shown :cite:`Foo.2020` and in :numref:`sec_x`."]


def test_slide_markers_and_links_are_protected():
    text = "We [**train the model**] (**fast**) with [the docs](https://x.org/a_b) and <https://y.org>."
    masked, originals = mask(text)
    assert originals == ["[**", "**]", "(**", "**)", "[", "](https://x.org/a_b)", "<https://y.org>"]
    assert "**" not in masked and "https" not in masked


def test_mdx_components_and_conditionals_are_protected():
    mdx = (
        "<FrameworkSwitchCourse {fw} />\n\n{#if fw === 'pt'}\n\n<CourseFloatingBanner chapter={2}\n"
        '  notebooks={[\n    {label: "Colab", value: "https://x"},\n]} />\n\n{:else}\n\n'
        '<Tip>\n\nA tip to translate.\n\n</Tip>\n\n{/if}\n\n<Youtube id="abc"/>\n\nProse here.\n'
    )
    doc = parse(mdx)
    assert texts(doc) == ["A tip to translate.", "Prose here."]
    assert render(doc) == mdx


def test_mask_unmask_round_trip_and_errors():
    text = "Use `x` and $y$ in :numref:`sec`."
    masked, originals = mask(text)
    assert masked == "Use ⟦1⟧ and ⟦2⟧ in ⟦3⟧."
    assert unmask("En ⟦3⟧ usa ⟦2⟧ y ⟦1⟧.", originals, "s1") == "En :numref:`sec` usa $y$ y `x`."
    with pytest.raises(PlaceholderError, match="segment s1: translation lost ⟦2⟧"):
        unmask("Usa ⟦1⟧ en ⟦3⟧.", originals, "s1")
    with pytest.raises(PlaceholderError, match="duplicated ⟦1⟧"):
        unmask("⟦1⟧ ⟦1⟧ ⟦2⟧ ⟦3⟧", originals, "s1")
    with pytest.raises(PlaceholderError, match="corrupted"):
        unmask("⟦1⟧ ⟦2⟧ ⟦3⟧ ⟦4", originals, "s1")
    with pytest.raises(PlaceholderError, match="unknown ⟦9⟧"):
        unmask("⟦1⟧ ⟦2⟧ ⟦3⟧ ⟦9⟧", originals, "s1")


def test_bad_input_errors(tmp_path):
    bad = tmp_path / "latin1.md"
    bad.write_bytes("caf\xe9 ok".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1.md: not valid UTF-8 at byte offset 3"):
        load(bad)
    binary = tmp_path / "image.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(InputError, match="binary file"):
        load(binary)
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    assert load(empty).segments == []
    with pytest.raises(InputError, match="no such file"):
        load(tmp_path / "missing.md")
    assert decode("ä".encode(), "x") == "ä"


def test_mdx_heading_anchor_is_protected():
    doc = parse("# Transformers, what can they do?[[transformers-what-can-they-do]]\n")
    (segment,) = doc.segments
    masked, originals = mask(segment.text, segment.spans)
    assert masked == "Transformers, what can they do?⟦1⟧"
    assert originals == ["[[transformers-what-can-they-do]]"]


def test_lone_carriage_returns_do_not_shift_lines():
    text = "# Title\r\rstray\r\n\r\n* item\r one\r\n\r\nlast\r"
    doc = parse(text)
    assert render(doc) == text
    assert [s.kind for s in doc.segments][0] == "heading"
