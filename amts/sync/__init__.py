"""Synchronisation: keep the human translation, retranslate only what changed in the source, report it.

    text, report = sync_document(old_source, new_source, old_target, "en", "zh", engine=None, memory=None)
    report = sync_paths(EN_OLD, EN_NEW, ZH_OLD, OUT, "en", "zh", report="REPORT.json")

For batch jobs: `plan_chapter(...)` lists the English needing machine translation (`plan.requests`, each
with a stable `id`) without translating; `sync_document(..., translations={id: text})` assembles with them.
"""

from amts.sync.assemble import REVIEW_STATUSES, STATUSES, TOTAL_KEYS, Fill, assemble
from amts.sync.document import plan_chapter, sync_document, translate_requests
from amts.sync.files import atomic_write, sync_paths
from amts.sync.plan import DocumentPlan, Request

__all__ = [
    "REVIEW_STATUSES",
    "STATUSES",
    "TOTAL_KEYS",
    "DocumentPlan",
    "Fill",
    "Request",
    "assemble",
    "atomic_write",
    "plan_chapter",
    "sync_document",
    "sync_paths",
    "translate_requests",
]
