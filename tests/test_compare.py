"""classify.analysis.compare: jurisdictions set side by side: distinctive measures and words, similarity,
profiles by year."""

import numpy as np
import pandas as pd

from classify.analysis.compare import by_year, distinctive_measures, distinctive_terms, log_odds, regroup, similarity
from classify.analysis.matrix import to_matrix

TAGGED = pd.DataFrame({
    "unit_id": [f"u{i}" for i in range(12)],
    "jurisdiction": ["甲市"] * 6 + ["乙市"] * 6,
    "date": ["2022"] * 3 + ["2024"] * 3 + ["2024-05-01"] * 6,
    "text": ["建设实验室"] * 12,
    "labels": ["labs", "labs", "labs", "labs;finance", "labs", "", "finance", "finance", "finance", "talent", "", ""],
    "p_labs": [0.9] * 5 + [0.1] + [0.1] * 6,
    "p_finance": [0.1, 0.1, 0.1, 0.8, 0.1, 0.1, 0.9, 0.9, 0.9, 0.1, 0.1, 0.1],
    "p_talent": [0.1] * 9 + [0.9, 0.1, 0.1],
})
LABELS = ["labs", "finance", "talent"]


def test_a_jurisdiction_that_stresses_a_measure_gets_a_positive_z():
    """甲市 codes labs in 5 of 6 sentences, 乙市 in none: labs is 甲市's distinctive measure."""
    table = distinctive_measures(TAGGED, LABELS).set_index(["jurisdiction", "measure"])
    assert table.loc[("甲市", "labs"), "z"] > 2 > table.loc[("乙市", "labs"), "z"]
    assert table.loc[("乙市", "finance"), "delta"] > 0 > table.loc[("甲市", "finance"), "delta"]
    row = table.loc[("甲市", "labs")]
    assert row["low"] < row["delta"] < row["high"]


def test_log_odds_of_identical_profiles_is_zero():
    counts = pd.DataFrame({"a": [10, 20], "b": [5, 10]}, index=["x", "y"])
    assert np.allclose(log_odds(counts)["delta"], 0, atol=1e-3)


def test_similar_profiles_are_more_alike_than_different_ones():
    matrix = pd.DataFrame({"units": [10, 10, 10], "labs": [8, 7, 0], "finance": [1, 2, 9]}, index=["甲", "乙", "丙"])
    cosine = similarity(matrix, ["labs", "finance"])
    assert cosine.loc["甲", "乙"] > 0.9 > 0.3 > cosine.loc["甲", "丙"]
    assert set(cosine.index[:2]) == {"甲", "乙"} or set(cosine.index[1:]) == {"甲", "乙"}, "clustering keeps them adjacent"


def test_profiles_by_year_use_the_dates():
    yearly = by_year(TAGGED, LABELS, "甲市")
    assert list(yearly.index) == [2022, 2024]
    assert yearly.loc[2022, "labs"] == 1.0 and yearly.loc[2024, "labs"] == round(2 / 3, 4)


def test_regrouping_counts_a_unit_once_per_group():
    """A sentence with labs and finance, both 'supply', is one supply sentence."""
    mapping = {"labs": ("supply",), "finance": ("supply", "environment"), "talent": ("supply",)}
    grouped = to_matrix(regroup(TAGGED, mapping), labels=["supply", "environment"])
    assert grouped.loc["甲市", "supply"] == 5 and grouped.loc["甲市", "environment"] == 1


def test_distinctive_words_leave_out_function_words():
    """的 and 为 say nothing of a city's policy, however often it writes them."""
    tagged = pd.DataFrame({"jurisdiction": ["甲", "甲", "乙"], "labels": ["labs"] * 3, "p_labs": [0.9] * 3,
                           "text": ["为 建设 的 实验室", "为 建设 的 实验室", "设立 基金"]})
    terms = distinctive_terms(tagged, "甲", "labs", str.split, threshold=0.5)["term"].tolist()
    assert "的" not in terms and "为" not in terms and "实验室" in terms
