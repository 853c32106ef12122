import pandas as pd

from classify.analysis.evidence import evidence, neighbours


def units() -> pd.DataFrame:
    return pd.DataFrame({
        "unit_id": ["a1", "a2", "a3", "a4", "b1"], "doc_id": ["a", "a", "a", "a", "b"],
        "jurisdiction": ["昆明市", "昆明市", "昆明市", "昆明市", "成都市"], "position": [0, 1, 2, 3, 0],
        "text": ["建设实验室", "设立基金", "引进人才", "新建重点实验室", "建设实验室"],
        "labels": ["labs", "finance", "talent", "labs", "labs"],
        "p_labs": [0.7, 0.1, 0.2, 0.9, 0.8]})


def test_a_cell_s_evidence_is_its_own_units_most_probable_first_with_their_review_status():
    """Only the city's units coded with the measure, ranked by probability, each marked as people judged it."""
    rows = evidence(units(), "昆明市", "labs", gold={"a4": "labs", "a1": "finance"})
    assert rows["unit_id"].tolist() == ["a4", "a1"]
    assert rows["review"].tolist() == ["confirmed", "rejected"]


def test_a_lower_threshold_brings_in_less_probable_units():
    """With an analyst's own threshold the cell is the units at or above it, not the model's labels."""
    assert evidence(units(), "昆明市", "labs", threshold=0.15)["unit_id"].tolist() == ["a4", "a1", "a3"]


def test_the_context_of_a_unit_is_its_neighbours_in_the_same_document():
    """Up to `width` units either side, in document order, never from another document."""
    assert neighbours(units(), "a2", width=1)["unit_id"].tolist() == ["a1", "a2", "a3"]
    assert neighbours(units(), "b1", width=2)["unit_id"].tolist() == ["b1"]
    assert neighbours(units(), "missing").empty
