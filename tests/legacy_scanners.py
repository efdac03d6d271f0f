"""The span expressions as they were before #16: the oracle the linear scanners are tested against, and the
baseline `benchmarks/growth.py` measures them against."""

from __future__ import annotations

import re

from amts.markdown.inline import Span, _with_link_openers

# The expressions as they were before #16 (amts/markdown/inline.py, amts/sentences.py, amts/align/features.py).
OLD_INLINE = re.compile(
    r"""
    (?=[`$\[\]()*<&:h])
    (?:(?P<role>:[A-Za-z_][\w-]*:(?P<rticks>`+).*?(?P=rticks))
  | (?P<code>(?P<ticks>`+)(?!`).*?(?<!`)(?P=ticks)(?!`))
  | (?P<math>(?<![\\$])\$\$.+?(?<!\\)\$\$|(?<![\\$])\$(?=\S)(?:\\.|[^$\\])+?(?<![\s\\])\$(?!\$))
  | (?P<marker>\[\*\*|\*\*\]|\(\*\*|\*\*\))
  | (?P<url>\[\[[^\[\]\s]+\]\]|\]\([^)\s]*(?:\s+"[^"]*")?\)|\]\[[^\]]*\]|<https?://[^>\s]+>|https?://[^\s)\]>"']+)
  | (?P<html></?[A-Za-z][A-Za-z0-9-]*(?:\s+[^<>]*?)?/?>|&[a-zA-Z]+;|&\#\d+;))
    """,
    re.VERBOSE | re.DOTALL,
)
OLD_SENTENCES = re.compile(
    r"""
      :[A-Za-z][\w-]*:`[^`]*`
    | (`+)(?:(?!\1).)+?\1
    | \$\$.+?\$\$
    | (?<![\\$])\$(?!\s)[^$]+?(?<![\s\\])\$
    | <https?://[^>]+>
    | https?://[^\s)\]>]+
    | \]\([^)\s]+\)
    | </?[A-Za-z][^<>]*>
    """,
    re.VERBOSE,
)
OLD_FEATURES = re.compile(
    r":[A-Za-z_][\w-]*:`[^`]*`|(`+)(?:(?!\1).)+?\1|\$\$.+?\$\$|(?<![\\$])\$(?!\s)[^$]+?(?<![\s\\])\$"
    r"|\]\([^)\s]+\)|https?://[^\s)\]>]+"
)
_KINDS = ("role", "code", "math", "marker", "url", "html")


def old_find_spans(text: str) -> list[Span]:
    spans = [
        Span(m.start(), m.end(), next(k for k in _KINDS if m.group(k) is not None))
        for m in OLD_INLINE.finditer(text)
    ]
    return _with_link_openers(text, spans)
