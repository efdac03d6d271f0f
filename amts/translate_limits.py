"""Amazon Translate documented limits, as data for every module that prepares input for the service.

Source: Amazon Translate Developer Guide, "Guidelines and quotas"
(https://docs.aws.amazon.com/translate/latest/dg/what-is-limits.html) and "Parallel data files"
(formats CSV, TSV, TMX). Sizes are in bytes of UTF-8.
"""

from __future__ import annotations

ENCODING = "utf-8"

# Synchronous TranslateText
MAX_TRANSLATE_TEXT_BYTES = 10_000
MAX_DOCUMENT_BYTES = 100_000

# Asynchronous batch translation (StartTextTranslationJob)
MAX_BATCH_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_BATCH_TRANSLATABLE_BYTES = 1024 * 1024
MAX_BATCH_TARGET_LANGUAGES = 10
MAX_BATCH_TOTAL_BYTES = 5 * 1024**3

# Custom terminology
MAX_TERMINOLOGY_FILE_BYTES = 10 * 1024 * 1024
MAX_TERM_BYTES = 200
MAX_TERMINOLOGY_TARGET_LANGUAGES = 10

# Parallel data (Active Custom Translation)
MAX_PARALLEL_DATA_FILE_BYTES = 5 * 1024**3
MAX_PARALLEL_DATA_SEGMENT_BYTES = 1_000
MAX_PARALLEL_DATA_SOURCE_LANGUAGES = 1
PARALLEL_DATA_FORMATS = ("csv", "tsv", "tmx")
# Spreadsheet applications evaluate a cell starting with one of these as a formula; Amazon Translate
# rejects such cells in CSV/TSV parallel data (CSV injection guard).
FORBIDDEN_CELL_PREFIXES = ("+", "-", "=", "@")


def utf8_size(text: str) -> int:
    """Size of `text` in bytes as Amazon Translate counts it."""
    return len(text.encode(ENCODING))
