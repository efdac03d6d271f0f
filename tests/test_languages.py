"""The language table: codes, per-language rules, and every module reading the same row."""

from __future__ import annotations

import pytest
from sacrebleu.metrics import BLEU

from amts import evaluate as cli_evaluate
from amts import paralleldata
from amts.align import default_ratio
from amts.align import Bead
from amts.align.language import check_language
from amts.engines import get_engine
from amts.errors import AlignmentError, AmtsError, EngineError, LanguageError
from amts.feedback import one_line
from amts.languages import AMAZON_TRANSLATE_CODES, char_based, language, normalise_code, profiles
from amts.pipeline import evaluate as pipeline_evaluate
from amts.sentences import split_sentences
from amts.sync import sync_document
from amts.sync.checks import check_languages, check_texts

EN_OLD = (
    "# Title\n\nThe first sentence is here. The second sentence is there. A third one closes it.\n\n"
    "Another paragraph stays the same for the whole test.\n"
)
EN_NEW = EN_OLD.replace("The second sentence is there.", "The second sentence changed a lot today.")
JA_OLD = (
    "# タイトル\n\n最初の文はここにあります。二番目の文はそこにあります。三番目の文がそれを閉じます。\n\n"
    "別の段落はテスト全体で同じままです。\n"
)
KO_OLD = (
    "# 제목\n\n첫 번째 문장은 여기에 있습니다. 두 번째 문장은 저기에 있습니다. 세 번째 문장이 닫습니다.\n\n"
    "다른 단락은 전체 테스트 동안 그대로입니다.\n"
)


@pytest.mark.parametrize(
    ("code", "tag"),
    [
        ("zh", "zh"),
        ("ZH", "zh"),
        ("zh-CN", "zh"),
        ("zh_cn", "zh"),
        ("zh-Hans", "zh"),
        ("zh-Hant", "zh-TW"),
        ("zh-TW", "zh-TW"),
        ("zh-Hant-HK", "zh-TW"),
        ("pt_BR", "pt"),
        ("pt-PT", "pt-PT"),
        ("fr-CA", "fr-CA"),
        ("es-419", "es"),
        ("es-MX", "es-MX"),
        ("en-US", "en"),
        ("cmn", "zh"),
        ("jpn", "ja"),
        (" ko ", "ko"),
    ],
)
def test_codes_normalise_to_amazon_translate_tags(code, tag):
    assert normalise_code(code) == tag


@pytest.mark.parametrize("code", ["", "  ", "english", "zh-", "xx-yy-zz", "z", "12"])
def test_malformed_codes_are_refused_in_one_line(code):
    with pytest.raises(LanguageError) as caught:
        normalise_code(code)
    assert "\n" not in str(caught.value) and "such as en, zh or es" in str(caught.value)


def test_regional_variants_share_their_language_row():
    assert language("zh-TW") is language("zh") is language("cmn")
    assert language("pt_BR").length_ratio == language("pt").length_ratio == 1.1


@pytest.mark.parametrize(
    ("code", "joiner", "char_based_", "tokenizers"),
    [
        ("en", " ", False, {"13a"}),
        ("zh", "", True, {"zh"}),
        ("ja", "", True, {"ja-mecab", "char"}),
        ("ko", " ", True, {"ko-mecab", "13a"}),
        ("th", "", True, {"char"}),
        ("es", " ", False, {"13a"}),
        ("ru", " ", False, {"13a"}),
    ],
)
def test_rows(code, joiner, char_based_, tokenizers):
    profile = language(code)
    assert profile.known and profile.joiner == joiner and profile.char_based is char_based_
    assert char_based(code) is char_based_
    assert profile.bleu_tokenizer in tokenizers


def test_every_row_has_a_tokenizer_sacrebleu_builds_offline():
    for profile in profiles():
        metric = BLEU(tokenize=profile.bleu_tokenizer)
        assert metric.corpus_score(["a b c d"], [["a b c d"]]).score == pytest.approx(100.0)
        assert f"tok:{profile.bleu_tokenizer}" in str(metric.get_signature())


def test_japanese_scores_with_a_tokenizer_that_splits_its_words():
    hyp, ref = ["猫はマットの上に座っていました。"], ["猫はマットの上に座っています。"]
    # 13a sees one token per sentence and gives 0; the table's tokenizer sees the shared words
    assert BLEU(tokenize="13a").corpus_score(hyp, [ref]).score == 0.0
    assert 20 < cli_evaluate.score(hyp, ref, "ja").bleu < 100


def test_ja_joins_without_spaces_and_scores_the_same_in_sync_cli_and_pipeline():
    text, report = sync_document(EN_OLD, EN_NEW, JA_OLD, "en", "ja", engine=get_engine("pseudo"), memory=None)
    changed = [s for s in report["segments"] if s["status"] not in ("reused", "reused-format")]
    assert len(changed) == 1
    assert "あります。Ţĥéé" in text and "ţööđàý.三番目" in text  # human and machine sentences, no space
    hyps, refs = ["最初の文はここにあります。"], ["最初の文はここにありました。"]
    cli = cli_evaluate.score(hyps, refs, "ja")
    pipeline = pipeline_evaluate.score(hyps, refs, "ja")
    assert pipeline is not None
    assert cli.signature["bleu"] == pipeline["signature"]["bleu"]
    assert f"tok:{language('ja').bleu_tokenizer}" in cli.signature["bleu"]
    assert round(cli.bleu, 2) == pipeline["bleu"]


