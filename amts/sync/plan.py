"""The sync plan of one chapter: what of the old human translation is kept, what needs translating.

Planning is pure and needs no engine: `plan_document` diffs the old and new English (units, then sentences
inside changed regions), maps the unchanged English to the human translation through the old
English/translation pairing, and lists the English pieces that need machine translation (`plan.requests`).
`assemble` then builds the new translation from the plan and whatever translations were found for those
requests (memory, engine, an external batch job, or none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from rapidfuzz import fuzz

from amts.align import default_ratio
from amts.align.lexicon import concept_keys, lexicon_available
from amts.align.beads import Sentence
from amts.align.beads import align_sentences as align_sentence_beads
from amts.errors import AlignmentError
from amts.sentences import split_sentences
from amts.sync.code import CodePlan, chapter_translations, plan_code
from amts.sync.pairing import Bead, absorb_target_only, align_units, protected_agreement
from amts.sync.text import (
    carry_spans,
    markup_prefix,
    masked_key,
    segment_id,
    segment_text,
    strip_prefix,
    transfer_markers,
)
from amts.sync.units import (
    Unit,
    code_body,
    leading_space,
    logical_text,
    prose_key,
    split_units,
    strip_markers,
    unit_key,
)

# Target languages written without spaces between sentences.
_NO_SPACE_LANGS = frozenset({"zh", "ja", "th"})
# A pairing costlier than this per unit means the old target is not a translation of the old source.
MAX_MEAN_ALIGN_COST = 1.5
MIN_PAIRED_PROSE_SHARE = 0.5


@dataclass
class Request:
    """English text that needs machine translation, in the target unit's `pieces`."""

    id: str
    text: str
    suggestion: str = ""  # the old human translation of the English it replaces, if any
    kind: str = "prose"  # "comment": a code comment (its identifiers are masked too)


@dataclass
class Piece:
    """One run of sentences of an output prose unit: human text, or a request to fill."""

    text: str | None = None  # decided text (human); None when `request` decides it
    request: Request | None = None


@dataclass
class OutUnit:
    """One unit of the new translation: verbatim bytes, or a prose unit assembled from pieces."""

    sep: str
    raw: str | None = None  # verbatim (human unit, protected unit, marker)
    prefix: str = ""  # list/heading marker of the new English, for assembled prose
    pieces: list[Piece] = field(default_factory=list)
    fallback_raw: str | None = None  # the human unit as written, used when nothing was newly translated
    new_index: int | None = None  # the new source unit a verbatim human unit stands for
    from_source: bool = False  # raw taken from the new source (a directive, a slide marker, new code)
    segment: dict | None = None  # the report entry this unit fills (prose units only)
    code: CodePlan | None = None  # a changed code block: new code, comments kept or filled (sync/code.py)


@dataclass
class DocumentPlan:
    path: str
    source_lang: str
    target_lang: str
    leading: str
    units: list[OutUnit]
    segments: list[dict]  # report entries in output order, deleted ones included
    requests: list[Request]
    unchanged_text: str | None = None  # set when the English did not change at all: output is the old target


def _content(units: list[Unit]) -> list[Unit]:
    return [u for u in units if not u.is_marker]


