"""The classifier as one scikit-learn estimator: features, one logistic regression per label, and
per-label decision thresholds it tunes itself by cross-validation that holds out whole documents.

    model = for_taxonomy(taxonomy).fit(texts, Y, groups=doc_ids)
    model.predict_proba(texts)   # units × labels probabilities
    model.predict(texts)         # the same, against each label's threshold: a units × labels 0/1 matrix

Every setting is a constructor parameter, so `get_params`/`set_params`, `clone` and scikit-learn's
model-selection tools see all of them; written sentences (group "written") only ever train.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import BaseCrossValidator, GroupKFold, cross_validate
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.validation import check_is_fitted

from classify.model.features import build_features
from classify.model.rules import RULES, apply_rules
from classify.model.tagger import fast_predict_proba
from classify.labels import WRITTEN, split_labels
from classify.ingest.normalize import normalize_all
from classify.taxonomy import Taxonomy

MAX_FOLDS = 5
# Thresholds are tuned on out-of-fold probabilities of at most this many units (a fixed random sample when
# there are more): 20,000 held-out probabilities place a threshold to well within its grid step, and the
# tuning then costs the same at any size, so training grows with the one final fit (issue 23's ≤ 10×).
TUNING_UNITS = 20_000
THRESHOLD_GRID = tuple(round(t, 2) for t in np.arange(0.05, 0.96, 0.025))
# Parameters that hold the taxonomy's vocabulary rather than a modelling choice: kept out of the card's settings.
VOCABULARY = ("labels", "key_terms", "lexicon")


class TrainingError(ValueError):
    """Training data the classifier cannot learn from; the message says why."""


class DocumentFolds(BaseCrossValidator):
    """Grouped K-fold over documents that never splits one, with written sentences always in train."""

    def __init__(self, max_folds: int = MAX_FOLDS):
        self.max_folds = max_folds

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        return min(len(_documents(groups)), self.max_folds)

    def split(self, X=None, y=None, groups=None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        groups = np.asarray(groups, dtype=object)
        real = np.flatnonzero(groups != WRITTEN)
        n_docs = len(_documents(groups))
        if n_docs < 2:
            raise TrainingError(f"cross-validation needs units from at least 2 documents, found {n_docs}")
        written = np.flatnonzero(groups == WRITTEN)
        for train, test in GroupKFold(n_splits=min(n_docs, self.max_folds)).split(real, groups=groups[real]):
            yield np.concatenate([real[train], written]), real[test]


def place_folds(groups, places, max_folds: int = MAX_FOLDS, seed: int | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Grouped K-fold over places (provinces): every document of a held-out province is tested together, so
    no fold shares a province's sites, genres and habits with its training data. Written sentences always train.

    Without `seed` the folds are balanced by size (scikit-learn's `GroupKFold`); a `seed` deals the provinces
    to folds at random instead, so a figure can be read across several assignments, not one."""
    groups, places = np.asarray(groups, dtype=object), np.asarray(places, dtype=object)
    real, written = np.flatnonzero(groups != WRITTEN), np.flatnonzero(groups == WRITTEN)
    n_places = len(set(places[real]))
    if n_places < 2:
        raise TrainingError(f"place-held-out cross-validation needs units from at least 2 provinces, found {n_places}")
    return [(np.concatenate([real[train], written]), real[test])
            for train, test in GroupKFold(n_splits=min(n_places, max_folds), shuffle=seed is not None,
                                          random_state=seed).split(real, groups=places[real])]


def _documents(groups) -> set:
    return set(np.asarray(groups, dtype=object)) - {WRITTEN}


