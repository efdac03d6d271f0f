"""Amazon Translate limits used by the amazon engine and the fake: the shared values from
amts.translate_limits plus the batch-job and rate quotas only the engine needs.

Source: Amazon Translate Developer Guide, "Guidelines and quotas" (what-is-limits.html).
"""

from __future__ import annotations

from amts.translate_limits import (  # noqa: F401  (re-exported: one place to import limits from)
    MAX_BATCH_DOCUMENT_BYTES,
    MAX_BATCH_TRANSLATABLE_BYTES,
    MAX_PARALLEL_DATA_SEGMENT_BYTES,
    MAX_TERM_BYTES,
    MAX_TERMINOLOGY_FILE_BYTES,
    MAX_TRANSLATE_TEXT_BYTES,
    utf8_size,
)

MAX_BATCH_DOCUMENTS = 1_000_000  # documents in one batch job
MAX_CONCURRENT_BATCH_JOBS = 10
MAX_QUEUED_BATCH_JOBS = 1000
MAX_CONCURRENT_PARALLEL_DATA_UPDATES = 1  # create or update operations per parallel data resource
MAX_TERMINOLOGIES_PER_REQUEST = 1
MAX_PARALLEL_DATA_PER_REQUEST = 1
# Transactions per second (the engine paces itself below these)
TPS_START_JOB = 5
TPS_DESCRIBE_JOB = 10
TPS_PARALLEL_DATA_WRITE = 5  # CreateParallelData / UpdateParallelData
TPS_IMPORT_TERMINOLOGY = 5
# Error codes Translate's API model marks as retryable throttling / transient failures.
RETRYABLE_ERRORS = (
    "TooManyRequestsException",
    "ServiceUnavailableException",
    "ThrottlingException",
    "LimitExceededException",
    "InternalServerException",
)
