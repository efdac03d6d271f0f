"""amts.sync on small hand-written chapters: every status, markup-only changes, layout, requests."""

from __future__ import annotations

import pytest

from amts.errors import AlignmentError
from amts.engines import Engine
from amts.sync import Fill, assemble, plan_chapter, sync_document
from amts.sync.pairing import Bead
from amts.sync.pairing import absorb_target_only as _absorb_target_only

EN_OLD = """# Pooling
:label:`sec_pooling`

Often, as we process images, we want to gradually reduce the spatial resolution of our hidden representations.
Aggregating information yields coarser and coarser maps.

The deeper we go in the network, the larger the receptive field to which each hidden node is sensitive.
Pooling layers serve two purposes.

```{.python .input}
# Compute the pooling output
def pool2d(X, pool_size):
    return X.max()
```

$$y = \\max(x).$$

## Summary

* Max pooling takes the maximum over the window.
* Pooling reduces sensitivity to location.
"""

ZH_OLD = """# 汇聚层
:label:`sec_pooling`

通常当我们处理图像时，我们希望逐渐降低隐藏表示的空间分辨率。聚集信息会生成越来越粗糙的映射。

我们在网络中越深入，每个隐藏节点对其敏感的感受野就越大。汇聚层有双重目的。

```{.python .input}
# 计算汇聚输出
def pool2d(X, pool_size):
    return X.max()
```

$$y = \\max(x).$$

## 小结

* 最大汇聚层取窗口内的最大值。
* 汇聚层降低了对位置的敏感性。
"""


def _status(report, source_start: str) -> str:
    for entry in report["segments"]:
        if entry["source"].startswith(source_start):
            return entry["status"]
    raise AssertionError(f"no segment starting {source_start!r}")


def test_unchanged_english_gives_the_old_translation_byte_for_byte():
    text, report = sync_document(EN_OLD, EN_OLD, ZH_OLD, "en", "zh", path="pooling.md")
    assert text == ZH_OLD
    assert report["counts"]["segments"] == report["counts"]["reused"] + report["counts"]["reused_format"]
    assert report["counts"]["chars_to_mt"] == 0


def test_rewrapped_english_reuses_the_human_text_as_written():
    rewrapped = EN_OLD.replace(
        "we want to gradually reduce the spatial resolution",
        "we want to gradually reduce\nthe spatial resolution",
    )
    text, report = sync_document(EN_OLD, rewrapped, ZH_OLD, "en", "zh")
    assert text == ZH_OLD
    assert _status(report, "Often, as we process") == "reused-format"


def test_changed_sentence_keeps_the_unchanged_human_sentence_and_asks_only_for_the_new_one():
    new = EN_OLD.replace("Pooling layers serve two purposes.", "Pooling layers serve a dual purpose.")
    plan = plan_chapter(EN_OLD, new, ZH_OLD, "en", "zh", path="p.md")
    assert [r.text for r in plan.requests] == ["Pooling layers serve a dual purpose."]
    assert plan.requests[0].suggestion == "汇聚层有双重目的。"
    text, report = assemble(plan, {plan.requests[0].id: Fill("汇聚层有两个目的。", "apertium")})
    assert "我们在网络中越深入，每个隐藏节点对其敏感的感受野就越大。汇聚层有两个目的。" in text
    assert _status(report, "The deeper we go") == "fuzzy"
    assert report["counts"]["chars_to_mt"] == len("Pooling layers serve a dual purpose.")
    # everything else is the human text, untouched
    assert text.replace("汇聚层有两个目的。", "汇聚层有双重目的。") == ZH_OLD


def test_without_engine_the_old_translation_stays_and_the_segment_is_untranslated():
    new = EN_OLD.replace("Pooling layers serve two purposes.", "Pooling layers serve a dual purpose.")
    text, report = sync_document(EN_OLD, new, ZH_OLD, "en", "zh")
    assert text == ZH_OLD
    entry = next(e for e in report["segments"] if e["status"] == "untranslated")
    assert entry["old_target"].endswith("汇聚层有双重目的。")
    assert report["counts"]["untranslated"] == 1


