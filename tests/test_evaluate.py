"""`amts evaluate`: sacrebleu BLEU/chrF on text or markdown, equal to the sacrebleu command to 0.01."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amts.cli import app
from amts.markdown import load

runner = CliRunner()
SACREBLEU = Path(sys.executable).parent / "sacrebleu"


def _perturb(lines: list[str]) -> list[str]:
    """A plausible 'system output': drop every fourth word (every fourth character for Chinese)."""
    out = []
    for n, line in enumerate(lines):
        if " " in line:
            words = line.split(" ")
            out.append(" ".join(w for i, w in enumerate(words) if (i + n) % 4 != 3))
        else:
            out.append("".join(c for i, c in enumerate(line) if (i + n) % 4 != 3))
    return out


def _sacrebleu_cli(ref: Path, hyp: Path, tok: str) -> tuple[float, float]:
    run = subprocess.run(
        [str(SACREBLEU), str(ref), "-i", str(hyp), "-m", "bleu", "chrf", "-tok", tok, "-b", "-w", "4"],
        capture_output=True,
        text=True,
        check=True,
    )
    bleu, chrf = json.loads(run.stdout)
    return float(bleu), float(chrf)


def _amts(*args: str) -> dict:
    result = runner.invoke(app, ["evaluate", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.corpus
@pytest.mark.parametrize(
    "lang,tok,corpus,rel",
    [
        ("zh", "zh", "d2l_data", "zh/chapter_recurrent-neural-networks/language-models-and-dataset.md"),
        ("es", "13a", "hf_data", "es/chapter1/3.mdx"),
    ],
)
def test_agrees_with_the_sacrebleu_command(lang, tok, corpus, rel, request, tmp_path):
    refs = [s.text for s in load(request.getfixturevalue(corpus) / rel).segments]
    assert len(refs) > 10
    (tmp_path / "ref.txt").write_text("\n".join(refs) + "\n", encoding="utf-8")
    (tmp_path / "hyp.txt").write_text("\n".join(_perturb(refs)) + "\n", encoding="utf-8")
    report = _amts("--hyp", str(tmp_path / "hyp.txt"), "--ref", str(tmp_path / "ref.txt"), "--lang", lang)
    bleu, chrf = _sacrebleu_cli(tmp_path / "ref.txt", tmp_path / "hyp.txt", tok)
    assert 5 < bleu < 95
    assert abs(report["bleu"] - bleu) <= 0.01 and abs(report["chrf"] - chrf) <= 0.01
    assert f"tok:{tok}" in report["signature"]["bleu"] and "nc:6" in report["signature"]["chrf"]
    assert report["documents"][0]["segments"] == len(refs)


def test_markdown_folders_are_paired_by_path_and_scored_per_document_and_corpus(tmp_path):
    hyp, ref = tmp_path / "hyp", tmp_path / "ref"
    texts = {
        "a.md": ["# The title", "The cat sat on the mat today.", "- a list item here"],
        "sub/b.md": ["Another paragraph with some words in it.", "| a cell | another cell |"],
    }
    for name, segs in texts.items():
        for root, lines in ((ref, segs), (hyp, _perturb(segs))):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            body = "\n\n".join(
                lines if not lines[-1].startswith("|") else lines[:-1] + [lines[-1] + "\n|---|---|"]
            )
            (root / name).write_text(body + "\n", encoding="utf-8")
    report = _amts("--hyp", str(hyp), "--ref", str(ref), "--lang", "en")
    assert [Path(d["hyp"]).name for d in report["documents"]] == ["a.md", "b.md"]
    all_h = [s.text for p in ("a.md", "sub/b.md") for s in load(hyp / p).segments]
    all_r = [s.text for p in ("a.md", "sub/b.md") for s in load(ref / p).segments]
    (tmp_path / "h.txt").write_text("\n".join(all_h) + "\n", encoding="utf-8")
    (tmp_path / "r.txt").write_text("\n".join(all_r) + "\n", encoding="utf-8")
    bleu, chrf = _sacrebleu_cli(tmp_path / "r.txt", tmp_path / "h.txt", "13a")
    assert abs(report["bleu"] - bleu) <= 0.01 and abs(report["chrf"] - chrf) <= 0.01
    assert report["segments"] == len(all_r) == sum(d["segments"] for d in report["documents"])


def test_different_segment_counts_name_the_counts_and_the_file(tmp_path):
    (tmp_path / "h.md").write_text("One.\n\nTwo.\n", encoding="utf-8")
    (tmp_path / "r.md").write_text("One.\n", encoding="utf-8")
    result = runner.invoke(
        app, ["evaluate", "--hyp", str(tmp_path / "h.md"), "--ref", str(tmp_path / "r.md"), "--lang", "en"]
    )
    assert result.exit_code != 0
    message = str(result.exception)
    assert "h.md has 2 segments" in message and "r.md has 1" in message


def test_plain_text_output_lists_documents_and_signatures(tmp_path):
    (tmp_path / "h.txt").write_text("the cat sat on the mat\n", encoding="utf-8")
    (tmp_path / "r.txt").write_text("the cat sat on the mat\n", encoding="utf-8")
    result = runner.invoke(
        app, ["evaluate", "--hyp", str(tmp_path / "h.txt"), "--ref", str(tmp_path / "r.txt"), "--lang", "en"]
    )
    assert result.exit_code == 0
    assert "corpus: BLEU 100.00" in result.output and "tok:13a" in result.output