class ThresholdedClassifier(ClassifierMixin, BaseEstimator):
    """Multi-label text classifier whose per-label thresholds are part of the fitted model.

    `threshold_tuning` says how far each threshold moves from 0.5 toward the F1 optimum found on
    out-of-fold probabilities (0 keeps 0.5, 1 takes the optimum): with few documents that optimum is noisy.
    `tuning_units` caps the units those probabilities come from (None: all of them).
    `rules` names the codebook rules a pattern decides, applied to the probabilities (`rules.RULES`: covering
    words get no label, an issued plan is institutional reform): the classifier alone often gets both wrong.
    """

    tuning_units = TUNING_UNITS  # models saved before the setting existed load with it
    rules = ()  # models saved before the rules existed keep their probabilities

    def __init__(self, labels: Sequence[str] = (), key_terms: Sequence[Sequence[str]] = (),
                 lexicon: Sequence[Sequence[str]] = (), word_ngrams: tuple[int, int] = (1, 1),
                 char_ngrams: tuple[int, int] = (1, 3), min_df: int = 2, sublinear_tf: bool = True,
                 term_weight: float = 0.25, per_term: bool = True, cue_weight: float = 0.0, C: float = 10.0,
                 class_weight: str | None = "balanced", threshold_tuning: float = 0.5, max_folds: int = MAX_FOLDS,
                 tuning_units: int | None = TUNING_UNITS, rules: tuple[str, ...] = RULES):
        self.labels = labels
        self.key_terms = key_terms
        self.lexicon = lexicon
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.term_weight = term_weight
        self.per_term = per_term
        self.cue_weight = cue_weight
        self.C = C
        self.class_weight = class_weight
        self.threshold_tuning = threshold_tuning
        self.max_folds = max_folds
        self.tuning_units = tuning_units
        self.rules = rules

    def fit(self, X: Sequence[str], y: np.ndarray, groups: Sequence[str] | None = None) -> ThresholdedClassifier:
        """Tune the thresholds by cross-validation over `groups` (documents), then fit on everything."""
        texts, y = list(X), np.asarray(y)
        if not len(texts):
            raise TrainingError("no labelled units to train on (is --labeled the annotation store?)")
        self.classes_ = np.asarray(self.labels, dtype=object)
        tuned = self.threshold_tuning and groups is not None and len(_documents(groups)) >= 2
        thresholds = self._tuned_thresholds(texts, y, groups) if tuned else np.full(len(self.labels), 0.5)
        self.pipeline_ = self._pipeline()
        with warnings.catch_warnings():
            # A label absent from a small training fold is predicted as constant 0; that is intended.
            warnings.filterwarnings("ignore", message="Label not .* is present in all training examples")
            self.pipeline_.fit(texts, y)
        self.thresholds_ = thresholds
        return self

    def _pipeline(self) -> Pipeline:
        classifier = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000, solver="liblinear")
        features = build_features(tuple(map(tuple, self.key_terms)), tuple(map(tuple, self.lexicon)),
                                  word_ngrams=tuple(self.word_ngrams), char_ngrams=tuple(self.char_ngrams),
                                  min_df=self.min_df, sublinear_tf=self.sublinear_tf, term_weight=self.term_weight,
                                  per_term=self.per_term, cue_weight=self.cue_weight)
        return Pipeline([("normalize", FunctionTransformer(normalize_all)), ("features", features),
                         ("classifier", OneVsRestClassifier(classifier))])

    def _tuned_thresholds(self, texts: list[str], y: np.ndarray, groups) -> np.ndarray:
        untuned = clone(self).set_params(threshold_tuning=0.0)
        rows = tuning_sample(len(texts), self.tuning_units)
        groups = np.asarray(groups, dtype=object)[rows]
        best = choose_thresholds(y[rows], out_of_fold_proba(untuned, [texts[i] for i in rows], y[rows], groups,
                                                            self.max_folds))
        return np.round(0.5 + self.threshold_tuning * (best - 0.5), 4)

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Probability of each label for each text (units × labels)."""
        check_is_fitted(self)
        texts = normalize_all(list(X))
        if not texts:
            return np.zeros((0, len(self.classes_)))
        # The pipeline's own result, counted faster; its first step (normalize_all) is done above, once for the
        # features and the rules alike.
        return apply_rules(texts, fast_predict_proba(self.pipeline_[1:], texts), self.classes_, self.rules)

    def proba_from_features(self, texts: Sequence[str], features) -> np.ndarray:
        """`predict_proba` of `texts` whose features are already counted (`tagger.fast_transform`, which also
        explains them): the same numbers without counting twice."""
        check_is_fitted(self)
        return apply_rules(normalize_all(list(texts)), self.pipeline_.steps[-1][1].predict_proba(features), self.classes_,
                           self.rules)

    def decision_function(self, X: Sequence[str]) -> np.ndarray:
        """Probability minus the label's threshold: positive where the label is assigned."""
        return self.predict_proba(X) - self.thresholds_

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """A units × labels 0/1 matrix; an all-zero row is 'none of the measures'."""
        return decide(self.predict_proba(X), self.thresholds_)

    def thresholds_by_label(self) -> dict[str, float]:
        return {label: float(t) for label, t in zip(self.classes_, self.thresholds_)}

    def settings(self) -> dict:
        """The modelling choices (everything but the taxonomy's vocabulary), as the card records them."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.get_params().items() if k not in VOCABULARY}

    def __getstate__(self) -> dict:
        # The card lives beside the saved file (it records the file's hash), so it is left out of it.
        return {k: v for k, v in super().__getstate__().items() if k != "card_"}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.input_tags.string = True
        return tags


def for_taxonomy(taxonomy: Taxonomy, **params) -> ThresholdedClassifier:
    """An unfitted classifier for the taxonomy's labels and terms; `params` override the defaults."""
    return ThresholdedClassifier(labels=tuple(taxonomy.ids),
                                 key_terms=tuple(label.key_terms for label in taxonomy.labels),
                                 lexicon=tuple(label.lexicon for label in taxonomy.labels), **params)


