"""Properties of sync on generated chapters: nothing lost, nothing changed means nothing changes, stable."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amts.engines import Engine
from amts.markdown import PLACEHOLDER_RE
from amts.sync import assemble, plan_chapter, sync_document
from amts.sync.units import split_units

# (English sentences, their Chinese) for paragraphs of a generated chapter
PARAGRAPHS = [
    (
        ["Convolutions are everywhere in vision.", "They share weights across locations."],
        ["卷积在视觉中无处不在。", "它们在不同位置共享权重。"],
    ),
    (
        ["We call `conv2d` with a kernel of size $3$.", "The output shrinks by two pixels."],
        ["我们用大小为$3$的核调用`conv2d`。", "输出缩小了两个像素。"],
    ),
    (
        ["Padding keeps the output as large as the input, which matters in deep networks."],
        ["填充使输出与输入一样大，这在深层网络中很重要。"],
    ),
    (
        ["Strides skip positions.", "They reduce the resolution quickly.", "Use them with care."],
        ["步幅会跳过位置。", "它们会迅速降低分辨率。", "请谨慎使用。"],
    ),
    (
        ["Pooling aggregates a window into one value, for example the maximum."],
        ["汇聚把一个窗口聚合成一个值，例如最大值。"],
    ),
    (
        ["Channels carry different features.", "A color image has three of them: red, green and blue."],
        ["通道承载不同的特征。", "一张彩色图像有三个通道：红、绿、蓝。"],
    ),
    (
        ["The receptive field grows with depth, so later layers see a larger part of the image."],
        ["感受野随深度增长，因此后面的层能看到图像更大的部分。"],
    ),
    (
        ["Batch normalization stabilizes training.", "It normalizes activations per minibatch."],
        ["批量规范化使训练更稳定。", "它按小批量规范化激活值。"],
    ),
]
NEW_PARAGRAPHS = [
    "Residual connections let gradients flow through very deep networks.",
    "Dropout randomly zeroes activations during training.",
    "Attention weighs every position of the input.",
]
CODE = "```{.python .input}\n# build the layer\nnet = nn.Conv2D(1, kernel_size=3)\n```"
CODE_ZH = "```{.python .input}\n# 构建层\nnet = nn.Conv2D(1, kernel_size=3)\n```"


def _chapter(items: list[int], *, wrap: bool = False) -> tuple[str, str]:
    en_parts, zh_parts = ["# Convolutions"], ["# 卷积"]
    for item in items:
        if item < 0:
            en_parts.append(CODE)
            zh_parts.append(CODE_ZH)
            continue
        en, zh = PARAGRAPHS[item]
        en_parts.append(("\n" if wrap else " ").join(en))
        zh_parts.append("".join(zh))
    return "\n\n".join(en_parts) + "\n", "\n\n".join(zh_parts) + "\n"


chapters = st.lists(
    st.integers(min_value=-1, max_value=len(PARAGRAPHS) - 1), min_size=2, max_size=6, unique=True
)
edits = st.lists(
    st.tuples(
        st.sampled_from(["delete", "insert", "change", "rewrap", "slide", "bold"]),
        st.integers(min_value=0, max_value=10),
        st.integers(min_value=0, max_value=2),
    ),
    max_size=4,
)


def _edit(en_old: str, plan: list[tuple[str, int, int]]) -> str:
    blocks = en_old.rstrip("\n").split("\n\n")
    for action, where, which in plan:
        position = 1 + where % max(len(blocks) - 1, 1)
        if action == "insert":
            blocks.insert(position, NEW_PARAGRAPHS[which])
            continue
        if position >= len(blocks) or blocks[position].startswith("```"):
            continue
        block = blocks[position]
        if action == "delete":
            del blocks[position]
        elif action == "change":
            blocks[position] = block.replace(".", ", indeed.", 1)
        elif action == "rewrap":
            blocks[position] = block.replace(" ", "\n", 2)
        elif action == "slide":
            blocks[position] = f":begin_slide:\n{block}\n:end_slide:"
        elif action == "bold":
            blocks[position] = f"[**{block[:-1]}**]{block[-1]}"
    return "\n\n".join(blocks) + "\n"


def _sentences_zh(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=。)", text) if s.strip()]


PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(items=chapters, wrap=st.booleans())
def test_nothing_changed_gives_the_old_target_byte_identical(items, wrap):
    en_old, zh_old = _chapter(items)
    en_new, _ = _chapter(items, wrap=wrap)  # re-wrapping is no change to a translator
    plan = plan_chapter(en_old, en_new, zh_old, "en", "zh")
    plan.unchanged_text = None  # build it from the plan, not from the shortcut
    text, report = assemble(plan, {})
    assert text == zh_old
    assert report["counts"]["chars_to_mt"] == 0
    assert sync_document(en_old, en_old, zh_old, "en", "zh")[0] == zh_old


@PROPERTY_SETTINGS
@given(items=chapters, plan=edits)
def test_every_human_sentence_is_in_the_output_or_reported(items, plan):
    en_old, zh_old = _chapter(items)
    en_new = _edit(en_old, plan)
    text, report = sync_document(en_old, en_new, zh_old, "en", "zh")
    accounted = text + "".join(e["old_target"] for e in report["segments"])
    for unit in split_units(zh_old):
        if unit.is_prose:
            for sentence in _sentences_zh(unit.raw.lstrip("# ")):
                assert sentence.replace("[**", "").replace("**]", "") in accounted.replace("[**", "").replace(
                    "**]", ""
                )
        elif unit.kind == "code":
            assert (
                unit.raw in text
                or any(e["status"] == "deleted" and e["old_target"] == unit.raw for e in report["segments"])
                or report["counts"]["code_changed"]
            )


class FakeChinese(Engine):
    """An engine that keeps every placeholder and writes Chinese-looking text around them."""

    name = "fake"

    def _translate(self, texts, source_lang, target_lang):
        return ["".join(m.group(0) for m in PLACEHOLDER_RE.finditer(t)) + f"译文{len(t)}。" for t in texts]


@PROPERTY_SETTINGS
@given(items=chapters, plan=edits, engine=st.sampled_from([None, FakeChinese()]))
def test_sync_is_deterministic_and_a_second_sync_changes_nothing(items, plan, engine):
    en_old, zh_old = _chapter(items)
    en_new = _edit(en_old, plan)
    first, report = sync_document(en_old, en_new, zh_old, "en", "zh", engine=engine)
    again, report_again = sync_document(en_old, en_new, zh_old, "en", "zh", engine=engine)
    if engine is not None:
        assert not any(e["status"] == "untranslated" for e in report["segments"])
    assert (first, report) == (again, report_again)
    settled, _ = sync_document(en_new, en_new, first, "en", "zh")
    assert settled == first
