"""The CDK app: the AMTS stack with cdk-nag AwsSolutions checks (`app.py` runs it; the offline run synthesizes it)."""

from __future__ import annotations

import os
from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra.stack import AmtsStack

REPO = Path(__file__).resolve().parent.parent


def build_app(app: cdk.App | None = None) -> tuple[cdk.App, AmtsStack]:
    from infra import staging

    # Under the cdk CLI, CDK_OUTDIR names the folder; `python app.py` alone writes cdk.out/ too (not a temp
    # dir).
    app = app or cdk.App(outdir=os.environ.get("CDK_OUTDIR") or str(REPO / "cdk.out"))
    code = app.node.try_get_context("amts:lambdaCodeDir")
    deps = app.node.try_get_context("amts:lambdaDepsDir")
    code_dir = Path(code) if code else staging.stage_code()
    deps_dir = None if deps == "none" else Path(deps) if deps else staging.stage_dependencies()
    stack = AmtsStack(
        app,
        app.node.try_get_context("amts:stackName") or "Amts",
        code_dir=code_dir,
        deps_dir=deps_dir,
        description="AMTS: machine translation and synchronisation of a markdown book (S3 + Step Functions)",
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    return app, stack
