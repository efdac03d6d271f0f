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
  load of a block-level English-only diff (every changed English segment goes to review);
- code comments, synced again with `--engine pseudo` (an engine that marks what it translated): of the changed
  code blocks, how many keep every code token of the new English; comment recall (new English comments
  that come out translated); human comment translations of unchanged English kept; and the review queue
  (segments to review plus the code blocks the review page shows unfolded) against the human work (prose
  blocks humans changed plus code blocks whose comments they changed).

Usage: .venv/bin/python benchmarks/sync_quality.py [DATA_DIR] [--verbose]
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from difflib import SequenceMatcher
from pathlib import Path

from rapidfuzz import fuzz
from sacrebleu.metrics import CHRF

from amts.markdown import parse
from amts.markdown.comments import code_comments, pair_comments, replace_comments
from amts.review.page import FOLDED_STATUSES
from amts.sync.assemble import REVIEW_STATUSES
from amts.sync.document import sync_document
from amts.sync.units import logical_text, prose_key, split_units

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
        # a comment's report text is its segment text: a run of comment lines read as one line
        zh_new_comments = {_norm(s.text) for s in parse(zh_new).segments if s.kind == "comment"}
        segments = [s for s in report["segments"] if s["status"] != "deleted"]
        for entry in segments:
            if entry["status"] == "reused" and entry["target"]:
                stats["reused"] += 1
                hit = _norm(entry["target"]) in (
                    zh_new_comments if entry["kind"] == "comment" else zh_new_flat
                )
                stats["reused_hit"] += hit
                stats["reused_hit_raw"] += entry["target"] in zh_new
                if verbose and not hit:
                    print(f"  reused but changed by humans: {rel}:{entry['line']}: {entry['target'][:70]!r}")
            if entry["status"] == "reused-format" and entry["target"]:
                stats["fmt"] += 1
                stats["fmt_hit"] += _norm(entry["target"]) in zh_new_flat
        stats["review"] += sum(1 for e in segments if e["status"] in REVIEW_STATUSES)
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
        new_text_requests = sum(1 for e in segments if e["status"] in REVIEW_STATUSES)
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


def code_blocks(text: str) -> list[str]:
    return [b.raw for b in parse(text).blocks if b.kind == "code"]


def skeleton(block: str) -> str:
    """A code block without its comments' prose: what a sync must take from the new English exactly."""
    comments = code_comments(block)
    return replace_comments(block, comments, [""] * len(comments), omit=True)


def _matched_blocks(blocks: list[str], others: list[str], loose: bool = False) -> dict[int, int]:
    """Block of `blocks` -> block of `others` with the same code, in order (extra framework tabs skipped).

    `loose`: also runs of as many changed blocks on both sides, in order (an old translation's code lags).
    """
    keys_a, keys_b = [skeleton(b) for b in blocks], [skeleton(b) for b in others]
    matched = {}
    for tag, a1, a2, b1, b2 in SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_opcodes():
        if tag == "equal" or (loose and tag == "replace" and a2 - a1 == b2 - b1):
            matched.update((a1 + k, b1 + k) for k in range(a2 - a1))
    return matched


def _human_comments(en_old: str, zh_old: str) -> dict[str, set[str]]:
    """English comment (comparison key) -> the human translations of it in the old chapter."""
    en_blocks, zh_blocks = code_blocks(en_old), code_blocks(zh_old)
    human: dict[str, set[str]] = {}
    for i, j in _matched_blocks(en_blocks, zh_blocks, loose=True).items():
        english, translated = code_comments(en_blocks[i]), code_comments(zh_blocks[j])
        for a, b in pair_comments(english, translated):
            if prose_key(english[a].text) != prose_key(translated[b].text):  # translated, not left English
                human.setdefault(prose_key(english[a].text), set()).add(translated[b].text)
    return human


def human_code_work(zh_old: str, zh_new: str) -> int:
    """Code blocks of zh-new whose comments the humans changed (new blocks or edited comments)."""
    old_blocks = set(code_blocks(zh_old))
    old_comments = {c.text for b in old_blocks for c in code_comments(b)}
    return sum(
        1
        for block in code_blocks(zh_new)
        if block not in old_blocks and any(c.text not in old_comments for c in code_comments(block))
    )


