"""Find the prose inside fenced code: comments and docstrings, with the code around them left alone.

Python is read with the standard tokenizer, so a ``#`` inside a string literal is not a comment, and
docstrings are the first string statement of a module, class or function (found with ``ast``). Markers
that are not prose stay code: d2l's ``#@save`` / ``#@tab``, shebangs, coding lines, ``noqa``/``type:``
pragmas, and comments that are themselves code (``# print(x)``). Code Python cannot tokenize yields no
comments at all: nothing is better than a wrong guess inside code. Where a block parses and no ``#`` shares
a line with a quote or a multi-line string, the (pure-Python, slow) tokenizer is skipped: every ``#`` there
starts a comment, and a test checks both paths agree on every block of the corpora.

Other languages get their line comments (``//``, ``--``, shell ``#``) when the fence names the language,
outside single-line string quotes.
"""

from __future__ import annotations

import ast
import io
import keyword
import re
import tokenize
from dataclasses import dataclass

# Fence languages: Python, and the line-comment marker of others.
_PYTHON = frozenset({"python", "py", "python3", "ipython", "ipython3", "pycon"})
_LINE_MARKERS = {
    **dict.fromkeys(("bash", "sh", "shell", "zsh", "yaml", "yml", "toml", "r", "ruby", "dockerfile"), "#"),
    **dict.fromkeys(
        ("c", "cpp", "c++", "java", "javascript", "js", "typescript", "ts", "jsx", "tsx", "go", "rust"), "//"
    ),
    **dict.fromkeys(("swift", "kotlin", "scala", "csharp", "cs", "cuda", "json5"), "//"),
    **dict.fromkeys(("sql", "lua", "haskell", "hs"), "--"),
}
# Fences whose body is program output or plain text, never code with comments.
_NOT_CODE_WORDS = frozenset({"out", "output", "text", "txt", "console", "toc", "eval_rst", "diff"})

_PRAGMA_RE = re.compile(
    r"^(?:!|@|-\*-|\s*(?:noqa|type:|pylint:|fmt:|pragma|isort:|mypy:|pyright:|ruff:|doctest:|nosec|"
    r"coding[:=]|vim?:|flake8))",
    re.IGNORECASE,
)
_MAGIC_RE = re.compile(r"^[ \t]*[%!]")  # IPython magics and shell escapes: not Python to the tokenizer
_STRING_PREFIX_RE = re.compile(r"^([rRuU]{0,2})(\"\"\"|'''|\"|')")
_MAYBE_PROSE_RE = re.compile(r"#(?!@)|\"\"\"|'''")  # a comment other than d2l's markers, or a docstring
_CALL_START_RE = re.compile(r"^[A-Za-z_][\w.]*\((?!\s)")
_DOCTEST_RE = re.compile(r"^\s*(?:>>>|\.\.\.\s)")


@dataclass(frozen=True, slots=True)
class CodeComment:
    """Prose found in code: ``code[start:end]`` holds it as written (possibly over several lines)."""

    start: int
    end: int
    text: str  # the prose on one line, as a segment's text
    kind: str  # "comment" or "docstring"
    context: str  # the code line it speaks about (stripped)
    line: int  # 0-based line of `start` in the code
    quote: str = ""  # a docstring's delimiter, which a translation must not contain


def fence_language(info: str) -> str | None:
    """A fence's language: "python", a line-comment marker ("#", "//", "--"), or None (comments left alone).

    Reads both a plain info string (```` ```py ````) and d2lbook's attribute form (```` ```{.python .input} ````).
    """
    words = [w.lstrip(".").lower() for w in re.split(r"[\s{}]+", info) if w and "=" not in w]
    if not words or any(w in _NOT_CODE_WORDS for w in words):
        return None
    for word in words:
        if word in _PYTHON:
            return "python"
        if word in _LINE_MARKERS:
            return _LINE_MARKERS[word]
    return None


def find_comments(code: str, info: str) -> list[CodeComment]:
    """The comments and docstrings of a fence's body `code`, in order; [] for unknown or broken code."""
    language = fence_language(info)
    if language is None or not code.strip():
        return []
    if language == "python":
        if not _MAYBE_PROSE_RE.search(code):
            return []  # the tokenizer is the slow part: most blocks have no comment to find
        return python_comments(code)
    return line_comments(code, language)


