"""Score models honestly: per-label precision, recall and F1 under cross-validation that
holds out whole documents, beside the keyword dictionary that hand coders use today.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .labeled import WRITTEN
from .features import FeatureSettings
from .model import (Model, Settings, decide, document_folds, fit_pipeline, groups_of, label_matrix, predict_proba,
                    train, tune_thresholds)
from .normalize import normalize
from .taxonomy import Taxonomy

MICRO, MACRO = "micro", "macro"


@dataclass
class Report:
    """Scores of the model and the keyword baseline on the same units."""

    model: pd.DataFrame
    baseline: pd.DataFrame
    units: int
    documents: int
    method: str

    def to_dict(self) -> dict:
        return {"method": self.method, "units": self.units, "documents": self.documents,
                "model": _records(self.model), "baseline": _records(self.baseline)}


def _records(scores: pd.DataFrame) -> dict:
    return {row: {k: (int(v) if k in ("support", "tp", "fp", "fn") else round(float(v), 4)) for k, v in values.items()}
            for row, values in scores.to_dict(orient="index").items()}


def score(y_true: np.ndarray, y_pred: np.ndarray, ids: Sequence[str]) -> pd.DataFrame:
    """Precision, recall, F1 and support per label, then micro and macro averages.

    A label with no gold and no predicted units scores F1 = 1 (nothing to find, nothing claimed).
    """
    y_true, y_pred = np.asarray(y_true, dtype=bool), np.asarray(y_pred, dtype=bool)
    tp = (y_true & y_pred).sum(axis=0)
    fp = (~y_true & y_pred).sum(axis=0)
    fn = (y_true & ~y_pred).sum(axis=0)
    rows = {label: _prf(tp[k], fp[k], fn[k]) | {"support": int(y_true[:, k].sum()), "tp": int(tp[k]),
                                                 "fp": int(fp[k]), "fn": int(fn[k])} for k, label in enumerate(ids)}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    counts = {"support": int(y_true.sum()), "tp": int(tp.sum()), "fp": int(fp.sum()), "fn": int(fn.sum())}
    macro = {k: float(frame[k].mean()) for k in ("precision", "recall", "f1")} | counts
    frame.loc[MICRO] = _prf(tp.sum(), fp.sum(), fn.sum()) | counts
    frame.loc[MACRO] = macro
    for column in ("support", "tp", "fp", "fn"):
        frame[column] = frame[column].astype(int)
    return frame


def _prf(tp: int, fp: int, fn: int) -> dict:
    if tp + fp + fn == 0:
        return {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn)
    return {"precision": precision, "recall": recall, "f1": f1}


def keyword_predict(texts: Sequence[str], taxonomy: Taxonomy) -> np.ndarray:
    """The hand coder's dictionary: a unit gets every label one of whose key terms it contains."""
    normalised = [normalize(text) for text in texts]
    return np.array([[any(term in text for term in label.key_terms) for label in taxonomy.labels]
                     for text in normalised], dtype=bool).reshape(len(normalised), len(taxonomy.labels))


def cross_validate(gold: pd.DataFrame, taxonomy: Taxonomy, settings: Settings = Settings(),
                   progress: Callable[[int, int], None] = lambda done, total: None) -> tuple[Report, np.ndarray]:
    """Nested grouped CV: each held-out document is predicted by a model whose thresholds were
    chosen by cross-validation among the training documents only. Written sentences only ever train.

    Returns the report and the out-of-fold decisions (rows of written sentences are all False).
    """
    ids = taxonomy.ids
    texts = gold["text"].tolist()
    y = label_matrix(gold["labels"].tolist(), ids)
    groups = groups_of(gold)
    decisions = np.zeros(y.shape, dtype=bool)
    folds = list(document_folds(groups))
    tested = np.concatenate([test for _, test in folds])
    for number, (fitted, test) in enumerate(folds):
        progress(number, len(folds))
        train_texts = [texts[i] for i in fitted]
        thresholds = tune_thresholds(train_texts, y[fitted], groups[fitted], taxonomy, settings)
        model = Model(fit_pipeline(train_texts, y[fitted], taxonomy, settings), ids, thresholds)
        decisions[test] = decide(predict_proba(model, [texts[i] for i in test]), model)
    progress(len(folds), len(folds))
    baseline = keyword_predict([texts[i] for i in tested], taxonomy)
    report = Report(model=score(y[tested], decisions[tested], ids), baseline=score(y[tested], baseline, ids),
                    units=len(tested), documents=len(set(groups[tested])),
                    method=f"{len(folds)}-fold cross-validation grouped by document, thresholds tuned inside each fold")
    return report, decisions