def test_korean_joins_with_spaces_in_sync_and_in_parallel_data_alike():
    text, _ = sync_document(EN_OLD, EN_NEW, KO_OLD, "en", "ko", engine=get_engine("pseudo"), memory=None)
    assert "있습니다. Ţĥéé" in text and "ţööđàý. 세 번째" in text
    summary = paralleldata.BuildSummary()
    bead = Bead(["One sentence here.", "Two sentences there."], ["문장 하나입니다.", "문장 둘입니다."])
    pairs = paralleldata.pairs_from_beads([bead], "en", "ko", summary, "paragraph")
    assert pairs == [("One sentence here. Two sentences there.", "문장 하나입니다. 문장 둘입니다.")]
    assert one_line("문장 하나입니다.\n문장 둘입니다.", "ko") == "문장 하나입니다. 문장 둘입니다."
    assert one_line("第一句。\n第二句。", "zh-CN") == "第一句。第二句。"


def test_korean_script_is_required_alike_by_alignment_and_sync():
    latin = "This text is plainly English and has nothing Korean in it at all, " * 3
    with pytest.raises(AlignmentError, match="CJK script"):
        check_language(latin, "ko", "target")
    with pytest.raises(AlignmentError, match="little CJK script"):
        check_texts("a.md", latin, latin, latin, "en", "ko")
    check_language(KO_OLD * 3, "ko", "target")
    check_texts("a.md", EN_OLD, EN_NEW, KO_OLD * 3, "en", "ko")


def test_length_ratio_comes_from_the_rows():
    assert default_ratio("en", "zh") == pytest.approx(0.36)
    assert default_ratio("zh-CN", "en") == pytest.approx(1 / 0.36)
    assert default_ratio("en", "sw") == 1.0  # a language without a measured ratio


def test_sentence_rules_per_language():
    assert split_sentences("Vea la pág. 3 del libro. Después siga.", "es") == [
        "Vea la pág. 3 del libro.",
        "Después siga.",
    ]
    assert split_sentences("See fig. 3 of the book. Then go on.", "en") == [
        "See fig. 3 of the book.",
        "Then go on.",
    ]
    assert split_sentences("これはペンです。あれは本です。", "ja") == ["これはペンです。", "あれは本です。"]
    assert split_sentences("It works. 잘 됩니다.", "ko") == ["It works.", "잘 됩니다."]


def test_unknown_language_gets_defaults_but_no_guessed_joiner():
    profile = language("xx")
    assert not profile.known and profile.bleu_tokenizer == "13a" and profile.length_ratio == 1.0
    with pytest.raises(LanguageError, match="'xx' is not in amts/languages.py"):
        profile.join(["a", "b"])
    with pytest.raises(LanguageError, match="word joiner"):
        check_languages("en", "xx")
    assert language("sw").join(["Habari.", "Asante."]) == "Habari. Asante."  # in the table, spaced


def test_engines_compare_base_codes_and_keep_their_error_type():
    from amts.engines.base import normalise_lang

    assert normalise_lang("ZH-cn") == normalise_lang("zh_TW") == "zh"
    with pytest.raises(EngineError, match="empty language code"):
        normalise_lang("")


def test_pipeline_settings_spell_each_language_once():
    from amts.pipeline.settings import Settings

    settings = Settings.from_env({"AMTS_TARGET_LANGS": "ZH, pt_BR, zh-Hant", "AMTS_ENGINE": "none"})
    assert settings.target_langs == ("zh", "pt", "zh-TW")
    with pytest.raises(AmtsError, match="'chinese' are not Amazon Translate codes"):
        Settings(target_langs=("chinese",), engine="none")
    with pytest.raises(Exception, match="other than the source"):
        Settings(source_lang="en-US", target_langs=("en",), engine="none")


def test_thai_pairs_are_judged_by_thai_script():
    summary = paralleldata.BuildSummary()
    thai = [("Hello to the whole world today.", "สวัสดีชาวโลกทั้งใบในวันนี้")]
    assert paralleldata.enforce_limits(thai, "en", "th", summary) == thai
    left_in_english = [("Hello to the whole world today.", "Hello to the whole world now.")]
    assert paralleldata.enforce_limits(left_in_english, "en", "th", summary) == []


def test_a_regional_code_syncs_exactly_like_its_language():
    zh_old = "# 标题\n\n第一句在这里。第二句在那里。第三句结束了它。\n\n另一段在整个测试中保持不变。\n"
    engine = get_engine("pseudo")
    plain, _ = sync_document(EN_OLD, EN_NEW, zh_old, "en", "zh", engine=engine, memory=None)
    regional, _ = sync_document(EN_OLD, EN_NEW, zh_old, "en", "zh-CN", engine=engine, memory=None)
    assert regional == plain and "在这里。Ţĥéé" in plain


def test_every_amazon_translate_code_is_canonical_and_has_a_joiner():
    for code in AMAZON_TRANSLATE_CODES:
        assert normalise_code(code) == code
        assert language(code).known and language(code).joiner is not None, code
    assert {p.code for p in profiles()} <= AMAZON_TRANSLATE_CODES
