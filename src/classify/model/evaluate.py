"""Score models honestly: per-label precision, recall and F1 under cross-validation that
holds out whole documents, beside the keyword dictionary that hand coders use today.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from classify.model.estimator import (DocumentFolds, ThresholdedClassifier, folds_of, for_taxonomy, label_matrix,
                                      place_folds, training_arrays)
from classify.labels import STANDOFF, WRITTEN
from classify.ingest.normalize import normalize
from classify.model.shift import em_adjust
from classify.taxonomy import Taxonomy

MICRO, MACRO = "micro", "macro"
PLACE_ASSIGNMENTS = 3  # assignments of provinces to folds the card reads its place-held-out figure under
INTERVAL_DRAWS = 2000  # bootstrap draws of a macro F1's interval over jurisdictions


@dataclass
class Report:
    """Scores of the model and the keyword baseline on the same units."""

    model: pd.DataFrame
    baseline: pd.DataFrame
    units: int
    documents: int
    method: str
    interval: tuple[float, float] | None = None  # the model's macro F1, 90% bootstrap interval over jurisdictions

    def to_dict(self) -> dict:
        shown = {"macro_interval": list(self.interval)} if self.interval else {}
        return {"method": self.method, "units": self.units, "documents": self.documents,
                "model": _records(self.model), "baseline": _records(self.baseline)} | shown


def _records(scores: pd.DataFrame) -> dict:
    """Rows as plain JSON values: counts as ints, scores rounded, a score with no examples as None (null)."""
    def plain(key, value):
        if key in ("support", "tp", "fp", "fn", "labels"):
            return None if pd.isna(value) else int(value)
        return None if pd.isna(value) else round(float(value), 4)

    return {row: {k: plain(k, v) for k, v in values.items() if not (k == "labels" and pd.isna(v))}
            for row, values in scores.to_dict(orient="index").items()}


def score(y_true: np.ndarray, y_pred: np.ndarray, ids: Sequence[str]) -> pd.DataFrame:
    """Precision, recall, F1 and support per label, then micro and macro averages.

    A label with no gold and no predicted units has no examples: its scores are NaN, never a perfect 1,
    and the macro averages run over the other labels (the macro row's `labels` says how many).
    """
    y_true, y_pred = np.asarray(y_true, dtype=bool), np.asarray(y_pred, dtype=bool)
    tp = (y_true & y_pred).sum(axis=0)
    fp = (~y_true & y_pred).sum(axis=0)
    fn = (y_true & ~y_pred).sum(axis=0)
    rows = {label: _prf(tp[k], fp[k], fn[k]) | {"support": int(y_true[:, k].sum()), "tp": int(tp[k]),
                                                 "fp": int(fp[k]), "fn": int(fn[k])} for k, label in enumerate(ids)}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    counts = {"support": int(y_true.sum()), "tp": int(tp.sum()), "fp": int(fp.sum()), "fn": int(fn.sum())}
    macro = {k: float(frame[k].mean()) for k in ("precision", "recall", "f1")} | counts | {
        "labels": int(frame["f1"].notna().sum())}
    frame["labels"] = np.nan  # how many labels the macro averages run over: on the macro row only
    frame.loc[MICRO] = _prf(tp.sum(), fp.sum(), fn.sum()) | counts
    frame.loc[MACRO] = macro
    for column in ("support", "tp", "fp", "fn"):
        frame[column] = frame[column].astype(int)
    return frame


def macro_interval(y_true: np.ndarray, y_pred: np.ndarray, places: Sequence[str], level: float = 0.9,
                   draws: int = INTERVAL_DRAWS, seed: int = 0) -> tuple[float, float] | None:
    """Macro F1's bootstrap interval with whole jurisdictions resampled: how far the figure would move on
    other places of the same kind, the noise a difference between two models has to beat. None with fewer
    than two jurisdictions."""
    macros = _bootstrap_macros(y_true, [y_pred], places, draws, seed)
    return None if macros is None else _percentiles(macros[0], level)


def paired_gain_interval(y_true: np.ndarray, base: np.ndarray, other: np.ndarray, places: Sequence[str],
                         level: float = 0.9, draws: int = INTERVAL_DRAWS, seed: int = 0) -> tuple[float, float] | None:
    """The bootstrap interval of macro F1(other) - macro F1(base), both scored on the same draws of whole
    jurisdictions: the keep rule's test of a lever, far narrower than the two figures' own intervals
    because most of their noise is shared. None with fewer than two jurisdictions."""
    macros = _bootstrap_macros(y_true, [base, other], places, draws, seed)
    return None if macros is None else _percentiles(macros[1] - macros[0], level)


def _bootstrap_macros(y_true: np.ndarray, predictions: Sequence[np.ndarray], places: Sequence[str], draws: int,
                      seed: int) -> np.ndarray | None:
    """Macro F1 of each prediction matrix under `draws` resamplings of whole jurisdictions (one row per
    prediction, the same draws for all)."""
    names, place = np.unique(np.asarray(places, dtype=str), return_inverse=True)
    if len(names) < 2:
        return None
    y_true = np.asarray(y_true, dtype=bool)
    weights = np.random.default_rng(seed).multinomial(len(names), np.full(len(names), 1 / len(names)), size=draws)
    macros = []
    for y_pred in predictions:
        y_pred = np.asarray(y_pred, dtype=bool)
        counts = np.zeros((3, len(names), y_true.shape[1]))
        for k, hits in enumerate((y_true & y_pred, ~y_true & y_pred, y_true & ~y_pred)):
            np.add.at(counts[k], place, hits)
        tp, fp, fn = (weights @ c for c in counts)
        denominator = 2 * tp + fp + fn
        f1 = np.divide(2 * tp, denominator, out=np.full(tp.shape, np.nan), where=denominator > 0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a draw with no examples of any label: skipped
            macros.append(np.nanmean(f1, axis=1))
    return np.array(macros)


def _percentiles(values: np.ndarray, level: float) -> tuple[float, float]:
    low, high = np.nanpercentile(values, [50 * (1 - level), 50 * (1 + level)])
    return round(float(low), 4), round(float(high), 4)


def _interval(gold: pd.DataFrame, y_true: np.ndarray, y_pred: np.ndarray, rows=slice(None)) -> tuple[float, float] | None:
    """`macro_interval` over the jurisdictions of `gold`'s `rows` (which `y_true` and `y_pred` hold); None when
    the frame names no jurisdictions."""
    if "jurisdiction" not in gold:
        return None
    return macro_interval(y_true, y_pred, gold["jurisdiction"].astype(str).to_numpy()[rows])


def _prf(tp: int, fp: int, fn: int) -> dict:
    if tp + fp + fn == 0:
        return {"precision": np.nan, "recall": np.nan, "f1": np.nan}  # no examples: nothing to score
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else np.nan
    f1 = 2 * tp / (2 * tp + fp + fn)
    return {"precision": precision, "recall": recall, "f1": f1}


def keyword_predict(texts: Sequence[str], taxonomy: Taxonomy) -> np.ndarray:
    """The hand coder's dictionary: a unit gets every label one of whose key terms it contains."""
    normalised = [normalize(text) for text in texts]
    return np.array([[any(term in text for term in label.key_terms) for label in taxonomy.labels]
                     for text in normalised], dtype=bool).reshape(len(normalised), len(taxonomy.labels))


def cross_validate(gold: pd.DataFrame, taxonomy: Taxonomy, params: dict | None = None,
                   progress: Callable[[int, int], None] = lambda done, total: None,
                   by: str = "document", adapt: bool = False, seed: int | None = None) -> tuple[Report, np.ndarray]:
    """Nested grouped CV by scikit-learn's `cross_validate`: each held-out document (or, with
    `by="province"`, each held-out province's documents) is predicted by a classifier whose thresholds were
    tuned by cross-validation among the training documents only. Written sentences only ever train.
    With `adapt`, each held-out document's probabilities are first adjusted to its own label priors (`shift`).
    `seed` deals the provinces to folds at random (`place_folds`); without it the folds are balanced by size.

    Returns the report and the out-of-fold decisions (rows of written sentences are all False).
    """
    ids = taxonomy.ids
    texts, y, groups = training_arrays(gold, ids)
    decisions = np.zeros(y.shape, dtype=bool)
    cv = place_folds(groups, gold["province"].to_numpy(), seed=seed) if by == "province" else DocumentFolds()
    folds = len(cv) if by == "province" else cv.get_n_splits(groups=groups)
    progress(0, folds)
    real = groups != WRITTEN
    for fitted, test in folds_of(for_taxonomy(taxonomy, **(params or {})), texts, y, groups, cv=cv):
        prior = y[real & ~np.isin(np.arange(len(y)), test)].mean(axis=0) if adapt else None
        decisions[test] = decide_in_documents(fitted, [texts[i] for i in test], groups[test], prior)
    progress(folds, folds)
    tested = np.flatnonzero(groups != WRITTEN)
    baseline = keyword_predict([texts[i] for i in tested], taxonomy)
    method = (f"{folds}-fold cross-validation holding out whole provinces "
              f"({len(set(gold['province'].to_numpy()[tested]))} provinces"
              f"{', dealt to folds at random, seed ' + str(seed) if seed is not None else ''}), "
              "thresholds tuned inside each fold"
              if by == "province" else
              f"{folds}-fold cross-validation grouped by document, thresholds tuned inside each fold")
    report = Report(model=score(y[tested], decisions[tested], ids), baseline=score(y[tested], baseline, ids),
                    units=len(tested), documents=len(set(groups[tested])), method=method,
                    interval=_interval(gold, y[tested], decisions[tested], tested))
    return report, decisions


def across_assignments(gold: pd.DataFrame, taxonomy: Taxonomy, params: dict | None = None,
                       seeds: Sequence[int] = (1, 2), balanced: np.ndarray | None = None) -> pd.DataFrame:
    """The place-held-out figure under several assignments of provinces to folds: the balanced one (its
    out-of-fold decisions `balanced`, when already computed) and one random deal per seed. How far the
    figure moves between them is noise that a paired comparison on one assignment does not show."""
    runs = [(None, balanced)] + [(seed, None) for seed in seeds]
    rows = {}
    for seed, decisions in runs:
        if decisions is None:
            decisions = cross_validate(gold, taxonomy, params, by="province", seed=seed)[1]
        name = "balanced by size (the card's figure)" if seed is None else f"dealt at random, seed {seed}"
        rows[name] = _assignment_row(gold, decisions, taxonomy)
    return pd.DataFrame.from_dict(rows, orient="index")


def _assignment_row(gold: pd.DataFrame, decisions: np.ndarray, taxonomy: Taxonomy) -> dict:
    """Macro F1 of one assignment's decisions on all labelled units and, per label, on the pool's."""
    _, y, groups = training_arrays(gold, taxonomy.ids)
    tested = groups != WRITTEN
    row = {"all units macro F1": round(float(score(y[tested], decisions[tested], taxonomy.ids).loc[MACRO, "f1"]), 3)}
    if external_rows(gold).any():
        pool = external_report(gold, decisions, taxonomy).model
        row |= {"pool macro F1": round(float(pool.loc[MACRO, "f1"]), 3)} | {
            f"pool {label}": round(float(pool.loc[label, "f1"]), 3) for label in taxonomy.ids}
    return row


def has_places(gold: pd.DataFrame) -> bool:
    """Whether the gold frame knows its units' provinces (`ingest.places.with_places`), at least two of them."""
    return "province" in gold and gold.loc[gold["province"].astype(bool), "province"].nunique() >= 2


def by_kind(gold: pd.DataFrame, decisions: np.ndarray, taxonomy: Taxonomy) -> pd.DataFrame:
    """Macro F1 of out-of-fold decisions per kind of document (work report, meeting, plan, news), beside the
    keyword dictionary's: whether a figure holds across the kinds analysts read."""
    ids, rows = taxonomy.ids, {}
    y = label_matrix(gold["labels"].tolist(), ids)
    for kind, part in gold.groupby("kind").indices.items():
        if not kind:
            continue
        keywords = keyword_predict(gold["text"].iloc[part].tolist(), taxonomy)
        rows[kind] = {"documents": int(gold["doc_id"].iloc[part].nunique()), "units": len(part),
                      "units with a measure": round(float(y[part].any(axis=1).mean()), 3),
                      "macro F1": round(float(score(y[part], decisions[part], ids).loc[MACRO, "f1"]), 3),
                      "keyword macro F1": round(float(score(y[part], keywords, ids).loc[MACRO, "f1"]), 3)}
    return pd.DataFrame.from_dict(rows, orient="index")


def decide_in_documents(model: ThresholdedClassifier, texts: Sequence[str], documents,
                        prior: np.ndarray | None = None) -> np.ndarray:
    """The model's decisions; given the training prior, on probabilities adjusted to each document's own."""
    if prior is None:
        return model.predict(texts)
    return (em_adjust(model.predict_proba(texts), documents, prior) >= model.thresholds_).astype(int)


def decide_frame(model: ThresholdedClassifier, frame: pd.DataFrame, prior: np.ndarray | None = None) -> np.ndarray:
    """`decide_in_documents` on a frame's texts, its documents read from `doc_id` (one document without it)."""
    documents = frame["doc_id"] if "doc_id" in frame else np.zeros(len(frame))
    return decide_in_documents(model, frame["text"].tolist(), documents, prior)


def evaluate_on(model: ThresholdedClassifier, gold: pd.DataFrame, taxonomy: Taxonomy,
                name: str = "held-out data", prior: np.ndarray | None = None) -> Report:
    """Score a fitted classifier and the keyword baseline on a labelled frame (columns text, labels; with
    `prior`, probabilities adjusted to each document's label priors)."""
    ids = taxonomy.ids
    y = label_matrix(gold["labels"].tolist(), ids)
    texts = gold["text"].tolist()
    documents = gold["doc_id"].nunique() if "doc_id" in gold else 0
    decisions = decide_frame(model, gold, prior)
    return Report(model=score(y, decisions, ids), baseline=score(y, keyword_predict(texts, taxonomy), ids),
                  units=len(gold), documents=int(documents), method=name,
                  interval=_interval(gold, y, decisions))


def external_rows(gold: pd.DataFrame) -> np.ndarray:
    """Rows labelled stand-off on external corpora (the many-jurisdiction pool)."""
    return (gold["source"] == STANDOFF).to_numpy() if "source" in gold else np.zeros(len(gold), dtype=bool)


def external_report(gold: pd.DataFrame, decisions: np.ndarray, taxonomy: Taxonomy,
                    method: str = "the same cross-validation") -> Report:
    """Out-of-fold decisions (`cross_validate`'s) scored on the external corpora's units alone, beside the
    keyword baseline: how the model does on documents of many other jurisdictions."""
    external = external_rows(gold)
    y = label_matrix(gold.loc[external, "labels"].tolist(), taxonomy.ids)
    return Report(model=score(y, decisions[external], taxonomy.ids),
                  baseline=score(y, keyword_predict(gold.loc[external, "text"].tolist(), taxonomy), taxonomy.ids),
                  units=int(external.sum()), documents=int(gold.loc[external, "doc_id"].nunique()),
                  interval=_interval(gold, y, decisions[external], external),
                  method=f"{method}, scored on the units of external corpora only "
                         "(documents of many other jurisdictions)")


