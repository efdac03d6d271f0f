"""The parallel-data experiment: does translating with parallel data from the rest of the book help?

For each article and a direction, three conditions, as in the published Amazon Translate ACT study:
- `none`: the engine alone;
- `paragraph`: parallel data of paragraph pairs from the rest of the book;
- `sentence`: parallel data of sentence pairs from the rest of the book.
Leave-one-out: an article's own pairs are never in its parallel data. Offline, "with parallel data" is
the local analogue of ACT: a translation memory (exact, then fuzzy matches; sentence by sentence for
sentence pairs), then the engine with terminology learned from the same pairs.
Evaluation units are the article's paragraph pairs (aligned with amts.align); BLEU and chrF by
sacrebleu, and paired bootstrap resampling (sacrebleu's paired_bs) for significance against `none`.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from amts.engines import engine_class, engines_supporting, get_engine
from amts.engines.base import Capabilities, Engine, Result
from amts.engines.chain import ChainEngine
from amts.engines.memory import DEFAULT_THRESHOLD, MemoryEngine, TranslationMemory, _masked_entry
from amts.errors import AlignmentError, AmtsError, EngineError, PlaceholderError
from amts.languages import language
from amts.fsutil import require_regular
from amts.markdown import MARKDOWN_SUFFIXES, load, mask, unmask

CONDITIONS = ("none", "paragraph", "sentence")
LABELS = {"none": "No parallel data", "paragraph": "Paragraph pairs", "sentence": "Sentence pairs"}
WHY = "BLEU against a human translation needs real output"


def fits(capabilities: Capabilities) -> bool:
    """Engines the experiment can measure (its --engine choices): output a human reference can score."""
    return capabilities.scorable


class ExperimentError(AmtsError):
    """An experiment that cannot run as asked (no article pairs, unknown article)."""


@dataclass
class BookPair:
    """One chapter in both languages with its aligned paragraph and sentence pairs."""

    name: str
    paragraphs: list[tuple[str, str]] = field(default_factory=list)
    sentences: list[tuple[str, str]] = field(default_factory=list)
    units: list[tuple[list[str], str]] = field(
        default_factory=list
    )  # (source segments, reference) to evaluate
    error: str = ""


def find_pairs(src_dir: Path, tgt_dir: Path, pairs_file: Path | None = None) -> list[tuple[str, Path, Path]]:
    """(name, source file, target file) for chapters present in both folders (or listed in a TSV)."""
    if not src_dir.is_dir() or not tgt_dir.is_dir():
        raise ExperimentError(f"--src {src_dir} and --tgt {tgt_dir} must be folders of chapters")
    if pairs_file is not None:
        found = []
        require_regular(pairs_file, "a pairs table")
        with open(pairs_file, encoding="utf-8") as handle:
            for row in csv.reader(handle, delimiter="\t"):
                if len(row) < 2 or "path" in row[0] or "meta" in row:
                    continue
                src, tgt = src_dir / row[0], tgt_dir / row[1]
                if src.is_file() and tgt.is_file():
                    found.append((row[0], src, tgt))
        return found
    names = sorted(
        p.relative_to(src_dir).as_posix() for p in src_dir.rglob("*") if p.suffix in MARKDOWN_SUFFIXES
    )
    return [(n, src_dir / n, tgt_dir / n) for n in names if (tgt_dir / n).is_file()]


def _join(parts: list[str], lang: str) -> str:
    return language(lang).join(parts)


def align_pair(name: str, src: Path, tgt: Path, src_lang: str, tgt_lang: str) -> BookPair:
    from amts.align import align_documents

    pair = BookPair(name)
    try:
        src_doc, tgt_doc = load(src), load(tgt)
        paragraph_beads = align_documents(src_doc, tgt_doc, src_lang, tgt_lang, granularity="paragraph")
        sentence_beads = align_documents(src_doc, tgt_doc, src_lang, tgt_lang, granularity="sentence")
    except AlignmentError as exc:
        pair.error = str(exc)
        return pair
    # prose only, as measured before code comments were segments: the published test sets stay the same
    paragraph_beads = [b for b in paragraph_beads if b.kind != "comment"]
    sentence_beads = [b for b in sentence_beads if b.kind != "comment"]
    for bead in paragraph_beads:
        if bead.source and bead.target:
            pair.paragraphs.append((_join(bead.source, src_lang), _join(bead.target, tgt_lang)))
            pair.units.append((list(bead.source), _join(bead.target, tgt_lang)))
    pair.sentences = [
        (_join(b.source, src_lang), _join(b.target, tgt_lang))
        for b in sentence_beads
        if b.source and b.target
    ]
    return pair


def _masked(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    entries = (_masked_entry(s, t) for s, t in pairs)
    return [e for e in entries if e is not None]


def translate_units(
    engine: Engine, units: list[tuple[list[str], str]], src_lang: str, tgt_lang: str
) -> tuple[list[str], list[Result]]:
    """Hypothesis for each evaluation unit (its segments masked, translated, unmasked and joined), and the
    engine's result for every segment (origins, batch jobs)."""
    flat = [(u, text) for u, (segments, _) in enumerate(units) for text in segments]
    masked = [mask(text) for _, text in flat]
    results = engine.translate_results([m for m, _ in masked], src_lang, tgt_lang) if flat else []
    pieces: list[list[str]] = [[] for _ in units]
    for (u, source), (_, originals), result in zip(flat, masked, results, strict=True):
        try:
            pieces[u].append(unmask(result.text, originals) if result.text is not None else source)
        except PlaceholderError:
            pieces[u].append(source)
    return [_join(p, tgt_lang) for p in pieces], results


