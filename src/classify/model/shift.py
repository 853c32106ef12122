"""Label shift: a document denser (or sparser) in measures than the training data.

The pool's units are three quarters empty; a plan or a work report of a new city may be only half
empty, so probabilities learnt on the pool understate its measures. EM prior adjustment (Saerens,
Latinne & Decaestecker 2002) re-estimates each label's prior within a document from the model's own
probabilities and rescales them to it; `strength` units' worth of the training prior keep a short
document from swinging to an extreme. Measured as a lever in the ablation (`experiments.LEVERS`).
"""

from __future__ import annotations

import numpy as np

EPSILON = 1e-6


def em_adjust(proba: np.ndarray, documents, prior: np.ndarray, strength: float = 30.0,
              iterations: int = 100) -> np.ndarray:
    """Probabilities rescaled, document by document, to each document's own estimated label priors."""
    proba = np.clip(np.asarray(proba, dtype=float), EPSILON, 1 - EPSILON)
    prior = np.clip(np.asarray(prior, dtype=float), EPSILON, 1 - EPSILON)
    documents = np.asarray(documents, dtype=object)
    adjusted = proba.copy()
    for document in dict.fromkeys(documents):
        rows = documents == document
        adjusted[rows] = _adjust_one(proba[rows], prior, strength, iterations)
    return adjusted


def _adjust_one(proba: np.ndarray, prior: np.ndarray, strength: float, iterations: int) -> np.ndarray:
    own, adjusted = prior.copy(), proba
    for _ in range(iterations):
        up, down = own / prior, (1 - own) / (1 - prior)
        adjusted = up * proba / (up * proba + down * (1 - proba))
        estimate = (adjusted.sum(axis=0) + strength * prior) / (len(proba) + strength)
        if np.allclose(estimate, own, atol=1e-6):
            break
        own = estimate
    return adjusted
