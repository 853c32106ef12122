"""classify.analysis.commitments: the amounts, counts and targets a policy sentence commits to."""

import pandas as pd
import pytest

from classify.analysis.commitments import chinese_number, extract, kind_of, quantities
from classify.annotation.labeled import gold_frame
from classify.ingest.sentences import corpus_frame

from conftest import PROJECT


@pytest.mark.parametrize("text, value", [
    ("三", 3), ("十二", 12), ("二十", 20), ("一千五百", 1500), ("两万", 20000), ("三千零五", 3005),
    ("一亿二千万", 120_000_000), ("十万", 100_000), ("零", 0),
])
def test_chinese_numerals(text, value):
    assert chinese_number(text) == value


@pytest.mark.parametrize("text, expected", [
    ("新获贷款80亿元以上", [("80亿元", 8e9, "元")]),
    ("开放共享大型科研仪器设备突破1.3万台/套", [("1.3万台/套", 13000, "台/套")]),
    ("建设张江、浦江、临港三大国家实验室", [("三大", 3, "大")]),
    ("引进两千名青年人才", [("两千名", 2000, "名")]),
    ("研发投入强度2.45%、提高0.09个百分点", [("2.45%", 2.45, "%"), ("0.09个百分点", 0.09, "个百分点")]),
    ("资助经费2.76亿元", [("2.76亿元", 276_000_000, "元")]),
    ("新增孵化面积5万平方米", [("5万平方米", 50_000, "平方米")]),
    ("实现“十四五”规划目标", []),
    ("以“一个产业方向布局一家国家实验室”为导向", []),
])
def test_numbers_with_units_in_tricky_forms(text, expected):
    """Arabic, Chinese and mixed numerals with their units; plan names and 'one per' idioms are not numbers."""
    assert [(q["raw"], q["value"], q["unit"]) for q in quantities(text)] == expected


def test_targets_and_results_are_told_apart():
    """力争 / 以上 / 到20xx年 mark targets; 累计, 新增 and plain reports are results."""
    target = "力争帮助1500家科技型企业新获贷款80亿元以上"
    result = "累计为11943家(次)企业发放知识价值信用贷款207.21亿元"
    assert {kind_of(target, q["start"]) for q in quantities(target)} == {"target"}
    assert {kind_of(result, q["start"]) for q in quantities(result)} == {"result"}
    assert kind_of("到2028年,省级重点实验室达到20家", 14) == "target"


@pytest.fixture(scope="module")
def gold_tagged():
    units = corpus_frame(PROJECT.corpus)
    gold = gold_frame(PROJECT.labeled, include_written=False)[["unit_id", "labels"]]
    return units.merge(gold, on="unit_id")


def test_chengdu_finance_commitments_match_the_text(gold_tagged):
    """Hand-checked: Chengdu's finance sentences promise 1,500 firms and 8 billion yuan of loans."""
    chengdu = extract(gold_tagged[gold_tagged["jurisdiction"] == "成都市"], ["finance"])
    rows = {(r.raw, r.value, r.kind) for r in chengdu.itertuples()}
    assert ("1500家", 1500.0, "target") in rows and ("80亿元", 8e9, "target") in rows
    assert set(chengdu["label"]) == {"finance"}


def test_chongqing_finance_results_are_amounts_in_yuan(gold_tagged):
    """Hand-checked: 207.21 and 141.48 亿元 of loans and 100 亿元 of municipal funds, reported as results."""
    chongqing = extract(gold_tagged[gold_tagged["jurisdiction"] == "重庆市"], ["finance"])
    amounts = {(r.raw, r.value, r.kind) for r in chongqing.itertuples() if r.unit == "元"}
    assert ("207.21亿元", 20_721_000_000.0, "result") in amounts
    assert ("141.48亿元", 14_148_000_000.0, "result") in amounts
    assert ("100亿元", 10_000_000_000.0, "result") in amounts


def test_units_without_labels_give_no_commitments():
    frame = pd.DataFrame({"unit_id": ["u"], "doc_id": ["d"], "jurisdiction": ["甲市"], "labels": [""],
                          "text": ["高新技术企业达到3071家"]})
    assert extract(frame).empty


def test_commitments_skip_congress_numbers_and_ordinal_lists():
    """十九大 is a congress and 三大战略 a slogan; 三大平台 counts three platforms; 千亿元 stays in full."""
    assert quantities("深入学习贯彻党的十九大精神") == []
    assert quantities("实施三大战略") == []
    assert [q["value"] for q in quantities("建设三大平台")] == [3]
    assert [q["value"] for q in quantities("打造千亿元产业集群")] == [100_000_000_000]