def evaluate_on(model: Model, gold: pd.DataFrame, taxonomy: Taxonomy, name: str = "held-out data") -> Report:
    """Score a fitted model and the keyword baseline on a labelled frame (columns text, labels)."""
    ids = taxonomy.ids
    y = label_matrix(gold["labels"].tolist(), ids)
    texts = gold["text"].tolist()
    predicted = decide(predict_proba(model, texts), model)
    documents = gold["doc_id"].nunique() if "doc_id" in gold else 0
    return Report(model=score(y, predicted, ids), baseline=score(y, keyword_predict(texts, taxonomy), ids),
                  units=len(gold), documents=int(documents), method=name)


def format_report(report: Report) -> str:
    """The report as a fixed-width table: model and baseline side by side, one row per label."""
    table = pd.concat({"model": report.model[["precision", "recall", "f1"]],
                       "keyword baseline": report.baseline[["precision", "recall", "f1"]]}, axis=1)
    table["support"] = report.model["support"]
    lines = [f"{report.method}: {report.units} units from {report.documents} documents",
             table.to_string(float_format=lambda v: f"{v:.3f}"),
             f"macro F1: model {report.model.loc[MACRO, 'f1']:.3f}, "
             f"keyword baseline {report.baseline.loc[MACRO, 'f1']:.3f}"]
    return "\n".join(lines)


def train_with_card(gold: pd.DataFrame, taxonomy: Taxonomy, settings: Settings = Settings(),
                    dev: pd.DataFrame | None = None, name: str = "default",
                    progress: Callable[[str], None] = lambda step: None) -> Model:
    """Train on the gold set and write its honest figures into the card: grouped CV and, if given, the dev set."""
    model = train(gold, taxonomy, settings, progress)
    progress("scoring by nested grouped cross-validation")
    cv, _ = cross_validate(gold, taxonomy, settings)
    model.card["name"] = name
    model.card["rationale"] = RATIONALE
    model.card["metrics"] = {"cv": cv.to_dict()}
    if dev is not None:
        progress("scoring on the development set")
        model.card["metrics"]["dev"] = evaluate_on(model, dev, taxonomy, "development set").to_dict()
    return model


@dataclass(frozen=True)
class Variant:
    """One row of an ablation: settings, and whether the lexicon and the written sentences are used."""

    name: str
    settings: Settings = Settings()
    lexicon: bool = True
    written: bool = True


LEVERS = (
    Variant("full model"),
    Variant("without written sentences", written=False),
    Variant("without the lexicon", lexicon=False),
    Variant("without term indicators", Settings(features=replace(FeatureSettings(), term_weight=0.0))),
    Variant("term indicators at weight 1.0", Settings(features=replace(FeatureSettings(), term_weight=1.0))),
    Variant("with codebook cues (weight 0.1)", Settings(features=replace(FeatureSettings(), cue_weight=0.1))),
    Variant("with word bigrams", Settings(features=replace(FeatureSettings(), word_ngrams=(1, 2)))),
    Variant("thresholds fixed at 0.5", Settings(threshold_tuning=0.0)),
    Variant("thresholds fully tuned by grouped CV", Settings(threshold_tuning=1.0)),
)
RATIONALE = (
    "Settings were chosen by grouped cross-validation on the five corpus documents and by the development "
    "set together (see the ablation below). Term indicators carry the codebook's vocabulary to unseen cities "
    "(dev macro F1 0.56 without them), but at weight 1 they drown the n-grams; 0.2-0.3 is a plateau, 0.25 "
    "chosen. The lexicon adds about 0.02 dev / 0.02 CV; the 1,012 written sentences add 0.12 dev / 0.08 CV. "
    "Word bigrams and codebook cues did not help (within noise, cues lower dev F1), so words are unigrams "
    "and cues are off. Per-label thresholds from grouped CV are moved half way from 0.5 toward the CV "
    "optimum: five documents make the optimum noisy, and fixed 0.5 thresholds lost 0.03 dev F1.")
