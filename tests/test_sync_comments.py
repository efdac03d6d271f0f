"""Code comments in sync, on the real `v0170-ch6` event (skipped without the shared corpus) and by hand.

Acceptance of #15: with `--engine pseudo`, every new English comment of a changed code block is translated,
every code token of a changed block is the new English's, human comment translations of unchanged English
are kept, and the review queue stays within twice the human work, code-only changes outside it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from amts.engines import Engine
from amts.review.page import render_page
from amts.sync import sync_document
from amts.sync.assemble import REVIEW_STATUSES

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "sync_quality.py"


def _benchmark():
    spec = importlib.util.spec_from_file_location("sync_quality", BENCHMARK)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def event(d2l_data) -> Path:
    found = d2l_data / "sync" / "v0170-ch6-7b66e83d"
    if not (found / "zh-new").is_dir():
        pytest.skip("the v0170-ch6 sync event is absent")
    return found


@pytest.fixture(scope="module")
def figures(event) -> dict:
    return _benchmark().evaluate_comments(event)


def test_every_new_english_comment_of_a_changed_block_is_translated(figures):
    assert figures["new_comments"] >= 5
    assert figures["translated"] == figures["new_comments"]


def test_every_code_token_of_a_changed_block_is_the_new_english(figures):
    assert figures["changed_blocks"] >= 15
    assert figures["code_exact"] == figures["changed_blocks"]


def test_human_comment_translations_of_unchanged_english_are_kept(figures):
    assert figures["keepable"] >= 15
    assert figures["kept"] == figures["keepable"]


def test_review_queue_within_twice_the_human_work_code_only_changes_outside(figures):
    work = figures["human_prose"] + figures["human_code"]
    assert figures["human_code"] >= 1
    assert figures["review"] <= 2 * work
    assert figures["code_changed"] >= 15 and figures["folded_code"] == figures["code_changed"]


def test_code_only_changes_are_folded_on_the_page_and_comment_work_is_listed(event):
    bench = _benchmark()
    files = []
    for zh_new in sorted((event / "zh-new").rglob("*.md")):
        rel = zh_new.relative_to(event / "zh-new")
        _, report = sync_document(
            bench.old_source_for(event, rel).read_text(encoding="utf-8"),
            (event / "en-new" / rel).read_text(encoding="utf-8"),
            (event / "zh-old" / rel).read_text(encoding="utf-8"),
            "en",
            "zh",
            engine="pseudo",
            path=str(rel),
        )
        files.append(report)
    segments = [s for f in files for s in f["segments"]]
    code = [s for s in segments if s["status"] == "code-changed"]
    work = [s for s in segments if s["kind"] == "comment" and s["status"] in REVIEW_STATUSES]
    assert code and work and all(s["context"] for s in work)
    page = render_page({"files": files, "target_lang": "zh"})
    assert page.count("code-only change: the new English code") == len(code)
    for segment in work:
        assert f'data-id="{segment["id"]}"' in page


EN = """# Pooling

```{.python .input}
#@tab all
# Compute the maximum of each window
def pool2d(X, pool_size):
    return X.max()  # the largest value
```
"""
ZH = """# 汇聚层

