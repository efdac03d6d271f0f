"""The real ASL in moto's Step Functions interpreter, with the real Lambda handlers and the fake Translate."""

from __future__ import annotations

import json

import pytest

from amts.localrun import BUCKET, LocalCloud, seed_book
from amts.markdown import parse

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

LANGS = ("zh", "es")


@pytest.fixture
def cloud(sample_book, local_template):
    with LocalCloud(local_template, languages=LANGS) as local:
        seed_book(local, sample_book)
        yield local


def whole_book(cloud: LocalCloud, **kwargs) -> dict:
    result = cloud.run({"bucket": BUCKET, "prefix": "source/en/"}, **kwargs)
    assert result["status"] == "SUCCEEDED", (result["error"], result["cause"])
    return result


def report_of(cloud: LocalCloud, result: dict) -> dict:
    return json.loads(cloud.get(result["output"]["report_key"]))


def jobs(cloud: LocalCloud) -> list[dict]:
    return [req for op, req in cloud.translate.calls if op == "StartTextTranslationJob"]


def edit_translation(cloud: LocalCloud, lang: str, title: bytes = b"# Nuevo: ") -> None:
    key = f"translations/{lang}/chapter_regression/linear.md"
    cloud.put(key, cloud.get(key).replace(b"# ", title, 1))


def protected_blocks(text: str) -> list[str]:
    return [b.raw for b in parse(text).blocks if b.protected]


def test_upload_produces_every_chapter_in_both_languages(cloud, sample_book):
    result = whole_book(cloud)
    report = report_of(cloud, result)
    chapters = sorted(
        p.relative_to(sample_book / "en-new").as_posix() for p in (sample_book / "en-new").rglob("*.md")
    )
    assert report["failed_languages"] == []
    for lang in LANGS:
        assert sorted(k.split("/", 2)[2] for k in cloud.keys(f"output/{lang}/")) == chapters
        for chapter in chapters:
            source = cloud.get(f"source/en/{chapter}").decode()
            output = cloud.get(f"output/{lang}/{chapter}").decode()
            assert output != source  # translated, or the human translation reused
            if not (sample_book / lang / chapter).exists():
                # a chapter nobody translated yet: code, math and directives come through byte for byte
                assert protected_blocks(output) == protected_blocks(source)
    # chapters new in en-new have no human translation: the whole chapter went to the engine
    summary = {lang["lang"]: lang for lang in report["languages"]}
    assert all(summary[lang]["chars_to_mt"] > 0 for lang in LANGS)
    assert report["chars_to_mt"] == sum(summary[lang]["chars_to_mt"] for lang in LANGS)
    assert report["estimated_cost_usd"] == pytest.approx(report["chars_to_mt"] * 15 / 1e6, abs=1e-4)
    # one batch job per language, each with the parallel data built from the human translation
    assert sorted(j["TargetLanguageCodes"][0] for j in jobs(cloud)) == sorted(LANGS)
    assert all(j["ParallelDataNames"] == [f"amts-en-{j['TargetLanguageCodes'][0]}"] for j in jobs(cloud))
    assert {name: data.status for name, data in cloud.translate.parallel_data.items()} == {
        "amts-en-zh": "ACTIVE",
        "amts-en-es": "ACTIVE",
    }
    # BLEU/chrF on sentences held out of the parallel data and translated in the same job
    for lang in LANGS:
        evaluation = summary[lang]["evaluation"]
        assert evaluation["segments"] > 0 and 0 <= evaluation["bleu"] <= 100 and evaluation["chrf"] > 0
        csv_key = cloud.translate.parallel_data[f"amts-en-{lang}"].config["S3Uri"].split("/", 3)[3]
        csv_text = cloud.get(csv_key).decode()
        held_out = json.loads(cloud.get(csv_key.replace(".csv", ".heldout.json")))["pairs"]
        assert len(held_out) == evaluation["segments"]
        assert not any(source in csv_text for source, _ in held_out)
    # the review report for each language follows the sync report contract
    for lang in LANGS:
        review = json.loads(cloud.get(f"reports/{report['run_id']}/{lang}/review.json"))
        assert {"files", "totals"} <= review.keys() and len(review["files"]) == len(chapters)
        assert review["totals"]["reused"] > 0  # unchanged English keeps the human translation
        # the translators' page and XLIFF sit beside it
        assert b"<html" in cloud.get(f"reports/{report['run_id']}/{lang}/review.html").lower()
        assert b"urn:oasis:names:tc:xliff:document:1.2" in cloud.get(
            f"reports/{report['run_id']}/{lang}/review.xlf"
        )