def _bleu(tgt_lang: str):
    from sacrebleu.metrics import BLEU

    return BLEU(tokenize=language(tgt_lang).bleu_tokenizer)


def significance(systems: dict[str, list[str]], refs: list[str], tgt_lang: str, samples: int = 1000) -> dict:
    """Paired bootstrap (sacrebleu) of each condition against `none`: p-value and 95% interval."""
    from sacrebleu.significance import PairedTest

    names = [c for c in CONDITIONS if c in systems]
    if names[:1] != ["none"] or len(names) < 2:
        return {}
    test = PairedTest(
        [(n, systems[n]) for n in names], {"BLEU": _bleu(tgt_lang)}, [refs], test_type="bs", n_samples=samples
    )
    signatures, scores = test()
    out: dict[str, Any] = {"signature": str(signatures["BLEU"])}
    for name, result in zip(scores["System"], scores["BLEU"], strict=False):
        assert isinstance(name, str) and not isinstance(result, str)
        out[name] = {
            "bleu": round(result.score, 2),
            "mean": round(result.mean, 2) if result.mean is not None else None,
            "ci95": round(result.ci, 2) if result.ci is not None else None,
            "p_value": round(result.p_value, 4) if result.p_value is not None else None,
        }
    return out


def run_experiment(
    src_dir: Path,
    tgt_dir: Path,
    src_lang: str,
    tgt_lang: str,
    engine_name: str,
    articles: list[str] | None = None,
    pairs_file: Path | None = None,
    samples: int = 1000,
    threshold: float = DEFAULT_THRESHOLD,
    log: Callable[[str], None] = lambda m: None,
    engine_options: dict | None = None,
) -> dict:
    notes: list[str] = []
    engine_options = engine_options or {}
    cls = engine_class(engine_name, fits, "amts experiment", WHY)
    if cls.capabilities.batch and engine_options.get("batch") is None:
        raise ExperimentError(
            f"the {cls.name} experiment translates with parallel data (Active Custom Translation), "
            "which only batch jobs support: give --bucket and --role-arn"
        )
    measurable = [n for n in engines_supporting(src_lang, tgt_lang) if fits(engine_class(n).capabilities)]
    if not cls.capabilities.machine:
        base: Engine | None = None
        local = [n for n in measurable if not engine_class(n).capabilities.credentials]
        notes.append(
            f"engine {cls.name!r}: translation memory only"
            + ("" if local else f"; no local {src_lang}->{tgt_lang} MT engine exists here")
            + f". Segments the memory does not know stay in {src_lang}, so 'none' scores the untranslated "
            "source (shared code, numbers and names) and the other conditions measure memory hits only"
        )
    else:
        base = get_engine(engine_name, **engine_options)
        if not base.supports(src_lang, tgt_lang):
            raise EngineError(
                f"engine {engine_name!r} does not support {src_lang}->{tgt_lang} (supporting: "
                f"{', '.join(measurable) or 'none'}); "
                "use --engine memory to run the memory conditions only"
            )
    found = find_pairs(src_dir, tgt_dir, pairs_file)
    if not found:
        raise ExperimentError(f"no chapter is in both {src_dir} and {tgt_dir}")
    wanted = articles or [name for name, _, _ in found]
    unknown = sorted(set(wanted) - {name for name, _, _ in found})
    if unknown:
        raise ExperimentError(f"articles not found in both folders: {', '.join(unknown[:5])}")
    log(f"aligning {len(found)} chapter pairs")
    book = [align_pair(name, s, t, src_lang, tgt_lang) for name, s, t in found]
    for pair in book:
        if pair.error:
            notes.append(f"{pair.name}: not aligned, left out of parallel data and evaluation ({pair.error})")
    masked = {p.name: {"paragraph": _masked(p.paragraphs), "sentence": _masked(p.sentences)} for p in book}
    unknown_words: dict[str, Counter] = {}
    oracle = base
    if cls.capabilities.batch:  # words the service does not know cannot be asked cheaply: use Apertium's
        from amts.engines.apertium import ApertiumEngine

        oracle = ApertiumEngine() if ApertiumEngine().supports(src_lang, tgt_lang) else None
        notes.append(
            f"{cls.name}: conditions with parallel data run batch jobs with ParallelDataNames (ACT)"
            + (" and terminology learned with Apertium's unknown words (ImportTerminology)" if oracle else "")
        )
    if oracle is not None:
        log("collecting words the engine does not know")
        texts = [(pair.name, s) for pair in book for s, _ in pair.paragraphs]
        for (name, _), words in zip(
            texts, oracle.untranslated_by_text([t for _, t in texts], src_lang, tgt_lang), strict=False
        ):
            unknown_words.setdefault(name, Counter()).update(words)

    systems: dict[str, list[str]] = {c: [] for c in CONDITIONS}
    refs: list[str] = []
    rows: list[dict] = []
    hits: dict[str, Counter] = {c: Counter() for c in CONDITIONS}
    for pair in book:
        if pair.name not in wanted or pair.error or not pair.units:
            continue
        log(f"translating {pair.name}")
        row: dict = {"article": pair.name, "units": len(pair.units), "bleu": {}, "chrf": {}}
        unit_refs = [ref for _, ref in pair.units]
        for condition in CONDITIONS:
            engine = _engine_for(
                condition,
                base,
                book,
                masked,
                unknown_words,
                pair.name,
                src_lang,
                tgt_lang,
                threshold,
                engine_name,
                engine_options,
            )
            hyps, results = translate_units(engine, pair.units, src_lang, tgt_lang)
            hits[condition].update(r.origin or "source" for r in results)
            row["bleu"][condition] = round(_bleu(tgt_lang).corpus_score(hyps, [unit_refs]).score, 2)
            from sacrebleu.metrics import CHRF

            row["chrf"][condition] = round(CHRF().corpus_score(hyps, [unit_refs]).score, 2)
            systems[condition].extend(hyps)
            if condition != "none" and isinstance(engine, ChainEngine) and engine.engine is not None:
                row.setdefault("terms", {})[condition] = len(engine.terminology(src_lang, tgt_lang))
            job = next((r.job for r in results if r.job is not None), None)
            if job:
                row.setdefault("jobs", {})[condition] = {k: v for k, v in job.items() if k != "missing"}
        refs.extend(unit_refs)
        rows.append(row)
    if not rows:
        raise ExperimentError("no article could be aligned with its translation: nothing to evaluate")
    from sacrebleu.metrics import CHRF

    corpus = {
        c: {
            "bleu": round(_bleu(tgt_lang).corpus_score(systems[c], [refs]).score, 2),
            "chrf": round(CHRF().corpus_score(systems[c], [refs]).score, 2),
        }
        for c in CONDITIONS
    }
    average = {c: round(sum(r["bleu"][c] for r in rows) / len(rows), 2) for c in CONDITIONS}
    log(f"paired bootstrap ({samples} samples)")
    return {
        "direction": f"{src_lang}->{tgt_lang}",
        "engine": engine_name,
        "src": str(src_dir),
        "tgt": str(tgt_dir),
        "conditions": list(CONDITIONS),
        "articles": rows,
        "average_bleu": average,
        "corpus": corpus,
        "significance": significance(systems, refs, tgt_lang, samples),
        "segment_origins": {c: dict(hits[c]) for c in CONDITIONS},
        "units": len(refs),
        "fuzzy_threshold": threshold,
        "notes": notes,
    }


