"""Sync quality on the real D2L synchronisation events (../shared/data/d2l/sync/*).

For each event, sync every chapter offline (engine none) from EN_OLD (the `_origin.md` English the Chinese
was translated from, else en-old) to en-new, and compare with what the human translators produced (zh-new):

- reuse precision: share of `reused` segment targets found verbatim in zh-new (also for `reused-format`);
- kept-human-missing: zh-old prose units the humans kept verbatim in zh-new that are missing from our output;
- human-changed blocks flagged: zh-new prose blocks absent from zh-old that sync flagged for review (or
  reproduced verbatim itself, e.g. slide markers);
- chrF of the output against zh-new, next to the copy-zh-old baseline measured in the same run;
- chars_to_mt against the characters of the English segments that changed (no sentence-level diff);
- review load (segments needing a translator) against the number of blocks humans changed, and against the
  load of a block-level English-only diff (every changed English segment goes to review).

Usage: .venv/bin/python benchmarks/sync_quality.py [DATA_DIR] [--verbose]
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

from rapidfuzz import fuzz
from sacrebleu.metrics import CHRF

from amts.report import Status
from amts.sync.document import sync_document
from amts.sync.units import logical_text, split_units

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "d2l" / "sync"
_SPACE_RE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE_RE.sub("", text)


def _prose_blocks(text: str) -> list[str]:
    """Blank-line separated blocks outside code fences, as the event manifests count them."""
    blocks, current, fence = [], [], None
    for line in text.splitlines():
        stripped = line.strip()
        if fence is None and stripped.startswith("```"):
            fence = "```"
            if current:
                blocks.append("\n".join(current))
                current = []
            continue
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            continue
        if not stripped:
            if current:
                blocks.append("\n".join(current))
                current = []
        else:
            current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


def old_source_for(event: Path, rel: Path) -> Path:
    origin = event / "zh-old-origin" / rel.parent / (rel.stem + "_origin.md")
    return origin if origin.is_file() else event / "en-old" / rel


def evaluate_event(event: Path, verbose: bool = False) -> dict:
    chrf = CHRF()
    stats = dict(
        reused=0,
        reused_hit=0,
        reused_hit_raw=0,
        fmt=0,
        fmt_hit=0,
        kept=0,
        kept_missing=0,
        human_changed=0,
        reproduced=0,
        flagged=0,
        review=0,
        english_diff_review=0,
        chars_to_mt=0,
        changed_chars=0,
        seconds=0.0,
    )
    outputs, baselines, references = [], [], []
    for zh_new_path in sorted((event / "zh-new").rglob("*.md")):
        rel = zh_new_path.relative_to(event / "zh-new")
        en_old = old_source_for(event, rel).read_text(encoding="utf-8")
        en_new = (event / "en-new" / rel).read_text(encoding="utf-8")
        zh_old = (event / "zh-old" / rel).read_text(encoding="utf-8")
        zh_new = zh_new_path.read_text(encoding="utf-8")
        start = time.perf_counter()
        output, report = sync_document(en_old, en_new, zh_old, "en", "zh", path=str(rel))
        stats["seconds"] += time.perf_counter() - start
        outputs.append(output)
        baselines.append(zh_old)
        references.append(zh_new)
        zh_new_flat = _norm(zh_new)
        output_flat = _norm(output)
        segments = [s for s in report["segments"] if s["status"] != "deleted"]
        for entry in segments:
            if entry["status"] == "reused" and entry["target"]:
                stats["reused"] += 1
                hit = _norm(entry["target"]) in zh_new_flat
                stats["reused_hit"] += hit
                stats["reused_hit_raw"] += entry["target"] in zh_new
                if verbose and not hit:
                    print(f"  reused but changed by humans: {rel}:{entry['line']}: {entry['target'][:70]!r}")
            if entry["status"] == "reused-format" and entry["target"]:
                stats["fmt"] += 1
                stats["fmt_hit"] += _norm(entry["target"]) in zh_new_flat
        stats["review"] += sum(1 for e in segments if Status(e["status"]).needs_review)
        # zh-old prose the humans kept must still be there
        zh_old_units = [u for u in split_units(zh_old) if u.is_prose]
        for unit in zh_old_units:
            if _norm(unit.raw) in zh_new_flat:
                stats["kept"] += 1
                if _norm(unit.raw) not in output_flat:
                    stats["kept_missing"] += 1
                    if verbose:
                        print(f"  kept by humans, missing from output: {rel}:{unit.line}: {unit.raw[:70]!r}")
        # blocks the humans changed (as the event manifests count them), and whether sync flagged them: a
        # changed block whose old version sync reused verbatim was missed; a block humans added is flagged
        # while the chapter has review segments left to account for it
        old_blocks = set(_prose_blocks(zh_old))
        reused_targets = [_norm(e["target"]) for e in segments if e["status"] == "reused"]
        new_text_requests = sum(1 for e in segments if Status(e["status"]).needs_review)
        old_units = [_norm(u.raw) for u in zh_old_units]
        for block in _prose_blocks(zh_new):
            if block in old_blocks:
                continue
            stats["human_changed"] += 1
            flat = _norm(block)
            best = max(old_units, key=lambda u: fuzz.ratio(u, flat), default="")
            if flat in output_flat:
                stats["reproduced"] += 1  # sync made the humans' change itself (slide markers, splits)
                continue
            if best and fuzz.ratio(best, flat) >= 60:
                flagged = not any(best in target for target in reused_targets)
            else:
                flagged = new_text_requests > 0
                new_text_requests -= 1
            stats["flagged"] += flagged
            if verbose and not flagged:
                print(f"  human change not flagged: {rel}: {block[:70]!r}")
        # the English-only baseline: every English prose segment whose text changed
        old_texts = {logical_text(u.raw) for u in split_units(en_old) if u.is_prose}
        for unit in split_units(en_new):
            if unit.is_prose and logical_text(unit.raw) not in old_texts:
                stats["changed_chars"] += len(logical_text(unit.raw))
                stats["english_diff_review"] += 1
        stats["chars_to_mt"] += report["counts"]["chars_to_mt"]
    stats["chrf"] = chrf.corpus_score(outputs, [references]).score
    stats["chrf_baseline"] = chrf.corpus_score(baselines, [references]).score
    return stats


def evaluate_book(d2l: Path) -> dict | None:
    """The whole book as one more event without a human reference: `_origin.md` English -> en (v0.17.6).

    Measures what a translator is asked to look at against an English-only diff, and the time per chapter.
    """
    pairs = d2l / "pairs.tsv"
    if not pairs.is_file():
        return None
    stats = dict(chapters=0, segments=0, review=0, english_diff_review=0, untouched=0)
    seconds = []
    for line in pairs.read_text(encoding="utf-8").splitlines()[1:]:
        en_path, zh_path, origin_path, kind = (line.split("\t") + ["", "", "", ""])[:4]
        origin = d2l / "zh_origin" / origin_path
        if kind != "chapter" or not origin_path or not origin.is_file():
            continue
        en_old = origin.read_text(encoding="utf-8")
        en_new = (d2l / "en" / en_path).read_text(encoding="utf-8")
        start = time.perf_counter()
        _, report = sync_document(
            en_old, en_new, (d2l / "zh" / zh_path).read_text(encoding="utf-8"), "en", "zh", path=zh_path
        )
        seconds.append(time.perf_counter() - start)
        counts = report["counts"]
        stats["chapters"] += 1
        stats["segments"] += counts["segments"]
        stats["review"] += counts["review"]
        stats["untouched"] += counts["reused"] + counts["reused_format"]
        old_texts = {logical_text(u.raw) for u in split_units(en_old) if u.is_prose}
        stats["english_diff_review"] += sum(
            1 for u in split_units(en_new) if u.is_prose and logical_text(u.raw) not in old_texts
        )
    stats["median_seconds"] = statistics.median(seconds) if seconds else 0.0
    stats["total_seconds"] = sum(seconds)
    return stats


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.3f}" if b else "n/a"


def main(argv: list[str]) -> int:
    verbose = "--verbose" in argv
    args = [a for a in argv if not a.startswith("--")]
    data = Path(args[0]) if args else DEFAULT_DATA
    if not data.is_dir():
        print(f"no sync events at {data}")
        return 1
    for event in sorted(p for p in data.iterdir() if (p / "zh-new").is_dir()):
        s = evaluate_event(event, verbose)
        print(f"== {event.name}")
        print(
            f"  reuse precision        {_ratio(s['reused_hit'], s['reused'])} ({s['reused_hit']}/{s['reused']} reused,"
            f" {s['reused_hit_raw']} byte for byte; reused-format {s['fmt_hit']}/{s['fmt']})"
        )
        print(f"  kept human missing     {s['kept_missing']} of {s['kept']} zh-old prose units humans kept")
        print(
            f"  human changes flagged  {s['flagged']}/{s['human_changed']} zh-new blocks"
            f" ({s['reproduced']} more reproduced verbatim by sync itself)"
        )
        print(f"  chrF vs zh-new         {s['chrf']:.2f} (copy zh-old baseline {s['chrf_baseline']:.2f})")
        print(
            f"  chars_to_mt            {s['chars_to_mt']} vs {s['changed_chars']} chars of changed English"
            f" segments: ratio {_ratio(s['chars_to_mt'], s['changed_chars'])}"
        )
        print(
            f"  review load            {s['review']} segments vs {s['human_changed']} blocks humans changed:"
            f" ratio {_ratio(s['review'], s['human_changed'])} (English-only diff:"
            f" {s['english_diff_review']}, ratio {_ratio(s['english_diff_review'], s['human_changed'])})"
        )
        print(f"  time                   {s['seconds']:.2f}s")
    book = evaluate_book(data.parent)
    if book:
        print("== whole book: _origin.md English -> en v0.17.6 over zh v2.0.0 (no human reference)")
        print(
            f"  chapters               {book['chapters']}, {book['segments']} segments,"
            f" {_ratio(book['untouched'], book['segments'])} reused as is or after markup-only changes"
        )
        print(
            f"  review load            {book['review']} segments vs English-only diff {book['english_diff_review']}:"
            f" ratio {_ratio(book['review'], book['english_diff_review'])}"
        )
        print(
            f"  time per chapter       median {1000 * book['median_seconds']:.0f} ms,"
            f" total {book['total_seconds']:.1f}s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