def test_a_failing_language_leaves_the_other_complete_and_is_named(cloud):
    cloud.lambdas.inject(
        "prepare_batch", lambda event: event["lang"] == "es", RuntimeError("disk full while preparing es")
    )
    result = whole_book(cloud)
    report = report_of(cloud, result)
    assert report["failed_languages"] == ["es"]
    failed = next(lang for lang in report["languages"] if lang["lang"] == "es")
    assert failed["error"] == "RuntimeError" and "disk full while preparing es" in failed["cause"]
    assert cloud.keys("output/es/") == []
    assert len(cloud.keys("output/zh/")) == len(cloud.keys("source/en/"))
    assert "es" in cloud.get(f"reports/{report['run_id']}/report.md").decode()
    # once the cause is gone, the same upload again finishes es and does not pay for zh twice
    cloud.lambdas.clear_faults()
    zh_jobs = sum(j["TargetLanguageCodes"] == ["zh"] for j in jobs(cloud))
    again = report_of(cloud, whole_book(cloud))
    assert again["failed_languages"] == []
    assert len(cloud.keys("output/es/")) == len(cloud.keys("source/en/"))
    assert sum(j["TargetLanguageCodes"] == ["zh"] for j in jobs(cloud)) == zh_jobs


def test_a_failed_translation_job_is_caught_per_language(cloud):
    cloud.translate.fail_jobs = True
    report = report_of(cloud, whole_book(cloud))
    assert sorted(report["failed_languages"]) == sorted(LANGS)
    assert {lang["error"] for lang in report["languages"]} == {"TranslationJobFailed"}
    assert cloud.keys("output/") == []


def test_throttling_is_retried_and_succeeds(cloud):
    cloud.translate.throttle("StartTextTranslationJob", times=2)
    cloud.translate.throttle("DescribeTextTranslationJob", times=1)
    report = report_of(cloud, whole_book(cloud))
    assert report["failed_languages"] == []
    started = [req for op, req in cloud.translate.calls if op == "StartTextTranslationJob"]
    assert len(started) == len(LANGS) + 2  # two throttled attempts, then one job per language
    assert len(cloud.translate.jobs) == len(LANGS)


def test_a_second_identical_upload_starts_no_new_job(cloud):
    whole_book(cloud)
    first_jobs = len(cloud.translate.jobs)
    outputs = {key: cloud.get(key) for key in cloud.keys("output/")}
    # the same bytes uploaded again: S3 sends the event, the plan finds nothing changed
    key = "source/en/chapter_optimization/sgd.md"
    cloud.put(key, cloud.get(key))
    again = cloud.run(cloud.upload_event(key))
    assert again["status"] == "SUCCEEDED"
    report = report_of(cloud, again)
    assert report["chapters_planned"] == 0 and report["chars_to_mt"] == 0
    assert len(cloud.translate.jobs) == first_jobs
    assert {key: cloud.get(key) for key in cloud.keys("output/")} == outputs


def test_an_edited_chapter_is_retranslated_alone(cloud):
    whole_book(cloud)
    first_jobs = len(cloud.translate.jobs)
    key = "source/en/chapter_optimization/sgd.md"
    before_other = cloud.get("output/zh/chapter_regression/linear.md")
    edited = cloud.get(key).decode().replace("\n\n", "\n\nA brand new sentence about learning rates.\n\n", 1)
    cloud.put(key, edited.encode())
    result = cloud.run(cloud.upload_event(key))
    report = report_of(cloud, result)
    assert report["chapters_planned"] == 1 and report["failed_languages"] == []
    assert len(cloud.translate.jobs) == first_jobs + len(LANGS)
    assert cloud.get("output/zh/chapter_regression/linear.md") == before_other


