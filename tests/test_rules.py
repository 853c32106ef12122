"""Codebook rule 17 decided by pattern: a document's preamble and covering words get no label."""

import copy

import numpy as np
import pytest

from classify.ingest.normalize import normalize
from classify.model.rules import apply_rules, covering_words

# Written for this test, in the form policy texts use.
COVERING = (
    "现将《某市科技创新券管理办法》印发给你们,请结合实际认真贯彻执行",
    "为加快建设区域科技创新中心,根据省有关部署,结合我市实际,特制定本方案",
    "为做好全年科技工作,现提出如下意见:",
    "为推动科技成果转化,特制定如下实施方案。",
    "为深化两地科技合作,现就有关事项制定本行动计划如下",
    "現將《科技金融專項行動計劃》印發給你們,請認真組織實施",  # traditional script: ruled once normalised
)
NOT_COVERING = (
    "出台《关于加快新型研发机构发展的若干措施》",  # reports a plan issued: the model decides (rule 10)
    "制定本市科技创新券管理办法,支持企业购买研发服务",
    "制定本市管理办法",
    "具体内容如下:",
    "设立天使投资母子基金,聚焦实验室成果项目",
)


@pytest.mark.parametrize("text", COVERING)
def test_preambles_and_covering_words_are_ruled_out(text):
    assert covering_words(normalize(text))


@pytest.mark.parametrize("text", NOT_COVERING)
def test_measures_and_reports_of_issued_plans_are_left_to_the_model(text):
    assert not covering_words(normalize(text))


def test_ruled_units_lose_every_label_and_others_keep_theirs():
    proba = np.full((2, 3), 0.9)
    apply_rules([normalize(COVERING[1]), normalize(NOT_COVERING[0])], proba)
    assert proba[0].tolist() == [0.0, 0.0, 0.0] and proba[1].tolist() == [0.9, 0.9, 0.9]


def test_the_model_labels_no_preamble_however_many_measures_it_names(committed_model):
    """Without the rule the committed model labels this preamble; with it (the default), nothing."""
    preamble = "为加快建设重点实验室和中试基地,设立天使投资基金,引进高层次人才,结合我市实际,特制定本方案"
    assert committed_model.covering_rule
    assert not committed_model.predict([preamble]).any()
    without = copy.deepcopy(committed_model).set_params(covering_rule=False)
    assert without.predict([preamble]).any()
