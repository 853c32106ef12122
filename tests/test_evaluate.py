"""classify.model.evaluate: scores per label and their averages, the keyword baseline, grouped
cross-validation."""

import numpy as np
import pytest

from classify.model.card import metrics_summary
from classify.model.evaluate import cross_validate, keyword_predict, macro_interval, paired_gain_interval, score
from classify.annotation.labeled import gold_frame

from conftest import PROJECT


def test_scores_per_label_and_averages():
    """Precision, recall and F1 per label; macro is their mean, micro pools the counts."""
    truth = np.array([[1, 0, 1], [1, 1, 0], [0, 1, 0], [0, 0, 0]])
    predicted = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 0]])
    table = score(truth, predicted, ["a", "b", "c"])
    assert table.loc["a", "precision"] == 0.5 and table.loc["a", "recall"] == 0.5
    assert table.loc["b", "f1"] == 1.0 and table.loc["c", "f1"] == 0.0
    assert table.loc["macro", "f1"] == pytest.approx((0.5 + 1.0 + 0.0) / 3)
    assert table.loc["micro", "f1"] == pytest.approx(2 * 3 / (2 * 3 + 1 + 2))
    assert table.loc["a", ["tp", "fp", "fn"]].tolist() == [1, 1, 1]


def test_keyword_baseline_finds_key_terms_in_either_script(taxonomy):
    """The hand coder's dictionary matches traditional text too."""
    predicted = keyword_predict(["設立天使投資母子基金", "今天天气很好"], taxonomy)
    finance = taxonomy.ids.index("finance")
    assert predicted[0, finance] and not predicted[1].any()


def test_grouped_cross_validation_scores_every_corpus_unit_once(taxonomy):
    """Each unit is predicted by a model that never saw its document."""
    gold = gold_frame(PROJECT.labeled, include_written=False)
    gold = gold[gold["doc_id"].isin(["002", "003", "004"])].reset_index(drop=True)
    report, decisions = cross_validate(gold, taxonomy)
    assert report.units == len(gold) and report.documents == 3
    assert decisions.shape == (len(gold), len(taxonomy.ids))
    assert set(report.model.index) == set(taxonomy.ids) | {"micro", "macro"}
    low, high = report.interval  # three jurisdictions: Chongqing, 沟渠区, Kunming
    assert low <= report.model.loc["macro", "f1"] <= high
    assert f"90% interval over jurisdictions {low:.3f}-{high:.3f}" in metrics_summary(report.to_dict())


def test_macro_interval_resamples_whole_jurisdictions():
    """Places the model gets all right and places it gets all wrong give a wide interval around the
    figure; places alike give none wider than the figure itself; one place gives no interval at all."""
    truth = np.array([[1, 0], [0, 1]] * 4)
    places = ["a", "a", "b", "b", "c", "c", "d", "d"]
    half_wrong = truth.copy()
    half_wrong[4:] = 1 - half_wrong[4:]
    low, high = macro_interval(truth, half_wrong, places)
    assert low < score(truth, half_wrong, ["x", "y"]).loc["macro", "f1"] < high and high - low > 0.3
    assert macro_interval(truth, truth, places) == (1.0, 1.0)
    assert macro_interval(truth, half_wrong, ["a"] * 8) is None


def test_a_paired_gain_shares_the_draws_so_it_is_narrower_than_either_figure():
    """A second model that fixes one place's errors gains in every draw that holds that place and in no
    other: its paired interval is never below zero, though each model's own interval is wide."""
    truth = np.array([[1, 0], [0, 1]] * 4)
    places = ["a", "a", "b", "b", "c", "c", "d", "d"]
    base = truth.copy()
    base[4:] = 1 - base[4:]
    better = base.copy()
    better[4:6] = truth[4:6]
    low, high = paired_gain_interval(truth, base, better, places)
    assert 0.0 <= low < high
    assert high - low < macro_interval(truth, base, places)[1] - macro_interval(truth, base, places)[0]
    assert paired_gain_interval(truth, base, base, places) == (0.0, 0.0)
    assert paired_gain_interval(truth, base, better, ["a"] * 8) is None


def test_a_label_with_no_examples_is_no_examples_never_a_perfect_score():
    truth = np.array([[1, 0], [0, 0], [1, 0]])
    guess = np.array([[1, 0], [1, 0], [0, 0]])
    table = score(truth, guess, ["labs", "finance"])
    assert np.isnan(table.loc["finance", "f1"])
    assert table.loc["macro", "f1"] == pytest.approx(0.5) and table.loc["macro", "labels"] == 1