@pytest.mark.parametrize(
    "key, body, expected",
    [
        ("source/en/notes.txt", b"not a chapter", "not a markdown chapter"),
        ("source/en/huge.md", b"# Huge\n\n" + b"word " * (4 * 1024 * 1024), "MB limit"),
    ],
)
def test_bad_uploads_end_with_a_clear_error_and_touch_no_output(cloud, key, body, expected):
    whole_book(cloud)
    outputs = {k: cloud.get(k) for k in cloud.keys("output/")}
    jobs_before = len(cloud.translate.jobs)
    cloud.put(key, body)
    result = cloud.run(cloud.upload_event(key))
    assert result["status"] == "SUCCEEDED"
    report = report_of(cloud, result)
    assert [r["key"] for r in report["rejected"]] == [key]
    assert expected in report["rejected"][0]["error"]
    assert {k: cloud.get(k) for k in cloud.keys("output/")} == outputs
    assert len(cloud.translate.jobs) == jobs_before


def test_a_binary_markdown_upload_is_reported_per_chapter(cloud):
    whole_book(cloud)
    key = "source/en/chapter_regression/broken.md"
    cloud.put(key, b"# Title\n\n\xff\xfe\x00binary\x00")
    report = report_of(cloud, cloud.run(cloud.upload_event(key)))
    for lang in report["languages"]:
        assert lang["status"] == "ok"
        summary = json.loads(cloud.get(f"work/runs/{report['run_id']}/{lang['lang']}/summary.json"))
        assert [e["path"] for e in summary["errors"]] == ["chapter_regression/broken.md"]
    assert not [k for k in cloud.keys("output/") if k.endswith("broken.md")]


def test_a_large_run_fans_chapters_out_with_a_distributed_map(sample_book, local_template):
    with LocalCloud(local_template, languages=("es",), inline_chapter_limit=1) as cloud:
        seed_book(cloud, sample_book)
        result = whole_book(cloud)
        report = report_of(cloud, result)
    assert report["failed_languages"] == []
    chapters = report["chapters_planned"]
    assert chapters > 1
    # the language map run plus one chapter map run reading the manifest from S3
    item_counts = sorted(run["itemCounts"]["total"] for run in result["map_runs"])
    assert chapters in item_counts


def test_engine_none_syncs_without_translate(sample_book, local_template):
    with LocalCloud(local_template, languages=("es",), engine_setting="none") as cloud:
        seed_book(cloud, sample_book)
        report = report_of(cloud, whole_book(cloud))
        review = json.loads(cloud.get(f"reports/{report['run_id']}/es/review.json"))
        outputs = cloud.keys("output/es/")
        assert cloud.translate.jobs == {}
    assert report["chars_to_mt"] == 0 and report["failed_languages"] == []
    assert len(outputs) == len(list((sample_book / "en-new").rglob("*.md")))
    assert review["totals"]["reused"] > 0 and review["totals"]["untranslated"] > 0


def test_a_translation_without_origin_english_is_flagged(sample_book, tmp_path, local_template):
    import shutil

    book = tmp_path / "book"
    shutil.copytree(sample_book / "en-new", book / "en-new")
    shutil.copytree(sample_book / "es", book / "es")
    with LocalCloud(local_template, languages=("es",)) as cloud:
        seed_book(cloud, book)
        report = report_of(cloud, whole_book(cloud))
        summary = json.loads(cloud.get(f"work/runs/{report['run_id']}/es/summary.json"))
        markdown = cloud.get(f"reports/{report['run_id']}/report.md").decode()
    translated = sorted(p.relative_to(book / "es").as_posix() for p in (book / "es").rglob("*.md"))
    assert sorted(w["path"] for w in summary["warnings"]) == translated
    assert "without origin English" in markdown