def _engine_for(
    condition,
    base,
    book,
    masked,
    unknown_words,
    held_out,
    src_lang,
    tgt_lang,
    threshold,
    engine_name: str = "",
    engine_options: dict | None = None,
) -> Engine:
    if condition == "none":
        return base if base is not None else get_engine("none")
    pairs = [entry for p in book if p.name != held_out and not p.error for entry in masked[p.name][condition]]
    if engine_class(engine_name).capabilities.batch:
        from dataclasses import replace

        from amts.engines.terminology import learn_terminology

        raw = [
            pair
            for p in book
            if p.name != held_out and not p.error
            for pair in (p.paragraphs if condition == "paragraph" else p.sentences)
        ]
        unknown: Counter = Counter()
        for name, words in unknown_words.items():
            if name != held_out:
                unknown.update(words)
        options = dict(engine_options or {})
        options["batch"] = replace(
            options["batch"], parallel_data_name=f"amts-{condition}-{src_lang}-{tgt_lang}"
        )
        options["terms"] = learn_terminology(pairs, unknown, tgt_lang) if unknown else None
        options["terminology_name"] = f"amts-{condition}-{src_lang}-{tgt_lang}"
        return get_engine(engine_name, parallel_data=raw, **options)
    memory = MemoryEngine.of(TranslationMemory(pairs, threshold, masked=True), src_lang, tgt_lang)
    unknown = Counter()
    for name, words in unknown_words.items():
        if name != held_out:
            unknown.update(words)
    terms = None
    if base is not None:
        from amts.engines.terminology import learn_terminology

        terms = learn_terminology(pairs, unknown, tgt_lang)
    return ChainEngine(memory, base, terms=terms, sentence_memory=condition == "sentence")


