"""Annotation queues: which units an annotator should see next, most useful first.

Each queue is a pure function from tagged units (and the annotation record)
to an ordered frame, so the app and the CLI (`policy-classify suggest`)
show the same order, and each can be tested without a model.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from classify.annotation import QUEUES  # defined there, free of pandas, for the CLI
from classify.annotation.labeled import Annotation, checked_units, latest, standing_by_annotator
from classify.labels import label_ids_of, proba_column, split_labels


def uncertainty(tagged: pd.DataFrame, thresholds: dict[str, float]) -> pd.Series:
    """How close a unit comes to flipping a label: 1 at a threshold, 0 far from every one."""
    labels = [label for label in label_ids_of(tagged) if label in thresholds]
    if not labels:
        return pd.Series(0.0, index=tagged.index)
    proba = tagged[[proba_column(label) for label in labels]].to_numpy(dtype=float)
    cut = np.array([thresholds[label] for label in labels])
    # Distance to the threshold, scaled by the room on that side, so 0.5 → 0.45 and 0.1 → 0.09 count alike.
    room = np.where(proba >= cut, 1 - cut, cut)
    margin = np.abs(proba - cut) / np.maximum(room, 1e-9)
    return pd.Series(1 - margin.min(axis=1), index=tagged.index)


def gold_labels(events: Iterable[Annotation]) -> dict[str, str]:
    """Unit id → the current gold labels (';'-joined) from the annotation record."""
    return {unit: ";".join(sorted(a.labels)) for unit, a in latest(events).items()}


def most_uncertain(tagged: pd.DataFrame, thresholds: dict[str, float], labelled: Sequence[str] = ()) -> pd.DataFrame:
    """Units ordered by uncertainty, unlabelled ones first: active learning's next questions.

    Labelled units follow, so once a corpus is fully coded the queue still offers the
    model's hardest cases for a second opinion.
    """
    known = tagged["unit_id"].isin(set(labelled))
    ordered = tagged.assign(uncertainty=uncertainty(tagged, thresholds), labelled=known)
    return ordered.sort_values(["labelled", "uncertainty"], ascending=[True, False], kind="stable")


def model_disagrees(tagged: pd.DataFrame, gold: dict[str, str]) -> pd.DataFrame:
    """Labelled units where the model's labels differ from the gold labels."""
    known = tagged[tagged["unit_id"].isin(gold)]
    gold_sets = known["unit_id"].map(lambda u: frozenset(split_labels(gold[u])))
    model_sets = known["labels"].map(lambda v: frozenset(split_labels(v)))
    differing = known[gold_sets != model_sets]
    # Mapped on the kept rows: an empty frame would adopt the index of a longer Series and grow blank rows.
    return differing.assign(gold=differing["unit_id"].map(gold))


def annotators_disagree(tagged: pd.DataFrame, events: Iterable[Annotation]) -> pd.DataFrame:
    """Units whose first two annotators' decisions differ and that no third reading has settled yet,
    with each annotator's labels (an adjudicator's later decision takes the unit off this queue)."""
    by_unit = {unit: {a: frozenset(d.labels) for a, d in decisions.items()}
               for unit, decisions in standing_by_annotator(events).items()}
    disputed = {unit: decisions for unit, decisions in by_unit.items()
                if len(decisions) == 2 and len(set(decisions.values())) > 1}
    rows = tagged[tagged["unit_id"].isin(disputed)]
    summary = rows["unit_id"].map(lambda u: "; ".join(f"{a}: {','.join(sorted(ls)) or 'none'}"
                                                      for a, ls in sorted(disputed[u].items())))
    return rows.assign(decisions=summary)


def unlabelled(tagged: pd.DataFrame, gold: dict[str, str], jurisdiction: str | None = None) -> pd.DataFrame:
    """Units nobody has labelled yet, in document order, optionally of one jurisdiction."""
    rows = tagged[~tagged["unit_id"].isin(gold)]
    if jurisdiction:
        rows = rows[rows["jurisdiction"] == jurisdiction]
    return rows


def random_order(tagged: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """All units shuffled reproducibly: an unbiased sample for checking the model."""
    return tagged.sample(frac=1.0, random_state=seed)


def check_order(unit_ids: Sequence[str], jurisdiction: str) -> list[str]:
    """A jurisdiction's units in a random order fixed by its name: labelling them in this order gives a
    simple random sample of any size (not ranked by the model, so unbiased)."""
    seed = int.from_bytes(jurisdiction.encode("utf-8")[:8].ljust(8, b"\0"), "little") % (2 ** 32)
    ordered = sorted(unit_ids)
    return [ordered[i] for i in np.random.default_rng(seed).permutation(len(ordered))]


def check_sample(tagged: pd.DataFrame, events: Iterable[Annotation], jurisdiction: str) -> pd.DataFrame:
    """A jurisdiction's units in its fixed random order, without those already checked: labelling them
    in order draws a simple random sample, which (unlike the uncertainty queue) estimates its cells
    without bias."""
    rows = tagged[tagged["jurisdiction"].astype(str) == jurisdiction]
    done = checked_units(events)
    order = [u for u in check_order(rows["unit_id"].astype(str).tolist(), jurisdiction) if u not in done]
    return rows.set_index("unit_id", drop=False).loc[order].reset_index(drop=True)


def build_queue(name: str, tagged: pd.DataFrame, events: Sequence[Annotation], thresholds: dict[str, float],
                annotator: str = "", jurisdiction: str | None = None, seed: int = 0) -> pd.DataFrame:
    """The named queue, without units this annotator has already decided."""
    gold = gold_labels(events)
    done = {unit for unit, decisions in standing_by_annotator(events).items() if annotator in decisions}
    if name == "uncertain":
        queue = most_uncertain(tagged, thresholds, labelled=list(gold))
    elif name == "model_vs_gold":
        queue = model_disagrees(tagged, gold)
    elif name == "annotators_disagree":
        queue = annotators_disagree(tagged, events)
        done = set()  # an adjudicator may have coded the unit before
    elif name == "unlabelled":
        queue = unlabelled(tagged, gold, jurisdiction)
    elif name == "random":
        queue = random_order(tagged, seed)
    elif name == "check":
        if not jurisdiction:
            raise ValueError("the check queue needs a jurisdiction")
        queue = check_sample(tagged, events, jurisdiction)
        done = set()  # a unit labelled before, in another queue, still belongs in the random sample
    else:
        raise ValueError(f"unknown queue {name!r}; choose one of {', '.join(QUEUES)}")
    return queue[~queue["unit_id"].isin(done)]
