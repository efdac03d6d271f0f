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


def _job_request(s3, **extra) -> dict:
    s3.put_object(Bucket=BUCKET, Key="in/doc.html", Body=b'<p id="a">x</p>')
    return dict(
        InputDataConfig={"S3Uri": f"s3://{BUCKET}/in/", "ContentType": "text/html"},
        OutputDataConfig={"S3Uri": f"s3://{BUCKET}/out/"},
        DataAccessRoleArn=ROLE,
        SourceLanguageCode="en",
        TargetLanguageCodes=["es"],
        **extra,
    )


def _status(client, job_id: str) -> str:
    return client.describe_text_translation_job(JobId=job_id)["TextTranslationJobProperties"]["JobStatus"]


def test_failed_job_reports_failed_with_its_message(aws):
    session, s3, fake = aws
    client = session.client("translate")
    fake.fail_jobs = True
    job_id = client.start_text_translation_job(**_job_request(s3, ClientToken="c"))["JobId"]
    for _ in range(4):
        props = client.describe_text_translation_job(JobId=job_id)["TextTranslationJobProperties"]
    assert props["JobStatus"] == "FAILED" and "injected" in props["Message"]


def test_jobs_beyond_ten_running_queue_as_submitted_and_run_when_a_slot_frees(aws):
    session, s3, fake = aws
    client = session.client("translate")
    request = _job_request(s3)
    job_ids = [client.start_text_translation_job(**request, ClientToken=f"t{i}")["JobId"] for i in range(12)]
    for job_id in job_ids:  # every job is polled twice: SUBMITTED -> IN_PROGRESS where a slot is free
        _status(client, job_id)
        _status(client, job_id)
    statuses = [_status(client, job_id) for job_id in job_ids]
    assert statuses[:10].count("COMPLETED") + statuses[:10].count("IN_PROGRESS") == 10
    assert statuses[10:] == ["SUBMITTED", "SUBMITTED"]  # queued, not refused
    for _ in range(3):  # the first ten finish, the queued two start
        for job_id in job_ids:
            _status(client, job_id)
    assert [_status(client, job_id) for job_id in job_ids] == ["COMPLETED"] * 12


def test_more_than_a_thousand_queued_jobs_is_limit_exceeded(aws):
    session, s3, fake = aws
    client = session.client("translate")
    request = _job_request(s3)
    for i in range(1000):
        client.start_text_translation_job(**request, ClientToken=f"q{i}")
    assert all(job.status == "SUBMITTED" for job in fake.jobs.values())
    with pytest.raises(ClientError) as err:
        client.start_text_translation_job(**request, ClientToken="one-too-many")
    assert _code(err) == "LimitExceededException"


def test_a_repeated_client_token_returns_the_first_job_even_when_it_failed(aws):
    session, s3, fake = aws
    client = session.client("translate")
    fake.fail_jobs = True
    first = client.start_text_translation_job(**_job_request(s3, ClientToken="same"))["JobId"]
    for _ in range(4):
        _status(client, first)
    fake.fail_jobs = False
    again = client.start_text_translation_job(**_job_request(s3, ClientToken="same"))
    assert again["JobId"] == first and again["JobStatus"] == "FAILED"
    fresh = client.start_text_translation_job(**_job_request(s3, ClientToken="other"))["JobId"]
    assert fresh != first


def test_active_custom_translation_takes_one_parallel_data_resource_and_only_in_batch(aws):
    session, s3, fake = aws
    client = session.client("translate")
    with pytest.raises(ClientError) as err:
        client.start_text_translation_job(**_job_request(s3, ClientToken="c", ParallelDataNames=["a", "b"]))
    assert _code(err) == "InvalidParameterValueException" and "only one" in str(err.value)
    with pytest.raises(ParamValidationError):  # TranslateText has no parallel data in the API model
        client.translate_text(
            Text="x", SourceLanguageCode="en", TargetLanguageCode="es", ParallelDataNames=["a"]
        )


def _pd(s3, name: str) -> dict:
    s3.put_object(Bucket=BUCKET, Key=f"{name}.csv", Body=b"en,es\nHello,Hola\n")
    return {"S3Uri": f"s3://{BUCKET}/{name}.csv", "Format": "CSV"}


