"""Every XLIFF export validates against the OASIS XLIFF 1.2 strict schema (tests/data/xliff, offline)."""

from __future__ import annotations

from pathlib import Path

import pytest
import xmlschema

from amts.xliff import export_xliff
from tests.helpers import run_cli

SCHEMAS = Path(__file__).parent / "data" / "xliff"
XML_XSD_URL = "http://www.w3.org/2001/xml.xsd"


@pytest.fixture(scope="module")
def strict() -> xmlschema.XMLSchema10:
    """The strict schema, its import of xml.xsd answered from the local copy (no network)."""
    return xmlschema.XMLSchema10(
        str(SCHEMAS / "xliff-core-1.2-strict.xsd"),
        locations={"http://www.w3.org/XML/1998/namespace": str(SCHEMAS / "xml.xsd")},
        uri_mapper=lambda uri: str(SCHEMAS / "xml.xsd") if uri == XML_XSD_URL else uri,
        allow="local",  # never the network
    )


def _export(old_source: Path, new_source: Path, old_target: Path, work: Path) -> bytes:
    run_cli(
        "sync", "--old-source", str(old_source), "--new-source", str(new_source),
        "--old-target", str(old_target), "--target-lang", "zh",
        "--out", str(work / "zh"), "--report", str(work / "report.json"),
    )  # fmt: skip
    run_cli("xliff", "export", str(work / "report.json"), "--out", str(work / "book.xlf"))
    return (work / "book.xlf").read_bytes()


def _errors(schema: xmlschema.XMLSchema10, data: bytes) -> list[str]:
    return [f"{e.path}: {e.reason}" for e in schema.iter_errors(data.decode("utf-8"))][:5]


def test_the_schema_catches_what_it_should(strict):
    """The schema is live: a context-group name repeated in a <file> (the old export's fault) is invalid."""
    bad = b"""<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a.md" datatype="x-markdown"
 source-language="en"><body>
<trans-unit id="1"><source>A</source><context-group name="amts"><context context-type="x-a">1</context>
</context-group></trans-unit>
<trans-unit id="2"><source>B</source><context-group name="amts"><context context-type="x-a">2</context>
</context-group></trans-unit></body></file></xliff>"""
    assert any("U_context-group_name" in e or "unique" in e.lower() for e in _errors(strict, bad))


def test_sample_book_export_is_valid(strict, sample_book, tmp_path):
    if not (sample_book / "en-new").is_dir():
        pytest.skip("sample book absent")
    data = _export(sample_book / "en", sample_book / "en-new", sample_book / "zh", tmp_path)
    assert _errors(strict, data) == []
    assert b"<alt-trans" in data and b"match-quality=" in data and b'translate="no"' in data


@pytest.mark.corpus
@pytest.mark.parametrize("event_name", ["v0161-237f802b", "v0170-ch6-7b66e83d"])
def test_real_sync_event_exports_are_valid(strict, d2l_data, tmp_path, event_name):
    event = d2l_data / "sync" / event_name
    if not event.is_dir():
        pytest.skip("sync event absent")
    data = _export(event / "en-old", event / "en-new", event / "zh-old", tmp_path)
    assert _errors(strict, data) == []
    assert b"<bpt " in data and b"<ept " in data  # links and slide markers travel as pairs


def test_synthetic_report_with_every_shape_is_valid(strict):
    """Links, slide markers, emphasis, math, code, headings, an old translation and a fuzzy suggestion."""
    segments = [
        {
            "id": "h-0",
            "status": "untranslated",
            "kind": "heading",
            "source": "## A [link](https://x.org)",
            "target": "## A [link](https://x.org)",
            "line": 1,
        },
        {
            "id": "p-0",
            "status": "fuzzy",
            "kind": "paragraph",
            "score": 82,
            "origin": "memory",
            "source": "[**Use `f(x)` and $x^2$ with <b>tags</b> &amp; more.**]",
            "target": "[**使用 `f(x)` 和 $x^2$。**]",
            "old_source": "Use `f(x)`.",
            "old_target": "使用 `f(x)`。",
            "line": 3,
        },
        {
            "id": "r-0",
            "status": "reused",
            "kind": "paragraph",
            "source": "Same.",
            "target": "相同。",
            "line": 5,
        },
        {
            "id": "r-0",
            "status": "machine",
            "kind": "paragraph",
            "source": "Twice.",
            "target": "两次。",
            "line": 7,
        },
    ]
    segments.append(
        {"id": "e-0", "status": "machine", "kind": "paragraph", "source": "A **bold** and *em* word.",
         "target": "一个 **粗** 和 *斜* 词。", "line": 9}
    )  # fmt: skip
    data = export_xliff({"target_lang": "zh", "files": [{"path": "a/b.md", "segments": segments}]})
    assert _errors(strict, data) == []
    assert b'ctype="bold"' in data and b'ctype="italic"' in data  # emphasis travels as paired codes too
