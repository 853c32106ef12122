"""One function per thing a user asks for, composed from the library's steps: the CLI and the app call
these and only parse arguments or widgets and render, so no recipe is written twice.

Imports sit inside the functions, as in the CLI, so a command that needs neither pandas nor scikit-learn
starts without them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from classify.labels import WRITTEN, proba_column
from classify.taxonomy import Taxonomy

Progress = Callable[[str], None]
DENSER_HALF = "denser half of the jurisdictions, calibrated on the sparser half"  # a coverage row of the card


def train(gold, resolution, taxonomy: Taxonomy, model_dir: Path, dev=None, progress: Progress = lambda step: None,
          place_assignments: int | None = None):
    """Train on the gold set, write its honest figures into the card (provinces held out, documents held
    out, the development set when given, intervals), note which corpora the stand-off labels came from,
    and save it to `model_dir` (the old model stays until the new one has loaded back)."""
    from classify.model.persist import save_model

    model = train_with_card(gold, taxonomy, dev=dev, name=Path(model_dir).name, progress=progress,
                            place_assignments=place_assignments)
    model.card_["corpora"] = resolution.to_card()
    save_model(model, model_dir)
    return model


def annotate(pairs, annotator: str, corpus: tuple[str, Path], labeled_dir: Path, label_ids, check: bool = False,
             text: str | None = None, from_table: bool = False) -> list:
    """Store (unit id, labels) decisions by one annotator, through the same store the app uses: a unit of the
    project's corpus is stored with its text and place, a unit of a named external corpus stand-off (id and
    labels only), a unit from elsewhere with the `text` given (one unit, not `from_table`). With a users
    file, only its annotators may."""
    from classify.annotation.access import load_users
    from classify.annotation.labeled import annotator_name, append, make_annotation
    from classify.annotation.standoff import corpus_units, decisions
    from classify.labels import CHECK

    annotator, known = annotator_name(annotator), load_users()
    if known is not None and annotator not in known:
        raise ValueError(f"annotator {annotator!r} is not in the users file (policy-classify users add)")
    name, folder = corpus
    if name or check or from_table:
        made = decisions(pairs, annotator, corpus_units(folder), name, sample=CHECK if check else "")
    else:
        made = [make_annotation(pairs[0][0], pairs[0][1], annotator, folder, text)]
    append(labeled_dir, made, label_ids)
    return made


def training_summary(card: dict) -> str:
    """One line of a trained model's headline figures, the place-held-out one first."""
    metrics = card["metrics"]
    parts = [f"provinces held out {metrics['cv_place']['model']['macro']['f1']:.3f}"] if "cv_place" in metrics else []
    parts.append(f"grouped-CV macro F1 {metrics['cv']['model']['macro']['f1']:.3f} "
                 f"(keyword baseline {metrics['cv']['baseline']['macro']['f1']:.3f})")
    if "dev" in metrics:
        parts.append(f"dev macro F1 {metrics['dev']['model']['macro']['f1']:.3f} "
                     f"(baseline {metrics['dev']['baseline']['macro']['f1']:.3f})")
    return "; ".join(parts)


def tag_corpus(corpus: Path, model_dir: Path, taxonomy: Taxonomy, skipped: list[str] | None = None):
    """Every unit of a corpus folder tagged by a model, with the phrases that drove each label: from the
    one cache when this model tagged these files before, else tagged once (features counted once)."""
    from classify.model.persist import checked_card, load_model
    from classify.model.predict import tag_cached
    from classify.project import cache_folder

    card = checked_card(model_dir, taxonomy)
    return tag_cached(Path(corpus), cache_folder(), card["model_sha256"], lambda: load_model(model_dir, taxonomy),
                      skipped)


def has_calibration(card: dict) -> bool:
    """Whether a model's card can give cells intervals (cards from before intervals cannot)."""
    from classify.analysis.intervals import from_card

    return bool(from_card(card))