def test_one_parallel_data_import_at_a_time_per_account(aws):
    session, s3, fake = aws
    client = session.client("translate")
    client.create_parallel_data(Name="first", ParallelDataConfig=_pd(s3, "first"), ClientToken="a")
    with pytest.raises(ClientError) as err:  # another resource, while the first imports
        client.create_parallel_data(Name="second", ParallelDataConfig=_pd(s3, "second"), ClientToken="b")
    assert _code(err) == "LimitExceededException"
    for _ in range(2):
        client.get_parallel_data(Name="first")
    client.create_parallel_data(Name="second", ParallelDataConfig=_pd(s3, "second"), ClientToken="b")
    with pytest.raises(ClientError) as err:  # updating the first while the second imports
        client.update_parallel_data(Name="first", ParallelDataConfig=_pd(s3, "first"), ClientToken="c")
    assert _code(err) == "LimitExceededException"


def test_racing_create_is_a_conflict_and_racing_update_a_concurrent_modification(aws):
    session, s3, fake = aws
    client = session.client("translate")
    config = _pd(s3, "pd")
    client.create_parallel_data(Name="pd", ParallelDataConfig=config, ClientToken="a")
    with pytest.raises(ClientError) as err:
        client.create_parallel_data(Name="pd", ParallelDataConfig=config, ClientToken="b")
    assert _code(err) == "ConflictException"
    with pytest.raises(ClientError) as err:
        client.update_parallel_data(Name="pd", ParallelDataConfig=config, ClientToken="c")
    assert _code(err) == "ConcurrentModificationException"


def test_a_failed_update_keeps_the_previous_data_active_and_a_failed_create_is_failed(aws):
    session, s3, fake = aws
    client = session.client("translate")
    client.create_parallel_data(Name="pd", ParallelDataConfig=_pd(s3, "pd"), ClientToken="a")
    for _ in range(2):
        client.get_parallel_data(Name="pd")
    fake.fail_parallel_data = True
    client.update_parallel_data(Name="pd", ParallelDataConfig=_pd(s3, "pd"), ClientToken="b")
    for _ in range(2):
        props = client.get_parallel_data(Name="pd")["ParallelDataProperties"]
    assert props["Status"] == "ACTIVE" and props["LatestUpdateAttemptStatus"] == "FAILED"
    assert props["ImportedRecordCount"] == 1 and props["Message"]
    client.create_parallel_data(Name="broken", ParallelDataConfig=_pd(s3, "broken"), ClientToken="c")
    for _ in range(2):
        props = client.get_parallel_data(Name="broken")["ParallelDataProperties"]
    assert props["Status"] == "FAILED"
    assert client.delete_parallel_data(Name="broken")["Status"] == "DELETING"
    client.get_parallel_data(Name="broken")  # seen DELETING once, then gone
    with pytest.raises(ClientError) as err:
        client.get_parallel_data(Name="broken")
    assert _code(err) == "ResourceNotFoundException"


def test_some_documents_failing_is_completed_with_error_and_listed_in_details(aws):
    from amts.engines import limits

    session, s3, fake = aws
    client = session.client("translate")
    request = _job_request(s3, ClientToken="c")
    s3.put_object(Bucket=BUCKET, Key="in/huge.html", Body=b"x" * (limits.MAX_BATCH_DOCUMENT_BYTES + 1))
    job_id = client.start_text_translation_job(**request)["JobId"]
    for _ in range(4):
        props = client.describe_text_translation_job(JobId=job_id)["TextTranslationJobProperties"]
    assert props["JobStatus"] == "COMPLETED_WITH_ERROR"
    assert (
        props["JobDetails"]["DocumentsWithErrorsCount"] == 1
        and props["JobDetails"]["TranslatedDocumentsCount"] == 1
    )
    prefix = props["OutputDataConfig"]["S3Uri"].split(BUCKET + "/", 1)[1]
    details = json.loads(
        s3.get_object(Bucket=BUCKET, Key=prefix + "details/es.auxiliary-translation-details.json")[
            "Body"
        ].read()
    )
    failed = [d for d in details["details"] if "auxiliaryData" in d]
    assert [d["sourceFile"] for d in failed] == ["huge.html"]
    assert failed[0]["auxiliaryData"]["error"]["errorMessage"]
    assert details["documentCountWithCustomerError"] == "1"