def test_new_paragraph_is_machine_translated_in_place():
    new = EN_OLD.replace("## Summary", "Pooling has no parameters.\n\n## Summary")

    class Upper(Engine):
        name = "upper"

        def _translate(self, texts, source_lang, target_lang):
            return [t.upper() for t in texts]

    text, report = sync_document(EN_OLD, new, ZH_OLD, "en", "zh", engine=Upper())
    assert "$$y = \\max(x).$$\n\nPOOLING HAS NO PARAMETERS.\n\n## 小结" in text
    assert _status(report, "Pooling has no parameters.") == "machine"


def test_code_keeps_translated_comments_of_the_lines_that_did_not_change():
    new = EN_OLD.replace("return X.max()", "return X.mean()")
    text, report = sync_document(EN_OLD, new, ZH_OLD, "en", "zh")
    assert "# 计算汇聚输出\ndef pool2d(X, pool_size):\n    return X.mean()\n```" in text
    entry = next(e for e in report["segments"] if e["status"] == "code-changed")
    assert "X.max()" in entry["old_source"] and "# 计算汇聚输出" in entry["old_target"]
    assert report["counts"]["code_changed"] == 1
    recommented = new.replace("# Compute the pooling output", "# Compute the mean instead")
    text, _ = sync_document(EN_OLD, recommented, ZH_OLD, "en", "zh")
    assert "# Compute the mean instead\ndef pool2d" in text and "计算汇聚输出" not in text
    comment_only = EN_OLD.replace("# Compute the pooling output", "# Pooling output")
    text, report = sync_document(EN_OLD, comment_only, ZH_OLD, "en", "zh")
    assert "# 计算汇聚输出" in text  # kept, but flagged: the English comment it translates was edited
    assert report["counts"]["code_changed"] == 1
    code_untouched = EN_OLD.replace(
        "Pooling layers serve two purposes.", "Pooling layers serve a dual purpose."
    )
    assert sync_document(EN_OLD, code_untouched, ZH_OLD, "en", "zh")[1]["counts"]["code_changed"] == 0


def test_deleted_english_drops_the_translation_and_lists_it():
    new = EN_OLD.replace("* Pooling reduces sensitivity to location.\n", "")
    text, report = sync_document(EN_OLD, new, ZH_OLD, "en", "zh")
    assert "汇聚层降低了对位置的敏感性" not in text
    deleted = [e for e in report["segments"] if e["status"] == "deleted"]
    assert [e["old_target"] for e in deleted] == ["* 汇聚层降低了对位置的敏感性。"]


def test_slide_markers_added_around_a_paragraph_are_carried_into_the_translation():
    new = EN_OLD.replace("The deeper we go", ":begin_slide:\nThe deeper we go").replace(
        "Pooling layers serve two purposes.", "Pooling layers serve two purposes.\n:end_slide:"
    )
    text, report = sync_document(EN_OLD, new, ZH_OLD, "en", "zh")
    assert (
        ":begin_slide:\n我们在网络中越深入，每个隐藏节点对其敏感的感受野就越大。汇聚层有双重目的。\n:end_slide:"
        in text
    )
    assert report["counts"]["untranslated"] == 0


def test_slide_marker_splitting_a_paragraph_splits_the_translation_at_the_same_sentence():
    new = EN_OLD.replace("Often, as we process", ":begin_slide:\nOften, as we process").replace(
        "hidden representations.\n", "hidden representations.\n:end_slide:\n"
    )
    text, report = sync_document(EN_OLD, new, ZH_OLD, "en", "zh")
    assert (
        ":begin_slide:\n通常当我们处理图像时，我们希望逐渐降低隐藏表示的空间分辨率。\n:end_slide:\n聚集信息会生成越来越粗糙的映射。"
        in text
    )
    assert {e["status"] for e in report["segments"]} <= {"reused", "reused-format"}