def interval_cells(tagged, card: dict, events, value: str = "count", source: str = "the table"):
    """One row per jurisdiction × measure: estimate, 90% interval and its basis (model only, a checked
    sample, all units confirmed), from the card's calibration and the annotators' decisions; `wide` marks
    an interval wider than its estimate (read with care)."""
    from classify.analysis.intervals import as_rates, cell_intervals, from_card, is_wide
    from classify.annotation.labeled import checked_units
    from classify.annotation.queue import gold_labels

    calibration = from_card(card)
    if not calibration:
        raise ValueError("the model card has no interval calibration; retrain the model")
    missing = [proba_column(label) for label in calibration if proba_column(label) not in tagged]
    if missing:
        raise ValueError(f"{source}: missing column(s) {', '.join(missing)} (tag or predict first)")
    counts = cell_intervals(tagged, calibration, gold_labels(events), checked_units(events))
    return as_rates(counts, value).assign(wide=is_wide(counts).to_numpy())


def cross_validation(gold, taxonomy: Taxonomy, held_out: str = "province",
                     progress: Callable[[int, int], None] | None = None, seed: int | None = None):
    """The model and keyword baseline scored with folds that hold out whole provinces (when the gold set
    knows them; else documents; `seed` deals the provinces to folds at random), and macro F1 by kind of
    document."""
    from classify.model import evaluate

    by = held_out if held_out == "document" or evaluate.has_places(gold) else "document"
    report, decisions = evaluate.cross_validate(gold, taxonomy, by=by, progress=progress, seed=seed)
    kinds = evaluate.by_kind(gold, decisions, taxonomy) if "kind" in gold else None
    return report, kinds


def score_file(model_dir: Path, taxonomy: Taxonomy, path: Path):
    """The saved model and the keyword baseline scored on a gold table."""
    from classify.annotation.labeled import read_gold
    from classify.model.evaluate import evaluate_on
    from classify.model.persist import load_model

    return evaluate_on(load_model(model_dir, taxonomy), read_gold(path), taxonomy, name=str(path))


def suggestions(corpus: Path, model_dir: Path, taxonomy: Taxonomy, events, queue: str = "uncertain",
                annotator: str = "", check_place: str | None = None, limit: int = 50):
    """The units of a corpus to label next, most useful first: by default unlabelled units the model is
    least sure of; with `check_place`, that jurisdiction's fixed random check sample."""
    from classify.annotation.queue import build_queue
    from classify.model.persist import checked_card

    tagged = tag_corpus(corpus, model_dir, taxonomy)
    tagged = tagged.drop(columns=[c for c in tagged if c.startswith("why_")])
    if check_place:
        queue = "check"
        if check_place not in set(tagged["jurisdiction"].astype(str)):
            raise ValueError(f"no units of jurisdiction {check_place!r} in {corpus}")
    thresholds = checked_card(model_dir, taxonomy)["thresholds"]
    chosen = build_queue(queue, tagged, events, thresholds, annotator=annotator, jurisdiction=check_place)
    if queue == "uncertain":
        chosen = chosen[~chosen["labelled"]]
    return chosen.drop(columns=["labelled"], errors="ignore").head(limit)


def commitments(tagged, measures=(), jurisdictions=()):
    """Numbers attached to measures, of the given measures and jurisdictions only (all when empty)."""
    from classify.analysis.commitments import extract
    from classify.labels import label_ids_of

    unknown = sorted(set(measures) - set(label_ids_of(tagged)))
    if unknown:
        raise ValueError(f"unknown measure(s) {', '.join(unknown)}; the table has "
                         f"{', '.join(label_ids_of(tagged)) or 'no p_<label> columns'}")
    if jurisdictions:
        tagged = tagged[tagged["jurisdiction"].isin(jurisdictions)]
    return extract(tagged, list(measures) or None)


def report(tagged, taxonomy: Taxonomy, places: list[str], card: dict, events) -> str:
    """The HTML comparison of jurisdictions, with the annotators' decisions and check samples."""
    from classify.analysis.report import build_report
    from classify.annotation.labeled import checked_units
    from classify.annotation.queue import gold_labels

    return build_report(tagged, taxonomy, places, card, gold_labels(events), checked=frozenset(checked_units(events)))


def add_to_card(model_dir: Path, title: str, table, note: str, image: tuple[str, bytes] | None = None) -> None:
    """A measured table (and its plot) written into a model's card, replacing one of the same title."""
    from classify.model.card import with_table
    from classify.model.persist import read_card, write_card

    if image is not None:
        (Path(model_dir) / image[0]).write_bytes(image[1])
    write_card(model_dir, with_table(read_card(model_dir), title, table, note, image[0] if image else ""))


