"""`[[anchor]]` heading ids (HF course) pair a heading with its translation, whatever the lengths say."""

from __future__ import annotations

import json

from amts.sync.pairing import align_units, heading_id
from amts.sync.units import split_units
from tests.helpers import run_cli

OLD_EN = """## Introduction to the pipeline function[[intro]]

The pipeline function is the most basic object in the library. It connects a model with its steps.

## Zero-shot classification[[zero-shot]]

We will start by tackling a more challenging task where we need to classify texts that have no labels.

## Text generation[[text-generation]]

Now let us see how to use a pipeline to generate some text.
"""
# The Spanish book never translated the introduction.
OLD_ES = """## Clasificación zero-shot[[zero-shot]]

Empezaremos por abordar una tarea más compleja, en la que necesitamos clasificar textos sin etiquetas.

## Generación de texto[[text-generation]]

Ahora veamos cómo usar un pipeline para generar texto.
"""


def test_headings_pair_by_their_anchor():
    source, target = split_units(OLD_EN), split_units(OLD_ES)
    beads, _ = align_units(source, target)
    pairs = {heading_id(source[b.source[0]]): heading_id(target[b.target[0]]) for b in beads if b.target}
    assert pairs["zero-shot"] == "zero-shot" and pairs["text-generation"] == "text-generation"
    assert "intro" not in pairs  # nothing in Spanish translates it


def test_sync_keeps_each_human_heading_under_its_anchor(tmp_path):
    for name, text in {
        "en-old": OLD_EN,
        "en-new": OLD_EN.replace("most basic", "simplest"),
        "es": OLD_ES,
    }.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "pipeline.md").write_text(text, encoding="utf-8")
    run_cli(
        "sync", "--old-source", str(tmp_path / "en-old"), "--new-source", str(tmp_path / "en-new"),
        "--old-target", str(tmp_path / "es"), "--target-lang", "es",
        "--out", str(tmp_path / "out"), "--report", str(tmp_path / "report.json"),
    )  # fmt: skip
    out = (tmp_path / "out" / "pipeline.md").read_text(encoding="utf-8")
    assert "## Clasificación zero-shot[[zero-shot]]\n\nEmpezaremos" in out
    assert "## Generación de texto[[text-generation]]\n\nAhora veamos" in out
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    statuses = {s["source"]: s["status"] for f in report["files"] for s in f["segments"]}
    assert statuses[next(k for k in statuses if "[[zero-shot]]" in k)] == "reused", statuses


def test_headings_pair_across_english_versions_by_anchor(tmp_path):
    """New titles, same anchors: each old heading's translation stays with its section, flagged for review."""
    old_en = (
        "## Intro[[intro]]\n\nThe pipeline function is the most basic object.\n\n"
        "## Setup[[setup]]\n\nInstall the library first with pip.\n"
    )
    new_en = (
        "## A much longer introduction title[[intro]]\n\nThe pipeline function is the most basic object here.\n\n"
        "## Before you start[[setup]]\n\nInstall the library first with pip.\n"
    )
    old_es = (
        "## Introducción[[intro]]\n\nLa función pipeline es el objeto más básico.\n\n"
        "## Instalación[[setup]]\n\nInstala primero la biblioteca con pip.\n"
    )
    for name, text in {"en-old": old_en, "en-new": new_en, "es": old_es}.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.md").write_text(text, encoding="utf-8")
    run_cli(
        "sync", "--old-source", str(tmp_path / "en-old"), "--new-source", str(tmp_path / "en-new"),
        "--old-target", str(tmp_path / "es"), "--target-lang", "es",
        "--out", str(tmp_path / "out"), "--report", str(tmp_path / "r.json"),
    )  # fmt: skip
    out = (tmp_path / "out" / "a.md").read_text(encoding="utf-8")
    assert out.startswith("## Introducción[[intro]]\n\n") and "\n\n## Instalación[[setup]]\n\nInstala" in out
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    headings = {s["source"]: s for f in report["files"] for s in f["segments"] if "[[" in s["source"]}
    setup = next(s for k, s in headings.items() if "[[setup]]" in k)
    assert setup["status"] == "untranslated" and setup["target"] == "## Instalación[[setup]]"  # to review
