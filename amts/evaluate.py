"""BLEU and chrF (sacrebleu) of machine translations against references.

Inputs are plain-text files with one segment a line, or markdown chapters (files or folders) whose
segments are paired by position through the segment model. Scores are on sacrebleu's 0-100 scale and
equal what the `sacrebleu` command prints for the same segments.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sacrebleu.metrics import BLEU, CHRF

from amts.errors import AmtsError, InputError
from amts.languages import language
from amts.fsutil import require_regular
from amts.markdown import MARKDOWN_SUFFIXES, iter_markdown_files, load

TEXT_SUFFIXES = (".txt", ".text", "")


class EvaluationError(AmtsError):
    """Hypothesis and reference that cannot be paired segment by segment."""


def tokenizer_for(lang: str) -> str:
    """sacrebleu's tokenizer for a target language, from its row in amts.languages (`13a` by default)."""
    return language(lang).bleu_tokenizer


def read_segments(path: Path) -> list[str]:
    """Segments of one file: markdown segments in order, or the lines of a text file."""
    return list(iter_segments(path))


def iter_segments(path: Path) -> Iterator[str]:
    """Segments of one file, streamed for text files (one line at a time, never the whole file in memory)."""
    if path.suffix in MARKDOWN_SUFFIXES:
        # prose only: translators merge, split and drop code comments, so comments do not pair by order
        yield from (segment.text for segment in load(path).segments if segment.kind != "comment")
        return
    require_regular(path, "a text file of segments (one a line)")  # /dev/zero or a FIFO would never end
    try:
        # Read exactly as the sacrebleu command does: split on "\n" only, trailing whitespace stripped.
        with open(path, encoding="utf-8", newline="\n") as handle:
            for line in handle:
                yield line.rstrip()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None


def pair_files(hyp: Path, ref: Path) -> list[tuple[Path, Path]]:
    """(hypothesis, reference) files: two files, or two folders matched by relative path."""
    for path in (hyp, ref):
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
    if hyp.is_dir() != ref.is_dir():
        raise EvaluationError(f"--hyp {hyp} and --ref {ref} must both be files or both be folders")
    if not hyp.is_dir():
        return [(hyp, ref)]
    suffixes = MARKDOWN_SUFFIXES + (".txt",)
    hyps = {p.relative_to(hyp): p for p in iter_markdown_files([hyp], suffixes)}
    refs = {p.relative_to(ref): p for p in iter_markdown_files([ref], suffixes)}
    missing = sorted(str(r) for r in hyps.keys() - refs.keys())
    if missing:
        raise EvaluationError(
            f"no reference for {len(missing)} hypothesis file(s) in {ref}: {', '.join(missing[:5])}"
        )
    if not hyps:
        raise EvaluationError(f"{hyp}: no .md, .mdx or .txt files to evaluate")
    return [(hyps[r], refs[r]) for r in sorted(hyps)]


@dataclass
class Scores:
    bleu: float
    chrf: float
    segments: int
    signature: dict


