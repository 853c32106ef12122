"""classify.analysis.matrix: units counted per jurisdiction and label, from labels, flags or probabilities."""

import copy

import numpy as np
import pandas as pd
import pytest

from classify.analysis.matrix import MatrixError, matrix_change, to_matrix, with_flags, without_predictions
from classify.ingest.sentences import corpus_frame
from classify.model.predict import predict_frame

from conftest import PROJECT

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


def test_a_candidate_with_other_decisions_changes_the_matrix(committed_model):
    """The matrix change comes from the candidate's own decisions, not the current model's leftover flags."""
    units = corpus_frame(PROJECT.corpus)
    current = with_flags(predict_frame(committed_model, units), committed_model.labels)
    eager = copy.copy(committed_model)
    eager.thresholds_ = np.full(len(committed_model.labels), 0.05)
    change = matrix_change(current, predict_frame(eager, without_predictions(current)), committed_model.labels)
    assert (change.to_numpy() >= 0).all() and change.to_numpy().sum() > 0
    assert not any(c.startswith(("is_", "p_")) for c in without_predictions(current).columns)


def test_matrix_counts_match_flags(committed_model, tagged_corpus):
    """A matrix from flags equals one from the labels column (the app's fast path is the CLI's)."""
    tagged = tagged_corpus
    labels = committed_model.labels
    assert to_matrix(with_flags(tagged, labels), labels=labels).equals(to_matrix(tagged, labels=labels))
