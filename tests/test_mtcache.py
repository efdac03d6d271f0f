"""Pay once: the per-segment MT cache in the bucket, the held-out sample only when parallel data changed,
and the report priced at the standard and Active Custom Translation rates (issue #13 points 3-4)."""

from __future__ import annotations

import json

import pytest

from amts.localrun import BUCKET, LocalCloud, seed_book
from amts.pipeline import layout, pricing
from amts.pipeline.mtcache import MTCache, usable
from amts.pipeline.store import Store

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

LANGS = ("zh", "es")
CHAPTER = "chapter_optimization/momentum.md"  # no human translation: every segment goes to MT
NEW_PARAGRAPH = "A heavy ball rolling downhill keeps its speed."


@pytest.fixture
def cloud(sample_book, local_template):
    with LocalCloud(local_template, languages=LANGS) as local:
        seed_book(local, sample_book)
        yield local


def run_book(cloud: LocalCloud) -> dict:
    result = cloud.run({"bucket": BUCKET, "prefix": "source/en/"})
    assert result["status"] == "SUCCEEDED", result
    return json.loads(cloud.get(result["output"]["report_key"]))


def add_paragraph(cloud: LocalCloud) -> None:
    key = f"source/en/{CHAPTER}"
    text = cloud.get(key).decode()
    cloud.put(key, text.replace("\n## Velocity\n", f"\n{NEW_PARAGRAPH}\n\n## Velocity\n", 1).encode())


def cache_objects(cloud: LocalCloud) -> dict[str, bytes | None]:
    return {key: cloud.get(key) for key in cloud.keys("work/mtcache/")}


def sent_texts(cloud: LocalCloud, lang: str) -> list[str]:
    """The masked texts of the last job of a language, read back from its HTML input."""
    from amts.engines.amazon import from_html_document

    job = [
        req
        for op, req in cloud.translate.calls
        if op == "StartTextTranslationJob" and req["TargetLanguageCodes"] == [lang]
    ][-1]
    prefix = job["InputDataConfig"]["S3Uri"].split("/", 3)[3]
    return [t for key in cloud.keys(prefix) for t in from_html_document(cloud.get(key).decode()).values()]


def test_a_later_edition_sends_only_its_new_text_and_no_held_out_sample(cloud):
    first = run_book(cloud)
    assert all(lang["segments_from_cache"] == 0 for lang in first["languages"])
    assert cloud.keys("work/mtcache/zh/") and cloud.keys("work/mtcache/es/")
    jobs_before = len(cloud.translate.jobs)

    add_paragraph(cloud)
    second = run_book(cloud)
    assert second["failed_languages"] == []
    # one job per language, carrying the new paragraph only: the rest of the chapter and the held-out
    # sample (same parallel data) come from the cache
    assert len(cloud.translate.jobs) == jobs_before + len(LANGS)
    for lang in second["languages"]:
        assert lang["chars_to_mt"] == len(NEW_PARAGRAPH) <= 1.1 * len(NEW_PARAGRAPH)
        assert lang["segments_from_cache"] > 0
        assert lang["chars_full_retranslation"] > 10 * lang["chars_to_mt"]
        # the held-out score is still reported, from the translations cached with this parallel data
        assert lang["evaluation"]["segments"] > 0
    assert all(sent_texts(cloud, lang) == [NEW_PARAGRAPH] for lang in LANGS)
    output = cloud.get(f"output/zh/{CHAPTER}").decode()
    assert "## Velocity" not in output.split(":label:")[0]  # sanity: the chapter was rebuilt, not truncated
    assert len(output.splitlines()) > 10


def test_the_cache_survives_a_failed_job_without_caching_its_failures(cloud):
    run_book(cloud)
    before = cache_objects(cloud)
    add_paragraph(cloud)
    cloud.translate.fail_jobs = True
    failed = run_book(cloud)
    assert sorted(failed["failed_languages"]) == sorted(LANGS)
    assert cache_objects(cloud) == before  # nothing added, nothing lost
    cloud.translate.fail_jobs = False
    healed = run_book(cloud)
    assert healed["failed_languages"] == []
    assert all(lang["chars_to_mt"] == len(NEW_PARAGRAPH) for lang in healed["languages"])
    assert len(cache_objects(cloud)) == len(before) + len(LANGS)


def test_new_parallel_data_is_a_new_cache_space_and_brings_the_held_out_sample_back(cloud, sample_book):
    run_book(cloud)
    # a translator edits one zh chapter: the zh parallel data changes, es does not
    key = "translations/zh/chapter_regression/linear.md"
    versions = {"zh": cloud.translate.parallel_data["amts-en-zh"].config["S3Uri"]}
    cloud.put(key, cloud.get(key).decode().replace("线性", "线形").encode())
    report = run_book(cloud)
    assert cloud.translate.parallel_data["amts-en-zh"].config["S3Uri"] != versions["zh"]
    by_lang = {lang["lang"]: lang for lang in report["languages"]}
    plan = json.loads(cloud.get(f"work/runs/{report['run_id']}/zh/batch-plan.json"))
    assert plan["evaluation"]["cached"] == {}  # new parallel data: the sample is translated and scored again
    assert "heldout.html" in plan["documents"]
    assert by_lang["zh"]["evaluation"]["segments"] > 0
    assert by_lang["es"]["chars_to_mt"] == 0  # es: nothing changed for it


def test_fill_keeps_only_translations_with_their_placeholders(aws):
    _, s3, _ = aws
    from tests.helpers import TEST_BUCKET

    store = Store(s3, TEST_BUCKET)
    cache = MTCache(store, "en", "zh", "amazon", "s3://b/work/paralleldata/zh/abc.csv")
    added = cache.fill(
        {
            "Use ⟦1⟧ here.": "在这里使用 ⟦1⟧。",
            "Call ⟦1⟧ and ⟦2⟧.": "调用 ⟦1⟧。",  # lost a placeholder: a failure, never stored
            "Plain.": "",  # nothing came back
        },
        run_id="r1",
    )
    assert added == 1
    assert cache.lookup(["Use ⟦1⟧ here.", "Call ⟦1⟧ and ⟦2⟧.", "Plain."]) == {
        "Use ⟦1⟧ here.": "在这里使用 ⟦1⟧。"
    }
    # another parallel-data version, engine or language is another key: no stale ACT output
    other = MTCache(store, "en", "zh", "amazon", "s3://b/work/paralleldata/zh/def.csv")
    assert other.lookup(["Use ⟦1⟧ here."]) == {}
    assert store.list(layout.mt_cache_prefix("zh"))
    assert usable("a ⟦1⟧ ⟦1⟧", "b ⟦1⟧ ⟦1⟧") and not usable("a ⟦1⟧", "b ⟦1⟧ ⟦1⟧")


def test_pricing_splits_standard_and_act_characters():
    priced = pricing.price(standard_chars=1_000_000, act_chars=500_000, full_standard_chars=2_000_000)
    assert priced["estimated_cost_usd"] == pytest.approx(15 + 30)
    assert priced["full_retranslation_cost_usd"] == pytest.approx(30)
    assert priced["pricing_url"].startswith("https://aws.amazon.com/translate/pricing")
    assert pricing.language_split({"chars_to_mt": 10, "custom": True, "chars_full_retranslation": 50}) == (
        0,
        10,
        0,
        50,
    )
