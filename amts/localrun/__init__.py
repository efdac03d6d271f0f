"""`amts local-run`: the synthesized stack, the real state machine and Lambda handlers, IAM enforced, no account.

`LocalCloud` (cloud.py) builds moto from a CloudFormation template (template.py): the roles and policies
(iam.py), the functions with their environment and role credentials (runtime.py), the state machine with
its role, and the fake Amazon Translate acting as the data-access role. book.py moves a book in and results out.
"""

from amts.localrun.asl import ASL_PATH, render_definition
from amts.localrun.book import LanguageRouter, seed_book, write_results
from amts.localrun.cloud import LocalCloud
from amts.localrun.template import ACCOUNT, BUCKET, REGION, REPO, Template

__all__ = [
    "ACCOUNT",
    "ASL_PATH",
    "BUCKET",
    "REGION",
    "REPO",
    "LanguageRouter",
    "LocalCloud",
    "Template",
    "render_definition",
    "seed_book",
    "write_results",
]