def tag_chunks(corpus: Path, model_dir: Path, taxonomy: Taxonomy, **options):
    """A corpus folder's units tagged chunk by chunk, by the model's tagging form (see `predict.tag_corpus`
    for the options: jobs, backend, scheduler, size, manifest)."""
    from classify.model.persist import load_tagger
    from classify.model.predict import tag_corpus as tag_in_chunks

    return tag_in_chunks(load_tagger(model_dir, taxonomy), corpus, **options)


def ablation(gold, taxonomy: Taxonomy, dev, model_dir: Path, progress: Progress = lambda step: None):
    """Each lever of the model on and off, scored with provinces held out and on the development set;
    the table goes into the model's card, followed by the record of the levers measured outside the package."""
    from classify.model import experiments, levers

    table = experiments.ablation(gold, taxonomy, experiments.LEVERS, dev, progress=progress)
    add_to_card(model_dir, experiments.ABLATION_TITLE, table, experiments.ABLATION_NOTE)
    add_to_card(model_dir, levers.OUTSIDE_TITLE, levers.measured_outside(), levers.OUTSIDE_NOTE)
    return table


def learning_curve(gold, taxonomy: Taxonomy, model_dir: Path):
    """Macro F1 on held-out documents against units labelled, into the model's card."""
    from classify.model import experiments

    table = experiments.learning_curve(gold, taxonomy)
    add_to_card(model_dir, experiments.CURVE_TITLE, table, experiments.CURVE_NOTE)
    return table


def labelling_curve(gold, taxonomy: Taxonomy, dev, model_dir: Path, progress: Progress = lambda step: None):
    """Dev macro F1 against pool units labelled, active-learning against random order; the table and its
    plot into the model's card."""
    from classify.analysis.plot import curve_figure, to_png
    from classify.model import experiments

    table = experiments.labelling_curve(gold, taxonomy, dev, progress=progress)
    add_to_card(model_dir, experiments.LABELLING_TITLE, table, experiments.LABELLING_NOTE,
                ("labelling-curve.png", to_png(curve_figure(table))))
    return table

def train_with_card(gold, taxonomy: Taxonomy, params: dict | None = None, dev=None, name: str = "default",
                    progress: Progress = lambda step: None, place_assignments: int | None = None):
    """Train on the gold set and write its honest figures into the card: cross-validation holding out
    provinces (under `place_assignments` assignments of provinces to folds) and documents, the development
    set if given, figures by kind of document, and the cell intervals' calibration on held-out provinces."""
    from classify.model.card import with_table
    from classify.model.evaluate import (PLACE_ASSIGNMENTS, across_assignments, by_kind, cross_validate, evaluate_on,
                                         external_report, external_rows, has_places)
    from classify.model.train import ASSIGNMENTS_NOTE, ASSIGNMENTS_TITLE, KIND_NOTE, KIND_TITLE, rationale, train as fit

    model = fit(gold, taxonomy, params, progress)
    progress("scoring by nested grouped cross-validation")
    cv, decisions = cross_validate(gold, taxonomy, params)
    model.card_["name"] = name
    model.card_["metrics"] = {"cv": cv.to_dict()}
    if external_rows(gold).any():
        model.card_["metrics"]["cv_external"] = external_report(gold, decisions, taxonomy).to_dict()
    if has_places(gold):
        progress("scoring by nested cross-validation holding out whole provinces")
        placed, held_decisions = cross_validate(gold, taxonomy, params, by="province")
        model.card_["metrics"]["cv_place"] = placed.to_dict()
        if external_rows(gold).any():
            model.card_["metrics"]["cv_place_external"] = external_report(
                gold, held_decisions, taxonomy, "the same place-held-out cross-validation").to_dict()
        model.card_ = with_table(model.card_, KIND_TITLE, by_kind(gold, held_decisions, taxonomy), KIND_NOTE)
        assignments = PLACE_ASSIGNMENTS if place_assignments is None else place_assignments
        if assignments > 1:
            progress("the same, under other assignments of provinces to folds")
            spread = across_assignments(gold, taxonomy, params, range(1, assignments), held_decisions)
            model.card_ = with_table(model.card_, ASSIGNMENTS_TITLE, spread, ASSIGNMENTS_NOTE)
    if dev is not None:
        progress("scoring on the development set")
        model.card_["metrics"]["dev"] = evaluate_on(model, dev, taxonomy, "development set").to_dict()
    progress("calibrating cell intervals on held-out provinces")
    model.card_["intervals"] = interval_card(gold, taxonomy, model, dev)
    model.card_["rationale"] = rationale(model.card_)
    return model


