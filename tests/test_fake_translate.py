"""The fake Amazon Translate: real shapes, limits and errors through boto3 (with moto's S3)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError, ParamValidationError


from tests.helpers import TEST_BUCKET as BUCKET
from tests.helpers import TEST_ROLE as ROLE


def _code(exc_info) -> str:
    return exc_info.value.response["Error"]["Code"]


def test_translate_text_shape_and_size_limit(aws):
    session, _, fake = aws
    client = session.client("translate")
    response = client.translate_text(Text="Hello\nworld", SourceLanguageCode="en", TargetLanguageCode="es")
    assert response["TranslatedText"].count("\n") == 1 and "Hello" not in response["TranslatedText"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200 and response["ResponseMetadata"]["RequestId"]
    with pytest.raises(ClientError) as err:
        client.translate_text(Text="é" * 5001, SourceLanguageCode="en", TargetLanguageCode="es")
    assert _code(err) == "TextSizeLimitExceededException"
    assert err.value.response["ResponseMetadata"]["RequestId"]
    calls = len(fake.calls)
    with pytest.raises(ParamValidationError):  # botocore validates against the real model before the fake
        client.translate_text(Text="x", SourceLanguageCode="en")
    assert len(fake.calls) == calls


def test_throttling_injection_uses_the_modelled_exception(aws):
    session, _, fake = aws
    client = session.client("translate")
    fake.throttle("TranslateText", times=1)
    with pytest.raises(client.exceptions.TooManyRequestsException):
        client.translate_text(Text="Hi", SourceLanguageCode="en", TargetLanguageCode="es")
    assert client.translate_text(Text="Hi", SourceLanguageCode="en", TargetLanguageCode="es")[
        "TranslatedText"
    ]


def test_parallel_data_skips_oversize_records_and_refuses_concurrent_update(aws):
    session, s3, fake = aws
    client = session.client("translate")
    s3.put_object(Bucket=BUCKET, Key="pd.csv", Body=("en,es\nHello,Hola\n" + "a" * 1001 + ",b\n").encode())
    config = {"S3Uri": f"s3://{BUCKET}/pd.csv", "Format": "CSV"}
    assert (
        client.create_parallel_data(Name="pd", ParallelDataConfig=config, ClientToken="t1")["Status"]
        == "CREATING"
    )
    with pytest.raises(ClientError) as err:
        client.update_parallel_data(Name="pd", ParallelDataConfig=config, ClientToken="t2")
    assert _code(err) == "ConcurrentModificationException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    states = [client.get_parallel_data(Name="pd")["ParallelDataProperties"] for _ in range(2)]
    assert [s["Status"] for s in states] == ["CREATING", "ACTIVE"]
    assert states[-1]["ImportedRecordCount"] == 1 and states[-1]["SkippedRecordCount"] == 1
    client.update_parallel_data(Name="pd", ParallelDataConfig=config, ClientToken="t3")
    assert (
        client.get_parallel_data(Name="pd")["ParallelDataProperties"]["LatestUpdateAttemptStatus"]
        == "UPDATING"
    )
    with pytest.raises(ClientError) as err:
        client.get_parallel_data(Name="missing")
    assert _code(err) == "ResourceNotFoundException"


def test_batch_job_states_outputs_and_details(aws):
    session, s3, fake = aws
    client = session.client("translate")
    document = '<html><body><p id="a">Good <span translate="no">⟦1⟧</span> day</p></body></html>'
    s3.put_object(Bucket=BUCKET, Key="in/doc.html", Body=document.encode())
    job_id = client.start_text_translation_job(
        InputDataConfig={"S3Uri": f"s3://{BUCKET}/in/", "ContentType": "text/html"},
        OutputDataConfig={"S3Uri": f"s3://{BUCKET}/out/"},
        DataAccessRoleArn=ROLE,
        SourceLanguageCode="en",
        TargetLanguageCodes=["es"],
        ClientToken="c",
    )["JobId"]
    states = [
        client.describe_text_translation_job(JobId=job_id)["TextTranslationJobProperties"] for _ in range(4)
    ]
    assert [s["JobStatus"] for s in states] == ["SUBMITTED", "IN_PROGRESS", "IN_PROGRESS", "COMPLETED"]
    output_prefix = states[-1]["OutputDataConfig"]["S3Uri"].split(BUCKET + "/", 1)[1]
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=output_prefix)["Contents"]}
    assert output_prefix + "es.doc.html" in keys
    translated = s3.get_object(Bucket=BUCKET, Key=output_prefix + "es.doc.html")["Body"].read().decode()
    assert '<span translate="no">⟦1⟧</span>' in translated and "Good" not in translated
    details = json.loads(
        s3.get_object(Bucket=BUCKET, Key=output_prefix + "details/es.auxiliary-translation-details.json")[
            "Body"
        ].read()
    )
    assert int(details["charactersTranslated"]) == len("Good ⟦1⟧ day") - len("⟦1⟧")


def test_failed_job_and_concurrent_job_limit(aws):
    session, s3, fake = aws
    client = session.client("translate")
    fake.fail_jobs = True
    s3.put_object(Bucket=BUCKET, Key="in/doc.html", Body=b'<p id="a">x</p>')
    start = dict(
        InputDataConfig={"S3Uri": f"s3://{BUCKET}/in/", "ContentType": "text/html"},
        OutputDataConfig={"S3Uri": f"s3://{BUCKET}/out/"},
        DataAccessRoleArn=ROLE,
        SourceLanguageCode="en",
        TargetLanguageCodes=["es"],
        ClientToken="c",
    )
    job_ids = [client.start_text_translation_job(**start)["JobId"] for _ in range(10)]
    with pytest.raises(ClientError) as err:
        client.start_text_translation_job(**start)
    assert _code(err) == "LimitExceededException"
    for _ in range(4):
        props = client.describe_text_translation_job(JobId=job_ids[0])["TextTranslationJobProperties"]
    assert props["JobStatus"] == "FAILED" and "injected" in props["Message"]
