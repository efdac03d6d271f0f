"""#16 point 4: deep nesting keeps its text, a memory for another language pair and an unclosed fence in the
new English are loud (an error, a one-line warning), never silent."""

from __future__ import annotations

import pytest

from amts.errors import InputError
from amts.markdown import parse, render
from amts.markdown.document import MAX_NESTING
from amts.sync import sync_paths


@pytest.mark.parametrize("depth", [10, 14, 40])
def test_deeply_nested_lists_keep_every_item_as_a_segment(depth):
    text = "".join("  " * i + f"- level {i} words\n" for i in range(depth))
    doc = parse(text)
    joined = "\n".join(s.text for s in doc.segments)
    assert all(f"level {i} words" in joined for i in range(depth))
    assert render(doc, {}) == text and not doc.warnings


@pytest.mark.parametrize("depth", [20, 25, 60])
def test_deep_blockquotes_keep_every_line_as_a_segment(depth):
    text = "".join(">" * i + f" quote {i} words\n" + ">" * i + "\n" for i in range(1, depth + 1))
    doc = parse(text)
    joined = "\n".join(s.text for s in doc.segments)
    assert all(f"quote {i} words" in joined for i in range(1, depth + 1))
    assert render(doc, {}) == text


def test_nesting_beyond_the_limit_is_kept_and_warned():
    text = "Intro words here.\n\n" + ">" * (MAX_NESTING + 20) + " far too deep\n"
    doc = parse(text)
    assert render(doc, {}) == text  # kept, byte for byte
    assert any("nesting deeper than" in w and "line 3" in w for w in doc.warnings)


def _chapters(tmp_path, new_english: str):
    en = "# Title\n\nFirst paragraph of text.\n\nSecond paragraph of text.\n"
    es = "# Título\n\nPrimer párrafo de texto.\n\nSegundo párrafo de texto.\n"
    (tmp_path / "en.md").write_text(en, encoding="utf-8")
    (tmp_path / "en2.md").write_text(new_english, encoding="utf-8")
    (tmp_path / "es.md").write_text(es, encoding="utf-8")
    return tmp_path / "en.md", tmp_path / "en2.md", tmp_path / "es.md"


def test_unclosed_fence_in_the_new_english_is_a_loud_warning(tmp_path, capsys):
    new = "# Title\n\n```python\nx = 1\n\nFirst paragraph of text.\n\nSecond paragraph of text.\n"
    en, en2, es = _chapters(tmp_path, new)
    sync_paths(en, en2, es, tmp_path / "out.md", "en", "es")
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("warning: ") and "unbalanced fence opened at line 3" in err[0]


@pytest.mark.parametrize("header", ["en\tfr", "de\tzh"])
def test_memory_for_another_language_pair_is_an_error(tmp_path, header):
    en, en2, es = _chapters(
        tmp_path, "# Title\n\nFirst paragraph of text, changed.\n\nSecond paragraph of text.\n"
    )
    memory = tmp_path / "memory.tsv"
    memory.write_text(f"{header}\nFirst paragraph of text, changed.\tPremier paragraphe.\n", encoding="utf-8")
    with pytest.raises(InputError, match="parallel data for .* but the translation is en->es"):
        sync_paths(en, en2, es, tmp_path / "out.md", "en", "es", memory=memory)
    assert not (tmp_path / "out.md").exists()


def test_memory_for_the_reversed_pair_is_used(tmp_path):
    en, en2, es = _chapters(
        tmp_path, "# Title\n\nFirst paragraph of text, changed.\n\nSecond paragraph of text.\n"
    )
    memory = tmp_path / "memory.tsv"
    memory.write_text(
        "es\ten\nPrimer párrafo, cambiado.\tFirst paragraph of text, changed.\n", encoding="utf-8"
    )
    sync_paths(en, en2, es, tmp_path / "out.md", "en", "es", memory=memory)
    assert "Primer párrafo, cambiado." in (tmp_path / "out.md").read_text(encoding="utf-8")
