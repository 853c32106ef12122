"""Train the classifier on the gold set and write its card: what it learnt from, with which settings,
and how well it does where it has not looked (grouped CV, the pool's places, the development set),
plus the calibration of the matrix's cell intervals.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Callable
from datetime import datetime, timezone
from importlib import metadata

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import GroupKFold

from classify.analysis import intervals
from classify.model.estimator import MAX_FOLDS, ThresholdedClassifier, for_taxonomy, label_matrix, training_arrays
from classify.model.evaluate import cross_validate, evaluate_on, external_report, external_rows
from classify.annotation.labeled import WRITTEN, split_labels
from classify.taxonomy import Taxonomy

LIBRARIES = ("scikit-learn", "jieba", "rjieba", "numpy", "scipy", "pandas", "skops", "opencc")
RATIONALE = (
    "The model trains on three kinds of labelled text: the 348 units of the five corpus documents, 1,012 "
    "sentences written to teach it, and 2,375 stand-off-labelled units of the pool (163 documents, 129 other "
    "jurisdictions, coded twice and adjudicated). Settings were chosen on the pool's grouped cross-validation "
    "(the most places, so the least noise) and checked on the development set (see the ablation below). "
    "The pool's labels are the lever that matters on unseen places: without them pool macro F1 is 0.671, with "
    "them 0.742; on held-out pool jurisdictions the labelling curve climbs from 0.71 to 0.78, and the "
    "active-learning order gets there sooner (0.765 at 500 units against 0.731 at random). The 179-unit dev "
    "set moves within its noise (0.72-0.76). Term indicators carry the codebook's vocabulary to unseen cities "
    "(without them 0.685 pool / 0.655 dev); the written sentences add 0.03 pool / 0.06 dev; the lexicon adds "
    "0.02 pool (dev, at 0.758 without it, moves the other way within its noise). Nothing else "
    "helped beyond noise: word bigrams, character 4-grams, C = 30, no class weights, lexicon terms mined from "
    "the pool and vetted (0.739), the previous and the heading unit as context features (0.748-0.750, "
    "measured outside the package and not kept), fully tuned or fixed thresholds. Thresholds stay half way "
    "between 0.5 and the grouped-CV optimum. Self-training was not tried: every unit of the corpus and the "
    "pool is labelled, so no unlabelled text of new places is left to learn from.")


def train(gold: pd.DataFrame, taxonomy: Taxonomy, params: dict | None = None,
          progress: Callable[[str], None] = lambda step: None) -> ThresholdedClassifier:
    """Fit a classifier on a gold frame (columns unit_id, text, labels, doc_id, source); its card (`.card_`)
    records the data, settings and thresholds."""
    texts, y, groups = training_arrays(gold, taxonomy.ids)
    progress("choosing thresholds by grouped cross-validation, then fitting on all units")
    model = for_taxonomy(taxonomy, **(params or {})).fit(texts, y, groups=groups)
    model.card_ = {
        "taxonomy": taxonomy.fingerprint(),
        "labels": taxonomy.ids,
        "settings": model.settings(),
        "thresholds": model.thresholds_by_label(),
        "training_data": training_fingerprint(gold),
        "units": {"corpus": int((groups != WRITTEN).sum()), "written": int((groups == WRITTEN).sum()),
                  "documents": int(len(set(groups[groups != WRITTEN])))},
        "label_counts": {label: int(y[:, k].sum()) for k, label in enumerate(taxonomy.ids)},
        "versions": library_versions(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    return model


def train_with_card(gold: pd.DataFrame, taxonomy: Taxonomy, params: dict | None = None,
                    dev: pd.DataFrame | None = None, name: str = "default",
                    progress: Callable[[str], None] = lambda step: None) -> ThresholdedClassifier:
    """Train on the gold set and write its honest figures into the card: grouped CV and, if given, the dev set."""
    model = train(gold, taxonomy, params, progress)
    progress("scoring by nested grouped cross-validation")
    cv, decisions = cross_validate(gold, taxonomy, params)
    model.card_["name"] = name
    model.card_["rationale"] = RATIONALE
    model.card_["metrics"] = {"cv": cv.to_dict()}
    if external_rows(gold).any():
        model.card_["metrics"]["cv_external"] = external_report(gold, decisions, taxonomy).to_dict()
    if dev is not None:
        progress("scoring on the development set")
        model.card_["metrics"]["dev"] = evaluate_on(model, dev, taxonomy, "development set").to_dict()
    progress("calibrating cell intervals on held-out jurisdictions")
    model.card_["intervals"] = interval_card(gold, taxonomy, model, dev)
    return model


def training_fingerprint(gold: pd.DataFrame) -> str:
    """Hash of the training set's content (unit, text, labels), independent of row order."""
    rows = sorted(zip(gold["unit_id"], gold["text"], gold["labels"].map(lambda v: ";".join(sorted(split_labels(v))))))
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode("utf-8")).hexdigest()


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def cross_fitted(gold: pd.DataFrame, held: np.ndarray, model: ThresholdedClassifier,
                 folds: int = MAX_FOLDS) -> np.ndarray:
    """Probabilities for the `held` rows from models that never saw their jurisdiction (folds by
    jurisdiction, thresholds untuned: only probabilities are needed); every other row always trains."""
    texts = gold["text"].tolist()
    y = label_matrix(gold["labels"].tolist(), model.labels)
    rows, others = np.flatnonzero(held), np.flatnonzero(~held)
    places = gold["jurisdiction"].astype(str).to_numpy()
    untuned = clone(model).set_params(threshold_tuning=0.0)
    proba = np.zeros((len(rows), len(model.labels)))
    for train_part, test_part in GroupKFold(n_splits=min(folds, len(set(places[rows])))).split(
            rows, groups=places[rows]):
        fitted = np.concatenate([others, rows[train_part]])
        proba[test_part] = clone(untuned).fit([texts[i] for i in fitted], y[fitted]).predict_proba(
            [texts[i] for i in rows[test_part]])
    return proba


