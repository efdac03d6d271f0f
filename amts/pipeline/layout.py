"""Where things live in the bucket, and the content hashes that make every step idempotent.

source/<src>/<path>.md             the English chapters (uploads here start the state machine)
translations/<lang>/<path>.md      human translations
origin/<lang>/<path>.md            the English each human translation was made from (d2l-zh's _origin.md)
output/<lang>/<path>.md            what AMTS writes: human text kept, machine text merged
reports/<run_id>/...               run report (JSON + markdown), per-language review reports
work/...                           manifests, batch input/output, parallel data, per-chapter state
"""

from __future__ import annotations

import hashlib
import json
from typing import Iterable

MARKDOWN_SUFFIXES = (".md", ".mdx")
MAX_CHAPTER_BYTES = 5 * 1024 * 1024  # far above any real chapter; a 20 MB upload is refused, not read
# Amazon Translate's standard price; jobs with parallel data (Active Custom Translation) cost more per
# character.
COST_PER_MILLION_CHARS_USD = 15.0


# The top-level prefixes. Every key below is built from one of these, and so are the IAM resource patterns
# (amts.pipeline.wiring): a new prefix is added here and granted there, nowhere else.
SOURCE = "source/"
TRANSLATIONS = "translations/"
ORIGIN = "origin/"
OUTPUT = "output/"
REPORTS = "reports/"
WORK = "work/"
RUNS = "work/runs/"  # per-run manifests, records and summaries: short-lived
STATE = "work/state/"  # per-chapter fingerprints: must live as long as the book (lifecycle rules skip it)
BATCH = "work/batch/"  # batch-job input and output, content-addressed
PARALLEL_DATA = "work/paralleldata/"  # parallel-data CSV and held-out samples, content-addressed
EXPIRING_WORK = (RUNS, BATCH, PARALLEL_DATA)  # what a lifecycle rule may expire; never STATE


def source_prefix(lang: str) -> str:
    return f"{SOURCE}{lang}/"


def source_key(lang: str, path: str) -> str:
    return f"{SOURCE}{lang}/{path}"


def translations_prefix(lang: str) -> str:
    return f"{TRANSLATIONS}{lang}/"


def translation_key(lang: str, path: str) -> str:
    return f"{TRANSLATIONS}{lang}/{path}"


def origin_key(lang: str, path: str) -> str:
    return f"{ORIGIN}{lang}/{path}"


ORIGIN_SUFFIX = "_origin"  # d2l-zh keeps the English of `x.md` beside it as `x_origin.md`


def origin_keys(lang: str, path: str) -> list[str]:
    """Where the English a human translation was made from may be, in order of preference."""
    stem, dot, suffix = path.rpartition(".")
    beside = f"{stem}{ORIGIN_SUFFIX}.{suffix}" if dot else f"{path}{ORIGIN_SUFFIX}"
    return [origin_key(lang, path), translation_key(lang, beside)]


def is_origin_file(path: str) -> bool:
    return path.rpartition(".")[0].endswith(ORIGIN_SUFFIX)


def output_key(lang: str, path: str) -> str:
    return f"{OUTPUT}{lang}/{path}"


def manifest_key(run_id: str) -> str:
    return f"{RUNS}{run_id}/manifest.json"


def rejected_key(run_id: str) -> str:
    return f"{RUNS}{run_id}/rejected.json"


def batch_plan_key(run_id: str, lang: str) -> str:
    return f"{RUNS}{run_id}/{lang}/batch-plan.json"


def chapter_record_key(run_id: str, lang: str, path: str) -> str:
    return f"{RUNS}{run_id}/{lang}/chapters/{path}.json"


def chapter_records_prefix(run_id: str, lang: str) -> str:
    return f"{RUNS}{run_id}/{lang}/chapters/"


def language_summary_key(run_id: str, lang: str) -> str:
    return f"{RUNS}{run_id}/{lang}/summary.json"


def state_key(lang: str, path: str) -> str:
    """The fingerprint of the inputs a chapter's output was last built from."""
    return f"{STATE}{lang}/{path}.json"


def batch_prefix(lang: str, digest: str) -> str:
    return f"{BATCH}{lang}/{digest}/"


def batch_input_prefix(lang: str, digest: str) -> str:
    """The documents one batch job translates (its InputDataConfig.S3Uri)."""
    return f"{batch_prefix(lang, digest)}input/"


def batch_output_prefix(lang: str, digest: str) -> str:
    """Where that job writes (its OutputDataConfig.S3Uri); Translate adds `<account>-TranslateText-<id>/`."""
    return f"{batch_prefix(lang, digest)}output/"


def parallel_data_key(lang: str, digest: str) -> str:
    return f"{PARALLEL_DATA}{lang}/{digest}.csv"


def held_out_key(lang: str, digest: str) -> str:
    """The sentence pairs held out of the parallel data `parallel_data_key(lang, digest)` for evaluation."""
    return f"{PARALLEL_DATA}{lang}/{digest}.heldout.json"


def report_prefix(run_id: str) -> str:
    return f"{REPORTS}{run_id}/"


def report_key(run_id: str) -> str:
    return f"{REPORTS}{run_id}/report.json"


def review_key(run_id: str, lang: str) -> str:
    """The language's review report (JSON); its HTML page and XLIFF sit beside it with those suffixes."""
    return f"{REPORTS}{run_id}/{lang}/review.json"


LATEST_REPORT_KEY = f"{REPORTS}latest.json"


def split_source_key(key: str) -> tuple[str, str] | None:
    """`source/en/a/b.md` -> ("en", "a/b.md"); None for keys outside source/."""
    parts = key.split("/", 2)
    if len(parts) != 3 or parts[0] + "/" != SOURCE or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def digest(parts: Iterable[str | None], length: int = 16) -> str:
    """A short, stable content hash of a sequence of strings (None counts as absent, not as "")."""
    h = hashlib.sha256()
    for part in parts:
        h.update(b"\x00" if part is None else b"\x01" + part.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:length]


def json_bytes(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