# -- Python ------------------------------------------------------------------------------------------


def python_comments(code: str, quick: bool = True) -> list[CodeComment]:
    """Comments (runs of comment lines merged) and docstrings of Python source; [] if it does not tokenize.

    `quick`: where the block parses and no ``#`` shares a line with a quote or a multi-line string, every
    ``#`` starts a comment and the pure-Python tokenizer is skipped (same result, several times faster);
    anything else is read by `tokenize`.
    """
    lines = code.splitlines(keepends=True)
    starts = _line_starts(lines)
    # Magics become blanks of the same length, so that offsets stay those of `code`.
    source_lines = [
        (" " * len(line.rstrip("\r\n")) + line[len(line.rstrip("\r\n")) :]) if _MAGIC_RE.match(line) else line
        for line in lines
    ]
    shift = 0
    if source_lines and _first_code_indented(source_lines):
        source_lines = ["if 1:\n", *source_lines]  # code indented under a list item: make it a block
        shift = 1
    source = "".join(source_lines)
    try:
        tree: ast.Module | None = ast.parse(source)
    except (SyntaxError, ValueError):
        tree = None  # the tokenizer may still read it (docstrings need the tree)
    lexed = _quick_lex(source_lines, shift, tree) if quick and tree is not None else None
    if lexed is None:
        lexed = _tokenize_lex(source, shift)
        if lexed is None:
            return []
    comments, code_rows = lexed
    found = _comment_runs(comments, lines, starts, code_rows)
    comment_at = {row: col for row, col, _ in comments}
    if tree is not None and ('"""' in code or "'''" in code):
        found += _docstrings(tree, source_lines, shift, lines, starts, comment_at)
    return sorted(found, key=lambda c: c.start)


_Lexed = tuple[list[tuple[int, int, str]], set[int]]  # comments (row, col, text) and rows holding code


def _tokenize_lex(source: str, shift: int) -> _Lexed | None:
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    comments: list[tuple[int, int, str]] = []  # rows 0-based in the code
    code_rows: set[int] = set()
    skipped = (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
    for token in tokens:
        row = token.start[0] - 1 - shift
        if row < 0:
            continue
        if token.type == tokenize.COMMENT:
            comments.append((row, token.start[1], token.string))
        elif token.type not in skipped:
            code_rows.add(row)
            if token.end[0] != token.start[0]:
                code_rows.update(range(row, token.end[0] - shift))
    return comments, code_rows


def _quick_lex(source_lines: list[str], shift: int, tree: ast.Module) -> _Lexed | None:
    """The tokenizer's comments and code rows without it, or None where a ``#`` might sit in a string."""
    string_rows: set[int] = set()
    quoted = [r for r, line in enumerate(source_lines) if '"""' in line or "'''" in line]
    hashed = [r for r, line in enumerate(source_lines) if "#" in line]
    # a multi-line string starts and ends on lines with triple quotes: only a # between them needs the tree
    if quoted and any(quoted[0] <= r <= quoted[-1] for r in hashed):
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant | ast.JoinedStr) and node.end_lineno != node.lineno:
                string_rows.update(range(node.lineno - 1, (node.end_lineno or node.lineno)))
    comments: list[tuple[int, int, str]] = []
    code_rows: set[int] = set()
    for r, line in enumerate(source_lines):
        content = line.rstrip("\r\n")
        if content.endswith("\\"):
            return None  # a continued line may continue a string
        k = content.find("#")
        if r in string_rows:
            if k >= 0:
                return None
            code_rows.add(r - shift)
            continue
        if k < 0:
            if content.strip():
                code_rows.add(r - shift)
            continue
        before = content[:k]
        if '"' in before or "'" in before:
            return None
        if before.strip():
            code_rows.add(r - shift)
        comments.append((r - shift, k, content[k:]))
    code_rows.discard(-1)
    return [c for c in comments if c[0] >= 0], code_rows


def _line_starts(lines: list[str]) -> list[int]:
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line)
    return starts


def _first_code_indented(lines: list[str]) -> bool:
    for line in lines:
        if line.strip():
            return line[0] in " \t"
    return False


