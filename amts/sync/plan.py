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
from amts.languages import language
from amts.report import SegmentRecord, Status
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
    ends_file: bool = False  # the old translation's last unit: its sep is the file's ending, not a break
    segment: SegmentRecord | None = None  # the report entry this unit fills (prose units only)
    partly_human: bool = False  # some pieces are human text (a filled unit is then fuzzy, not machine)
    code: CodePlan | None = None  # a changed code block: new code, comments kept or filled (sync/code.py)


@dataclass
class DocumentPlan:
    path: str
    source_lang: str
    target_lang: str
    leading: str
    units: list[OutUnit]
    segments: list[SegmentRecord]  # report entries in output order, deleted ones included
    requests: list[Request]
    unchanged_text: str | None = None  # set when the English did not change at all: output is the old target


@dataclass
class _UnitFill:
    """What one new prose unit of a changed region is made of, gathered sentence by sentence."""

    pieces: list[Piece] = field(default_factory=list)
    old_sources: list[str] = field(
        default_factory=list
    )  # the old English of the human text it reuses/replaces
    old_targets: list[str] = field(default_factory=list)  # that human text (kept, or suggested to a request)
    targets_used: list[int] = field(default_factory=list)  # the old-translation sentences it took


@dataclass
class _Region:
    """One changed region while `_Planner.changed_region` decides it.

    Index names: `k` a unit of `new_units`, `n` a new sentence, `o` an old sentence, `t` a sentence of the
    old translation, `b` a sentence bead, `j` a unit of the old translation.
    """

    new_range: range
    source_beads: list[Bead]  # unit beads with old English (units moved elsewhere left out)
    target_only: list[int]  # j of the translator's own units (notes, extra tabs): kept after the new text
    target_indices: list[int]  # j paired with the region's old English
    old_units: list[Unit]
    new_units: list[Unit]
    old_sents: list[str] = field(default_factory=list)
    old_owner: list[int] = field(default_factory=list)  # position in old_units of each old sentence's unit
    tgt_sents: list[str] = field(default_factory=list)
    tgt_owner: list[int] = field(default_factory=list)  # j of each old-translation sentence
    sent_beads: list[Bead] = field(default_factory=list)  # old sentences <-> old-translation sentences
    bead_of_old: dict[int, int] = field(default_factory=dict)  # o -> b
    new_sents: list[tuple[int, str]] = field(default_factory=list)  # (k, sentence)
    old_masked: list[tuple[str, list[str]]] = field(default_factory=list)  # (comparison key, span originals)
    new_masked: list[tuple[str, list[str]]] = field(default_factory=list)
    matched: dict[int, int] = field(default_factory=dict)  # n -> o with the same words
    reusable: dict[int, str] = field(default_factory=dict)  # b -> its human text, carried to the new English
    fills: dict[int, _UnitFill] = field(default_factory=dict)  # k -> what the unit is made of
    reused_any: set[int] = field(default_factory=set)  # k that kept an unchanged human sentence
    consumed: set[int] = field(default_factory=set)  # b whose human text went into the output or a suggestion
    run: list[int] = field(default_factory=list)  # consecutive changed n of one unit, awaiting a request
    code_targets: list[int] = field(default_factory=list)  # j of code units
    protected_pairs: list[tuple[int, int]] = field(
        default_factory=list
    )  # (old unit, j) of same-kind code/math
    code_pairs: list[tuple[int, int]] = field(default_factory=list)  # the code ones among them
    used_targets: set[int] = field(default_factory=set)  # j already placed in the output

    def fill(self, k: int) -> _UnitFill:
        return self.fills.setdefault(k, _UnitFill())


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
        target_all = split_units(old_target)
        self.target_all_last_sep = target_all[-1].sep if old_target.strip() else "\n"
        # the content unit whose sep ends the old translation (-1: a slide marker ends it, or nothing does)
        self.last_target = len(self.target) - 1 if target_all and not target_all[-1].is_marker else -1
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
        self.segments: list[SegmentRecord] = []
        self.requests: list[Request] = []
        self._ids: dict[str, int] = {}
        self.joiner = language(target_lang).word_joiner
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
        """Equal and changed runs of old/new units, each with the unit beads it decides."""
        old_keys = [unit_key(u) for u in self.old]
        new_keys = [unit_key(u) for u in self.new]
        ops = SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes()
        pieces: list[list] = []  # [tag, o1, o2, n1, n2]; an equal run is one piece a unit
        for tag, o1, o2, n1, n2 in ops:
            if tag == "equal":
                pieces.extend(["equal", o1 + k, o1 + k + 1, n1 + k, n1 + k + 1] for k in range(o2 - o1))
            else:
                pieces.append([tag, o1, o2, n1, n2])
        merged = _join_split_beads(pieces, beads)
        result = [
            (tag, range(o1, o2), range(n1, n2), region_beads)
            for (tag, o1, o2, n1, n2), region_beads in zip(
                merged, _hand_out_beads(merged, beads), strict=False
            )
        ]
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

    def _human_unit(self, j: int, new_index: int | None = None) -> OutUnit:
        """Unit j of the old translation, as written."""
        unit = self.target[j]
        return OutUnit(sep=unit.sep, raw=unit.raw, new_index=new_index, ends_file=j == self.last_target)

    def emit_markers(self, new_index: int) -> None:
        for marker in self.markers_before.pop(new_index, []):
            self.out.append(OutUnit(sep=marker.sep, raw=marker.raw, from_source=True))

    def emit_markers_after(self, new_index: int) -> None:
        markers = self.markers_after.pop(new_index, [])
        if markers and self.out:
            self.out[-1].sep = self.new[new_index].sep  # the marker hugs the unit it closes, as in the source
            self.out[-1].ends_file = False
        for marker in markers:
            self.out.append(OutUnit(sep=marker.sep, raw=marker.raw, from_source=True))

    def segment(
        self,
        unit: Unit,
        status: Status,
        old_source: str = "",
        old_target: str = "",
        target: str = "",
        origin: str = "human",
        chars_to_mt: int | None = None,
        info: str | None = None,
    ) -> SegmentRecord:
        text = segment_text(unit)
        entry = SegmentRecord(
            segment_id(text, self._ids),
            status,
            source=text,
            old_source=old_source,
            target=target,
            old_target=old_target,
            kind=unit.kind,
            line=unit.line,
            origin=origin,
            chars_to_mt=chars_to_mt,
            info=info,
        )
        self.segments.append(entry)
        return entry

    def deleted(self, old_source: str, old_target: str, kind: str, line: int) -> None:
        self.segments.append(
            SegmentRecord(
                segment_id(old_target or old_source, self._ids),
                Status.DELETED,
                old_source=old_source,
                old_target=old_target,
                kind=kind,
                line=line,
            )
        )

    def equal_region(self, old_range: range, new_range: range, beads: list[Bead]) -> None:
        offset = new_range.start - old_range.start
        for bead in beads:
            new_indices = [i + offset for i in bead.source]
            for n in new_indices:
                self.emit_markers(n)
            last_new = new_indices[-1] if new_indices else None
            emitted = [self._human_unit(j, new_index=last_new) for j in bead.target]
            self.out.extend(emitted)
            # exactly as the output has it, so that the report's target can be found verbatim there
            human = [self.target[j] for j in bead.target]
            target_text = "".join(u.raw + u.sep for u in human[:-1]) + (human[-1].raw if human else "")
            for k, (o, n) in enumerate(zip(bead.source, new_indices, strict=False)):
                old_unit, new_unit = self.old[o], self.new[n]
                if not new_unit.is_prose:
                    continue
                status = Status.REUSED if old_unit.raw == new_unit.raw else Status.REUSED_FORMAT
                if status is Status.REUSED_FORMAT and prose_key(old_unit.raw) != prose_key(new_unit.raw):
                    status = (
                        Status.UNTRANSLATED
                    )  # a heading kept by its [[anchor]] with a new title: review it
                elif status is Status.REUSED_FORMAT and len(bead.source) == 1 and len(emitted) == 1:
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
                )
            for n in new_indices:
                self.emit_markers_after(n)

    def changed_region(self, old_range: range, new_range: range, beads: list[Bead]) -> None:
        """Decide a region whose English changed: sentence by sentence, keep the human text whose English
        survives, ask for a translation of the rest, and report the human text that no longer has English."""
        region = self._region(old_range, new_range, beads)
        self._region_sentences(region)
        self._match_sentences(region)
        self._find_reusable(region)
        self._decide_sentences(region)
        self._emit_region(region)
        self._report_dropped(region)

    # the phases of `changed_region`, in order, over one `_Region`

    def _region(self, old_range: range, new_range: range, beads: list[Bead]) -> _Region:
        source_beads = [b for b in beads if b.source and not all(i in self.moved_old for i in b.source)]
        return _Region(
            new_range=new_range,
            source_beads=source_beads,
            target_only=[j for b in beads if not b.source for j in b.target],
            target_indices=[j for b in source_beads for j in b.target],
            old_units=[self.old[i] for i in old_range if i not in self.moved_old],
            new_units=[self.new[n] for n in new_range],
        )

    def _region_sentences(self, region: _Region) -> None:
        """Split the region's prose into sentences and pair the old English's with the old translation's."""
        for k, unit in enumerate(region.old_units):
            if unit.is_prose:
                for sentence in split_sentences(logical_text(unit.raw), self.source_lang):
                    region.old_sents.append(sentence)
                    region.old_owner.append(k)
        for j in region.target_indices:
            if self.target[j].is_prose:
                for sentence in split_sentences(logical_text(self.target[j].raw), self.target_lang):
                    region.tgt_sents.append(sentence)
                    region.tgt_owner.append(j)
        region.sent_beads = absorb_target_only(
            self._align_sentences(region.old_sents, region.old_owner, region.tgt_sents, region.tgt_owner),
            region.tgt_owner,
        )
        region.bead_of_old = {s: b for b, bead in enumerate(region.sent_beads) for s in bead.source}
        for k, unit in enumerate(region.new_units):
            if unit.is_prose and region.new_range[k] not in self.moved_new:
                sentences = split_sentences(logical_text(unit.raw), self.source_lang)
                region.new_sents.extend((k, s) for s in sentences)

    def _match_sentences(self, region: _Region) -> None:
        """New sentences with the same words as an old one (inline code, math and markup masked)."""
        region.old_masked = [masked_key(s) for s in region.old_sents]
        region.new_masked = [masked_key(s) for _, s in region.new_sents]
        old_keys = [m[0] for m in region.old_masked]
        new_keys = [m[0] for m in region.new_masked]
        for tag, o1, o2, n1, _n2 in SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes():
            if tag == "equal":
                for d in range(o2 - o1):
                    region.matched[n1 + d] = o1 + d

    def _find_reusable(self, region: _Region) -> None:
        """A bead's human text is reusable when all its English sentences survive, spans fixed up mechanically."""
        for b, bead in enumerate(region.sent_beads):
            if not bead.source or not bead.target:
                continue
            olds = set(bead.source)
            news = sorted(n for n, o in region.matched.items() if o in olds)
            if len(news) != len(olds) or news != list(range(news[0], news[-1] + 1)):
                continue
            text: str | None = self.joiner.join(region.tgt_sents[t] for t in bead.target)
            for n in news:
                if text is None:
                    break
                text = carry_spans(region.old_masked[region.matched[n]][1], region.new_masked[n][1], text)
            if text is not None and len(news) == 1:
                text = transfer_markers(
                    region.old_sents[region.matched[news[0]]], region.new_sents[news[0]][1], text
                )
            if text is not None:
                region.reusable[b] = text

    def _decide_sentences(self, region: _Region) -> None:
        """Walk the new sentences: reuse a human bead, or gather a run of changed sentences into a request."""
        for n, (k, _sentence) in enumerate(region.new_sents):
            if region.run and region.new_sents[region.run[0]][0] != k:
                self._flush_run(region)
            o = region.matched.get(n)
            b = region.bead_of_old.get(o) if o is not None else None
            if b is not None and b in region.reusable:
                self._flush_run(region)
                if b not in region.consumed:
                    self._reuse_bead(region, k, b)
                region.reused_any.add(k)
            elif b is not None and not region.sent_beads[b].target:
                # the translator left this sentence out; it is unchanged, so that stays their call
                region.reused_any.add(k)
            else:
                region.run.append(n)
        self._flush_run(region)

    def _reuse_bead(self, region: _Region, k: int, b: int) -> None:
        region.consumed.add(b)
        bead = region.sent_beads[b]
        text = region.reusable[b]
        if _is_unit_start(region.tgt_owner, bead.target[0]):
            text = strip_prefix(text)
        fill = region.fill(k)
        fill.pieces.append(Piece(text=text))
        fill.old_targets.append(text)
        fill.old_sources.extend(region.old_sents[s] for s in bead.source)
        fill.targets_used.extend(bead.target)

    def _flush_run(self, region: _Region) -> None:
        """A request for the run of changed new sentences, suggesting the human text it replaces."""
        run, matched = region.run, region.matched
        if not run:
            return
        k = region.new_sents[run[0]][0]
        fill = region.fill(k)
        english = " ".join(region.new_sents[n][1] for n in run)
        if not fill.pieces:
            english = strip_prefix(english)
        # the human text this run replaces: beads of the old sentences between its matched neighbours
        lo = max((matched[n] for n in matched if n < run[0]), default=-1)
        hi = min((matched[n] for n in matched if n > run[-1]), default=len(region.old_sents))
        olds = list(range(lo + 1, hi))
        olds += [matched[n] for n in run if n in matched]
        bead_ids = sorted({region.bead_of_old[o] for o in olds if o in region.bead_of_old} - region.consumed)
        suggestion_parts = [t for b in bead_ids for t in region.sent_beads[b].target]
        region.consumed.update(bead_ids)
        suggestion = self.joiner.join(region.tgt_sents[t] for t in suggestion_parts)
        if suggestion_parts and _is_unit_start(region.tgt_owner, suggestion_parts[0]):
            suggestion = strip_prefix(suggestion)
        request = Request(id=f"{self.path}#{len(self.requests)}", text=english, suggestion=suggestion)
        self.requests.append(request)
        fill.pieces.append(Piece(request=request))
        fill.old_sources.extend(region.old_sents[o] for b in bead_ids for o in region.sent_beads[b].source)
        fill.old_targets.append(suggestion)
        fill.targets_used.extend(suggestion_parts)
        run.clear()

    def _emit_region(self, region: _Region) -> None:
        """The region's output units in new-English order, then the translator's own units."""
        region.code_targets = [j for j in region.target_indices if self.target[j].kind == "code"]
        region.protected_pairs = [
            (b.source[0], b.target[0])
            for b in region.source_beads
            if len(b.source) == len(b.target) == 1
            and not self.old[b.source[0]].is_prose
            and self.old[b.source[0]].kind == self.target[b.target[0]].kind
        ]
        region.code_pairs = [(i, j) for i, j in region.protected_pairs if self.old[i].kind == "code"]
        for k, (n, unit) in enumerate(zip(region.new_range, region.new_units, strict=False)):
            self.emit_markers(n)
            if n in self.moved_new:
                self._emit_moved(n)
            elif not unit.is_prose:
                self.out.append(self._protected(unit, region))
            else:
                self._emit_prose(region, k, unit)
            self.emit_markers_after(n)
        for j in region.target_only:
            self.out.append(self._human_unit(j))

    def _emit_prose(self, region: _Region, k: int, unit: Unit) -> None:
        fill = region.fills.get(k, _UnitFill())
        out = OutUnit(sep=unit.sep, prefix=markup_prefix(unit.raw), pieces=fill.pieces)
        used, owner = fill.targets_used, region.tgt_owner
        if used and used == [t for t, j in enumerate(owner) if j == owner[used[0]]]:
            out.fallback_raw = self.target[owner[used[0]]].raw  # all of one human unit, as written
        requests = [p.request for p in fill.pieces if p.request is not None]
        # a unit with requests is decided by `assemble` from what fills them; untranslated until then
        if requests:
            status = Status.UNTRANSLATED
            out.partly_human = k in region.reused_any
        elif any(o.raw == unit.raw for o in region.old_units):
            status = Status.REUSED
        else:
            status = Status.REUSED_FORMAT
        out.segment = self.segment(
            unit,
            status,
            old_source=" ".join(fill.old_sources),
            old_target=self.joiner.join(t for t in fill.old_targets if t),
            chars_to_mt=sum(len(r.text) for r in requests),
        )
        if fill.pieces:  # no pieces: the translators left this unchanged English out, and so does the output
            self.out.append(out)

    def _report_dropped(self, region: _Region) -> None:
        """Human text the new chapter no longer has: reported deleted (it is not in the output)."""
        for b, bead in enumerate(region.sent_beads):
            if b not in region.consumed and bead.target:
                self.deleted(
                    " ".join(region.old_sents[s] for s in bead.source),
                    self.joiner.join(region.tgt_sents[t] for t in bead.target),
                    "paragraph",
                    self.target[region.tgt_owner[bead.target[0]]].line,
                )
        for j in region.target_indices:
            if j not in region.used_targets and self.target[j].kind in ("code", "html", "jsx"):
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
            self.out.append(self._human_unit(j, new_index=n))
        old_unit, new_unit = self.old[bead.source[0]], self.new[n]
        text = (
            "".join(self.target[j].raw + self.target[j].sep for j in bead.target[:-1])
            + self.target[bead.target[-1]].raw
        )
        self.segment(
            new_unit,
            Status.REUSED if old_unit.raw == new_unit.raw else Status.REUSED_FORMAT,
            old_source=logical_text(old_unit.raw),
            old_target=text,
            target=text,
        )

    def _protected(self, unit: Unit, region: _Region) -> OutUnit:
        """A code/math/markup unit of a changed region: the old translation's version when it is unchanged."""
        used_targets, code_pairs, protected_pairs = (
            region.used_targets,
            region.code_pairs,
            region.protected_pairs,
        )
        if unit.kind == "code":
            body = code_body(unit.raw)
            old_of = {j: i for i, j in code_pairs}
            for j in region.code_targets:
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
        for j in region.target_indices:
            if (
                j not in used_targets
                and self.target[j].kind == unit.kind
                and self.target[j].raw.strip() == unit.raw.strip()
            ):
                used_targets.add(j)
                return OutUnit(sep=unit.sep, raw=self.target[j].raw)
        if unit.kind in ("html", "jsx"):
            pair = next(((i, j) for i, j in protected_pairs if j not in used_targets), None)
            self.segment(
                unit,
                Status.CODE_CHANGED,
                old_source=self.old[pair[0]].raw if pair else "",
                old_target=self.target[pair[1]].raw if pair else "",
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
            unit, Status.CODE_CHANGED, old_source, old_target, target=unit.raw, origin="source", info=info
        )
        for k, comment in enumerate(code.comments):
            request = code.requests.get(k)
            human = code.human[k]
            entry = SegmentRecord(
                segment_id(comment.text, self._ids),
                Status.REUSED if request is None else Status.UNTRANSLATED,
                source=comment.text,
                old_source=comment.text if request is None else code.previous.get(k, ""),
                target=human or "",
                old_target=human or (request.suggestion if request else ""),
                kind="comment",
                line=unit.line + comment.line,
                origin="human",
                context=comment.context,
                chars_to_mt=len(comment.text) if request else 0,
            )
            self.segments.append(entry)
            code.entries[k] = entry
        return OutUnit(sep=unit.sep, code=code)

    def _break_after(self, unit: OutUnit) -> str:
        """The break after a human unit that ended the old translation: the new English's, else a blank line."""
        n = unit.new_index
        if n is not None and n + 1 < len(self.new) and "\n" in self.new[n].sep:
            return self.new[n].sep
        return "\r\n\r\n" if "\r" in unit.sep else "\n\n"

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
                unit.sep, unit.ends_file = self.new[unit.new_index].sep, False
        for unit in self.out[:-1]:
            if unit.ends_file:  # new text follows what ended the old translation: a paragraph break
                unit.sep = self._break_after(unit)
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


