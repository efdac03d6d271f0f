"""Lambda code staging without Docker: what is bundled, and that it covers what the handlers import."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from infra import staging

REPO = Path(__file__).resolve().parent.parent

# Run in a fresh interpreter: import every handler and the modules they load lazily, list third-party tops.
_PROBE = """
import importlib, json, sys, sysconfig
site = sysconfig.get_paths()["purelib"]
before = set(sys.modules)
for name in ["plan", "build_parallel_data", "parallel_data", "prepare_batch", "assemble", "evaluate", "report"]:
    importlib.import_module("lambdas." + name)
for name in ["amts.sync.document", "amts.align", "amts.align.lexicon", "amts.engines.amazon", "amts.pipeline.evaluate",
             "amts.xliff", "amts.review.page", "sacrebleu"]:
    importlib.import_module(name)
tops = {n.split(".")[0] for n, m in list(sys.modules.items())
        if n not in before and (getattr(m, "__file__", None) or "").startswith(site)}
print(json.dumps(sorted(tops)))
"""


def _import_names(distribution: str, seen: set[str]) -> set[str]:
    """Top-level import names of a distribution and everything it requires (installed metadata)."""
    key = re.sub(r"[-_.]+", "-", distribution).lower()
    if key in seen:
        return set()
    seen.add(key)
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return set()
    names = {n for n, dists in metadata.packages_distributions().items() if dist.metadata["Name"] in dists}
    for requirement in dist.requires or []:
        if "extra ==" in requirement:
            continue
        names |= _import_names(re.split(r"[ ;<>=!~\[(]", requirement, maxsplit=1)[0], seen)
    return names


def test_pins_come_from_requirements_txt():
    pins = staging.pinned_requirements()
    text = (REPO / "requirements.txt").read_text()
    assert [p.split("==")[0] for p in pins] == list(staging.LAMBDA_PACKAGES)
    assert all(p in text for p in pins)


def test_the_layer_covers_every_third_party_module_the_handlers_load():
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env={"POWERTOOLS_TRACE_DISABLED": "true", "AWS_DEFAULT_REGION": "us-east-1", "PATH": ""},
    )
    loaded = set(json.loads(probe.stdout.strip().splitlines()[-1]))
    seen: set[str] = set()
    bundled = set().union(*(_import_names(name, seen) for name in staging.LAMBDA_PACKAGES))
    runtime = {"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six", "certifi"}
    allowed = bundled | runtime | {"_distutils_hack", "__editable___amts_0_1_0_finder"}
    assert loaded - allowed == set()
    assert {"markdown_it", "aws_lambda_powertools", "sacrebleu"} <= loaded


def test_code_staging_is_cached_by_content(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    for name in ("amts", "lambdas"):
        (repo / name / "__pycache__").mkdir(parents=True)
        (repo / name / "__init__.py").write_text(f"# {name}\n")
        (repo / name / "__pycache__" / "x.pyc").write_bytes(b"\0")
    monkeypatch.setattr(staging, "REPO", repo)
    monkeypatch.setattr(staging, "BUILD", repo / ".build")
    first = staging.stage_code()
    assert (first / "amts" / "__init__.py").read_text() == "# amts\n"
    assert not list(first.rglob("__pycache__"))
    assert staging.stage_code() == first  # unchanged sources: same folder, no copy
    (repo / "lambdas" / "__init__.py").write_text("# changed\n")
    second = staging.stage_code()
    assert second != first and not first.exists()
    assert (second / "lambdas" / "__init__.py").read_text() == "# changed\n"


def test_code_and_layer_fit_lambda_size_limit():
    """Function code plus layers must stay under Lambda's 250 MB unzipped quota."""

    def size(folder: Path) -> int:
        return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())

    code, layer = staging.stage_code(), staging.stage_dependencies()
    assert (layer / "python" / "markdown_it").is_dir()
    assert size(code) + size(layer) < 250 * 1024 * 1024
