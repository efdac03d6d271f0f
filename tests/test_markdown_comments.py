"""Comment and docstring segments in fenced code: found exactly, code around them untouched."""

from __future__ import annotations

import io
import tokenize

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amts.markdown import iter_markdown_files, load, parse, render
from amts.markdown.codescan import fence_language, find_comments, looks_like_code, python_comments
from amts.markdown.comments import code_comments, pair_comments

FENCE = "```{.python .input}\n"


def _comments(code: str, info: str = "{.python .input}") -> list[str]:
    return [c.text for c in find_comments(code, info)]


def test_hash_inside_a_string_literal_is_not_a_comment():
    code = 's = "a # not a comment"\nt = \'# nor this\'  # but this is\nu = """\n# still a string\n"""\n'
    assert _comments(code) == ["but this is"]


def test_d2l_markers_shebang_coding_and_pragmas_are_not_prose():
    code = (
        "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n#@tab all\nimport torch  #@save\n"
        "x = 1  # noqa: E501\ny = 2  # type: int\n# Sum the two numbers\nz = x + y\n"
    )
    assert _comments(code) == ["Sum the two numbers"]


def test_commented_out_code_is_not_prose_but_a_sentence_naming_code_is():
    assert looks_like_code("d2l.plt.show()")
    assert looks_like_code("x = f(y)")
    assert not looks_like_code("Returns f(x) for every row.")
    assert not looks_like_code("Output")
    assert looks_like_code("print(f(x)")  # a call cut at the line end
    assert not looks_like_code("y.backward(torch.ones(len(x))) equivalent to the below")
    assert _comments("# print(x)\n# Print the shape of `X`\nprint(X.shape)\n") == ["Print the shape of `X`"]


def test_comment_runs_merge_and_carry_their_code_line():
    code = "# Initialize the weights\n# with a normal distribution\nw = init(shape)  # the weights\n"
    found = find_comments(code, "python")
    assert [(c.text, c.context) for c in found] == [
        ("Initialize the weights with a normal distribution", "w = init(shape)"),
        ("the weights", "w = init(shape)"),
    ]


def test_docstrings_of_module_class_and_function_only():
    code = (
        '"""Module doc."""\nclass A:\n    """The class A."""\n    def f(self):\n'
        '        """Compute f.\n\n        Args:\n            x: the input\n        """\n'
        '        s = """not a docstring"""\n        return s\n'
    )
    found = find_comments(code, "py")
    assert [(c.kind, c.text, c.context) for c in found] == [
        ("docstring", "Module doc.", "module"),
        ("docstring", "The class A.", "class A:"),
        ("docstring", "Compute f.", "def f(self):"),
        ("docstring", "Args:", "def f(self):"),
        ("docstring", "x: the input", "def f(self):"),
    ]


def test_other_languages_where_the_fence_names_them_and_none_elsewhere():
    assert _comments("echo '#no' # list files\nls\n", "bash") == ["list files"]
    assert _comments('let a = "//x"; // a JS comment\n', "js") == ["a JS comment"]
    assert _comments("SELECT 1; -- one row\n", "sql") == ["one row"]
    assert _comments("# a heading-like line\n", "") == []  # unnamed fence: unknown language
    assert _comments("# printed output\n", "python out") == []
    assert _comments("x = (\n# unbalanced\n", "python") == []  # does not tokenize: nothing


def test_ipython_magics_do_not_stop_the_scan():
    code = "%matplotlib inline\n!pip install d2l\n# Plot the curve\nplot(x)\n"
    assert _comments(code) == ["Plot the curve"]


def test_segments_render_byte_identical_and_translated_comments_leave_code_alone():
    text = (
        "Intro.\n\n" + FENCE + "#@tab all\n# Build the net\nnet = nn.Sequential()  # a container\n"
        'def f(x):\n    """Apply `net` to x."""\n    return net(x)\n```\n\nOutro.\n'
    )
    doc = parse(text)
    comments = [s for s in doc.segments if s.kind == "comment"]
    assert [(s.text, s.context, s.line) for s in comments] == [
        ("Build the net", "net = nn.Sequential()", 5),
        ("a container", "net = nn.Sequential()", 6),
        ("Apply `net` to x.", "def f(x):", 8),
    ]
    assert render(doc) == text
    out = render(doc, {s.id: f"T{i}\nwrapped" for i, s in enumerate(comments)})
    assert "# T0 wrapped\nnet = nn.Sequential()  # T1 wrapped\n" in out
    assert '    """T2 wrapped"""\n' in out


def test_a_docstring_translation_cannot_close_the_string():
    doc = parse(FENCE + 'def f():\n    """Say hi."""\n```\n')
    (segment,) = [s for s in doc.segments if s.kind == "comment"]
    out = render(doc, {segment.id: 'Dites """bonjour"'})
    code = out.split("\n", 1)[1].rsplit("```", 1)[0]
    compile(code, "<docstring>", "exec")  # still valid Python
    assert 'Dites \\"\\"\\"bonjour\\"' in out


