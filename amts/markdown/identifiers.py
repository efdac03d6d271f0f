"""Code names inside a comment's prose, protected from translation like inline code.

Comments are short and technical: ``# Reshape X_train with torch.reshape(x)`` names code that an engine
must leave alone. Besides the usual inline spans (backticked code, math, URLs), a comment's protected
spans are its identifiers: snake_case and CamelCase names, dotted names (``nn.Linear``), calls
(``f(x)``, ``d2l.plt.show()``) and letter-digit names (``conv2d``). They become placeholders and come
back exactly.
"""

from __future__ import annotations

import re

from amts.markdown.inline import Span, find_spans, mask

_IDENTIFIER_RE = re.compile(
    r"""
    (?<![\w.])(?:
        [A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*\([^()\s]*(?:\([^()\s]*\))?[^()\s]*\)   # calls: f(x), a.b(c(d))
      | [A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+                                        # dotted: torch.nn.Linear
      | [A-Za-z0-9]*_[A-Za-z0-9_]*[A-Za-z0-9]|_\w+                             # snake_case, __init__
      | [a-z]+[A-Z]\w*|[A-Z][a-z0-9]+[A-Z]\w*                                  # camelCase, CamelCase
      | [A-Za-z]+\d+[A-Za-z\d]*                                                 # conv2d, x1
    )(?![\w(])
    """,
    re.VERBOSE | re.ASCII,  # a name is ASCII: "PyTorch中的函数" holds the name PyTorch, not the sentence
)
# Dotted words of prose, not names of code.
_ABBREVIATIONS = frozenset({"e.g", "i.e", "etc", "vs", "cf", "et.al", "a.k.a", "w.r.t", "s.t"})


def identifier_spans(text: str) -> list[Span]:
    """Spans of code names in `text` (see the module doc)."""
    spans = []
    for match in _IDENTIFIER_RE.finditer(text):
        name = match.group(0)
        if name.lower() in _ABBREVIATIONS or (
            "." in name and "(" not in name and all(len(part) <= 1 for part in name.split("."))
        ):
            continue
        if "_" in name and not name.strip("_"):
            continue
        spans.append(Span(match.start(), match.end(), "code"))
    return spans


def comment_spans(text: str) -> list[Span]:
    """The protected spans of a comment: inline spans first, then identifiers outside them."""
    spans = find_spans(text)
    taken = [(s.start, s.end) for s in spans]
    for span in identifier_spans(text):
        if not any(span.start < end and start < span.end for start, end in taken):
            spans.append(span)
    spans.sort(key=lambda s: s.start)
    return spans


def mask_comment(text: str) -> tuple[str, list[str]]:
    """`amts.markdown.mask` with a comment's identifiers protected too; undo with `amts.markdown.unmask`."""
    return mask(text, comment_spans(text))
