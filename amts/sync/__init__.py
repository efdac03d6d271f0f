"""Synchronisation: keep the human translation, retranslate only what changed in the source, report it.

    text, report = sync_document(old_source, new_source, old_target, "en", "zh", engine=None, memory=None)
    report = sync_paths(EN_OLD, EN_NEW, ZH_OLD, OUT, "en", "zh", report="REPORT.json")

Batch jobs (serverless): `plan_chapter(...)` lists the English that needs machine translation without
translating (`plan.requests`: stable `id`, `text`, `suggestion` = the old human translation it replaces);
translate them elsewhere (mask inline code/math with `amts.markdown.mask` first), then
`sync_document(..., translations={id: text})` assembles the chapter with them.

Modules: `units` (layout units, comparison keys), `pairing` (old source <-> old target units), `plan` (the
diff and what to keep or translate), `assemble` (new text, statuses of what was translated), `code` (translated comments
kept in changed code), `text` (segment wording, spans and slide markers carried into human text), `checks`
(languages), `document` (one chapter), `files` (files, folders, pairs tables, atomic writes).
"""

from amts.report import TOTAL_KEYS, Status
from amts.sync.assemble import Fill, assemble
from amts.sync.document import as_memory, plan_chapter, sync_document, translate_requests
from amts.sync.files import atomic_write, sync_paths
from amts.sync.plan import DocumentPlan, Request

__all__ = [
    "TOTAL_KEYS",
    "DocumentPlan",
    "Fill",
    "Request",
    "Status",
    "as_memory",
    "assemble",
    "atomic_write",
    "plan_chapter",
    "sync_document",
    "sync_paths",
    "translate_requests",
]
