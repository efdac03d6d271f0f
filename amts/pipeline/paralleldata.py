"""Per language: parallel data from the human translations in the bucket, and the Translate resource for it."""

from __future__ import annotations

from typing import Any

from amts.markdown import parse
from amts.pipeline import layout
from amts.pipeline.settings import Settings
from amts.pipeline.store import Store


def _pairs_for_chapter(
    origin_text: str, target_text: str, src: str, tgt: str, granularity: str
) -> list[tuple[str, str]]:
    from amts.align import align_documents  # late: alignment pulls in sentence splitters

    beads = align_documents(parse(origin_text), parse(target_text), src, tgt, granularity=granularity)
    return [(" ".join(b.source), " ".join(b.target)) for b in beads if b.source and b.target]


def build_parallel_data(store: Store, lang: str, settings: Settings) -> dict[str, Any]:
    """Align every human translation with the English it was made from; write CSV parallel data to S3.

    Chapters that do not align are skipped and counted, never paired blindly. Returns the resource name
    (prefix + language) and the S3 URI of content-addressed data, or present=False when there is none.
    """
    src = settings.source_lang
    pairs: list[tuple[str, str]] = []
    skipped: list[dict] = []
    prefix = layout.translations_prefix(lang)
    for obj in store.list(prefix):
        path = obj["key"][len(prefix) :]
        if not path.lower().endswith(layout.MARKDOWN_SUFFIXES) or layout.is_origin_file(path):
            continue
        origin = next(filter(None, (store.get_bytes(key) for key in layout.origin_keys(lang, path))), None)
        if origin is None:
            skipped.append({"path": path, "reason": "no origin/ English for this translation"})
            continue
        try:
            target = (store.get_bytes(obj["key"]) or b"").decode("utf-8")
            pairs += _pairs_for_chapter(origin.decode("utf-8"), target, src, lang, settings.granularity)
        except Exception as exc:  # noqa: BLE001 - parallel data only improves MT: one bad chapter must not stop it
            reason = str(exc).splitlines()[0][:200] if str(exc) else ""
            skipped.append({"path": path, "reason": f"{type(exc).__name__}: {reason}"})
    held_out = hold_out(pairs, settings.eval_chars)
    held_sources = {source for source, _ in held_out}
    data, kept = to_csv([p for p in pairs if p[0] not in held_sources], src, lang)
    name = f"{settings.parallel_data_prefix}-{src}-{lang}"
    if not kept:
        return {
            "present": False,
            "name": name,
            "s3_uri": None,
            "pairs": 0,
            "eval_key": None,
            "skipped": skipped,
        }
    digest = layout.digest([data])
    key = layout.parallel_data_key(lang, digest)
    store.put_bytes(key, data.encode("utf-8"), "text/csv; charset=utf-8")
    eval_key = None
    if held_out:
        eval_key = layout.held_out_key(lang, digest)
        store.put_json(eval_key, {"pairs": [list(p) for p in held_out]})
    return {
        "present": True,
        "name": name,
        "s3_uri": f"s3://{store.bucket}/{key}",
        "pairs": kept,
        "eval_key": eval_key,
        "held_out": len(held_out),
        "skipped": skipped,
    }


def hold_out(pairs: list[tuple[str, str]], max_chars: int, share: float = 0.1) -> list[tuple[str, str]]:
    """A fixed evaluation sample: pairs picked by hash, kept out of the parallel data.

    Translated in the same batch job, they measure the engine with parallel data built from the rest of
    the book (the published AMTS method) at no extra job; at most `share` of the pairs, `max_chars` of English.
    """
    unique = {" ".join(s.split()): " ".join(t.split()) for s, t in pairs if len(s) >= 30 and t.strip()}
    ranked = sorted(unique.items(), key=lambda p: layout.digest([p[0]]))
    chosen, chars = [], 0
    for source, target in ranked[: int(len(unique) * share)]:
        if chars + len(source) > max_chars:
            break
        chosen.append((source, target))
        chars += len(source)
    return chosen