def test_identifiers_in_comments_are_protected_spans():
    doc = parse(FENCE + "# Reshape X_train with torch.reshape(x) in PyTorch\nX = 1\n```\n")
    (segment,) = doc.segments
    protected = [segment.text[s.start : s.end] for s in segment.spans]
    assert protected == ["X_train", "torch.reshape(x)", "PyTorch"]


def test_pairing_comments_by_their_code_line():
    english = code_comments(FENCE + "# Make the data\nX = data()\ny = f(X)  # apply f\n```\n")
    chinese = code_comments(FENCE + "# 生成数据\nX = data()\ny = f(X)  # 应用f\n```\n")
    assert pair_comments(english, chinese) == [(0, 1 - 1), (1, 1)]


# -- the corpora ----------------------------------------------------------------------------------


def _code_tokens(code: str) -> list[tuple[int, str]] | None:
    """Every token but comments, strings and blank-line breaks, or None if it does not tokenize."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in code.splitlines(keepends=True)]
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO("".join(lines)).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    return [
        (t.type, t.string) for t in tokens if t.type not in (tokenize.COMMENT, tokenize.STRING, tokenize.NL)
    ]


@pytest.fixture(scope="module")
def corpus_docs(d2l_data, hf_data):
    return [load(path) for path in iter_markdown_files([d2l_data, hf_data])]


def test_comment_segments_never_contain_code(corpus_docs):
    """Translating every comment of the corpora changes no code token (strings aside: docstrings are strings)."""
    checked = 0
    offenders = []
    for doc in corpus_docs:
        comments = [s for s in doc.segments if s.kind == "comment"]
        if not comments:
            continue
        out = parse(render(doc, {s.id: "Translated words here." for s in comments}))
        before = [b for b in doc.blocks if b.kind == "code"]
        after = [b for b in out.blocks if b.kind == "code"]
        assert len(before) == len(after), doc.path
        for old, new in zip(before, after, strict=True):
            if old.raw == new.raw:
                continue
            checked += 1
            old_tokens = _code_tokens(old.raw.split("\n", 1)[1].rsplit("```", 1)[0])
            if old_tokens != _code_tokens(new.raw.split("\n", 1)[1].rsplit("```", 1)[0]):
                offenders.append((doc.path, old.start_line))
    assert checked > 1000
    assert offenders == []


def test_corpus_comments_are_prose(corpus_docs):
    comments = [s for doc in corpus_docs for s in doc.segments if s.kind == "comment"]
    assert len(comments) > 3000
    assert not [s.text for s in comments if s.text.startswith(("@", "!", "-*-")) or looks_like_code(s.text)]
    # every comment speaks about a code line, except in the few blocks that are only comments
    assert sum(1 for s in comments if not s.context) < 5


def test_the_quick_path_reads_every_corpus_block_as_the_tokenizer_does(corpus_docs):
    """Skipping the tokenizer where no # can sit in a string changes nothing on the corpora."""
    compared = 0
    for doc in corpus_docs:
        for block in doc.blocks:
            lines = block.raw.splitlines(keepends=True)
            if block.kind != "code" or len(lines) < 3 or fence_language(block.info) != "python":
                continue
            code = "".join(lines[1:-1])
            compared += 1
            assert python_comments(code) == python_comments(code, quick=False), (doc.path, block.start_line)
    assert compared > 5000


_PIECES = [
    "x = 1",
    "s = '# no'",
    's = "a # b"',
    "# a comment here",
    "#@save",
    "#@tab all",
    "y = f(x)  # the call f",
    '"""A docstring."""',
    "def f(x):",
    "    return x",
    "    # inside",
    "(",
    ")",
    "'''",
    "%matplotlib inline",
    "\\",
    "",
    "    ",
    "数据 = 1  # 数据",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_PIECES), max_size=12), st.sampled_from(["{.python .input}", "py", "bash", ""])
)
def test_any_code_block_round_trips_and_translated_comments_leave_code_alone(lines, info):
    """Whatever a fence holds (broken code included): byte-identical round trip, and a translation of
    every comment changes no code token; the quick path and the tokenizer agree."""
    code = "\n".join(lines) + "\n"
    text = f"Para.\n\n```{info}\n{code}```\n\nEnd.\n"
    doc = parse(text)
    assert render(doc) == text
    comments = [s for s in doc.segments if s.kind == "comment"]
    out = render(doc, {s.id: "Mot traduit." for s in comments})
    if info in ("{.python .input}", "py") and comments:
        new_code = out.split("```", 2)[1].split("\n", 1)[1]
        assert _code_tokens(new_code) == _code_tokens(code)
    assert python_comments(code) == python_comments(code, quick=False)