ABLATION_TITLE = "Ablation: each lever on and off"
ABLATION_NOTE = ("F1 on the development set (179 units, 16 unseen jurisdictions) of a model trained each way on "
                 "labeled/, and grouped-CV macro F1 on the five corpus documents. With 6 to 30 positives per label "
                 "one unit moves a label's dev F1 by up to 0.1: read differences under 0.03 macro as noise.")
CURVE_TITLE = "Learning curve: labelled units a new jurisdiction needs"
CURVE_NOTE = ("Each corpus document in turn plays a new jurisdiction: a random half of its units is held out "
              "for scoring, and the model trains on all other data plus k units of the other half (macro F1 on "
              "the held-out half; mean, min and max over 5 documents × 3 random halves). The curve is flat: "
              "for texts of the corpus's genres, labelling up to 30 units of a new jurisdiction does not raise "
              "its macro F1 measurably (0.84 throughout); what 30 labelled units buy is the floor (the worst "
              "document rises from 0.67 to 0.76) and, above all, a check of the figures for that jurisdiction. "
              "Label 30 of its units (policy-classify suggest) before trusting its cells.")


def without_lexicon(taxonomy: Taxonomy) -> Taxonomy:
    return replace(taxonomy, labels=tuple(replace(label, lexicon=()) for label in taxonomy.labels))


def ablation(gold: pd.DataFrame, taxonomy: Taxonomy, variants: Sequence[Variant], dev: pd.DataFrame,
             progress: Callable[[str], None] = lambda name: None) -> pd.DataFrame:
    """Development-set macro and per-label F1 of a model trained each way (and grouped-CV macro F1)."""
    rows = {}
    for variant in variants:
        progress(variant.name)
        data = gold[gold["source"] != WRITTEN] if not variant.written and "source" in gold else gold
        used = taxonomy if variant.lexicon else without_lexicon(taxonomy)
        model = train(data, used, variant.settings)
        report = evaluate_on(model, dev, used)
        cv, _ = cross_validate(data, used, variant.settings)
        rows[variant.name] = ({"dev macro F1": report.model.loc[MACRO, "f1"], "CV macro F1": cv.model.loc[MACRO, "f1"]}
                              | {label: report.model.loc[label, "f1"] for label in taxonomy.ids})
    return pd.DataFrame.from_dict(rows, orient="index").round(3)


def learning_curve(gold: pd.DataFrame, taxonomy: Taxonomy, settings: Settings = Settings(),
                   sizes: Sequence[int] = (0, 5, 10, 20, 30), repeats: int = 3) -> pd.DataFrame:
    """Macro F1 on a new jurisdiction's document after labelling k of its units.

    Each corpus document in turn plays the new jurisdiction: half of its units, chosen at random,
    are held out for scoring; the model trains on all other data plus k units from the other half.
    Repeated with `repeats` random halves; the table gives mean, min and max over documents and repeats.
    """
    groups = groups_of(gold)
    rows = []
    for repeat in range(repeats):
        rng = np.random.default_rng(repeat)
        for document in sorted(set(groups) - {WRITTEN}):
            own = rng.permutation(np.flatnonzero(groups == document))
            pool, test = own[: len(own) // 2], own[len(own) // 2:]
            others = np.flatnonzero(groups != document)
            for k in (k for k in sizes if k <= len(pool)):
                model = train(gold.iloc[np.concatenate([others, pool[:k]])], taxonomy, settings)
                held_out = evaluate_on(model, gold.iloc[test], taxonomy)
                rows.append({"labelled units": k, "macro F1": held_out.model.loc[MACRO, "f1"]})
    curve = pd.DataFrame(rows)
    return curve.groupby("labelled units")["macro F1"].agg(["mean", "min", "max", "count"]).round(3)
