"""Block and sentence alignment of a chapter and its translation."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amts.align import align_blocks, align_documents
from amts.align.evaluate import read_beads, score_beads
from amts.cli import app
from amts.errors import AlignmentError
from amts.markdown import load, parse

GOLD = Path(__file__).parent / "data" / "gold"

EN = """# Padding and Stride
:label:`sec_padding`

In the previous example, our input had a height and width of 3.
The output shape is $2\\times2$.

Padding is the most popular tool. It adds $p_h$ rows.

```{.python .input}
# Define a helper that builds the layer.
def comp(X):
    return X.reshape((1, 1) + X.shape)
```

```{.python .input}
#@tab pytorch
# The same helper in PyTorch.
def comp(X):
    return X.reshape((1, 1) + X.shape)
```

$$(n_h-k_h+p_h+1)\\times(n_w-k_w+p_w+1).$$

## Summary

* Padding can increase the height of the output.
* The stride can reduce the resolution to $1/n$.
"""

ZH = """# 填充和步幅
:label:`sec_padding`

在前面的例子中，输入的高度和宽度都为$3$。输出形状为$2\\times2$。

填充是最有效的方法。它添加$p_h$行。

```{.python .input}
# 定义一个构建该层的辅助函数。
def comp(X):
    return X.reshape((1, 1) + X.shape)
```

```{.python .input}
#@tab pytorch
# PyTorch中的同一个函数。
def comp(X):
    return X.reshape((1, 1) + X.shape)
```

```{.python .input}
#@tab paddle
import paddle
def comp(X):
    return paddle.reshape(X, (1, 1) + X.shape)
```

$$(n_h-k_h+p_h+1)\\times(n_w-k_w+p_w+1)。$$

## 小结

