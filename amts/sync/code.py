"""Changed code blocks: the new English code byte for byte, its comments translated like prose.

The code of a changed block is never the translator's: it is taken from the new English exactly. Its
comments and docstrings (`amts.markdown.comments`) are prose: one whose English is unchanged keeps the
human translation, wherever the code around it moved; a new or edited one becomes a request for memory and
machine translation (the old human translation of the comment at the same place is its suggestion), and
a report entry of kind ``comment`` carrying its code line as context. A block whose comments all kept
their translation is a code-only change, with nothing for a translator to do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Protocol

from amts.markdown.codescan import CodeComment
from amts.markdown.comments import Verbatim, code_comments, may_hold_comments, pair_comments, replace_comments
from amts.sync.units import code_body, prose_key


class _Filled(Protocol):
    """A translation found for a request (`amts.sync.assemble.Fill`)."""

    @property
    def text(self) -> str: ...

    @property
    def origin(self) -> str: ...

    @property
    def score(self) -> float: ...


@dataclass
class CodePlan:
    """A changed code block: the new English with, per comment, human text or a request to fill."""

    raw: str  # the new English block
    comments: list[CodeComment]
    human: list[str | None]  # the kept human translation of each comment, None when it needs a request
    requests: dict[int, Any] = field(default_factory=dict)  # comment index -> request
    entries: dict[int, Any] = field(default_factory=dict)  # comment index -> report entry
    block_entry: Any = None  # the block's `code-changed` entry
    previous: dict[int, str] = field(default_factory=dict)  # comment index -> old English at its place
    layout: dict[int, str] = field(default_factory=dict)  # comment index -> human lines to write as they are

    @property
    def has_new_comments(self) -> bool:
        return bool(self.requests)

    def render(self, fills: Mapping[str, _Filled]) -> str:
        """The block with every comment filled: human text, translation found, else suggestion or English."""
        texts: list[str | None] = []
        for k, comment in enumerate(self.comments):
            request = self.requests.get(k)
            if request is None:
                texts.append(Verbatim(self.layout[k]) if k in self.layout else self.human[k])
                continue
            fill = fills.get(request.id)
            text = fill.text if fill is not None else (request.suggestion or None)
            texts.append(text)
            entry = self.entries.get(k)
            if entry is not None:
                # the text as the segment model reads it back from the output (a run of lines joined)
                _update(entry, target=comment.text if text is None else text, **_status_of(fill))
        raw = replace_comments(self.raw, self.comments, texts, omit=True)
        if self.block_entry is not None:
            _update(self.block_entry, target=raw)
        return raw


def _status_of(fill: _Filled | None) -> dict[str, Any]:
    if fill is None:
        return {"status": "untranslated"}
    if fill.origin == "memory" and fill.score >= 100:
        return {"status": "reused", "origin": "memory"}
    if fill.score < 100:
        return {"status": "fuzzy", "origin": fill.origin, "score": fill.score}
    return {"status": "machine", "origin": fill.origin}


def _update(entry: Any, **values: Any) -> None:
    """Set report fields on a report entry: a dict, or a typed record (its status keeps the record's type)."""
    if isinstance(entry, dict):
        entry.update(values)
        return
    for name, value in values.items():
        if name == "status":
            value = type(entry.status)(value)
        setattr(entry, name, value)


def _relaid(raw: str, new_code: str, comment: CodeComment) -> str | None:
    """A human comment run's lines behind the new comment's own marker and indentation; None if it trails code."""
    lead = new_code[new_code.rfind("\n", 0, comment.start) + 1 : comment.start]
    if not re.fullmatch(r"[ \t]*#+[ \t]*", lead):
        return None
    return re.sub(r"\n[ \t]*#+[ \t]*", lambda _: "\n" + lead, raw)


def chapter_translations(
    old_blocks: list[str], translated_blocks: list[str], paired: Sequence[tuple[int, int]] = ()
) -> dict[str, str]:
    """English comment (comparison key) -> its human translation anywhere in the old chapter.

    Code blocks pair as the chapter alignment paired them (`paired`, indices into the two lists) and in
    order by their code (comments aside); a comment left in English is no translation.
    """
    bodies_a = [code_body(b) for b in old_blocks]
    bodies_b = [code_body(b) for b in translated_blocks]
    pairs = list(paired)
    for tag, a1, a2, b1, b2 in SequenceMatcher(None, bodies_a, bodies_b, autojunk=False).get_opcodes():
        if tag == "equal" or (tag == "replace" and a2 - a1 == b2 - b1):
            pairs.extend((a1 + k, b1 + k) for k in range(a2 - a1))
    found: dict[str, str] = {}
    for a, b in pairs:
        english, translated = code_comments(old_blocks[a]), code_comments(translated_blocks[b])
        for i, j in pair_comments(english, translated):
            key = prose_key(english[i].text)
            if key != prose_key(translated[j].text):
                found.setdefault(key, translated[j].text)
    return found


def plan_code(
    new_code: str,
    old_code: str | None,
    old_translated: str | None,
    new_request: Callable[[str, str], Any],
    chapter: Mapping[str, str] | None = None,
) -> CodePlan:
    """The plan of a changed block: `new_request(english, suggestion)` makes a request for each new comment.

    A comment keeps the human translation of the same English (same text up to case, spacing and
    contractions) anywhere in the old block, preferring the one at the same code line. Two human decisions
    are kept too: an unchanged English comment the translation left out stays out (human text ""), and a
    translation's own comment on the very code line of a new English comment the old English lacked
    translates that comment (d2l's `_origin.md` English lags behind its Chinese). Failing those, the
    human translation of the same English elsewhere in the chapter (`chapter_translations`) is used.
    """
    comments = code_comments(new_code)
    old_comments = code_comments(old_code) if old_code else []
    translated = code_comments(old_translated) if old_code and old_translated else []
    paired = pair_comments(old_comments, translated)
    translation_of = {i: translated[j].text for i, j in paired}
    by_english: dict[str, list[tuple[CodeComment, str]]] = {}
    for i, text in translation_of.items():
        by_english.setdefault(prose_key(old_comments[i].text), []).append((old_comments[i], text))
    if old_translated and (translated or not may_hold_comments(old_translated)):
        for i, comment in enumerate(old_comments):  # left out by the translator
            if i not in translation_of and comment.kind == "comment" and comment.text not in old_translated:
                by_english.setdefault(prose_key(comment.text), []).append((comment, ""))
    own = {c.context: c.text for j, c in enumerate(translated) if j not in {b for _, b in paired}}
    # a human comment written over several lines keeps its lines (the report reads it as one)
    layouts = {
        c.text: old_translated[c.start : c.end]
        for c in translated
        if old_translated and c.kind == "comment" and "\n" in old_translated[c.start : c.end]
    }
    old_lines = {c.context for c in old_comments}
    # the human text of the old comment standing where a new one stands: the suggestion for it
    placed = pair_comments(old_comments, comments)
    at_place = {k: translation_of[i] for i, k in placed if i in translation_of}
    plan = CodePlan(new_code, comments, [], previous={k: old_comments[i].text for i, k in placed})
    for k, comment in enumerate(comments):
        candidates = by_english.get(prose_key(comment.text), [])
        same_line = [text for english, text in candidates if english.context == comment.context]
        found = same_line or [text for _, text in candidates]
        human = found[0] if found else None
        if human is None and comment.context in own and comment.context not in old_lines:
            human = own[comment.context]
        if (human is None or prose_key(human) == prose_key(comment.text)) and chapter:
            # unknown, or left in English here: a translation of it elsewhere in the chapter is better
            human = chapter.get(prose_key(comment.text), human)
        plan.human.append(human)
        if human and human in layouts:
            layout = _relaid(layouts[human], new_code, comment)
            if layout is not None:
                plan.layout[k] = layout
        if human is None:
            plan.requests[k] = new_request(comment.text, at_place.get(k, ""))
    return plan