def to_csv(pairs: list[tuple[str, str]], src: str, tgt: str) -> tuple[str, int]:
    """CSV that Amazon Translate accepts (language header, segments within the byte limit), duplicates dropped."""
    from amts.engines.amazon import parallel_data_csv  # the engines area owns the service's format and limits

    unique = list(dict.fromkeys((" ".join(s.split()), " ".join(t.split())) for s, t in pairs))
    data, dropped = parallel_data_csv(unique, src, tgt)
    return data.decode("utf-8"), len(unique) - dropped


def _error_code(exc: Exception) -> str:
    return getattr(exc, "response", {}).get("Error", {}).get("Code", "")


def ensure_parallel_data(translate: Any, name: str, s3_uri: str, attempt: str = "") -> dict[str, str]:
    """Create the resource, or update it when it holds other data; nothing when it already holds this data.

    Answers a status for the state machine's Choice: CREATING/UPDATING (poll), ACTIVE (use it), BUSY (another
    create or update runs in the account: wait and call again), DELETING (a resource whose creation FAILED is
    deleted, to be created again on the next call; updating it would fail forever). `note` says what happened
    in words for the report. `attempt` (the run id) makes the client token differ per run, so a token is never
    matched to an earlier request with other content.
    """
    config = {"S3Uri": s3_uri, "Format": "CSV"}
    token = layout.digest([name, s3_uri, attempt], 32)
    try:
        current = translate.get_parallel_data(Name=name)["ParallelDataProperties"]
    except translate.exceptions.ResourceNotFoundException:
        return _call(
            lambda: translate.create_parallel_data(Name=name, ParallelDataConfig=config, ClientToken=token)
        )
    if current["Status"] == "DELETING":
        return {"status": "DELETING", "note": f"parallel data {name} is being deleted"}
    if current["Status"] == "FAILED":
        translate.delete_parallel_data(Name=name)
        return {
            "status": "DELETING",
            "note": f"parallel data {name} had failed ({current.get('Message', '')}); deleted to create it again",
        }
    if current.get("LatestUpdateAttemptStatus") == "UPDATING" or current["Status"] in (
        "CREATING",
        "UPDATING",
    ):
        return {"status": "UPDATING", "note": ""}
    if current.get("ParallelDataConfig", {}).get("S3Uri") == s3_uri and current.get(
        "LatestUpdateAttemptStatus"
    ) in (None, "ACTIVE"):
        return {"status": "ACTIVE", "note": ""}
    return _call(
        lambda: translate.update_parallel_data(Name=name, ParallelDataConfig=config, ClientToken=token)
    )


def _call(request: Any) -> dict[str, str]:
    """Start a create or update; the per-account limit of one running import answers BUSY, not an error."""
    try:
        request()
    except Exception as exc:
        code = _error_code(exc)
        if code == "LimitExceededException":
            return {"status": "BUSY", "note": "another parallel-data import runs in this account"}
        if code == "ConflictException":  # another run created it a moment ago: poll that one
            return {"status": "UPDATING", "note": ""}
        raise
    return {"status": "UPDATING", "note": ""}


def parallel_data_status(translate: Any, name: str) -> dict[str, str]:
    """ACTIVE once an import finished and data is usable; FAILED when there is none to use.

    An update that FAILED leaves the resource ACTIVE with its previous data: the job uses that, and the note
    says so for the report."""
    props = translate.get_parallel_data(Name=name)["ParallelDataProperties"]
    latest = props.get("LatestUpdateAttemptStatus")
    if latest in ("CREATING", "UPDATING") or props["Status"] in ("CREATING", "UPDATING"):
        return {"status": "UPDATING", "note": ""}
    message = props.get("Message") or "no message"
    if props["Status"] == "ACTIVE" and latest == "FAILED":
        return {
            "status": "ACTIVE",
            "note": f"the update of parallel data {name} failed ({message}); the job used its previous data",
        }
    if props["Status"] == "ACTIVE":
        return {"status": "ACTIVE", "note": ""}
    return {
        "status": "FAILED",
        "note": f"parallel data {name} could not be imported ({message}); translated without parallel data",
    }
