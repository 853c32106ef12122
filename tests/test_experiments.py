"""classify.model.experiments: what each lever of the ablation trains on."""

import pandas as pd

from classify.labels import STANDOFF, WRITTEN
from classify.model.experiments import LEVERS, Variant, variant_data

GOLD = pd.DataFrame({"unit_id": ["c1", "c2", "p1", "w1", "w2"], "text": ["甲", "乙", "丙", "丁", "戊"],
                     "labels": ["labs", "", "finance", "talent", "labs"],
                     "source": ["corpus", "corpus", STANDOFF, WRITTEN, WRITTEN]})


def test_written_sentences_counted_twice_train_twice_and_nothing_else_repeats():
    data = variant_data(GOLD, Variant("twice", written_copies=2))
    assert sorted(data["unit_id"]) == ["c1", "c2", "p1", "w1", "w1", "w2", "w2"]


def test_a_variant_without_the_pool_or_the_written_sentences_drops_only_those():
    assert sorted(variant_data(GOLD, Variant("no pool", pool=False))["unit_id"]) == ["c1", "c2", "w1", "w2"]
    assert sorted(variant_data(GOLD, Variant("no written", written=False))["unit_id"]) == ["c1", "c2", "p1"]


def test_the_full_model_is_the_first_lever_and_trains_on_everything_once():
    assert LEVERS[0] == Variant("full model")
    assert variant_data(GOLD, LEVERS[0]).equals(GOLD)


def test_the_ablation_gives_each_lever_its_pool_gain_over_the_full_model_with_a_paired_interval(corpus_gold, taxonomy):
    from classify.model.experiments import POOL_GAIN, ablation

    documents = sorted(corpus_gold["doc_id"].unique())
    gold = corpus_gold.assign(source=corpus_gold["source"].where(~corpus_gold["doc_id"].isin(documents[:3]), STANDOFF))
    dev = corpus_gold[corpus_gold["doc_id"] == documents[3]]
    table = ablation(gold, taxonomy, [Variant("full model"), Variant("again"), Variant("unweighted", {"class_weight": None})],
                     dev)
    assert table.loc["full model", POOL_GAIN] == ""
    assert table.loc["again", POOL_GAIN] == "+0.000 (+0.000 to +0.000)"  # the same settings: the same decisions
    pool = table["pool macro F1, provinces held out"]
    gain, interval = table.loc["unweighted", POOL_GAIN].split(" ", 1)
    assert abs(float(gain) - (pool["unweighted"] - pool["full model"])) < 0.0015
    low, high = (float(v) for v in interval.strip("()").split(" to "))
    assert low <= float(gain) <= high


def test_every_lever_measured_outside_the_package_says_what_it_aimed_at_and_what_it_scored():
    from classify.model.levers import MEASURED_OUTSIDE, measured_outside

    for lever in MEASURED_OUTSIDE:
        assert lever.aim and (lever.pool or lever.paired_gain or lever.dev), lever.lever
        assert lever.kept in ("yes", "no")
    table = measured_outside()
    assert len(table) == len(MEASURED_OUTSIDE) and table.index.is_unique
    assert "paired gain on the pool, 90% interval" in table.columns
