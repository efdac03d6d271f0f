#!/usr/bin/env python3
"""CDK entry point (`cdk synth`, `cdk deploy`): the AMTS stack with cdk-nag AwsSolutions checks.

Context (cdk.json or `-c`): amts:sourceLanguage, amts:targetLanguages (a list, `'["zh","es"]'` or `zh,es`),
amts:engine, amts:parallelDataPrefix, amts:granularity, amts:pollSeconds, amts:pollMaxSeconds,
amts:inlineChapterLimit, amts:evaluationChars; amts:lambdaCodeDir and amts:lambdaDepsDir point at prebuilt
folders (tests use them to skip staging; "none" for no dependency layer). The app lives in infra/app.py.
"""

from __future__ import annotations

import sys

from infra.app import build_app

__all__ = ["build_app"]

if __name__ == "__main__":
    try:
        built, _ = build_app()
    except ValueError as exc:  # bad context: one clear line, not a traceback
        sys.exit(f"error: {exc}")
    built.synth()
