"""`amts evaluate` streams text files: same scores as sacrebleu's corpus_score, flat memory, special files refused."""

from __future__ import annotations

import os
import random

import pytest
from sacrebleu.metrics import BLEU, CHRF

from amts.errors import AmtsError, InputError
from amts.evaluate import RunningScores, evaluate
from tests.growth import peak_memory

WORDS = "the a model layer pooling convolution kernel output input channel weight bias is of to and".split()


def _files(tmp_path, count: int, seed: int = 0):
    rng = random.Random(seed)
    refs = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 20))) for _ in range(count)]
    hyps = [" ".join(w if rng.random() < 0.7 else rng.choice(WORDS) for w in r.split()) for r in refs]
    (tmp_path / "h.txt").write_text("\n".join(hyps) + "\n", encoding="utf-8")
    (tmp_path / "r.txt").write_text("\n".join(refs) + "\n", encoding="utf-8")
    return hyps, refs


@pytest.mark.parametrize("chunk", [1, 7, 2000])
def test_streamed_scores_equal_corpus_score(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(RunningScores, "CHUNK", chunk)
    hyps, refs = _files(tmp_path, 500)
    result = evaluate(tmp_path / "h.txt", tmp_path / "r.txt", "en")
    assert result["segments"] == 500
    assert result["bleu"] == round(BLEU().corpus_score(hyps, [refs]).score, 4)
    assert result["chrf"] == round(CHRF().corpus_score(hyps, [refs]).score, 4)


def test_segment_count_mismatch_names_both_counts(tmp_path, monkeypatch):
    monkeypatch.setattr(RunningScores, "CHUNK", 10)
    _files(tmp_path, 95)
    with open(tmp_path / "r.txt", "a", encoding="utf-8") as handle:
        handle.write("one more\n")
    with pytest.raises(AmtsError, match="95 segments .* has 96"):
        evaluate(tmp_path / "h.txt", tmp_path / "r.txt", "en")


def test_memory_stays_flat_as_the_corpus_grows(tmp_path, monkeypatch):
    monkeypatch.setattr(RunningScores, "CHUNK", 100)
    peaks = []
    for count in (800, 3200):
        folder = tmp_path / str(count)
        folder.mkdir()
        _files(folder, count)
        peaks.append(peak_memory(lambda f=folder: evaluate(f / "h.txt", f / "r.txt", "en")))
    # four times the corpus: the old reader kept every line and sentence statistic (15.8 MB -> 61 MB, 3.9x);
    # what still grows here is sacrebleu's tokenizer cache, which stops at 2**16 lines
    assert peaks[1] < 2.5 * peaks[0], peaks


@pytest.mark.parametrize("special", ["fifo", "/dev/zero"])
def test_special_files_are_refused(tmp_path, special):
    _files(tmp_path, 3)
    if special == "fifo":
        path = tmp_path / "pipe.txt"
        os.mkfifo(path)
    else:
        if not os.path.exists(special):
            pytest.skip("no /dev/zero")
        path = special
    with pytest.raises(InputError, match="regular files only"):
        evaluate(path, tmp_path / "r.txt", "en")