def comment_figures(en_old: str, en_new: str, zh_old: str, output: str) -> dict:
    """Changed code blocks of en-new against the sync output: code exact, new comments translated, human kept."""
    figures = dict(changed_blocks=0, code_exact=0, new_comments=0, translated=0, keepable=0, kept=0)
    old_blocks = set(code_blocks(en_old))
    old_keys = {prose_key(c.text) for b in old_blocks for c in code_comments(b)}
    human = _human_comments(en_old, zh_old)
    new_blocks, out_blocks = code_blocks(en_new), code_blocks(output)
    matched = _matched_blocks(new_blocks, out_blocks)
    for i, block in enumerate(new_blocks):
        if block in old_blocks:
            continue
        figures["changed_blocks"] += 1
        comments = code_comments(block)
        out = code_comments(out_blocks[matched[i]]) if i in matched else []
        figures["code_exact"] += i in matched
        at = (
            dict(pair_comments(comments, out))
            if len(out) != len(comments)
            else {k: k for k in range(len(out))}
        )
        for k, comment in enumerate(comments):
            key = prose_key(comment.text)
            written = out[at[k]].text if k in at else None
            if key not in old_keys:
                figures["new_comments"] += 1
                figures["translated"] += written is not None and prose_key(written) != key
            elif key in human:
                figures["keepable"] += 1
                figures["kept"] += written in human[key]
    return figures


def evaluate_comments(event: Path) -> dict:
    """Comment figures of one event, synced with the pseudo engine; the review queue against human work."""
    stats = dict(changed_blocks=0, code_exact=0, new_comments=0, translated=0, keepable=0, kept=0)
    stats.update(review=0, folded_code=0, code_changed=0, human_prose=0, human_code=0)
    for zh_new_path in sorted((event / "zh-new").rglob("*.md")):
        rel = zh_new_path.relative_to(event / "zh-new")
        en_old = old_source_for(event, rel).read_text(encoding="utf-8")
        en_new = (event / "en-new" / rel).read_text(encoding="utf-8")
        zh_old = (event / "zh-old" / rel).read_text(encoding="utf-8")
        zh_new = zh_new_path.read_text(encoding="utf-8")
        output, report = sync_document(en_old, en_new, zh_old, "en", "zh", engine="pseudo", path=str(rel))
        for key, value in comment_figures(en_old, en_new, zh_old, output).items():
            stats[key] += value
        segments = [s for s in report["segments"] if s["status"] != "deleted"]
        code_changed = [s for s in segments if s["status"] == "code-changed"]
        stats["code_changed"] += len(code_changed)
        stats["folded_code"] += sum(1 for s in code_changed if s["status"] in FOLDED_STATUSES)
        # the queue: segments to review, and code blocks the review page shows as work (not folded)
        stats["review"] += sum(1 for s in segments if s["status"] in REVIEW_STATUSES)
        stats["review"] += len(code_changed) - sum(1 for s in code_changed if s["status"] in FOLDED_STATUSES)
        old_blocks = set(_prose_blocks(zh_old))
        stats["human_prose"] += sum(1 for b in _prose_blocks(zh_new) if b not in old_blocks)
        stats["human_code"] += human_code_work(zh_old, zh_new)
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
        c = evaluate_comments(event)
        print(
            f"  code (engine pseudo)   {c['code_exact']}/{c['changed_blocks']} changed code blocks with every code"
            f" token of the new English; comment recall {c['translated']}/{c['new_comments']} new English"
            f" comments translated; human comment translations kept {c['kept']}/{c['keepable']}"
        )
        work = c["human_prose"] + c["human_code"]
        print(
            f"  review queue           {c['review']} vs human work {work} ({c['human_prose']} prose blocks +"
            f" {c['human_code']} code blocks with changed comments): ratio {_ratio(c['review'], work)};"
            f" {c['folded_code']} of {c['code_changed']} code-changed blocks folded out of it"
        )
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
