"""The codebook's rules a pattern decides: preambles and covering words get no label (rule 17), a plan the
text reports issued is institutional reform (rules 10 and 17)."""

import copy

import numpy as np
import pytest

from classify.ingest.normalize import normalize
from classify.model.rules import ISSUED_PROBABILITY, apply_rules, covering_words, issued_plan

# Written for this test, in the form policy texts use.
COVERING = (
    "现将《某市科技创新券管理办法》印发给你们,请结合实际认真贯彻执行",
    "为加快建设区域科技创新中心,根据省有关部署,结合我市实际,特制定本方案",
    "为做好全年科技工作,现提出如下意见:",
    "为推动科技成果转化,特制定如下实施方案。",
    "为深化两地科技合作,现就有关事项制定本行动计划如下",
    "現將《科技金融專項行動計劃》印發給你們,請認真組織實施",  # traditional script: ruled once normalised
)
ISSUED = (
    "出台《关于加快新型研发机构发展的若干措施》",
    "制定本市科技创新券管理办法,支持企业购买研发服务",
    "今年以来,市科技局牵头修订科技计划项目管理办法",
    "率先出臺《科技成果轉化十條》",
)
NEITHER = (
    "具体内容如下:",
    "设立天使投资母子基金,聚焦实验室成果项目",
    "依据《某市国民经济和社会发展第十四个五年规划纲要》", "某市人民政府办公室印发《某市科技创新行动方案》的通知",
    "为加快科技成果转化,制定改革提升工作方案",
)
LABELS = ("labs", "finance", "institutional_reform")


@pytest.mark.parametrize("text", COVERING)
def test_preambles_and_covering_words_are_ruled_out(text):
    assert covering_words(normalize(text)) and not issued_plan(normalize(text))


@pytest.mark.parametrize("text", ISSUED)
def test_a_plan_reported_issued_is_institutional_reform(text):
    assert issued_plan(normalize(text)) and not covering_words(normalize(text))


@pytest.mark.parametrize("text", NEITHER)
def test_headings_citations_titles_and_measures_are_left_to_the_model(text):
    text = normalize(text)
    assert not covering_words(text) and not issued_plan(text)


def test_covering_words_lose_every_label_issued_plans_gain_reform_only():
    texts = [normalize(t) for t in (COVERING[1], ISSUED[0], NEITHER[1])]
    proba = apply_rules(texts, np.array([[0.9, 0.9, 0.9], [0.1, 0.2, 0.1], [0.3, 0.8, 0.2]]), LABELS)
    assert proba.tolist() == [[0.0, 0.0, 0.0], [0.1, 0.2, ISSUED_PROBABILITY], [0.3, 0.8, 0.2]]
    assert apply_rules(texts[:2], np.full((2, 3), 0.5), LABELS, rules=()).tolist() == [[0.5] * 3] * 2


def test_a_taxonomy_without_reform_only_loses_covering_words():
    proba = apply_rules([normalize(ISSUED[0])], np.full((1, 2), 0.3), ("labs", "finance"))
    assert proba.tolist() == [[0.3, 0.3]]


def test_the_model_follows_both_rules_and_only_with_them(committed_model):
    """The committed model: a preamble naming measures gets nothing, an issued plan gets reform; without
    the rules the classifier alone labels the preamble."""
    preamble = "为加快建设重点实验室和中试基地,设立天使投资基金,引进高层次人才,结合我市实际,特制定本方案"
    reform = list(committed_model.classes_).index("institutional_reform")
    assert not committed_model.predict([preamble]).any()
    assert committed_model.predict([ISSUED[2]])[0, reform]
    without = copy.deepcopy(committed_model).set_params(rules=())
    assert without.predict([preamble]).any()


def test_counted_features_get_the_same_ruled_probabilities(committed_model):
    """Tagging a corpus counts features once (to predict and to explain): the rules still apply."""
    from classify.model.tagger import fast_transform

    texts = list(COVERING + ISSUED + NEITHER)
    counted = committed_model.proba_from_features(texts, fast_transform(committed_model.pipeline_, texts))
    assert np.array_equal(counted, committed_model.predict_proba(texts))
    assert not counted[:len(COVERING)].any()
