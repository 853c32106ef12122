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
