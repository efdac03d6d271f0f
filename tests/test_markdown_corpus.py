"""The segment model on the real corpora: identical round trip, no code in any segment."""

from __future__ import annotations

import re

import pytest

from amts.markdown import iter_markdown_files, load, mask, render

FENCE_OR_DIRECTIVE = re.compile(r"(^|\s)(```|~~~)|^\$\$|^:(label|width|eqlabel|begin_tab|end_tab|maxdepth):")


def _all_files(*roots):
    return list(iter_markdown_files(roots))


def test_every_corpus_file_round_trips(d2l_data, hf_data):
    files = _all_files(d2l_data, hf_data)  # READMEs included: they must round-trip too
    assert len(files) > 500
    different = [str(f) for f in files if render(load(f)) != load(f).text]
    assert different == []


def test_no_segment_contains_code(d2l_data, hf_data):
    offenders = []
    chapters = [d2l_data / d for d in ("en", "zh", "zh_origin", "sync")] + [hf_data / "en", hf_data / "es"]
    for path in _all_files(*chapters):
        doc = load(path)
        code_lines = set()
        for block in doc.blocks:
            if block.kind == "code":
                # distinctive code lines: long enough not to be an ordinary word in prose
                code_lines.update(
                    line.strip()
                    for line in block.raw.splitlines()[1:-1]
                    if len(line.strip()) > 25 and "(" in line
                )
        for segment in doc.segments:
            prose, _ = mask(segment.text, segment.spans)  # inline code quoting code is fine, prose is not
            if FENCE_OR_DIRECTIVE.search(prose) or "#@tab" in prose or "#@save" in prose:
                offenders.append((str(path), segment.line, segment.text[:80]))
            for line in code_lines:
                if line in prose:
                    offenders.append((str(path), segment.line, line))
    assert offenders == []


@pytest.mark.parametrize("role", [":numref:", ":cite:", ":eqref:"])
def test_roles_are_protected_spans_everywhere(d2l_data, role):
    seen = 0
    for path in _all_files(d2l_data / "en"):
        for segment in load(path).segments:
            start = segment.text.find(role)
            while start >= 0:
                seen += 1
                assert any(span.start == start and span.kind == "role" for span in segment.spans), (
                    path,
                    segment.text,
                )
                start = segment.text.find(role, start + 1)
    assert seen > 10
