"""`amts translate`: whole chapters through the segment model, markup and protected blocks untouched."""

from __future__ import annotations

import shutil

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from amts.cli import app
from amts.engines import get_engine
from amts.markdown import iter_markdown_files, load, parse
from amts.markdown.codescan import find_comments
from amts.markdown.comments import code_comments, replace_comments
from amts.translate_doc import translate_document

runner = CliRunner()
_MD = MarkdownIt("commonmark").enable("table")


def _skeleton(code: str, info: str) -> str:
    """Code with its comment and docstring prose cut out: what a translation must leave byte for byte."""
    comments = find_comments(code, info)
    for comment in reversed(comments):
        code = code[: comment.start] + code[comment.end :]
    return code


def _structure(text: str) -> list[tuple]:
    """Block token structure as markdown-it-py sees it; code compared with its exact content.

    (An MDX `<Tip>` line starts an html_block whose prose is translated, so html content is not compared.)
    """
    return [
        (
            t.type,
            t.tag,
            t.nesting,
            t.level,
            t.info if t.type == "fence" else "",
            _skeleton(t.content, t.info)
            if t.type == "fence"
            else (t.content if t.type == "code_block" else ""),
        )
        for t in _MD.parse(text)
    ]


def _protected(document) -> list[str]:
    """Protected blocks as written; a code block without its comments' prose (comments are translated)."""
    out = []
    for block in document.blocks:
        if block.protected:
            comments = code_comments(block.raw) if block.kind == "code" else []
            out.append(replace_comments(block.raw, comments, [""] * len(comments)))
    return out


def _check_file(path, engine) -> None:
    document = load(path)
    result = translate_document(document, engine, "en", "es")
    output = parse(result.text)
    assert _protected(output) == _protected(document), path
    assert _structure(result.text) == _structure(document.text), path
    assert result.untranslated == 0 and not result.warnings, (path, result.warnings)


@pytest.mark.slow
@pytest.mark.corpus
@pytest.mark.parametrize("corpus", ["d2l_data", "hf_data"])
def test_pseudo_translation_keeps_blocks_and_structure_on_the_whole_corpus(corpus, request):
    root = request.getfixturevalue(corpus)
    engine = get_engine("pseudo")
    files = list(iter_markdown_files([root]))
    assert len(files) > 40
    for path in files:
        _check_file(path, engine)


def test_pseudo_translation_of_the_sample_book_changes_prose_only(sample_book, tmp_path):
    result = runner.invoke(
        app,
        [
            "translate",
            str(sample_book / "en"),
            "--target-lang",
            "es",
            "--engine",
            "pseudo",
            "--out",
            str(tmp_path / "es"),
        ],
    )
    assert result.exit_code == 0, result.output
    sources = list(iter_markdown_files([sample_book / "en"]))
    assert sources
    for source in sources:
        target = tmp_path / "es" / source.relative_to(sample_book / "en")
        before, after = load(source), load(target)
        assert _protected(after) == _protected(before)
        assert [s.kind for s in after.segments] == [s.kind for s in before.segments]
        assert all(
            a.text != b.text
            for a, b in zip(after.segments, before.segments, strict=False)
            if any(c.isalpha() for c in b.text.replace("`", "")) and b.spans == []
        )


@pytest.mark.skipif(shutil.which("apertium") is None, reason="apertium not installed")
def test_translate_with_apertium_and_memory_file(tmp_path):
    chapter = tmp_path / "c.md"
    chapter.write_text(
        "# Training\n\nThe `fit` method trains the model.\n\n```python\nmodel.fit()\n```\n\n"
        "A sentence in the memory.\n",
        encoding="utf-8",
    )
    memory = tmp_path / "pairs.csv"
    memory.write_text("en,es\nA sentence in the memory.,Una frase de la memoria.\n", encoding="utf-8")
    out = tmp_path / "out.md"
    result = runner.invoke(
        app,
        [
            "translate",
            str(chapter),
            "--target-lang",
            "es",
            "--engine",
            "apertium",
            "--memory",
            str(memory),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "```python\nmodel.fit()\n```" in text and "`fit`" in text
    assert "Una frase de la memoria." in text and "modelo" in text


def test_unknown_pair_and_overwrite_are_clear_errors(tmp_path):
    chapter = tmp_path / "c.md"
    chapter.write_text("Hello.\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "translate",
            str(chapter),
            "--target-lang",
            "zh",
            "--engine",
            "apertium",
            "--out",
            str(tmp_path / "o.md"),
        ],
    )
    assert result.exit_code != 0
    assert "does not support en->zh" in str(result.exception)
    result = runner.invoke(app, ["translate", str(chapter), "--target-lang", "es", "--out", str(chapter)])
    assert result.exit_code != 0 and "overwrite" in str(result.exception)


def test_crlf_and_bom_survive_translation(tmp_path):
    chapter = tmp_path / "c.md"
    chapter.write_bytes(
        "\ufeff# Title\r\n\r\nSome text with `code`.\r\n\r\n```py\r\nx = 1\r\n```\r\n".encode("utf-8")
    )
    out = tmp_path / "out" / "c.md"
    result = runner.invoke(app, ["translate", str(chapter), "--target-lang", "es", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith("\ufeff".encode("utf-8"))
    assert data.count(b"\r\n") == chapter.read_bytes().count(b"\r\n") and b"\n" not in data.replace(
        b"\r\n", b""
    )
    assert b"```py\r\nx = 1\r\n```" in data and b"`code`" in data and b"Title" not in data
