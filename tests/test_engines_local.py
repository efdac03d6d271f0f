"""The local engines: pseudo, apertium (carrier, batching, unknown words), memory, chain, registry errors."""

from __future__ import annotations

import shutil

import pytest

from amts.engines import get_engine
from amts.engines.base import TOKEN_RE, tokens_of
from amts.engines.chain import ChainEngine
from amts.engines.memory import MemoryEngine, TranslationMemory
from amts.engines.terminology import TermProtector, learn_terminology
from amts.errors import EngineError

needs_apertium = pytest.mark.skipif(shutil.which("apertium") is None, reason="apertium not installed")


def test_pseudo_is_deterministic_accented_longer_and_keeps_tokens_and_markup():
    text = "Use ⟦1⟧ with **bold** and [the docs]⟦2⟧ &amp; \\*stars"
    first, second = (get_engine("pseudo").translate([text], "en", "de")[0] for _ in range(2))
    assert first == second
    assert tokens_of(first) == tokens_of(text)
    assert "**" in first and "[" in first and "&amp;" in first and "\\*" in first
    assert len(first) > len(text) and "Use" not in first


def test_none_engine_translates_nothing():
    assert get_engine("none").translate(["a", "b"], "en", "zh") == [None, None]


def test_unknown_engine_and_pair_errors_name_what_to_fix():
    with pytest.raises(EngineError, match="unknown engine 'google'.*apertium"):
        get_engine("google")
    with pytest.raises(EngineError, match="empty language code"):
        get_engine("pseudo").translate(["x"], "", "es")


@needs_apertium
def test_apertium_unknown_pair_names_supporting_engines():
    engine = get_engine("apertium")
    assert engine.supports("en", "es") and engine.supports("ES", "en")
    with pytest.raises(EngineError, match=r"does not support en->zh; engines that support it: .*amazon"):
        engine.translate(["hello"], "en", "zh")


@needs_apertium
def test_apertium_batch_keeps_one_output_per_segment_and_every_token():
    texts = [
        "The quick red",
        "dog runs ⟦1⟧ fast.",
        "",
        "⟦1⟧ is the ⟦2⟧ model and ⟦3⟧⟦4⟧.",
        "Call [the function]⟦1⟧ with **bold** text.",
        "Line with\nan inner newline.",
    ]
    out = get_engine("apertium").translate(texts, "en", "es")
    assert len(out) == len(texts) and out[2] == ""
    for source, target in zip(texts, out, strict=False):
        assert tokens_of(target) == tokens_of(source)
    # segments never merge: the adjective stays in the first output, the noun in the second
    assert "rojo" in out[0] and "perro" in out[1] and "perro" not in out[0]
    assert "\n" not in out[5]