def _region_of_old(pieces: list[list]) -> dict[int, int]:
    return {i: r for r, (_, o1, o2, _, _) in enumerate(pieces) for i in range(o1, o2)}


def _join_split_beads(pieces: list[list], beads: list[Bead]) -> list[list]:
    """A bead pairing several old units (or an insertion falling inside one) forces one region."""
    region_of_old = _region_of_old(pieces)
    join_next = [False] * len(pieces)
    for bead in beads:
        if len(bead.source) > 1:
            for r in range(region_of_old[bead.source[0]], region_of_old[bead.source[-1]]):
                join_next[r] = True
    merged: list[list] = []
    for r, piece in enumerate(pieces):
        if merged and join_next[r - 1]:
            last = merged[-1]
            last[0] = "equal" if last[0] == piece[0] == "equal" else "replace"
            last[2], last[4] = piece[2], piece[4]
        else:
            merged.append(list(piece))
    return merged


def _hand_out_beads(regions: list[list], beads: list[Bead]) -> list[list[Bead]]:
    """Each bead to the region of its source units; a target-only bead to the region of the bead before it."""
    region_for_old = _region_of_old(regions)
    bead_lists: list[list[Bead]] = [[] for _ in regions]
    previous = None
    for bead in beads:
        if bead.source:
            previous = region_for_old[bead.source[0]]
            bead_lists[previous].append(bead)
        else:
            target = previous
            if target is None:
                target = next((r for r, p in enumerate(regions) if p[2] > p[1]), 0)
            if regions:
                bead_lists[target].append(bead)
    return bead_lists


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
