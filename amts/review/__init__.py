"""Translator review: the static review page built from a sync report."""

from amts.review.page import render_page
from amts.review.report import load_report

__all__ = ["load_report", "render_page"]
