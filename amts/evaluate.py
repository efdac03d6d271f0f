"""BLEU and chrF (sacrebleu) of machine translations against references.

Inputs are plain-text files with one segment a line, or markdown chapters (files or folders) whose
segments are paired by position through the segment model. Scores are on sacrebleu's 0-100 scale and
equal what the `sacrebleu` command prints for the same segments.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sacrebleu.metrics import BLEU, CHRF

from amts.errors import AmtsError, InputError
from amts.markdown import MARKDOWN_SUFFIXES, iter_markdown_files, load

TEXT_SUFFIXES = (".txt", ".text", "")


class EvaluationError(AmtsError):
    """Hypothesis and reference that cannot be paired segment by segment."""


def tokenizer_for(lang: str) -> str:
    """sacrebleu's tokenizer for a target language: `zh` for Chinese, `13a` (the default) otherwise."""
    return "zh" if lang.lower().split("-")[0] in ("zh", "cmn") else "13a"


def read_segments(path: Path) -> list[str]:
    """Segments of one file: markdown segments in order, or the lines of a text file."""
    if path.suffix in MARKDOWN_SUFFIXES:
        # prose only: translators merge, split and drop code comments, so comments do not pair by order
        return [segment.text for segment in load(path).segments if segment.kind != "comment"]
    try:
        # Read exactly as the sacrebleu command does: split on "\n" only, trailing whitespace stripped.
        with open(path, encoding="utf-8", newline="\n") as handle:
            return [line.rstrip() for line in handle]
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None


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


def score(hyps: list[str], refs: list[str], lang: str) -> Scores:
    """Corpus BLEU and chrF of aligned segments, with sacrebleu's signatures (reproducibility strings)."""
    bleu_metric, chrf_metric = BLEU(tokenize=tokenizer_for(lang)), CHRF()
    bleu = bleu_metric.corpus_score(hyps, [refs])
    chrf = chrf_metric.corpus_score(hyps, [refs])
    signature = {"bleu": str(bleu_metric.get_signature()), "chrf": str(chrf_metric.get_signature())}
    return Scores(round(bleu.score, 4), round(chrf.score, 4), len(hyps), signature)


def evaluate(hyp: Path, ref: Path, lang: str) -> dict:
    """{"bleu", "chrf", "signature": {"bleu", "chrf"}, "documents": [...], "segments"} for files or folders."""
    all_hyps: list[str] = []
    all_refs: list[str] = []
    documents = []
    for hyp_file, ref_file in pair_files(Path(hyp), Path(ref)):
        hyps, refs = read_segments(hyp_file), read_segments(ref_file)
        if len(hyps) != len(refs):
            raise EvaluationError(
                f"{hyp_file} has {len(hyps)} segments but its reference {ref_file} has {len(refs)}: "
                "they must have the same segment structure (same paragraphs, headings, list items in order)"
            )
        if not hyps:
            continue
        doc = score(hyps, refs, lang)
        documents.append(
            {
                "hyp": str(hyp_file),
                "ref": str(ref_file),
                "segments": doc.segments,
                "bleu": doc.bleu,
                "chrf": doc.chrf,
            }
        )
        all_hyps.extend(hyps)
        all_refs.extend(refs)
    if not all_hyps:
        raise EvaluationError(f"{hyp}: no segments to evaluate")
    corpus = score(all_hyps, all_refs, lang)
    return {
        "bleu": corpus.bleu,
        "chrf": corpus.chrf,
        "signature": corpus.signature,
        "segments": corpus.segments,
        "documents": documents,
    }