class _Planner:
    def __init__(
        self, old_source: str, new_source: str, old_target: str, source_lang: str, target_lang: str, path: str
    ):
        self.path = path
        self.source_lang, self.target_lang = source_lang, target_lang
        self.old = _content(split_units(old_source))
        new_all = split_units(new_source)
        self.new = _content(new_all)
        self.target = _content(split_units(old_target))
        self.target_all_last_sep = split_units(old_target)[-1].sep if old_target.strip() else "\n"
        self.leading = leading_space(old_target)
        # slide markers of the new English, attached to the content unit they precede
        # (an end marker closes the unit before it, any other marker opens the unit after it)
        self.markers_before: dict[int, list[Unit]] = {}
        self.markers_after: dict[int, list[Unit]] = {}
        position = 0
        for unit in new_all:
            if unit.is_marker:
                if (
                    position > 0
                    and unit.raw.lstrip().startswith(":end_slide:")
                    and position not in self.markers_before
                ):
                    self.markers_after.setdefault(position - 1, []).append(unit)
                else:
                    self.markers_before.setdefault(position, []).append(unit)
            else:
                position += 1
        self.out: list[OutUnit] = []
        self.segments: list[dict] = []
        self.requests: list[Request] = []
        self._ids: dict[str, int] = {}
        self.joiner = "" if target_lang in _NO_SPACE_LANGS else " "
        self.moved_new: dict[int, Bead] = {}  # new unit -> bead of the identical old unit found elsewhere
        self.moved_old: set[int] = set()
        self.comment_translations: dict[str, str] | None = None  # the old chapter's, made when first needed
        self.beads: list[Bead] = []  # old source <-> old target pairing

    # --- pairing the old English with the old translation --------------------------------------------

    def pair(self) -> list[Bead]:
        if not self.old or not self.target:
            if any(u.is_prose for u in self.old) and not any(u.is_prose for u in self.target):
                raise AlignmentError(
                    f"{self.path or 'chapter'}: the old target has no prose to pair with the old source"
                )
            return [Bead((i,), ()) for i in range(len(self.old))] + [
                Bead((), (j,)) for j in range(len(self.target))
            ]
        try:
            beads, mean_cost = align_units(self.old, self.target)
        except ValueError:
            raise AlignmentError(
                f"{self.path or 'chapter'}: the old source and the old target do not align"
            ) from None
        prose = sum(1 for u in self.old if u.is_prose)
        paired = sum(1 for b in beads if b.source and b.target for i in b.source if self.old[i].is_prose)
        agreement, protected = protected_agreement(self.old, self.target, beads)
        # calibrated on the D2L book: true pairs share labels, math and code (agreement >= 0.53, mean cost
        # <= 1.13); a chapter paired with another chapter's translation scores below on one of the two
        if (
            mean_cost > MAX_MEAN_ALIGN_COST
            or (prose >= 4 and paired < MIN_PAIRED_PROSE_SHARE * prose)
            or (protected >= 4 and agreement < 0.5)
            or (agreement < 0.75 and mean_cost > 1.2)
        ):
            raise AlignmentError(
                f"{self.path or 'chapter'}: the old target does not look like a translation of the old source "
                f"(mean pairing cost {mean_cost:.2f}, {paired} of {prose} prose units and "
                f"{agreement:.0%} of {protected} code/math/label units paired)"
            )
        return beads

    # --- regions: runs of old/new units that are decided together ------------------------------------

    def regions(self, beads: list[Bead]) -> list[tuple[str, range, range, list[Bead]]]:
        old_keys = [unit_key(u) for u in self.old]
        new_keys = [unit_key(u) for u in self.new]
        ops = SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes()
        pieces: list[list] = []  # [tag, o1, o2, n1, n2]
        for tag, o1, o2, n1, n2 in ops:
            if tag == "equal":
                pieces.extend(["equal", o1 + k, o1 + k + 1, n1 + k, n1 + k + 1] for k in range(o2 - o1))
            else:
                pieces.append([tag, o1, o2, n1, n2])
        # a bead pairing several old units (or an insertion falling inside one) forces one region
        region_of_old = {}
        for r, (_, o1, o2, _, _) in enumerate(pieces):
            for i in range(o1, o2):
                region_of_old[i] = r
        join_next = [False] * len(pieces)
        for bead in beads:
            if len(bead.source) > 1:
                first, last = region_of_old[bead.source[0]], region_of_old[bead.source[-1]]
                for r in range(first, last):
                    join_next[r] = True
        merged: list[list] = []
        for r, piece in enumerate(pieces):
            if merged and join_next[r - 1]:
                last = merged[-1]
                last[0] = "equal" if last[0] == piece[0] == "equal" else "replace"
                last[2], last[4] = piece[2], piece[4]
            else:
                merged.append(list(piece))
        # hand each bead (target-only ones included) to the region of its source units
        result = []
        region_for_old = {}
        for r, (_, o1, o2, _, _) in enumerate(merged):
            for i in range(o1, o2):
                region_for_old[i] = r
        bead_lists: list[list[Bead]] = [[] for _ in merged]
        previous = None
        for bead in beads:
            if bead.source:
                previous = region_for_old[bead.source[0]]
                bead_lists[previous].append(bead)
            else:
                target = previous
                if target is None:
                    target = next((r for r, p in enumerate(merged) if p[2] > p[1]), 0)
                if merged:
                    bead_lists[target].append(bead)
        for (tag, o1, o2, n1, n2), region_beads in zip(merged, bead_lists, strict=False):
            result.append((tag, range(o1, o2), range(n1, n2), region_beads))
        self._find_moves(result, beads, old_keys, new_keys)
        return result

    def _find_moves(self, regions, beads: list[Bead], old_keys: list[str], new_keys: list[str]) -> None:
        """Prose units moved unchanged to another place: their human translation moves with them."""
        own_bead = {b.source[0]: b for b in beads if len(b.source) == 1 and b.target}
        old_free: dict[str, list[int]] = {}
        new_free: dict[str, list[int]] = {}
        for tag, old_range, new_range, _ in regions:
            if tag == "equal":
                continue
            for i in old_range:
                if self.old[i].is_prose:
                    old_free.setdefault(old_keys[i], []).append(i)
            for n in new_range:
                if self.new[n].is_prose:
                    new_free.setdefault(new_keys[n], []).append(n)
        for key, news in new_free.items():
            olds = old_free.get(key, [])
            if len(news) == 1 and len(olds) == 1 and olds[0] in own_bead:
                self.moved_new[news[0]] = own_bead[olds[0]]
                self.moved_old.add(olds[0])

    # --- output ---------------------------------------------------------------------------------------

    def emit_markers(self, new_index: int) -> None:
        for marker in self.markers_before.pop(new_index, []):
            self.out.append(OutUnit(sep=marker.sep, raw=marker.raw, from_source=True))

    def emit_markers_after(self, new_index: int) -> None:
        markers = self.markers_after.pop(new_index, [])
        if markers and self.out:
            self.out[-1].sep = self.new[new_index].sep  # the marker hugs the unit it closes, as in the source
        for marker in markers:
            self.out.append(OutUnit(sep=marker.sep, raw=marker.raw, from_source=True))

    def segment(
        self, unit: Unit, status: str, old_source: str = "", old_target: str = "", target: str = "", **extra
    ) -> dict:
        text = segment_text(unit)
        entry = {
            "id": segment_id(text, self._ids),
            "status": status,
            "source": text,
            "old_source": old_source,
            "target": target,
            "old_target": old_target,
            "kind": unit.kind,
            "line": unit.line,
        }
        entry.update(extra)
        self.segments.append(entry)
        return entry

    def deleted(self, old_source: str, old_target: str, kind: str, line: int) -> None:
        self.segments.append(
            {
                "id": segment_id(old_target or old_source, self._ids),
                "status": "deleted",
                "source": "",
                "old_source": old_source,
                "target": "",
                "old_target": old_target,
                "kind": kind,
                "line": line,
            }
        )

    def equal_region(self, old_range: range, new_range: range, beads: list[Bead]) -> None:
        offset = new_range.start - old_range.start
        for bead in beads:
            new_indices = [i + offset for i in bead.source]
            for n in new_indices:
                self.emit_markers(n)
            last_new = new_indices[-1] if new_indices else None
            emitted = [
                OutUnit(sep=self.target[j].sep, raw=self.target[j].raw, new_index=last_new)
                for j in bead.target
            ]
            self.out.extend(emitted)
            # exactly as the output has it, so that the report's target can be found verbatim there
            target_text = "".join(u.raw + u.sep for u in emitted[:-1]) + (emitted[-1].raw if emitted else "")
            for k, (o, n) in enumerate(zip(bead.source, new_indices, strict=False)):
                old_unit, new_unit = self.old[o], self.new[n]
                if not new_unit.is_prose:
                    continue
                status = "reused" if old_unit.raw == new_unit.raw else "reused-format"
                if status == "reused-format" and prose_key(old_unit.raw) != prose_key(new_unit.raw):
                    status = "untranslated"  # a heading kept by its [[anchor]] with a new title: review it
                elif status == "reused-format" and len(bead.source) == 1 and len(emitted) == 1:
                    emitted[0].raw = transfer_markers(
                        logical_text(old_unit.raw), logical_text(new_unit.raw), emitted[0].raw or ""
                    )
                    target_text = emitted[0].raw
                self.segment(
                    new_unit,
                    status,
                    old_source=logical_text(old_unit.raw),
                    old_target=target_text if k == 0 else "",
                    target=target_text if k == 0 else "",
                    origin="human",
                )
            for n in new_indices:
                self.emit_markers_after(n)

    def changed_region(self, old_range: range, new_range: range, beads: list[Bead]) -> None:  # noqa: C901 -- split into phases under #11
        source_beads = [b for b in beads if b.source and not all(i in self.moved_old for i in b.source)]
        # a translator's own units (notes, extra framework tabs) stay, after the region's new text
        target_only = [j for b in beads if not b.source for j in b.target]
        target_indices = [j for b in source_beads for j in b.target]
        old_units = [self.old[i] for i in old_range if i not in self.moved_old]
        new_units = [self.new[n] for n in new_range]

        old_sents: list[str] = []
        old_owner: list[int] = []
        for k, unit in enumerate(old_units):
            if unit.is_prose:
                for sentence in split_sentences(logical_text(unit.raw), self.source_lang):
                    old_sents.append(sentence)
                    old_owner.append(k)
        tgt_sents: list[str] = []
        tgt_owner: list[int] = []
        for j in target_indices:
            if self.target[j].is_prose:
                for sentence in split_sentences(logical_text(self.target[j].raw), self.target_lang):
                    tgt_sents.append(sentence)
                    tgt_owner.append(j)
        sent_beads = absorb_target_only(
            self._align_sentences(old_sents, old_owner, tgt_sents, tgt_owner), tgt_owner
        )
        bead_of_old = {s: b for b, bead in enumerate(sent_beads) for s in bead.source}

        new_sents: list[tuple[int, str]] = []  # (index into new_units, sentence)
        for k, unit in enumerate(new_units):
            if unit.is_prose and new_range[k] not in self.moved_new:
                new_sents.extend((k, s) for s in split_sentences(logical_text(unit.raw), self.source_lang))
        old_masked = [masked_key(s) for s in old_sents]
        new_masked = [masked_key(s) for _, s in new_sents]
        matched: dict[int, int] = {}  # new sentence -> old sentence with the same words
        for tag, o1, o2, n1, _n2 in SequenceMatcher(
            None, [m[0] for m in old_masked], [m[0] for m in new_masked], autojunk=False
        ).get_opcodes():
            if tag == "equal":
                for d in range(o2 - o1):
                    matched[n1 + d] = o1 + d
        # a bead's human text is reusable when all its English sentences survive, spans fixed up mechanically
        reusable: dict[int, str] = {}
        for b, bead in enumerate(sent_beads):
            if not bead.source or not bead.target:
                continue
            olds = set(bead.source)
            news = [n for n, o in matched.items() if o in olds]
            if len(news) != len(olds) or sorted(news) != list(range(min(news), max(news) + 1)):
                continue
            text = self.joiner.join(tgt_sents[t] for t in bead.target)
            for n in sorted(news):
                text = carry_spans(old_masked[matched[n]][1], new_masked[n][1], text)
                if text is None:
                    break
            if text is not None and len(news) == 1:
                text = transfer_markers(old_sents[matched[news[0]]], new_sents[news[0]][1], text)
            if text is not None:
                reusable[b] = text

        pieces_of: dict[int, list[Piece]] = {}
        old_src_of: dict[int, list[str]] = {}
        old_tgt_of: dict[int, list[str]] = {}
        tgt_used_of: dict[int, list[int]] = {}
        reused_any: set[int] = set()
        consumed: set[int] = set()  # sentence beads whose human text went into the output
        run: list[int] = []  # consecutive changed new sentences of one unit

        def flush() -> None:
            if not run:
                return
            k = new_sents[run[0]][0]
            english = " ".join(new_sents[n][1] for n in run)
            if not pieces_of.get(k):
                english = strip_prefix(english)
            # the human text this run replaces: beads of the old sentences between its matched neighbours
            lo = max((matched[n] for n in matched if n < run[0]), default=-1)
            hi = min((matched[n] for n in matched if n > run[-1]), default=len(old_sents))
            olds = list(range(lo + 1, hi))
            olds += [matched[n] for n in run if n in matched]
            bead_ids = sorted({bead_of_old[o] for o in olds if o in bead_of_old} - consumed)
            suggestion_parts = [t for b in bead_ids for t in sent_beads[b].target]
            consumed.update(bead_ids)
            suggestion = self.joiner.join(tgt_sents[t] for t in suggestion_parts)
            if suggestion_parts and _is_unit_start(tgt_owner, suggestion_parts[0]):
                suggestion = strip_prefix(suggestion)
            request = Request(id=f"{self.path}#{len(self.requests)}", text=english, suggestion=suggestion)
            self.requests.append(request)
            pieces_of.setdefault(k, []).append(Piece(request=request))
            old_src_of.setdefault(k, []).extend(old_sents[o] for b in bead_ids for o in sent_beads[b].source)
            old_tgt_of.setdefault(k, []).append(suggestion)
            tgt_used_of.setdefault(k, []).extend(suggestion_parts)
            run.clear()

        for n, (k, _sentence) in enumerate(new_sents):
            if run and new_sents[run[0]][0] != k:
                flush()
            o = matched.get(n)
            b = bead_of_old.get(o) if o is not None else None
            if b is not None and b in reusable:
                flush()
                if b not in consumed:
                    consumed.add(b)
                    bead = sent_beads[b]
                    text = reusable[b]
                    if _is_unit_start(tgt_owner, bead.target[0]):
                        text = strip_prefix(text)
                    pieces_of.setdefault(k, []).append(Piece(text=text))
                    old_tgt_of.setdefault(k, []).append(text)
                    old_src_of.setdefault(k, []).extend(old_sents[s] for s in bead.source)
                    tgt_used_of.setdefault(k, []).extend(bead.target)
                reused_any.add(k)
            elif b is not None and not sent_beads[b].target:
                # the translator left this sentence out; it is unchanged, so that stays their call
                reused_any.add(k)
            else:
                run.append(n)
        flush()

        code_targets = [j for j in target_indices if self.target[j].kind == "code"]
        protected_pairs = [
            (b.source[0], b.target[0])
            for b in source_beads
            if len(b.source) == len(b.target) == 1
            and not self.old[b.source[0]].is_prose
            and self.old[b.source[0]].kind == self.target[b.target[0]].kind
        ]
        code_pairs = [(i, j) for i, j in protected_pairs if self.old[i].kind == "code"]
        used_targets: set[int] = set()
        for k, (n, unit) in enumerate(zip(new_range, new_units, strict=False)):
            self.emit_markers(n)
            if n in self.moved_new:
                self._emit_moved(n)
                self.emit_markers_after(n)
                continue
            if not unit.is_prose:
                self.out.append(
                    self._protected(
                        unit, target_indices, code_targets, used_targets, code_pairs, protected_pairs
                    )
                )
                self.emit_markers_after(n)
                continue
            pieces = pieces_of.get(k, [])
            out = OutUnit(sep=unit.sep, prefix=markup_prefix(unit.raw), pieces=pieces)
            used = tgt_used_of.get(k, [])
            if used and used == [t for t, owner in enumerate(tgt_owner) if owner == tgt_owner[used[0]]]:
                out.fallback_raw = self.target[tgt_owner[used[0]]].raw  # all of one human unit, as written
            requests = [p.request for p in pieces if p.request is not None]
            if requests:
                status = "fuzzy" if k in reused_any else "new-text"
            elif any(o.raw == unit.raw for o in old_units):
                status = "reused"
            else:
                status = "reused-format"
            out.segment = self.segment(
                unit,
                status,
                old_source=" ".join(old_src_of.get(k, [])),
                old_target=self.joiner.join(t for t in old_tgt_of.get(k, []) if t),
                origin="human",
                chars_to_mt=sum(len(r.text) for r in requests),
            )
            if pieces:  # no pieces: the translators left this unchanged English out, and so does the output
                self.out.append(out)
            self.emit_markers_after(n)
        for j in target_only:
            self.out.append(OutUnit(sep=self.target[j].sep, raw=self.target[j].raw))
        # human text the new chapter no longer has
        for b, bead in enumerate(sent_beads):
            if b not in consumed and bead.target:
                self.deleted(
                    " ".join(old_sents[s] for s in bead.source),
                    self.joiner.join(tgt_sents[t] for t in bead.target),
                    "paragraph",
                    self.target[tgt_owner[bead.target[0]]].line,
                )
        for j in target_indices:
            if j not in used_targets and self.target[j].kind in ("code", "html", "jsx"):
                self.deleted("", self.target[j].raw, self.target[j].kind, self.target[j].line)

    def _align_sentences(
        self, source: list[str], source_unit: list[int], target: list[str], target_unit: list[int]
    ) -> list[Bead]:
        """Sentence beads (index tuples) of a region, by the alignment area's sentence aligner."""
        lexical = lexicon_available(self.source_lang, self.target_lang)

        def sentence(text: str, block: int, lang: str) -> Sentence:
            text = strip_markers(text)
            return Sentence.of(text, block, 0, concept_keys(text, lang) if lexical else frozenset())

        src = [
            sentence(text, block, self.source_lang) for text, block in zip(source, source_unit, strict=False)
        ]
        tgt = [
            sentence(text, block, self.target_lang) for text, block in zip(target, target_unit, strict=False)
        ]
        index = {id(s): i for i, s in enumerate(src)} | {id(t): j for j, t in enumerate(tgt)}
        ratio = default_ratio(self.source_lang, self.target_lang)
        return [
            Bead(tuple(index[id(s)] for s in a), tuple(index[id(t)] for t in b))
            for a, b in align_sentence_beads(src, tgt, ratio, self.source_lang, self.target_lang)
        ]

    def _emit_moved(self, n: int) -> None:
        bead = self.moved_new[n]
        for j in bead.target:
            self.out.append(OutUnit(sep=self.target[j].sep, raw=self.target[j].raw, new_index=n))
        old_unit, new_unit = self.old[bead.source[0]], self.new[n]
        text = (
            "".join(self.target[j].raw + self.target[j].sep for j in bead.target[:-1])
            + self.target[bead.target[-1]].raw
        )
        self.segment(
            new_unit,
            "reused" if old_unit.raw == new_unit.raw else "reused-format",
            old_source=logical_text(old_unit.raw),
            old_target=text,
            target=text,
            origin="human",
        )

    def _protected(
        self,
        unit: Unit,
        target_indices: list[int],
        code_targets: list[int],
        used_targets: set[int],
        code_pairs: list[tuple[int, int]],
        protected_pairs: list[tuple[int, int]],
    ) -> OutUnit:
        if unit.kind == "code":
            body = code_body(unit.raw)
            old_of = {j: i for i, j in code_pairs}
            for j in code_targets:
                if j not in used_targets and code_body(self.target[j].raw) == body:
                    used_targets.add(j)
                    old = self.old[old_of[j]].raw if j in old_of else None
                    if old is not None and unit_key(self.old[old_of[j]]) != unit_key(unit):
                        # same code, English comments edited: the edited ones need translating
                        return self._changed_code(unit, old, self.target[j].raw)
                    return OutUnit(sep=unit.sep, raw=self.target[j].raw)
            # changed code: the new code, with the human translations of the comments that did not change
            old_source, old_target = "", ""
            candidates = [
                (fuzz.ratio(self.old[i].raw, unit.raw), i, j) for i, j in code_pairs if j not in used_targets
            ]
            if candidates:
                score, i, j = max(candidates)
                if score >= 50:
                    used_targets.add(j)
                    old_source, old_target = self.old[i].raw, self.target[j].raw
            return self._changed_code(unit, old_source, old_target)
        key = unit_key(unit)
        for i, j in protected_pairs:
            if j not in used_targets and unit_key(self.old[i]) == key:
                used_targets.add(j)  # unchanged: the target's version (an MDX component may be translated)
                return OutUnit(sep=unit.sep, raw=self.target[j].raw)
        for j in target_indices:
            if (
                j not in used_targets
                and self.target[j].kind == unit.kind
                and self.target[j].raw.strip() == unit.raw.strip()
            ):
                used_targets.add(j)
                return OutUnit(sep=unit.sep, raw=self.target[j].raw)
        if unit.kind in ("html", "jsx"):
            old = next(((i, j) for i, j in protected_pairs if j not in used_targets), None)
            self.segment(
                unit,
                "code-changed",
                old_source=self.old[old[0]].raw if old else "",
                old_target=self.target[old[1]].raw if old else "",
                target=unit.raw,
                origin="source",
            )
        return OutUnit(sep=unit.sep, raw=unit.raw, from_source=True)

    def _changed_code(self, unit: Unit, old_source: str, old_target: str) -> OutUnit:
        """A changed code block: the new English code; comments keep their human text or become requests."""

        def new_request(text: str, suggestion: str) -> Request:
            request = Request(f"{self.path}#{len(self.requests)}", text, suggestion, kind="comment")
            self.requests.append(request)
            return request

        if self.comment_translations is None:  # the chapter's human comment translations, once
            old_code = {i: k for k, i in enumerate(i for i, u in enumerate(self.old) if u.kind == "code")}
            target_code = {
                j: k for k, j in enumerate(j for j, u in enumerate(self.target) if u.kind == "code")
            }
            self.comment_translations = chapter_translations(
                [u.raw for u in self.old if u.kind == "code"],
                [u.raw for u in self.target if u.kind == "code"],
                [
                    (old_code[b.source[0]], target_code[b.target[0]])
                    for b in self.beads
                    if len(b.source) == len(b.target) == 1
                    and b.source[0] in old_code
                    and b.target[0] in target_code
                ],
            )
        code = plan_code(unit.raw, old_source, old_target, new_request, self.comment_translations)
        info = unit.raw.splitlines()[0] if unit.raw else ""
        code.block_entry = self.segment(
            unit, "code-changed", old_source, old_target, target=unit.raw, origin="source", info=info
        )
        for k, comment in enumerate(code.comments):
            request = code.requests.get(k)
            human = code.human[k]
            entry = {
                "id": segment_id(comment.text, self._ids),
                "status": "reused" if request is None else "untranslated",
                "source": comment.text,
                "old_source": comment.text if request is None else code.previous.get(k, ""),
                "target": human or "",
                "old_target": human or (request.suggestion if request else ""),
                "kind": "comment",
                "line": unit.line + comment.line,
                "origin": "human",
                "context": comment.context,
                "chars_to_mt": len(comment.text) if request else 0,
            }
            self.segments.append(entry)
            code.entries[k] = entry
        return OutUnit(sep=unit.sep, code=code)

    def plan(self) -> DocumentPlan:
        beads = self.beads = self.pair()
        for tag, old_range, new_range, region_beads in self.regions(beads):
            if tag == "equal":
                self.equal_region(old_range, new_range, region_beads)
            else:
                self.changed_region(old_range, new_range, region_beads)
        for position in sorted(set(self.markers_before) | set(self.markers_after)):
            self.emit_markers(position)
            self.emit_markers_after(position)
        for unit, following in zip(self.out, self.out[1:], strict=False):
            # a human unit followed by markup of the new source keeps the new source's spacing there
            # (":begin_tab:" text ":end_tab:" stay together)
            if following.from_source and unit.new_index is not None and "\n" in self.new[unit.new_index].sep:
                unit.sep = self.new[unit.new_index].sep
        if self.out:
            self.out[-1].sep = self.target_all_last_sep
        for unit in self.out[:-1]:
            if "\n" not in unit.sep:
                unit.sep = "\n\n"
        return DocumentPlan(
            self.path,
            self.source_lang,
            self.target_lang,
            self.leading,
            self.out,
            self.segments,
            self.requests,
        )


def _is_unit_start(owner: list[int], t: int) -> bool:
    return t == 0 or owner[t - 1] != owner[t]


def plan_document(
    old_source_text: str,
    new_source_text: str,
    old_target_text: str,
    source_lang: str,
    target_lang: str,
    path: str = "",
) -> DocumentPlan:
    """Plan the sync of one chapter (no translation happens here)."""
    plan = _Planner(old_source_text, new_source_text, old_target_text, source_lang, target_lang, path).plan()
    if old_source_text == new_source_text:
        plan.unchanged_text = old_target_text
    return plan