class RunningScores:
    """BLEU and chrF from sentence statistics summed as segments arrive: memory stays flat however long the
    corpus (sacrebleu's corpus_score keeps every sentence's statistics); the sums, hence the scores, are the same."""

    CHUNK = 2000  # segments scored at a time

    def __init__(self, lang: str) -> None:
        self.bleu_metric, self.chrf_metric = BLEU(tokenize=tokenizer_for(lang)), CHRF()
        self.bleu_stats: list[int] | None = None
        self.chrf_stats: list[int] | None = None
        self.segments = 0
        self.signature: dict[str, str] = {}

    @staticmethod
    def _sum(total: list[int] | None, rows: list[list[int]]) -> list[int]:
        sums = [sum(column) for column in zip(*rows, strict=True)]
        return sums if total is None else [a + b for a, b in zip(total, sums, strict=True)]

    def add(self, hyps: list[str], refs: list[str]) -> None:
        if not hyps:
            return
        # sacrebleu's own per-sentence statistics, as corpus_score computes them
        bleu_rows = self.bleu_metric._extract_corpus_statistics(hyps, [refs])
        chrf_rows = self.chrf_metric._extract_corpus_statistics(hyps, [refs])
        self.bleu_stats = self._sum(self.bleu_stats, bleu_rows)
        self.chrf_stats = self._sum(self.chrf_stats, chrf_rows)
        self.segments += len(hyps)
        if not self.signature:  # known once the metrics have seen references
            self.signature = {
                "bleu": str(self.bleu_metric.get_signature()),
                "chrf": str(self.chrf_metric.get_signature()),
            }

    def merge(self, other: RunningScores) -> None:
        if other.bleu_stats is None or other.chrf_stats is None:
            return
        self.bleu_stats = self._sum(self.bleu_stats, [other.bleu_stats])
        self.chrf_stats = self._sum(self.chrf_stats, [other.chrf_stats])
        self.segments += other.segments
        self.signature = self.signature or other.signature

    def scores(self) -> Scores:
        assert self.bleu_stats is not None and self.chrf_stats is not None
        bleu = self.bleu_metric._compute_score_from_stats(self.bleu_stats)
        chrf = self.chrf_metric._compute_score_from_stats(self.chrf_stats)
        return Scores(round(bleu.score, 4), round(chrf.score, 4), self.segments, self.signature)


def _score_pair(hyp_file: Path, ref_file: Path, lang: str) -> RunningScores:
    """Stream both files side by side in chunks; their segment counts must match."""
    running = RunningScores(lang)
    hyps_in, refs_in = iter_segments(hyp_file), iter_segments(ref_file)
    hyp_count = ref_count = 0
    while True:
        hyps = list(itertools.islice(hyps_in, RunningScores.CHUNK))
        refs = list(itertools.islice(refs_in, RunningScores.CHUNK))
        hyp_count, ref_count = hyp_count + len(hyps), ref_count + len(refs)
        if len(hyps) != len(refs):
            hyp_count += sum(1 for _ in hyps_in)
            ref_count += sum(1 for _ in refs_in)
            raise EvaluationError(
                f"{hyp_file} has {hyp_count} segments but its reference {ref_file} has {ref_count}: "
                "they must have the same segment structure (same paragraphs, headings, list items in order)"
            )
        if not hyps:
            return running
        running.add(hyps, refs)


def score(hyps: list[str], refs: list[str], lang: str) -> Scores:
    """Corpus BLEU and chrF of aligned segments, with sacrebleu's signatures (reproducibility strings)."""
    bleu_metric, chrf_metric = BLEU(tokenize=tokenizer_for(lang)), CHRF()
    bleu = bleu_metric.corpus_score(hyps, [refs])
    chrf = chrf_metric.corpus_score(hyps, [refs])
    signature = {"bleu": str(bleu_metric.get_signature()), "chrf": str(chrf_metric.get_signature())}
    return Scores(round(bleu.score, 4), round(chrf.score, 4), len(hyps), signature)


def evaluate(hyp: Path, ref: Path, lang: str) -> dict:
    """{"bleu", "chrf", "signature": {"bleu", "chrf"}, "documents": [...], "segments"} for files or folders.

    Text files are streamed: a 20 MB file is scored in bounded memory and linear time.
    """
    corpus = RunningScores(lang)
    documents = []
    for hyp_file, ref_file in pair_files(Path(hyp), Path(ref)):
        running = _score_pair(hyp_file, ref_file, lang)
        if not running.segments:
            continue
        doc = running.scores()
        documents.append(
            {
                "hyp": str(hyp_file),
                "ref": str(ref_file),
                "segments": doc.segments,
                "bleu": doc.bleu,
                "chrf": doc.chrf,
            }
        )
        corpus.merge(running)
    if not corpus.segments:
        raise EvaluationError(f"{hyp}: no segments to evaluate")
    total = corpus.scores()
    return {
        "bleu": total.bleu,
        "chrf": total.chrf,
        "signature": total.signature,
        "segments": total.segments,
        "documents": documents,
    }