```{.python .input}
#@tab all
# 计算每个窗口的最大值
def pool2d(X, pool_size):
    return X.max()  # 最大值
```
"""


def test_a_code_only_change_keeps_every_human_comment_and_needs_no_review():
    new = EN.replace("return X.max()", "return X.amax(axis=(0, 1))")
    text, report = sync_document(EN, new, ZH, "en", "zh", engine="pseudo")
    assert (
        "# 计算每个窗口的最大值\ndef pool2d(X, pool_size):\n    return X.amax(axis=(0, 1))  # 最大值\n"
        in text
    )
    assert report["counts"]["review"] == 0 and report["counts"]["code_changed"] == 1


def test_a_new_comment_is_the_only_work_and_its_identifiers_stay_code():
    new = EN.replace(
        "    return X.max()", "    # Reduce `X` with torch.amax over pool_size\n    return X.max()"
    )

    class Echo(Engine):
        """Upper-cases the words it sees: an identifier that reached it would come back changed."""

        name = "echo"

        def _translate(self, texts, source_lang, target_lang):
            return [t.upper() for t in texts]

    text, report = sync_document(EN, new, ZH, "en", "zh", engine=Echo())
    assert "    # REDUCE `X` WITH torch.amax OVER pool_size\n    return X.max()  # 最大值\n" in text
    work = [s for s in report["segments"] if s["status"] in REVIEW_STATUSES]
    assert [(s["kind"], s["context"]) for s in work] == [("comment", "return X.max()")]


def test_a_comment_the_translator_left_out_stays_out():
    zh = ZH.replace("    return X.max()  # 最大值", "    return X.max()")
    new = EN.replace("return X.max()", "return X.amax()")
    text, report = sync_document(EN, new, zh, "en", "zh", engine="pseudo")
    assert "    return X.amax()\n```" in text
    assert report["counts"]["review"] == 0


def test_xliff_carries_comment_units_with_their_code_line(tmp_path):
    from amts.xliff import export_xliff, read_xliff

    new = EN.replace("    return X.max()", "    # Reduce over the window\n    return X.max()")
    _, report = sync_document(EN, new, ZH, "en", "zh", engine="pseudo", path="pool.md")
    xlf = tmp_path / "pool.xlf"
    xlf.write_bytes(export_xliff({"files": [report], "target_lang": "zh"}, "en", "zh"))
    text = xlf.read_text(encoding="utf-8")
    assert "code comment on: return X.max()" in text
    units = {u.source: u for u in read_xliff(xlf)}
    assert "Reduce over the window" in units
    assert not [u for u in units.values() if u.source.startswith("```")]  # code itself is never a unit


def test_d2l_zh_comment_translations_are_parallel_data(d2l_data):
    from amts.paralleldata import FilePair, build

    chapter = "chapter_convolutional-neural-networks/lenet"
    source = d2l_data / "zh_origin" / f"{chapter}_origin.md"
    target = d2l_data / "zh" / f"{chapter}.md"
    if not source.is_file() or not target.is_file():
        pytest.skip("lenet pair absent")
    pairs, _ = build([FilePair(source, target, "lenet")], "en", "zh")
    assert ("Train a model with a GPU (defined in Chapter 6).", "用GPU训练模型(在第六章定义)") in pairs


def test_evaluate_pairs_prose_only_when_a_translation_dropped_a_comment(tmp_path):
    from amts.evaluate import evaluate

    hyp, ref = tmp_path / "hyp.md", tmp_path / "ref.md"
    hyp.write_text("# 汇聚层\n\n```python\n# 计算\nx = 1  # 一\n```\n", encoding="utf-8")
    ref.write_text("# 汇聚层\n\n```python\nx = 1\n```\n", encoding="utf-8")
    assert evaluate(hyp, ref, "zh")["segments"] == 1


def test_an_edited_docstring_is_translated_and_its_quotes_stay_code():
    en = '```python\ndef f(x):\n    """Compute f."""\n    return x\n```\n'
    zh = '```python\ndef f(x):\n    """计算f。"""\n    return x\n```\n'
    new = en.replace("Compute f.", "Compute f quickly.")
    text, report = sync_document(en, new, zh, "en", "zh", engine="pseudo")
    (entry,) = [s for s in report["segments"] if s["kind"] == "comment"]
    assert entry["status"] == "machine" and entry["old_target"] == "计算f。"
    assert text.startswith('```python\ndef f(x):\n    """') and text.endswith('"""\n    return x\n```\n')
    assert entry["target"] in text and entry["context"] == "def f(x):"


def test_line_comments_of_a_named_language_sync_too():
    en = "```bash\n# Install the package\npip install d2l==0.17.0\n```\n"
    zh = "```bash\n# 安装软件包\npip install d2l==0.17.0\n```\n"
    new = en.replace("0.17.0", "1.0.0")
    text, report = sync_document(en, new, zh, "en", "zh")
    assert text == "```bash\n# 安装软件包\npip install d2l==1.0.0\n```\n"
    assert report["counts"]["review"] == 0
