"""Aggregate tagged units into a jurisdiction × measure matrix."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .labeled import split_labels

VALUES = ("count", "share", "per1000")


class MatrixError(ValueError):
    """Tagged units that cannot be aggregated; the message says why."""


def label_ids_of(tagged: pd.DataFrame) -> list[str]:
    """Label ids present in a tagged frame, from its `p_<label>` columns, in column order."""
    return [column[2:] for column in tagged.columns if column.startswith("p_")]


def decisions(tagged: pd.DataFrame, labels: Sequence[str], threshold: float | None = None) -> pd.DataFrame:
    """Units × labels booleans: the model's own decisions, or probability ≥ `threshold` when one is given."""
    if threshold is not None:
        return pd.DataFrame({label: tagged[f"p_{label}"].to_numpy() >= threshold for label in labels},
                            index=tagged.index)
    chosen = tagged["labels"].map(split_labels)
    return pd.DataFrame({label: chosen.map(lambda ls, label=label: label in ls).to_numpy(dtype=bool)
                         for label in labels}, index=tagged.index)


def to_matrix(tagged: pd.DataFrame, value: str = "count", threshold: float | None = None,
              labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Rows: jurisdictions (with level and unit count); columns: labels; cells: count, share or per 1,000 units."""
    if value not in VALUES:
        raise MatrixError(f"value must be one of {', '.join(VALUES)}, not {value!r}")
    missing = [c for c in ("jurisdiction", "labels") if c not in tagged]
    if missing:
        raise MatrixError(f"tagged units lack column(s) {', '.join(missing)}")
    labels = list(labels) if labels is not None else label_ids_of(tagged)
    chosen = decisions(tagged, labels, threshold).astype(int)
    chosen["jurisdiction"] = tagged["jurisdiction"].to_numpy()
    counts = chosen.groupby("jurisdiction", sort=True)[labels].sum()
    units = tagged.groupby("jurisdiction", sort=True).size()
    if value == "share":
        counts = counts.div(units, axis=0).round(4)
    elif value == "per1000":
        counts = (counts.div(units, axis=0) * 1000).round(1)
    front = pd.DataFrame({"units": units})
    if "level" in tagged:
        front.insert(0, "level", tagged.groupby("jurisdiction", sort=True)["level"].first().fillna(""))
    return pd.concat([front, counts], axis=1)

