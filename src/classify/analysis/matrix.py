"""Aggregate tagged units into a jurisdiction × measure matrix."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from classify.analysis import VALUES  # defined there, free of pandas, for the CLI
from classify.labels import flag_column, label_ids_of, proba_column


class MatrixError(ValueError):
    """Tagged units that cannot be aggregated; the message says why."""


def with_flags(tagged: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """`tagged` with one boolean `is_<label>` column per label, parsed once from `labels` so that later
    matrices are plain sums (the app keeps this frame; every re-aggregation then takes milliseconds)."""
    dummies = tagged["labels"].fillna("").astype(str).str.get_dummies(sep=";")
    flags = {flag_column(label): (dummies[label].to_numpy() > 0) if label in dummies else
             np.zeros(len(tagged), dtype=bool) for label in labels}
    return tagged.assign(**flags)


def decisions(tagged: pd.DataFrame, labels: Sequence[str], threshold: float | None = None) -> pd.DataFrame:
    """Units × labels booleans: the model's own decisions, or probability ≥ `threshold` when one is given."""
    if threshold is not None:
        return pd.DataFrame({label: probabilities(tagged, label) >= threshold for label in labels},
                            index=tagged.index)
    if not all(flag_column(label) in tagged for label in labels):
        tagged = with_flags(tagged, labels)
    return pd.DataFrame({label: tagged[flag_column(label)].to_numpy(dtype=bool) for label in labels},
                        index=tagged.index)


def probabilities(tagged: pd.DataFrame, label: str) -> np.ndarray:
    """The `p_<label>` column as numbers, or MatrixError naming the column when it holds anything else."""
    column = proba_column(label)
    if column not in tagged:
        raise MatrixError(f"tagged units lack column {column}")
    values = pd.to_numeric(tagged[column], errors="coerce")
    if values.isna().any():
        raise MatrixError(f"column {column} holds non-numeric values (row {int(values.isna().to_numpy().argmax()) + 2})")
    return values.to_numpy(dtype=float)


def to_matrix(tagged: pd.DataFrame, value: str = "count", threshold: float | None = None,
              labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Rows: jurisdictions (with level and unit count); columns: labels; cells: count, share or per 1,000 units."""
    if value not in VALUES:
        raise MatrixError(f"value must be one of {', '.join(VALUES)}, not {value!r}")
    missing = [c for c in ("jurisdiction", "labels") if c not in tagged]
    if missing:
        raise MatrixError(f"tagged units lack column(s) {', '.join(missing)}")
    labels = list(labels) if labels is not None else label_ids_of(tagged)
    places = tagged["jurisdiction"].astype("category")
    codes, names = places.cat.codes.to_numpy(), places.cat.categories
    chosen = decisions(tagged, labels, threshold)
    units = np.bincount(codes, minlength=len(names))
    present = units > 0
    counts = pd.DataFrame({label: np.bincount(codes, weights=chosen[label].to_numpy(), minlength=len(names))
                           .astype(int) for label in labels}, index=pd.Index(names, name="jurisdiction"))[present]
    units = pd.Series(units[present], index=counts.index, name="units")
    if value == "share":
        counts = counts.div(units, axis=0).round(4)
    elif value == "per1000":
        counts = (counts.div(units, axis=0) * 1000).round(1)
    front = pd.DataFrame({"units": units})
    if "level" in tagged:
        level = pd.Series(tagged["level"].to_numpy(), index=codes).groupby(level=0).first()
        front.insert(0, "level", level.reindex(np.flatnonzero(present)).fillna("").to_numpy())
    front.index.name = "jurisdiction"
    return pd.concat([front, counts], axis=1).sort_index()


def year_of(date: str) -> int | None:
    """The year of a manifest date ('2024-04-23', '2023', '2023年'), or None when there is none."""
    match = re.match(r"\s*(\d{4})", str(date or ""))
    return int(match.group(1)) if match else None


def filter_units(tagged: pd.DataFrame, documents: Sequence[str] | None = None, levels: Sequence[str] | None = None,
                 years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Units of the chosen documents, levels and year range (undated units stay unless a range excludes all)."""
    keep = pd.Series(True, index=tagged.index)
    if documents is not None:
        keep &= tagged["doc_id"].isin(list(documents))
    if levels is not None:
        keep &= tagged["level"].fillna("").isin(list(levels))
    if years is not None:
        year = tagged["date"].map(year_of)
        keep &= year.isna() | year.between(*years)
    return tagged[keep]


def without_predictions(tagged: pd.DataFrame) -> pd.DataFrame:
    """The units alone: a tagged frame without its `labels`, `p_<label>` and `is_<label>` columns, ready to be
    tagged by another model (leftover flags would otherwise be counted as that model's decisions)."""
    labels = label_ids_of(tagged)
    drop = ["labels"] + [proba_column(label) for label in labels] + [flag_column(label) for label in labels]
    return tagged.drop(columns=[c for c in drop if c in tagged])


def matrix_change(before: pd.DataFrame, after: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """Counts of `after` minus counts of `before` per jurisdiction and label (two taggings of the same units)."""
    return to_matrix(after, labels=labels)[list(labels)] - to_matrix(before, labels=labels)[list(labels)]
