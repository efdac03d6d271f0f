"""Shared fixtures: the real corpora beside the repo (skipped cleanly where absent) and the sample book."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
SAMPLE = REPO / "sample"


def _corpus(name: str) -> Path:
    path = SHARED_DATA / name
    if not path.is_dir():
        pytest.skip(f"shared corpus {path} is absent")
    return path


@pytest.fixture(scope="session")
def d2l_data() -> Path:
    """../shared/data/d2l: the real D2L English/Chinese corpus."""
    return _corpus("d2l")


@pytest.fixture(scope="session")
def hf_data() -> Path:
    """../shared/data/hf-course-es: the real Hugging Face course English/Spanish corpus (MDX)."""
    return _corpus("hf-course-es")


@pytest.fixture(scope="session")
def sample_book() -> Path:
    """The bundled sample book written for the demo and the unit tests."""
    return SAMPLE


@pytest.fixture()
def aws(monkeypatch):
    """moto's AWS with a bucket and the fake Amazon Translate on one session: (session, s3 client, fake)."""
    import boto3
    from moto import mock_aws

    from amts.fakes.translate import FakeTranslate
    from tests.helpers import TEST_BUCKET

    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        s3 = session.client("s3")
        s3.create_bucket(Bucket=TEST_BUCKET)
        fake = FakeTranslate(engine="pseudo", s3_client=s3).install(session)
        yield session, s3, fake
        fake.uninstall()


@pytest.fixture(scope="session")
def local_template():
    """The CDK app synthesized in-process once per test process (cdk.json's context), for LocalCloud."""
    pytest.importorskip("aws_cdk")
    from amts.localrun import Template

    return Template.synthesize()
