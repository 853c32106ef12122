import pandas as pd
import pytest

from classify.analysis.matrix import MatrixError, to_matrix

TAGGED = pd.DataFrame({
    "jurisdiction": ["甲市", "甲市", "甲市", "甲市", "乙区"],
    "level": ["city"] * 4 + ["district"],
    "labels": ["labs", "labs;finance", "", "finance", "labs"],
    "p_labs": [0.9, 0.6, 0.3, 0.1, 0.55],
    "p_finance": [0.1, 0.7, 0.2, 0.8, 0.1],
})


def test_counts_units_per_jurisdiction_and_label():
    """A unit with two labels counts in both columns; unlabelled units count only in the total."""
    matrix = to_matrix(TAGGED)
    assert matrix.loc["甲市", ["units", "labs", "finance"]].tolist() == [4, 2, 2]
    assert matrix.loc["乙区", "level"] == "district"


def test_share_and_per_thousand_divide_by_the_jurisdictions_units():
    """Shares make long and short documents comparable."""
    assert to_matrix(TAGGED, value="share").loc["甲市", "labs"] == 0.5
    assert to_matrix(TAGGED, value="per1000").loc["甲市", "finance"] == 500.0


def test_threshold_recounts_from_probabilities():
    """A stricter probability threshold counts fewer units."""
    assert to_matrix(TAGGED, threshold=0.65).loc["甲市", "labs"] == 1
    assert to_matrix(TAGGED, threshold=0.5).loc["乙区", "labs"] == 1


def test_unknown_value_mode_is_refused():
    with pytest.raises(MatrixError, match="value must be one of"):
        to_matrix(TAGGED, value="mean")
