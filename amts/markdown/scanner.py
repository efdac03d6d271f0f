"""Line scanner: finds the protected lines (fences, display math, directives, JSX) before markdown parsing.

d2lbook decides code and math by lines, not by CommonMark's rules, so we do the same: a fence or ``$$``
opens a protected region wherever it stands, even in the middle of a paragraph. Everything the scanner
does not claim is left to markdown-it-py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from amts.markdown.inline import INLINE_ROLES

_FENCE_OPEN = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$")
_DIRECTIVE = re.compile(r"^[ \t]*:([A-Za-z_][\w-]*):")
_CAPTION = re.compile(r"^:[^\s:]")
_IMAGE_LINE = re.compile(r"^([ \t]*!\[)(.*)(\]\([^()\s]*(?:\s+\"[^\"]*\")?\)(?:\{[^}]*\})?[ \t]*)$")
_MDX_LOGIC = re.compile(r"^[ \t]*\{(?:#if|:else|/if|#each|/each|:else if)\b.*\}[ \t]*$")
_TAG_START = re.compile(r"^[ \t]*</?[A-Z][\w.:-]*")  # JSX components; HTML blocks are markdown-it's
_COMMENT_LINE = re.compile(r"^[ \t]*<!--.*-->[ \t]*$")


@dataclass(slots=True)
class Region:
    """Protected lines ``start..end`` (0-based, end exclusive) of one kind."""

    kind: str  # code | math | directive | jsx | caption | image | front_matter
    start: int
    end: int
    info: str = ""


@dataclass(slots=True)
class ScanResult:
    regions: list[Region] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def scan(lines: list[str]) -> ScanResult:
    """Find protected regions in ``lines`` (line contents without line endings)."""
    result = ScanResult()
    n = len(lines)
    i = _front_matter_end(lines, result)
    previous_blank = True
    while i < n:
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            previous_blank = True
            i += 1
            continue
        first = stripped[0]
        region: Region | None = None
        if first in "`~":
            region = _fence(lines, i, result)
        elif first == "$" and stripped.startswith("$$"):
            region = _display_math(lines, i, result)
        elif first == ":":
            region = _colon_line(line, i, previous_blank, lines)
        elif first == "!":
            match = _IMAGE_LINE.match(line)
            if match:
                region = Region("image", i, i + 1)
        elif first == "<":
            region = _tag_lines(lines, i)
        elif first == "{" and _MDX_LOGIC.match(line):
            region = Region("jsx", i, i + 1)
        if region is None:
            previous_blank = False
            i += 1
            continue
        result.regions.append(region)
        previous_blank = False
        i = region.end
    return result


def _front_matter_end(lines: list[str], result: ScanResult) -> int:
    if not lines or lines[0].rstrip() != "---":
        return 0
    for j in range(1, len(lines)):
        if lines[j].rstrip() in ("---", "..."):
            result.regions.append(Region("front_matter", 0, j + 1))
            return j + 1
    return 0  # a lone --- is a thematic break, not front matter


def _fence(lines: list[str], i: int, result: ScanResult) -> Region | None:
    match = _FENCE_OPEN.match(lines[i])
    if not match:
        return None
    marker, info = match.group(1), match.group(2)
    if marker[0] == "`" and "`" in info:  # ``inline`` code at line start, not a fence
        return None
    char, width = marker[0], len(marker)
    for j in range(i + 1, len(lines)):
        candidate = lines[j].strip()
        if (
            candidate
            and candidate[0] == char
            and len(candidate) >= width
            and candidate == char * len(candidate)
        ):
            return Region("code", i, j + 1, info.strip())
    result.warnings.append(f"unbalanced fence opened at line {i + 1}: rest of file protected")
    return Region("code", i, len(lines), info.strip())


def _display_math(lines: list[str], i: int, result: ScanResult) -> Region:
    stripped = lines[i].strip()
    if len(stripped) >= 4 and stripped.endswith("$$"):
        return Region("math", i, i + 1)
    for j in range(i + 1, len(lines)):
        if lines[j].rstrip().endswith("$$"):
            return Region("math", i, j + 1)
    result.warnings.append(f"unbalanced $$ opened at line {i + 1}: rest of file protected")
    return Region("math", i, len(lines))


def _colon_line(line: str, i: int, previous_blank: bool, lines: list[str]) -> Region | None:
    match = _DIRECTIVE.match(line)
    if match:
        if match.group(1) in INLINE_ROLES:
            return None  # a role opening a prose line, e.g. ":cite:`x` showed ..."
        return Region("directive", i, i + 1)
    # d2lbook table caption: a one-line paragraph ":Caption text" standing alone.
    next_blank = i + 1 >= len(lines) or not lines[i + 1].strip() or lines[i + 1].lstrip().startswith("|")
    if previous_blank and next_blank and _CAPTION.match(line):
        return Region("caption", i, i + 1)
    return None


def _tag_lines(lines: list[str], i: int) -> Region | None:
    """A line that is only a JSX component tag (possibly spanning lines), or an HTML comment line.

    MDX puts prose right after ``<Tip>`` on the next line, so a component tag is its own block; lowercase
    HTML keeps CommonMark's rule (an HTML block runs to the next blank line) through markdown-it.
    """
    line = lines[i]
    if _COMMENT_LINE.match(line):
        return Region("html", i, i + 1)
    match = _TAG_START.match(line)
    if not match:
        return None
    end = _tag_end(lines, i, match.end())
    if end is None:
        return None
    end_line, end_col = end
    if lines[end_line][end_col:].strip():
        return None  # text follows the tag on its line: let markdown-it decide (html block or inline html)
    return Region("jsx", i, end_line + 1)


def _tag_end(lines: list[str], i: int, col: int) -> tuple[int, int] | None:
    """(line, column after ``>``) where the tag opened before ``lines[i][col]`` closes.

    Tracks JSX braces and quoted attribute values, so ``choices={[{text: "a > b"}]}`` does not end it.
    A blank line or a new tag at the start of a line means it was not a tag after all.
    """
    depth = 0
    quote = ""
    for j in range(i, min(len(lines), i + 500)):
        text = lines[j]
        if j > i and not text.strip() and depth <= 0 and not quote:
            return None
        k = col if j == i else 0
        while k < len(text):
            ch = text[k]
            if quote:
                if ch == "\\":
                    k += 1
                elif ch == quote:
                    quote = ""
            elif ch == '"' or (ch in "'`" and depth > 0):
                quote = ch
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == ">" and depth <= 0:
                return j, k + 1
            k += 1
    return None