def test_bold_slide_marker_around_a_whole_paragraph_is_applied_and_needs_no_review():
    new = EN_OLD.replace(
        "* Max pooling takes the maximum over the window.",
        "* [**Max pooling takes the maximum over the window.**]",
    )
    text, report = sync_document(EN_OLD, new, ZH_OLD, "en", "zh")
    assert "* [**最大汇聚层取窗口内的最大值**]。" in text
    assert _status(report, "[**Max pooling") == "reused-format"


def test_changed_inline_code_is_carried_into_the_human_sentence():
    en_old = "# T\n\nWe call `pool(x)` on the input.\n"
    zh_old = "# T\n\n我们对输入调用 `pool(x)`。\n"
    en_new = "# T\n\nWe call `pool(X)` on the input.\n"
    text, report = sync_document(en_old, en_new, zh_old, "en", "zh")
    assert text == "# T\n\n我们对输入调用 `pool(X)`。\n"
    assert report["counts"]["untranslated"] == 0


def test_translator_only_paragraph_is_kept_in_place():
    zh = ZH_OLD.replace("## 小结", "译者注：本节代码仅适用于二维输入。\n\n## 小结")
    new = EN_OLD.replace("Pooling layers serve two purposes.", "Pooling layers serve a dual purpose.")
    text, _ = sync_document(EN_OLD, new, zh, "en", "zh")
    assert "$$y = \\max(x).$$\n\n译者注：本节代码仅适用于二维输入。\n\n## 小结" in text


def test_report_entries_carry_the_contract_fields():
    new = EN_OLD.replace("Pooling layers serve two purposes.", "Pooling layers serve a dual purpose.")
    _, report = sync_document(EN_OLD, new, ZH_OLD, "en", "zh", path="chapter/pooling.md")
    assert report["path"] == "chapter/pooling.md"
    for entry in report["segments"]:
        assert {"id", "status", "source", "old_source", "target", "old_target"} <= entry.keys()
        assert entry["status"] in {
            "reused",
            "reused-format",
            "fuzzy",
            "machine",
            "untranslated",
            "code-changed",
            "deleted",
            "new",
        }
    ids = [e["id"] for e in report["segments"]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("old_target", "target_lang", "message"),
    [
        (EN_OLD, "zh", "does not look like 'zh'"),
        (ZH_OLD, "en", "both 'en'"),
        (ZH_OLD, "xx-yy-zz", "ISO 639-1"),
    ],
)
def test_wrong_language_is_refused(old_target, target_lang, message):
    with pytest.raises(AlignmentError, match=message):
        sync_document(EN_OLD, EN_OLD, old_target, "en", target_lang)


def test_a_target_that_is_not_a_translation_of_the_old_source_is_refused():
    other = "\n\n".join(
        f"第{i}段。" + "这是一段与原文毫无关系的很长很长的中文文字，" * (1 + i % 7) for i in range(30)
    )
    with pytest.raises(AlignmentError, match="does not .*translation|do not align"):
        sync_document(EN_OLD, EN_OLD, "# 标题\n\n```{.python .input}\nprint(1)\n```\n\n" + other, "en", "zh")


def test_translator_sentence_without_english_joins_its_neighbour_in_the_same_unit():
    beads = [Bead((0,), (0,)), Bead((), (1,)), Bead((1,), (2,)), Bead((), (3,)), Bead((2,), ())]
    owner = [0, 1, 1, 2]  # target sentence -> target unit
    assert _absorb_target_only(beads, owner) == [Bead((0,), (0,)), Bead((1,), (1, 2)), Bead((2,), (3,))]


def test_segment_ids_are_the_segment_models_ids():
    from amts.markdown import parse

    new = EN_OLD.replace("Pooling layers serve two purposes.", "Pooling layers serve a dual purpose.")
    _, report = sync_document(EN_OLD, new, ZH_OLD, "en", "zh")
    model = {s.id: s.text for s in parse(new).segments}
    prose = [e for e in report["segments"] if e["status"] not in ("deleted", "code-changed")]
    assert prose and all(model.get(e["id"]) == e["source"] for e in prose)