def test_a_new_human_translation_updates_the_parallel_data(cloud):
    whole_book(cloud)
    before = cloud.translate.parallel_data["amts-en-es"].config["S3Uri"]
    key = "translations/es/chapter_regression/linear.md"
    cloud.put(key, cloud.get(key).replace(b"# ", b"# Nuevo: ", 1))
    report = report_of(cloud, whole_book(cloud))
    assert report["failed_languages"] == []
    after = cloud.translate.parallel_data["amts-en-es"]
    assert after.config["S3Uri"] != before and after.status == "ACTIVE"
    assert any(op == "UpdateParallelData" for op, _ in cloud.translate.calls)
    assert cloud.translate.parallel_data["amts-en-zh"].config["S3Uri"]  # zh untouched but still there


# ------------------------------------------------------------ what would break on a real account (#12)
def test_a_chapter_key_with_plus_signs_is_planned_from_its_raw_key(cloud):
    whole_book(cloud)
    key = "source/en/chapter_regression/c++.md"  # Powertools' decoded key would be "c  .md"
    cloud.put(key, b"# C++\n\nA language with pointers and templates.\n")
    report = report_of(cloud, cloud.run(cloud.upload_event(key)))
    assert report["chapters_planned"] == 1 and report["rejected"] == []
    assert all(cloud.get(f"output/{lang}/chapter_regression/c++.md") for lang in LANGS)


def test_a_run_after_a_failed_job_starts_a_new_job(cloud):
    """The client token changes per run: the same content again is not answered with the FAILED job."""
    cloud.translate.fail_jobs = True
    assert sorted(report_of(cloud, whole_book(cloud))["failed_languages"]) == sorted(LANGS)
    failed = set(cloud.translate.jobs)
    cloud.translate.fail_jobs = False
    report = report_of(cloud, whole_book(cloud))
    assert report["failed_languages"] == []
    assert len(set(cloud.translate.jobs) - failed) == len(LANGS)
    tokens = [req["ClientToken"] for req in jobs(cloud)]
    assert len(set(tokens)) == len(tokens)


def test_a_failed_parallel_data_import_carries_on_without_it_and_says_so(cloud):
    cloud.translate.fail_parallel_data = True
    report = report_of(cloud, whole_book(cloud))
    assert report["failed_languages"] == []
    for lang in report["languages"]:
        assert lang["parallel_data"]["used"] is False
        assert "translated without parallel data" in lang["parallel_data"]["note"]
    assert all("ParallelDataNames" not in job for job in jobs(cloud))
    assert "translated without parallel data" in cloud.get(f"reports/{report['run_id']}/report.md").decode()


def test_a_failed_update_uses_the_previous_parallel_data_and_a_failed_resource_is_recreated(cloud):
    cloud.translate.fail_parallel_data = True
    whole_book(cloud)  # both resources end FAILED
    assert {d.status for d in cloud.translate.parallel_data.values()} == {"FAILED"}
    cloud.translate.fail_parallel_data = False
    for lang in LANGS:  # a new human translation: the chapter is planned again for both languages
        edit_translation(cloud, lang)
    report = report_of(cloud, whole_book(cloud))
    assert [op for op, _ in cloud.translate.calls].count("DeleteParallelData") == len(LANGS)
    assert {d.status for d in cloud.translate.parallel_data.values()} == {"ACTIVE"}
    assert all(lang["parallel_data"]["used"] for lang in report["languages"])
    # now an update fails: the resource stays ACTIVE with its previous data, which the job uses
    edit_translation(cloud, "es", b"# Otra vez: ")
    cloud.translate.fail_parallel_data = True
    report = report_of(cloud, whole_book(cloud))
    es = next(lang for lang in report["languages"] if lang["lang"] == "es")
    assert es["status"] == "ok" and "used its previous data" in es["parallel_data"]["note"]
    assert jobs(cloud)[-1]["ParallelDataNames"] == ["amts-en-es"]