* 填充可以增加输出的高度。
* 步幅可以将分辨率降低到$1/n$。
"""


def _kinds(blocks):
    return [b.kind for b in blocks]


def test_align_blocks_covers_every_block_once_in_order():
    src, tgt = parse(EN), parse(ZH)
    pairs = align_blocks(src, tgt, "en", "zh")
    assert [b.index for p in pairs for b in p.source] == [b.index for b in src.blocks]
    assert [b.index for p in pairs for b in p.target] == [b.index for b in tgt.blocks]


def test_code_with_translated_comments_anchors_and_extra_tab_is_zero_one():
    src, tgt = parse(EN), parse(ZH)
    pairs = align_blocks(src, tgt, "en", "zh")
    code_pairs = [p for p in pairs if any(b.kind == "code" for b in p.source + p.target)]
    matched = [(p.source[0].raw, p.target[0].raw) for p in code_pairs if p.source and p.target]
    assert len(matched) == 2
    assert all(("pytorch" in a) == ("pytorch" in b) for a, b in matched)
    extra = [p for p in code_pairs if not p.source]
    assert len(extra) == 1 and "paddle" in extra[0].target[0].raw
    math_pair = next(p for p in pairs if p.source and p.source[0].kind == "math")
    assert _kinds(math_pair.target) == ["math"]  # the Chinese adds 。 inside $$


def test_two_english_paragraph_merge_and_headings_stay_headings():
    en = (
        "# Title\n\nFirst short paragraph about $x$.\n\nSecond short paragraph about $y$.\n\n"
        "## Next\n\nMore text on $z$ here.\n"
    )
    zh = "# 标题\n\n关于$x$的第一段，以及关于$y$的第二段。\n\n## 下一节\n\n这里有关于$z$的更多内容。\n"
    pairs = align_blocks(parse(en), parse(zh), "en", "zh")
    shapes = [(len(p.source), len(p.target), _kinds(p.source)) for p in pairs]
    assert shapes == [
        (1, 1, ["heading"]),
        (2, 1, ["paragraph", "paragraph"]),
        (1, 1, ["heading"]),
        (1, 1, ["paragraph"]),
    ]


def test_sentence_beads_cover_every_sentence_once():
    src, tgt = parse(EN), parse(ZH)
    beads = align_documents(src, tgt, "en", "zh")
    assert [b.source for b in beads][0] == ["Padding and Stride"]
    pairs = {(" ".join(b.source), " ".join(b.target)) for b in beads}
    assert ("The stride can reduce the resolution to $1/n$.", "步幅可以将分辨率降低到$1/n$。") in pairs
    assert ("Padding is the most popular tool.", "填充是最有效的方法。") in pairs
    src_sentences = [s for b in beads for s in b.source]
    tgt_sentences = [s for b in beads for s in b.target]
    # 8 prose sentences and 2 code comments on each side
    assert len(src_sentences) == len(set(src_sentences)) == 10
    assert len(tgt_sentences) == len(set(tgt_sentences)) == 10


def test_code_comments_pair_with_their_translation_by_code_line():
    for granularity in ("sentence", "paragraph"):
        beads = align_documents(parse(EN), parse(ZH), "en", "zh", granularity=granularity)
        pairs = [(b.source, b.target) for b in beads]
        assert (["Define a helper that builds the layer."], ["定义一个构建该层的辅助函数。"]) in pairs


def test_paragraph_beads_hold_segment_texts():
    beads = align_documents(parse(EN), parse(ZH), "en", "zh", granularity="paragraph")
    assert beads[1].source == [
        "In the previous example, our input had a height and width of 3. The output shape is $2\\times2$."
    ]
    assert beads[1].target == ["在前面的例子中，输入的高度和宽度都为$3$。输出形状为$2\\times2$。"]


def test_mismatched_language_is_a_clear_error():
    with pytest.raises(AlignmentError, match="declared 'zh'"):
        align_documents(parse(EN), parse(EN), "en", "zh")
    with pytest.raises(AlignmentError, match="declared 'en'"):
        align_documents(parse(ZH), parse(ZH), "en", "zh")


def test_unknown_granularity():
    with pytest.raises(AlignmentError, match="granularity"):
        align_documents(parse(EN), parse(ZH), "en", "zh", granularity="word")


@pytest.mark.corpus
def test_meta_rows_are_unalignable_and_chapters_align(d2l_data):
    rows = list(csv.DictReader(open(d2l_data / "pairs.tsv", encoding="utf-8"), delimiter="\t"))
    for row in rows:
        if row["kind"] != "meta":
            continue
        with pytest.raises(AlignmentError, match="unalignable"):
            align_documents(
                load(d2l_data / "en" / row["en_path"]), load(d2l_data / "zh" / row["zh_path"]), "en", "zh"
            )
    # Two real chapters of the same book that are not translations of each other.
    with pytest.raises(AlignmentError, match="unalignable"):
        align_documents(
            load(d2l_data / "zh_origin/chapter_convolutional-neural-networks/pooling_origin.md"),
            load(d2l_data / "zh/chapter_convolutional-neural-networks/lenet.md"),
            "en",
            "zh",
        )
    chapters = [r for r in rows if r["zh_origin_path"]][::10]
    for row in chapters:
        beads = align_documents(
            load(d2l_data / "zh_origin" / row["zh_origin_path"]),
            load(d2l_data / "zh" / row["zh_path"]),
            "en",
            "zh",
        )
        matched = sum(1 for b in beads if b.source and b.target)
        assert matched >= 0.8 * len(beads), row["zh_path"]


@pytest.mark.corpus
def test_gold_bead_f1(d2l_data):
    """Strict bead F1 on the hand-made gold (7 sections; nltk Gale-Church scores about 0.85 on it)."""
    rows = list(csv.DictReader(open(GOLD / "sections.tsv", encoding="utf-8"), delimiter="\t"))
    total = None
    for row in rows:
        beads = align_documents(
            load(d2l_data / row["source"]),
            load(d2l_data / row["target"]),
            row["source_lang"],
            row["target_lang"],
        )
        score = score_beads(
            [(b.source, b.target) for b in beads if b.kind != "comment"], read_beads(GOLD / row["gold"])
        )
        total = score if total is None else total + score
    assert total.f1 >= 0.95


@pytest.mark.corpus
def test_english_spanish_course_aligns(hf_data):
    rows = list(csv.DictReader(open(hf_data / "pairs.tsv", encoding="utf-8"), delimiter="\t"))[:6]
    for row in rows:
        beads = align_documents(
            load(hf_data / "en" / row["path"]), load(hf_data / "es" / row["path"]), "en", "es"
        )
        matched = sum(1 for b in beads if b.source and b.target)
        assert matched >= 0.7 * len(beads), row["path"]


def test_cli_align_writes_json_lines(tmp_path):
    src, tgt = tmp_path / "en.md", tmp_path / "zh.md"
    src.write_text(EN, encoding="utf-8")
    tgt.write_text(ZH, encoding="utf-8")
    out = tmp_path / "beads.jsonl"
    result = CliRunner().invoke(
        app,
        [
            "align",
            str(src),
            str(tgt),
            "--source-lang",
            "en",
            "--target-lang",
            "zh",
            "--granularity",
            "sentence",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    beads = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert beads[0] == {"source": ["Padding and Stride"], "target": ["填充和步幅"]}
    # prose beads are source/target only; a code comment's bead says so
    assert all(set(b) == {"source", "target"} or b.get("kind") == "comment" for b in beads)
    assert {
        "source": ["Define a helper that builds the layer."],
        "target": ["定义一个构建该层的辅助函数。"],
        "kind": "comment",
    } in beads
    stdout = CliRunner().invoke(app, ["align", str(src), str(tgt), "--granularity", "paragraph"])
    assert stdout.exit_code == 0
    assert json.loads(stdout.output.splitlines()[1])["target"] == [
        "在前面的例子中，输入的高度和宽度都为$3$。输出形状为$2\\times2$。"
    ]


def test_cli_align_refuses_wrong_language(tmp_path):
    src = tmp_path / "en.md"
    src.write_text(EN, encoding="utf-8")
    result = CliRunner().invoke(app, ["align", str(src), str(src), "--target-lang", "zh"])
    assert result.exit_code != 0
    assert isinstance(result.exception, AlignmentError)