def _comment_prose(token: str, marker: str = "#") -> tuple[int, str] | None:
    """(offset of the prose inside the token, prose) of a comment token, or None when it is not prose."""
    body = token[len(marker) :].lstrip(marker[0])
    if token.startswith("#!") or _PRAGMA_RE.match(body.lstrip()):
        return None
    text = body.strip()
    if not any(ch.isalpha() for ch in text) or looks_like_code(text):
        return None
    return len(token) - len(body) + (len(body) - len(body.lstrip())), text


def looks_like_code(text: str) -> bool:
    """A commented-out statement (``x = f(y)``, ``d2l.plt.show()``), not a sentence about the code."""
    if any(ord(ch) >= 0x2E80 and ch.isalpha() for ch in text):
        return False  # Chinese prose parses as Python names: "用GPU训练(第六章)" is a call to the tokenizer
    if not re.search(r"[=()\[\]{}.:]", text) and not keyword.iskeyword(text.split()[0]):
        return False
    if re.search(r"[.!?:]$", text) and " " in text.strip(" .!?:") and not text.endswith(":"):
        return False  # a sentence, e.g. "Returns f(x)." -- unless it parses and has no words beside code
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        # a call cut at the line end ("print(f(x)"), not a sentence that starts with one
        return bool(_CALL_START_RE.match(text)) and text.count("(") > text.count(")")
    # One bare name or constant ("Output", "42") parses but is a word.
    return not (
        len(tree.body) == 1
        and isinstance(tree.body[0], ast.Expr)
        and isinstance(tree.body[0].value, (ast.Name, ast.Constant))
    )


def _comment_runs(
    comments: list[tuple[int, int, str]],
    lines: list[str],
    starts: list[int],
    code_rows: set[int],
    marker: str = "#",
) -> list[CodeComment]:
    """Consecutive whole-line comments at one indentation are one segment; trailing comments stand alone."""
    found: list[CodeComment] = []
    run: list[tuple[int, int, int, str]] = []  # (row, start offset, end offset, prose)
    comment_at = {row: col for row, col, _ in comments}

    def flush() -> None:
        if run:
            row = run[0][0]
            text = " ".join(p for *_, p in run)
            context = _nearby_code_line(lines, run[-1][0] + 1, code_rows, comment_at)
            found.append(CodeComment(run[0][1], run[-1][2], text, "comment", context, row))
            run.clear()

    for row, col, token in comments:
        prose = _comment_prose(token, marker)
        whole_line = row not in code_rows
        if prose is None:
            flush()
            continue
        offset, text = prose
        start = starts[row] + col + offset
        end = starts[row] + col + len(token.rstrip())
        if not whole_line:
            flush()
            found.append(CodeComment(start, end, text, "comment", _code_of(lines, row, comment_at), row))
            continue
        if run and (run[-1][0] != row - 1 or _column(lines, run[-1][0]) != col):
            flush()
        run.append((row, start, end, text))
    flush()
    return found


def _column(lines: list[str], row: int) -> int:
    return len(lines[row]) - len(lines[row].lstrip(" \t"))


def _code_of(lines: list[str], row: int, comment_at: dict[int, int]) -> str:
    """The code of a line without its trailing comment, stripped."""
    line = lines[row].rstrip("\r\n")
    return line[: comment_at.get(row, len(line))].strip()


def _nearby_code_line(lines: list[str], row: int, code_rows: set[int], comment_at: dict[int, int]) -> str:
    """The first code line from `row` down, else the last one above it."""
    for k in [*range(row, len(lines)), *range(row - 1, -1, -1)]:
        if k in code_rows and _code_of(lines, k, comment_at):
            return _code_of(lines, k, comment_at)
    return ""


def _docstrings(
    tree: ast.Module,
    source_lines: list[str],
    shift: int,
    lines: list[str],
    starts: list[int],
    comment_at: dict[int, int],
) -> list[CodeComment]:
    found: list[CodeComment] = []
    for node in _definitions(tree):
        if (
            not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            or not node.body
        ):
            continue
        first = node.body[0]
        if not (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
            and first.end_lineno is not None
            and first.end_col_offset is not None
        ):
            continue
        row, col = first.lineno - 1, _char_column(source_lines[first.lineno - 1], first.col_offset)
        end_row = first.end_lineno - 1
        end_col = _char_column(source_lines[end_row], first.end_col_offset)
        if row == end_row:
            literal = source_lines[row][col:end_col]
        else:
            literal = (
                source_lines[row][col:]
                + "".join(source_lines[row + 1 : end_row])
                + source_lines[end_row][:end_col]
            )
        owner = "" if isinstance(node, ast.Module) else _code_of(lines, node.lineno - 1 - shift, comment_at)
        found.extend(_docstring_paragraphs(literal, row - shift, col, starts, owner))
    return found