def interval_card(gold, taxonomy: Taxonomy, model, dev=None, min_places: int = 10) -> dict:
    """Calibration of cell intervals from jurisdictions held out by cross-fitting, and their coverage:
    on held-out halves of those jurisdictions, on the denser half calibrated on the sparser one, and on
    the development set."""
    from classify.analysis import intervals
    from classify.model.estimator import label_matrix, training_arrays
    from classify.model.evaluate import external_rows, has_places
    from classify.model.train import cross_fitted

    held = external_rows(gold)
    unit = "province" if has_places(gold) else "jurisdiction"
    source = f"units of external corpora (stand-off labels), held out by {unit}"
    if len(set(gold.loc[held, "jurisdiction"])) < min_places:
        held = (training_arrays(gold, taxonomy.ids)[2] != WRITTEN)
        source = f"labelled corpus units, held out by {unit} (few places: intervals are rough)"
    places = gold.loc[held, "jurisdiction"].astype(str).to_numpy()
    if len(set(places)) < 2:
        return {}
    proba = cross_fitted(gold, held, model)
    y = label_matrix(gold.loc[held, "labels"].tolist(), taxonomy.ids)
    calibration = intervals.calibrate(proba, y, places, taxonomy.ids)
    result = {"source": source, "units": int(held.sum()), "jurisdictions": len(set(places)),
              "calibration": intervals.to_card(calibration),
              "coverage": {"held-out halves": halves_coverage(proba, y, places, taxonomy.ids).to_dict("records"),
                           DENSER_HALF: denser_half_coverage(proba, y, places, taxonomy.ids).to_dict("records")}}
    if dev is not None and "jurisdiction" in dev and dev["jurisdiction"].astype(bool).all():
        result["coverage"]["development set"] = intervals.coverage(
            model.predict_proba(dev["text"].tolist()), label_matrix(dev["labels"].tolist(), taxonomy.ids),
            dev["jurisdiction"].astype(str).to_numpy(), taxonomy.ids, calibration).to_dict("records")
    return result


def halves_coverage(proba, y, places, ids, seed: int = 0):
    """Coverage of intervals calibrated on one half of the jurisdictions and tested on the other, both ways."""
    import numpy as np

    names = np.array(sorted(set(places)), dtype=object)
    first = np.isin(places, names[np.random.default_rng(seed).permutation(len(names))[: len(names) // 2]])
    return _pooled_coverage(proba, y, places, ids, ((first, ~first), (~first, first)))


def denser_half_coverage(proba, y, places, ids):
    """Coverage of intervals calibrated on the jurisdictions at or below the median share of units that carry
    a measure and tested on those above it: whether they hold on places denser in measures than the ones they
    were calibrated on, the shift the unseen test set showed (about 60% of units empty against the pool's 74%)."""
    import numpy as np
    import pandas as pd

    share = pd.Series(np.asarray(y).any(axis=1)).groupby(np.asarray(places)).mean()
    denser = np.isin(places, share.index[share > share.median()])
    return _pooled_coverage(proba, y, places, ids, ((~denser, denser),))


def _pooled_coverage(proba, y, places, ids, splits):
    """Coverage over (calibrate, test) splits of the units, each row weighted by its cells."""
    import numpy as np
    import pandas as pd

    from classify.analysis import intervals

    tables = [intervals.coverage(proba[test], y[test], places[test], ids,
                                 intervals.calibrate(proba[fit], y[fit], places[fit], ids))
              for fit, test in splits]
    both = pd.concat(tables)
    return both.groupby("checked units").apply(lambda t: pd.Series({
        "cells": int(t["cells"].sum()),
        "coverage": round(float(np.average(t["coverage"], weights=t["cells"])), 3),
        "coverage, non-empty cells": round(float(np.average(t["coverage, non-empty cells"], weights=t["cells"])), 3),
        "median width": float(t["median width"].mean())}), include_groups=False).reset_index()