def interval_card(gold: pd.DataFrame, taxonomy: Taxonomy, model: ThresholdedClassifier,
                  dev: pd.DataFrame | None = None, min_places: int = 10) -> dict:
    """Calibration of cell intervals from jurisdictions held out by cross-fitting, and their coverage:
    on held-out halves of those jurisdictions, and on the development set."""
    held = external_rows(gold)
    source = "units of external corpora (stand-off labels), held out by jurisdiction"
    if len(set(gold.loc[held, "jurisdiction"])) < min_places:
        held = (training_arrays(gold, taxonomy.ids)[2] != WRITTEN)
        source = "labelled corpus units, held out by jurisdiction (few places: intervals are rough)"
    places = gold.loc[held, "jurisdiction"].astype(str).to_numpy()
    if len(set(places)) < 2:
        return {}
    proba = cross_fitted(gold, held, model)
    y = label_matrix(gold.loc[held, "labels"].tolist(), taxonomy.ids)
    calibration = intervals.calibrate(proba, y, places, taxonomy.ids)
    result = {"source": source, "units": int(held.sum()), "jurisdictions": len(set(places)),
              "calibration": intervals.to_card(calibration),
              "coverage": {"held-out halves": halves_coverage(proba, y, places, taxonomy.ids).to_dict("records")}}
    if dev is not None and "jurisdiction" in dev and dev["jurisdiction"].astype(bool).all():
        result["coverage"]["development set"] = intervals.coverage(
            model.predict_proba(dev["text"].tolist()), label_matrix(dev["labels"].tolist(), taxonomy.ids),
            dev["jurisdiction"].astype(str).to_numpy(), taxonomy.ids, calibration).to_dict("records")
    return result


def halves_coverage(proba: np.ndarray, y: np.ndarray, places: np.ndarray, ids, seed: int = 0) -> pd.DataFrame:
    """Coverage of intervals calibrated on one half of the jurisdictions and tested on the other, both ways."""
    names = np.array(sorted(set(places)), dtype=object)
    first = set(names[np.random.default_rng(seed).permutation(len(names))[: len(names) // 2]])
    mask = np.array([p in first for p in places])
    tables = [intervals.coverage(proba[test], y[test], places[test], ids,
                                 intervals.calibrate(proba[fit], y[fit], places[fit], ids))
              for fit, test in ((mask, ~mask), (~mask, mask))]
    both = pd.concat(tables)
    return both.groupby("checked units").apply(lambda t: pd.Series({
        "cells": int(t["cells"].sum()),
        "coverage": round(float(np.average(t["coverage"], weights=t["cells"])), 3),
        "coverage, non-empty cells": round(float(np.average(t["coverage, non-empty cells"], weights=t["cells"])), 3),
        "median width": float(t["median width"].mean())}), include_groups=False).reset_index()