def tuning_sample(n: int, cap: int | None, seed: int = 0) -> np.ndarray:
    """The rows thresholds are tuned on: all `n`, or `cap` of them drawn at random (fixed seed), in order.
    Units keep their documents, so the folds over the sample still never split one."""
    if cap is None or n <= cap:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=cap, replace=False))


def decide(proba: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    return (proba >= np.asarray(thresholds)).astype(int)


def out_of_fold_proba(estimator: BaseEstimator, texts: Sequence[str], y: np.ndarray, groups,
                      max_folds: int = MAX_FOLDS) -> np.ndarray:
    """Each document's probabilities from a model that never saw it (NaN rows for written sentences)."""
    proba = np.full(np.shape(y), np.nan)
    for fitted, test in folds_of(estimator, texts, y, groups, max_folds):
        proba[test] = fitted.predict_proba([texts[i] for i in test])
    return proba


def folds_of(estimator: BaseEstimator, texts: Sequence[str], y: np.ndarray, groups,
             max_folds: int = MAX_FOLDS, cv=None) -> Iterator[tuple[BaseEstimator, np.ndarray]]:
    """Each fold's fitted estimator and its held-out rows, by scikit-learn's `cross_validate` over `cv`
    (default `DocumentFolds`; the estimator also gets each fold's document groups, to tune its thresholds inside)."""
    texts, groups = list(texts), np.asarray(groups, dtype=object)
    result = cross_validate(estimator, texts, y, groups=groups, cv=cv or DocumentFolds(max_folds), scoring=_unscored,
                            params={"groups": groups}, return_estimator=True, return_indices=True,
                            error_score="raise")
    yield from zip(result["estimator"], result["indices"]["test"])


def _unscored(estimator, X, y) -> float:
    """Scores are computed once over all folds' decisions, not per fold: nothing to do here."""
    return 0.0


def choose_thresholds(y: np.ndarray, proba: np.ndarray, grid: Sequence[float] = THRESHOLD_GRID) -> np.ndarray:
    """Per label, the threshold that maximises F1 on out-of-fold probabilities (ties: nearest 0.5)."""
    keep = ~np.isnan(proba).any(axis=1)
    thresholds = np.full(proba.shape[1], 0.5)
    for column in range(proba.shape[1]):
        truth, scores = y[keep, column].astype(bool), proba[keep, column]
        if truth.sum() == 0:
            continue
        f1 = [_f1(truth, scores >= t) for t in grid]
        best = max(f1)
        thresholds[column] = min((t for t, f in zip(grid, f1) if f == best), key=lambda t: abs(t - 0.5))
    return thresholds


def _f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    tp = int((truth & predicted).sum())
    denominator = int(truth.sum() + predicted.sum())
    return 2 * tp / denominator if denominator else 0.0


def training_arrays(gold: pd.DataFrame, ids: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """A gold frame (text, labels, doc_id, source) as the estimator's inputs: texts, label matrix, groups."""
    return gold["text"].tolist(), label_matrix(gold["labels"].tolist(), ids), groups_of(gold)


def label_matrix(labels: Sequence[str], ids: Sequence[str]) -> np.ndarray:
    """Gold labels (';'-joined strings) as a units × labels 0/1 matrix in taxonomy order."""
    index = {label: column for column, label in enumerate(ids)}
    matrix = np.zeros((len(labels), len(ids)), dtype=int)
    for row, value in enumerate(labels):
        for label in split_labels(value):
            if label not in index:
                raise TrainingError(f"unknown label '{label}' in training data (not in the taxonomy)")
            matrix[row, index[label]] = 1
    return matrix


def groups_of(gold: pd.DataFrame) -> np.ndarray:
    """Cross-validation group of each row: its document, or 'written' for authored sentences."""
    source = gold["source"] if "source" in gold else pd.Series("corpus", index=gold.index)
    return np.where(source == WRITTEN, WRITTEN, gold["doc_id"].astype(str)).astype(object)