def _char_column(line: str, byte_offset: int) -> int:
    """`ast` counts columns in UTF-8 bytes; strings are indexed by characters."""
    return (
        byte_offset if line.isascii() else len(line.encode("utf-8")[:byte_offset].decode("utf-8", "replace"))
    )


def _definitions(tree: ast.Module) -> list[ast.AST]:
    """The module and every class and function in it (statements only: quicker than `ast.walk`)."""
    found: list[ast.AST] = [tree]
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        for name in ("body", "orelse", "finalbody", "handlers"):
            for child in getattr(node, name, ()):
                if isinstance(child, ast.stmt | ast.excepthandler):
                    stack.append(child)
                    if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                        found.append(child)
    return found


def _docstring_paragraphs(
    literal: str, row: int, col: int, starts: list[int], owner: str
) -> list[CodeComment]:
    """A docstring's paragraphs (or lines, where indentation carries structure) as prose pieces."""
    match = _STRING_PREFIX_RE.match(literal)
    if match is None or "\\" in literal or "\r" in literal:
        return []
    quote = match.group(2)
    inner = literal[match.end() : len(literal) - len(quote)]
    if quote in inner or not literal.endswith(quote):
        return []  # implicit concatenation ("a" "b"): leave it
    inner_start = starts[row] + col + match.end()
    pieces: list[CodeComment] = []
    offset = 0
    for paragraph in re.split(r"(\n[ \t]*\n)", inner):
        chunk_start = offset
        offset += len(paragraph)
        if not paragraph.strip() or paragraph.startswith("\n"):
            continue
        para_lines = paragraph.split("\n")
        body = [ln for ln in para_lines if ln.strip()]
        # the first line of the docstring follows the quotes: its indentation says nothing
        indents = {len(ln) - len(ln.lstrip()) for ln in (body[1:] if chunk_start == 0 else body)}
        if len(indents) > 1 or any(_DOCTEST_RE.match(ln) for ln in body):
            groups = [[ln] for ln in para_lines]  # structured (Args: / x: ...): line by line
        else:
            groups = [para_lines]
        position = chunk_start
        for group in groups:
            text_block = "\n".join(group)
            group_start = position
            position += len(text_block) + 1
            stripped = text_block.strip()
            if not any(ch.isalpha() for ch in stripped) or _DOCTEST_RE.match(stripped):
                continue
            lead = len(text_block) - len(text_block.lstrip())
            start = inner_start + group_start + lead
            text = " ".join(ln.strip() for ln in group if ln.strip())
            line = row + inner[: group_start + lead].count("\n")
            pieces.append(
                CodeComment(start, start + len(stripped), text, "docstring", owner or "module", line, quote)
            )
    return pieces


# -- other languages: line comments -------------------------------------------------------------------


def line_comments(code: str, marker: str) -> list[CodeComment]:
    """Line comments starting with `marker` outside single-line quotes; consecutive comment lines merge."""
    lines = code.splitlines(keepends=True)
    starts = _line_starts(lines)
    comments: list[tuple[int, int, str]] = []
    code_rows: set[int] = set()
    for row, line in enumerate(lines):
        content = line.rstrip("\r\n")
        col = _marker_column(content, marker)
        if col is None:
            if content.strip():
                code_rows.add(row)
            continue
        if content[:col].strip():
            code_rows.add(row)
        comments.append((row, col, content[col:]))
    return _comment_runs(comments, lines, starts, code_rows, marker)


def _marker_column(line: str, marker: str) -> int | None:
    quote = ""
    k = 0
    while k < len(line):
        ch = line[k]
        if quote:
            if ch == "\\":
                k += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'`":
            quote = ch
        elif line.startswith(marker, k) and (marker != "#" or k == 0 or line[k - 1] in " \t"):
            return k
        k += 1
    return None
