"""Characters XML 1.0 cannot hold (C0 controls other than tab/newline/return, and U+FFFE/U+FFFF).

A chapter may contain them (an ESC in a terminal example); the XML and HTML the pipeline writes show each one
as its Unicode control picture (ESC -> U+241B), which any XML parser and CAT tool accepts."""

from __future__ import annotations

import re

ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PICTURE_BASE = 0x2400  # U+2400..U+241F: SYMBOL FOR NULL .. SYMBOL FOR UNIT SEPARATOR


def picture(char: str) -> str:
    """The visible stand-in for one illegal character (U+FFFD for the two non-characters)."""
    return chr(_PICTURE_BASE + ord(char)) if ord(char) < 0x20 else "\ufffd"


def xml_safe(text: str) -> str:
    """`text` with every character XML cannot hold replaced by its control picture."""
    return ILLEGAL_RE.sub(lambda m: picture(m.group(0)), text)


def from_picture(text: str) -> str:
    """The control character `text` stands for when it is one control picture (inverse of `picture`)."""
    if len(text) == 1 and _PICTURE_BASE <= ord(text) < _PICTURE_BASE + 0x20:
        return chr(ord(text) - _PICTURE_BASE)
    return text
