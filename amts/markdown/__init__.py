"""The segment model for d2lbook markdown and MDX: parse, protect, render byte for byte."""

from amts.markdown.document import (
    PROTECTED_BLOCK_KINDS,
    SEGMENT_KINDS,
    Block,
    Document,
    Segment,
    parse,
    render,
)
from amts.markdown.inline import PLACEHOLDER_RE, Span, find_spans, mask, unmask
from amts.markdown.io import MARKDOWN_SUFFIXES, decode, iter_markdown_files, load, read_text

__all__ = [
    "MARKDOWN_SUFFIXES",
    "PLACEHOLDER_RE",
    "PROTECTED_BLOCK_KINDS",
    "SEGMENT_KINDS",
    "Block",
    "Document",
    "Segment",
    "Span",
    "decode",
    "find_spans",
    "iter_markdown_files",
    "load",
    "mask",
    "parse",
    "read_text",
    "render",
    "unmask",
]