def test_slide_marker_around_one_sentence_of_a_changed_paragraph_wraps_its_translation():
    new = EN_OLD.replace(
        "The deeper we go in the network, the larger the receptive field to which each hidden node is sensitive.",
        "[**The deeper we go in the network, the larger the receptive field to which each hidden node is sensitive.**]",
    ).replace("Pooling layers serve two purposes.", "Pooling layers serve a dual purpose.")
    plan = plan_chapter(EN_OLD, new, ZH_OLD, "en", "zh")
    text, _ = assemble(plan, {plan.requests[0].id: Fill("汇聚层有两个目的。", "apertium")})
    assert "[**我们在网络中越深入，每个隐藏节点对其敏感的感受野就越大**]。汇聚层有两个目的。" in text


def test_memory_may_be_given_as_pairs_and_is_looked_up_before_the_engine():
    new = EN_OLD.replace("Pooling layers serve two purposes.", "Pooling layers serve a dual purpose.")

    class Refuse(Engine):
        name = "refuse"

        def _translate(self, texts, source_lang, target_lang):
            raise AssertionError(f"engine asked for {texts!r} that the memory knows")

    pairs = [("Pooling layers serve a dual purpose.", "汇聚层有两个用途。")]
    text, report = sync_document(EN_OLD, new, ZH_OLD, "en", "zh", engine=Refuse(), memory=pairs)
    assert "感受野就越大。汇聚层有两个用途。" in text
    entry = next(e for e in report["segments"] if "dual purpose" in e["source"])
    assert entry["status"] == "reused" and entry["origin"] == "human+memory"  # all of it human text
    fuzzy_pairs = [("Pooling layers serve a dual purpose!", "汇聚层有两个用途！")]
    text, report = sync_document(EN_OLD, new, ZH_OLD, "en", "zh", memory=fuzzy_pairs)
    entry = next(e for e in report["segments"] if "dual purpose" in e["source"])
    assert entry["status"] == "fuzzy" and entry["score"] < 100


def test_framework_tab_put_around_a_paragraph_hugs_the_human_paragraph():
    new = EN_OLD.replace("The deeper we go", ":begin_tab:`pytorch`\nThe deeper we go").replace(
        "Pooling layers serve two purposes.\n", "Pooling layers serve two purposes.\n:end_tab:\n"
    )
    text, report = sync_document(EN_OLD, new, ZH_OLD, "en", "zh")
    assert (
        ":begin_tab:`pytorch`\n我们在网络中越深入，每个隐藏节点对其敏感的感受野就越大。汇聚层有双重目的。\n:end_tab:\n\n```"
        in text
    )
    assert report["counts"]["segments"] == report["counts"]["reused"]


def test_batch_flow_plan_first_then_assemble_with_translations_made_elsewhere():
    new = EN_OLD.replace("## Summary", "Pooling has no parameters.\n\n## Summary").replace(
        "Pooling layers serve two purposes.", "Pooling layers serve a dual purpose."
    )
    plan = plan_chapter(EN_OLD, new, ZH_OLD, "en", "zh", path="pool.md")
    wanted = {r.id: r.text for r in plan.requests}
    assert sorted(wanted.values()) == ["Pooling has no parameters.", "Pooling layers serve a dual purpose."]
    done = {rid: f"<{text}>" for rid, text in wanted.items()}
    text, report = sync_document(EN_OLD, new, ZH_OLD, "en", "zh", path="pool.md", translations=done)
    assert (
        "<Pooling has no parameters.>" in text
        and "感受野就越大。<Pooling layers serve a dual purpose.>" in text
    )
    statuses = {e["source"]: (e["status"], e.get("origin")) for e in report["segments"]}
    assert statuses["Pooling has no parameters."] == ("machine", "external")
