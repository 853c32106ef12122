"""Provinces and kinds of document: what place-held-out cross-validation and the by-kind figures stand on."""

import numpy as np
import pandas as pd
import pytest

from classify.ingest.places import kind_of, manifest_places, province_of, with_places
from classify.model.estimator import TrainingError, place_folds
from classify.model.evaluate import by_kind, cross_validate, has_places

from conftest import PROJECT


@pytest.mark.parametrize("title, kind", [
    ("县科技局2019年工作总结和2020年工作思路", "work report"),
    ("[无标题;成都市科技局赴上海科技创新专题调研报告]", "work report"),
    ("2023年江城市科技工作推进会召开", "meeting or speech"),
    ("关于印发《山城市创新驱动三年行动方案》的通知", "plan or policy"),
    ("海濱市科技創新發展規劃(2025—2030年)", "plan or policy"),
    ("江城市将建设一批未来产业孵化空间", "news"),
    ("", "news"),
])
def test_the_kind_of_a_document_is_read_from_its_title_in_either_script(title, kind):
    assert kind_of(title) == kind


def test_a_district_climbs_to_its_province_and_a_municipality_is_its_own():
    parents = {"沟渠区": "成都市", "成都市": "四川省", "四川省": "中国", "浦东新区": "上海市"}
    assert province_of("沟渠区", parents) == "四川省"
    assert province_of("成都市", parents) == "四川省"
    assert province_of("浦东新区", parents) == "上海市"
    assert province_of("上海市", parents) == "上海市"
    assert province_of("无名县", parents) == "无名县"  # parent unknown: it stands for itself


def test_the_bundled_corpus_spans_four_provinces():
    gold = pd.DataFrame({"unit_id": ["a", "b", "c", "d", "w"], "doc_id": ["000", "003", "002", "004", "written"],
                         "jurisdiction": ["上海市", "沟渠区", "重庆市", "昆明市", ""], "text": ["x"] * 5,
                         "labels": [""] * 5, "source": ["corpus"] * 4 + ["written"]})
    placed = with_places(gold, [PROJECT.corpus])
    assert placed["province"].tolist() == ["上海市", "四川省", "重庆市", "云南省", ""]
    assert placed["kind"].iloc[-1] == "" and placed["kind"].iloc[1] != ""
    assert has_places(placed)
    assert manifest_places([PROJECT.corpus / "absent"]) == ({}, {})


def test_place_folds_never_share_a_province_and_written_sentences_only_train():
    groups = np.array(["d1", "d2", "d3", "d4", "d5", "written"], dtype=object)
    places = np.array(["四川省", "四川省", "云南省", "上海市", "云南省", ""], dtype=object)
    folds = place_folds(groups, places)
    assert len(folds) == 3
    for train, test in folds:
        assert 5 in train and 5 not in test
        assert not set(places[test]) & set(places[train[train != 5]])
    assert sorted(np.concatenate([test for _, test in folds]).tolist()) == [0, 1, 2, 3, 4]
    with pytest.raises(TrainingError, match="at least 2 provinces"):
        place_folds(groups, np.array(["四川省"] * 5 + [""], dtype=object))


def test_a_seed_deals_provinces_to_folds_at_random_but_never_splits_one():
    groups = np.array([f"d{i}" for i in range(12)] + ["written"], dtype=object)
    places = np.array([f"省{i % 6}" for i in range(12)] + [""], dtype=object)
    tests_of = lambda folds: sorted(sorted(places[test].tolist()) for _, test in folds)  # noqa: E731
    dealt = {seed: tests_of(place_folds(groups, places, max_folds=3, seed=seed)) for seed in range(6)}
    assert tests_of(place_folds(groups, places, max_folds=3, seed=0)) == dealt[0]  # a seed repeats its deal
    assert len({str(deal) for deal in dealt.values()}) > 1  # different seeds, different deals
    for seed in dealt:
        for train, test in place_folds(groups, places, max_folds=3, seed=seed):
            assert 12 in train and not set(places[test]) & set(places[train[train != 12]])


def test_place_held_out_cross_validation_scores_every_real_unit_by_kind(taxonomy, corpus_gold):
    gold = corpus_gold
    report, decisions = cross_validate(gold, taxonomy, by="province")
    assert "holding out whole provinces (4 provinces)" in report.method
    assert report.units == len(gold) and decisions.any()
    kinds = by_kind(gold, decisions, taxonomy)
    assert kinds["units"].sum() == len(gold)
    assert kinds["macro F1"].between(0, 1).all()


def test_a_seeded_place_held_out_cross_validation_says_how_provinces_were_dealt(taxonomy, corpus_gold):
    gold = corpus_gold
    report, _ = cross_validate(gold, taxonomy, by="province", seed=1)
    assert "(4 provinces, dealt to folds at random, seed 1)" in report.method
    assert report.units == len(gold)
