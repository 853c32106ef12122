"""Prior adjustment per document: a document denser in a measure than the training data gets higher
probabilities for it, one as dense as the training data keeps its own."""

import numpy as np

from classify.model.shift import em_adjust


def test_a_document_dense_in_a_measure_gets_its_probabilities_raised():
    prior = np.array([0.1])
    dense = np.array([[0.6], [0.45], [0.7], [0.4], [0.55], [0.05]] * 5)
    adjusted = em_adjust(dense, ["d"] * len(dense), prior, strength=1.0)
    assert (adjusted[:, 0] > dense[:, 0]).all()
    assert (np.argsort(adjusted[:, 0]) == np.argsort(dense[:, 0])).all()  # the order within a document stands


def test_a_document_as_dense_as_the_training_data_is_left_nearly_alone():
    rng = np.random.default_rng(0)
    truth = rng.random(400) < 0.2
    proba = np.where(truth, 0.8, 0.05)[:, None]  # calibrated: mean probability 0.2
    adjusted = em_adjust(proba, ["d"] * 400, np.array([proba.mean()]))
    assert np.allclose(adjusted, proba, atol=0.02)


def test_documents_are_adjusted_each_to_its_own_density():
    prior = np.array([0.2])
    proba = np.array([[0.9], [0.8], [0.7], [0.05], [0.04], [0.03]])
    adjusted = em_adjust(proba, ["dense"] * 3 + ["sparse"] * 3, prior, strength=1.0)
    assert (adjusted[:3] > proba[:3]).all() and (adjusted[3:] < proba[3:]).all()


def test_a_short_document_is_held_near_the_training_prior_by_the_strength():
    prior = np.array([0.1])
    one = np.array([[0.6]])
    weak, strong = em_adjust(one, ["d"], prior, strength=0.1), em_adjust(one, ["d"], prior, strength=100.0)
    assert abs(strong[0, 0] - 0.6) < abs(weak[0, 0] - 0.6)
