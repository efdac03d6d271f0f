"""Changed code blocks: take the new code, but keep the translator's comments on lines that did not change."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

_COMMENT_LINE_RE = re.compile(r"^\s*#(?!@)")
_TRAILING_COMMENT_RE = re.compile(r"\s+#(?!@).*$")
_DOCSTRING_RE = re.compile(r'^\s*("""|\'\'\')')


def _tokens(code: str) -> list[str]:
    """Lines, with each run of comment-only lines as one token (translators merge and split them)."""
    tokens: list[str] = []
    for line in code.split("\n"):
        if _COMMENT_LINE_RE.match(line) and tokens and _COMMENT_LINE_RE.match(tokens[-1].split("\n")[-1]):
            tokens[-1] += "\n" + line
        else:
            tokens.append(line)
    return tokens


def _code_key(token: str) -> str:
    """What a translation leaves alone: the code, without comments and docstring text."""
    if _COMMENT_LINE_RE.match(token):
        return "#"
    if _DOCSTRING_RE.match(token):
        return token.split(token.lstrip()[:3])[0] + '"""'
    return _TRAILING_COMMENT_RE.sub("", token).rstrip()


def carry_comments(old_code: str, old_translated: str, new_code: str) -> str:
    """`new_code` with lines unchanged since `old_code` taken from `old_translated` (translated comments)."""
    old_tokens, human_tokens, new_tokens = _tokens(old_code), _tokens(old_translated), _tokens(new_code)
    human_of: dict[int, str] = {}
    matcher = SequenceMatcher(
        None, [_code_key(t) for t in old_tokens], [_code_key(t) for t in human_tokens], autojunk=False
    )
    for tag, o1, o2, h1, _h2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(o2 - o1):
                human_of[o1 + k] = human_tokens[h1 + k]
    out: list[str] = []
    for tag, o1, o2, n1, n2 in SequenceMatcher(None, old_tokens, new_tokens, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(human_of.get(o1 + k, old_tokens[o1 + k]) for k in range(o2 - o1))
        else:
            out.extend(new_tokens[n1:n2])
    return "\n".join(out)