@needs_apertium
def test_apertium_html_mode_would_translate_protected_spans_so_text_mode_is_used():
    # The carrier choice in apertium.py: a span kept by Amazon is translated by Apertium's HTML mode.
    import subprocess

    html = subprocess.run(
        ["apertium", "-u", "-f", "html", "eng-spa"],
        input='<p><span translate="no">Trainer</span></p>',
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Trainer" not in html
    assert get_engine("apertium").translate(["The ⟦1⟧ is ⟦2⟧."], "en", "es")[0].count("⟦") == 2


@needs_apertium
def test_apertium_carrier_survives_transfer_rules_that_split_bracket_tokens():
    # Real corpus sentences where the genitive rule tore "⟦1⟧" apart when sent as brackets.
    texts = [
        "For example, we could use whitespace to tokenize the text into words by applying Python's ⟦1⟧ function:",
        "We can use Python's ⟦1⟧ module to unescape these character codes.",
        "Now when we access elements of the dataset we get a ⟦1⟧ instead of a dictionary:",
        "Such as ⟦1⟧fast.ai's⟦2⟧ ⟦3⟧Practical Deep Learning for Coders⟦4⟧",
    ]
    for source, out in zip(texts, get_engine("apertium").translate(texts, "en", "es"), strict=False):
        assert tokens_of(out) == tokens_of(source)
        stray = TOKEN_RE.sub("", out)
        assert "⟦" not in stray and "⟧" not in stray and "xtok" not in out.lower()
        assert not out.endswith(" ⟦1⟧") or source.endswith("⟦1⟧")  # not appended by the repair step


@needs_apertium
def test_apertium_reports_unknown_words():
    words = get_engine("apertium").untranslated_words(
        ["The tokenizer is pretrained on the dataset ⟦1⟧.", "An *important* word."], "en", "es"
    )
    assert {"tokenizer", "pretrained", "dataset"} <= set(words)
    assert "the" not in words and "important" not in words and "importante" not in words


def test_memory_exact_match_reuses_translation_with_the_segments_own_spans():
    memory = TranslationMemory([("Call `foo` now.", "Llama `foo` ahora."), ("Hello world", "Hola mundo")])
    match = memory.lookup("Call ⟦1⟧ now.")
    assert match.score == 100 and match.translation == "Llama ⟦1⟧ ahora."


def test_memory_renumbers_target_tokens_when_translation_reorders_spans():
    memory = TranslationMemory([("Use `a` and `b`.", "`b` y `a` se usan.")])
    assert memory.lookup("Use ⟦1⟧ and ⟦2⟧.").translation == "⟦2⟧ y ⟦1⟧ se usan."


def test_memory_fuzzy_threshold_and_token_check():
    pairs = [("The model is trained on the data set.", "El modelo se entrena con los datos.")]
    loose, strict = TranslationMemory(pairs, threshold=80), TranslationMemory(pairs, threshold=99)
    assert loose.lookup("The model is trained on the data sets.").score < 100
    assert strict.lookup("The model is trained on the data sets.") is None
    assert loose.lookup("The model is trained on the ⟦1⟧ set.") is None  # tokens differ: unusable


def test_memory_engine_reads_csv_with_header_in_either_direction(tmp_path):
    path = tmp_path / "pairs.csv"
    path.write_text("en,es\nGood morning,Buenos días\n", encoding="utf-8")
    assert get_engine("memory", memory=path).translate(["Good morning", "Other"], "en", "es") == [
        "Buenos días",
        None,
    ]
    assert get_engine("memory", memory=path).translate(["Buenos días"], "es", "en") == ["Good morning"]
    with pytest.raises(EngineError, match="--memory"):
        get_engine("memory")


def test_learned_terminology_prefers_the_consistent_phrase():
    pairs = [
        ("The dataset is large.", "El conjunto de datos es grande."),
        ("Load the dataset now.", "Carga el conjunto de datos ahora."),
        ("A dataset of images.", "Un conjunto de datos de imágenes."),
        ("The data is large.", "Los datos son grandes."),
        ("Images are large.", "Las imágenes son grandes."),
    ]
    # ordinary sentences around them, as in a real book
    pairs += [
        (f"Sentence {n} is about topic {n}.", f"La frase {n} trata del tema {w}.")
        for n, w in enumerate(["uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho"] * 3)
    ]
    terms = learn_terminology(pairs, ["dataset", "images"], "es")
    assert terms["dataset"] == "conjunto de datos"
    # words the translators keep as they are need no term
    assert "dataset" not in learn_terminology(
        [("The dataset.", "El dataset."), ("A dataset.", "Un dataset.")], ["dataset"], "es"
    )


def test_term_protector_round_trip():
    protector = TermProtector({"tokenizer": "tokenizador"})
    masked, found = protector.protect("Tokenizer and ⟦1⟧ tokenizer")
    assert masked.count("⟦") == 3 and "okenizer" not in masked
    assert protector.restore(masked, found).startswith("Tokenizador and ⟦1⟧ tokenizador")


class _Upper(MemoryEngine.__mro__[1]):  # a tiny engine: upper-cases text, keeps tokens
    name = "upper"

    def _translate(self, texts, source_lang, target_lang):
        return [t.upper() for t in texts]


def test_chain_uses_memory_first_then_engine_with_terms():
    memory = MemoryEngine(
        pairs=[
            ("Known sentence.", "Frase conocida."),
            ("The widget works.", "El artilugio funciona."),
            ("A widget here.", "Un artilugio aquí."),
        ]
    )
    chain = ChainEngine(memory, _Upper(), terms={"widget": "artilugio"})
    results = chain.translate_results(["Known sentence.", "my widget ⟦1⟧"], "en", "es")
    assert [r.text for r in results] == ["Frase conocida.", "MY artilugio ⟦1⟧"]
    assert [(r.origin, r.score) for r in results] == [("memory", 100.0), ("upper", 100.0)]


@pytest.mark.skipif(shutil.which("apertium") is None, reason="apertium not installed")
def test_apertium_translates_words_glued_to_placeholders():
    from amts.engines import get_engine

    out = get_engine("apertium").translate(["⟦1⟧the outputs are positive⟦2⟧ and ⟦3⟧quickly."], "en", "es")[0]
    assert out.lower().startswith("⟦1⟧las salidas") and "⟦2⟧" in out and "⟦3⟧deprisa" in out
    assert " the " not in f" {out} " and "quickly" not in out
