"""The engine registry: every command offers every engine that fits it, refuses the others in one line,
results carry their origins, and sync translates through the same memory-then-engine chain as translate."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amts.cli import app
from amts.engines import ENGINES, Engine, engine_class, engine_names, get_engine, memory_first
from amts.engines.memory import TranslationMemory
from amts.errors import EngineError
from amts.experiment import fits as experiment_fits
from amts.sync import sync_document
from amts.translate_doc import translate_path

runner = CliRunner()
SAMPLE = Path(__file__).resolve().parent.parent / "sample"
CHAPTER = "chapter_regression/linear.md"
# command -> which registered engines fit it (None: all of them)
COMMANDS = {"translate": None, "sync": None, "experiment": experiment_fits}
needs_apertium = pytest.mark.skipif(shutil.which("apertium") is None, reason="apertium not installed")


def _choices(command: str, monkeypatch) -> set[str]:
    """The --engine choices `amts COMMAND --help` shows (a wide console, so the metavar is not folded)."""
    monkeypatch.setattr("typer.rich_utils.MAX_WIDTH", 400)
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    match = re.search(r"--engine\s+\[([a-z|]+)\]", result.output)
    assert match, result.output
    return set(match.group(1).split("|"))


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_registered_engine_that_fits_is_a_choice(command, monkeypatch):
    fits = COMMANDS[command]
    expected = {name for name, cls in ENGINES.items() if fits is None or fits(cls.capabilities)}
    assert _choices(command, monkeypatch) == expected == set(engine_names(fits))


def test_the_experiment_offers_the_engines_bleu_can_measure(monkeypatch):
    assert _choices("experiment", monkeypatch) == {"apertium", "amazon", "memory"}
    assert {"pseudo", "none"} <= _choices("sync", monkeypatch)


def _sync(tmp_path: Path, engine: str, *extra: str, target: str = "es"):
    out = tmp_path / f"out-{engine}.md"
    report = tmp_path / f"report-{engine}.json"
    result = runner.invoke(
        app,
        [
            "sync",
            "--old-source",
            str(SAMPLE / "en" / CHAPTER),
            "--new-source",
            str(SAMPLE / "en-new" / CHAPTER),
            "--old-target",
            str(SAMPLE / target / CHAPTER),
            "--target-lang",
            target,
            "--out",
            str(out),
            "--report",
            str(report),
            "--engine",
            engine,
            *extra,
        ],
    )
    return result, out, report


def _segments(report: Path) -> list[dict]:
    return [s for f in json.loads(report.read_text(encoding="utf-8"))["files"] for s in f["segments"]]


def test_sync_accepts_every_offline_engine(tmp_path):
    memory = tmp_path / "memory.tsv"
    memory.write_text(
        "en\tes\nIt is one of the oldest methods in statistics.\tEs uno de los métodos más antiguos.\n",
        encoding="utf-8",
    )
    offline = [n for n, cls in ENGINES.items() if not cls.capabilities.credentials]
    assert {"none", "memory", "pseudo"} <= set(offline)
    for name in offline:
        if name == "apertium" and shutil.which("apertium") is None:
            continue
        extra = ("--memory", str(memory)) if ENGINES[name].capabilities.needs_memory else ()
        result, out, report = _sync(tmp_path, name, *extra)
        assert result.exit_code == 0, (name, result.output, result.exception)
        # each filled segment says where its text came from: the human, the memory or this engine
        parts = {p for s in _segments(report) for p in (s.get("origin") or "").split("+") if p}
        assert parts <= {"human", "source", "memory", name}, (name, parts)
        if ENGINES[name].capabilities.machine:
            assert name in parts


def test_sync_engine_pseudo_works_as_translate_engine_pseudo_does(tmp_path):
    result, out, report = _sync(tmp_path, "pseudo")
    assert result.exit_code == 0, result.output
    changed = [s for s in _segments(report) if s["status"] in ("machine", "fuzzy")]
    assert changed and all("pseudo" in s["origin"].split("+") for s in changed)
    new_sentence = get_engine("pseudo").translate(
        ["It is one of the oldest methods in statistics."], "en", "es"
    )[0]
    assert new_sentence and new_sentence in out.read_text(encoding="utf-8")
    translated = tmp_path / "translated.md"
    result = runner.invoke(
        app,
        [
            "translate",
            str(SAMPLE / "en-new" / CHAPTER),
            "--target-lang",
            "es",
            "--engine",
            "pseudo",
            "--out",
            str(translated),
        ],
    )
    assert result.exit_code == 0, result.output
    assert new_sentence in translated.read_text(encoding="utf-8")
    assert "segments translated" in result.output and " by pseudo;" in result.output


def test_an_engine_that_does_not_fit_is_refused_naming_those_that_fit(tmp_path):
    result = runner.invoke(
        app,
        [
            "experiment",
            "--src",
            str(tmp_path),
            "--tgt",
            str(tmp_path),
            "--source-lang",
            "en",
            "--target-lang",
            "es",
        ]
        + ["--engine", "pseudo"],
    )
    assert isinstance(result.exception, EngineError)
    message = str(result.exception)
    assert "\n" not in message and "'pseudo' does not fit `amts experiment`" in message
    assert message.endswith("engines that fit: apertium, amazon, memory")
    result, out, _ = _sync(tmp_path, "babel")
    assert (
        str(result.exception)
        == "unknown engine 'babel': choose one of apertium, amazon, memory, pseudo, none"
    )
    assert not out.exists()
    result, out, _ = _sync(tmp_path, "memory")
    assert "needs --memory" in str(result.exception) and not out.exists()


@needs_apertium
def test_an_engine_that_does_not_serve_the_pair_is_refused_naming_those_that_do(tmp_path):
    result, out, _ = _sync(tmp_path, "apertium", target="zh")
    message = str(result.exception)
    assert isinstance(result.exception, EngineError) and "\n" not in message
    assert message == "engine 'apertium' does not support en->zh; engines that support it: amazon, pseudo"
    assert not out.exists()


def test_capabilities_are_declared_on_the_class():
    for name, cls in ENGINES.items():
        assert cls.name == name and cls.summary, name
    assert engine_class("PSEUDO ") is ENGINES["pseudo"]
    assert ENGINES["amazon"].capabilities.terminology == "service" and ENGINES["amazon"].capabilities.batch
    assert ENGINES["memory"].capabilities.needs_memory and not ENGINES["memory"].capabilities.machine
    with pytest.raises(EngineError, match="engines that fit: apertium, amazon, memory"):
        engine_class("none", experiment_fits, "amts experiment")


class Glossary(Engine):
    """A word-for-word engine that leaves the words it does not know as they are (as Apertium does)."""

    name = "glossary"
    WORDS = {"the": "el", "splits": "divide", "text": "texto", "we": "nosotros", "read": "leemos"}

    def _translate(self, texts, source_lang, target_lang):
        return [re.sub(r"[A-Za-z]+", self._word, text) for text in texts]

    def _word(self, match: re.Match) -> str:
        word = match.group(0)
        out = self.WORDS.get(word.lower(), word)
        return out.capitalize() if word[0].isupper() else out


MEMORY = [
    ("A tokenizer is fast.", "Un tokenizador es rápido."),
    ("Load the tokenizer first.", "Carga el tokenizador primero."),
    ("Our tokenizer handles words.", "Nuestro tokenizador maneja palabras."),
    ("Known sentence here.", "Frase conocida aquí."),
]


def test_results_carry_their_origins():
    pseudo = get_engine("pseudo").translate_results(["Hello", " "], "en", "es")
    assert [r.origin for r in pseudo] == ["pseudo", None]
    table = TranslationMemory(MEMORY, threshold=80)
    chain = memory_first(Glossary(), table, "en", "es")
    results = chain.translate_results(
        ["Known sentence here.", "Known sentence here!", "We read the text.", ""], "en", "es"
    )
    assert [r.origin for r in results] == ["memory", "memory", "glossary", None]
    assert results[0].score == 100 and 80 <= results[1].score < 100
    assert results[2].text == "Nosotros leemos el texto."
    memory_only = memory_first("none", table, "en", "es")
    assert memory_only.translate(["Known sentence here.", "Other."], "en", "es") == [
        "Frase conocida aquí.",
        None,
    ]


def test_sync_applies_the_terminology_translate_learns_from_the_memory(tmp_path):
    en_old, es_old = "# Text\n\nWe read the text.\n", "# Texto\n\nLeemos el texto.\n"
    en_new = en_old + "\nThe tokenizer splits the text.\n"
    alone, _ = sync_document(en_old, en_new, es_old, "en", "es", engine=Glossary())
    assert "El tokenizer divide el texto." in alone  # the engine alone does not know the word
    synced, report = sync_document(en_old, en_new, es_old, "en", "es", engine=Glossary(), memory=MEMORY)
    assert "El tokenizador divide el texto." in synced
    entry = next(s for s in report["segments"] if "tokenizer" in s["source"])
    assert (entry["status"], entry["origin"]) == ("machine", "glossary")
    # translate, given the same engine and memory through the same chain, writes the same sentence
    chapter = tmp_path / "c.md"
    chapter.write_text(en_new + "\nKnown sentence here.\n", encoding="utf-8")
    translate_path(chapter, tmp_path / "t.md", get_engine("none", memory=None), "en", "es")
    assert "The tokenizer splits the text." in (tmp_path / "t.md").read_text(encoding="utf-8")
    chain = memory_first(Glossary(), TranslationMemory(MEMORY), "en", "es")
    (result,) = translate_path(chapter, tmp_path / "t.md", chain, "en", "es")
    assert "El tokenizador divide el texto." in (tmp_path / "t.md").read_text(encoding="utf-8")
    assert result.origins == {"glossary": 3, "memory": 1}  # heading, two sentences; one from memory


@needs_apertium
def test_amts_sync_and_amts_translate_apply_the_same_learned_terms_with_apertium(tmp_path):
    en_old, es_old = "# Text\n\nWe read the text.\n", "# Texto\n\nLeemos el texto.\n"
    en_new = en_old + "\nThe tokenizer splits the text.\n"
    files = {"en-old.md": en_old, "en-new.md": en_new, "es-old.md": es_old}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    memory = tmp_path / "memory.tsv"
    memory.write_text("en\tes\n" + "".join(f"{s}\t{t}\n" for s, t in MEMORY), encoding="utf-8")
    common = ["--target-lang", "es", "--engine", "apertium"]
    outputs = {}
    for with_memory in (False, True):
        extra = ["--memory", str(memory)] if with_memory else []
        out = tmp_path / f"sync-{with_memory}.md"
        result = runner.invoke(
            app,
            ["sync", "--old-source", str(tmp_path / "en-old.md"), "--new-source", str(tmp_path / "en-new.md")]
            + [
                "--old-target",
                str(tmp_path / "es-old.md"),
                "--out",
                str(out),
                "--report",
                str(tmp_path / "r.json"),
            ]
            + common
            + extra,
        )
        assert result.exit_code == 0, result.output
        outputs["sync", with_memory] = out.read_text(encoding="utf-8")
        out = tmp_path / f"translate-{with_memory}.md"
        result = runner.invoke(
            app, ["translate", str(tmp_path / "en-new.md"), "--out", str(out)] + common + extra
        )
        assert result.exit_code == 0, result.output
        outputs["translate", with_memory] = out.read_text(encoding="utf-8")
    assert "tokenizador" not in outputs["sync", False] and "tokenizador" not in outputs["translate", False]
    sync_line = next(line for line in outputs["sync", True].splitlines() if "tokeniza" in line)
    translate_line = next(line for line in outputs["translate", True].splitlines() if "tokeniza" in line)
    assert "tokenizador" in sync_line and sync_line == translate_line


def test_amts_engines_lists_the_registry_and_who_serves_a_pair():
    result = runner.invoke(app, ["engines", "--source-lang", "en", "--target-lang", "zh"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines[::2]] == list(ENGINES)
    traits = dict(zip([line.split()[0] for line in lines[::2]], lines[1::2], strict=True))
    assert "en->zh: yes" in traits["pseudo"] and "en->zh: no" in traits["apertium"]
    assert "needs --memory" in traits["memory"] and "batch jobs" in traits["amazon"]