# ------------------------------------------------------------------------- reports
def markdown_table(report: dict) -> str:
    lines = [
        f"BLEU ({report['direction']}, engine {report['engine']}, sacrebleu 0-100; published figures use 0-1)",
        "",
        "| Article | " + " | ".join(LABELS[c] for c in CONDITIONS) + " |",
        "|---|" + "---:|" * len(CONDITIONS),
    ]
    for row in report["articles"]:
        lines.append(
            f"| {row['article']} | " + " | ".join(f"{row['bleu'][c]:.2f}" for c in CONDITIONS) + " |"
        )
    lines.append(
        "| **Average of articles** | "
        + " | ".join(f"**{report['average_bleu'][c]:.2f}**" for c in CONDITIONS)
        + " |"
    )
    lines.append(
        "| Corpus BLEU | " + " | ".join(f"{report['corpus'][c]['bleu']:.2f}" for c in CONDITIONS) + " |"
    )
    lines.append(
        "| Corpus chrF | " + " | ".join(f"{report['corpus'][c]['chrf']:.2f}" for c in CONDITIONS) + " |"
    )
    sig = report.get("significance", {})
    if sig:
        cells = ["baseline"] + [
            f"p = {sig[c]['p_value']:.4f}" if sig.get(c, {}).get("p_value") is not None else "-"
            for c in CONDITIONS[1:]
        ]
        lines.append("| Paired bootstrap vs none | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        f"{report['units']} evaluation paragraphs; parallel data leave-one-out (rest of the book only)."
    )
    for note in report.get("notes", []):
        lines.append(f"- {note}")
    return "\n".join(lines) + "\n"


def bar_chart(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = report["articles"]
    labels = [Path(r["article"]).stem if len(rows) <= 12 else str(i + 1) for i, r in enumerate(rows)] + [
        "average"
    ]
    width = 0.27
    fig, ax = plt.subplots(figsize=(max(8, 0.5 * len(labels) + 3), 4.5))
    for k, condition in enumerate(CONDITIONS):
        values = [r["bleu"][condition] for r in rows] + [report["average_bleu"][condition]]
        ax.bar([i + (k - 1) * width for i in range(len(labels))], values, width, label=LABELS[condition])
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("BLEU")
    ax.set_title(f"{report['direction']} with {report['engine']}: parallel data from the rest of the book")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_reports(report: dict, out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = "experiment-" + report["direction"].replace("->", "-")
    paths = {
        "json": out_dir / f"{stem}.json",
        "markdown": out_dir / f"{stem}.md",
        "png": out_dir / f"{stem}.png",
    }
    paths["json"].write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    paths["markdown"].write_text(markdown_table(report), encoding="utf-8")
    bar_chart(report, paths["png"])
    return paths
