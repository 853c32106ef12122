"""The sentences behind a matrix cell, and the sentences around one: what an analyst reads to trust a figure."""

from __future__ import annotations

import pandas as pd

from classify.labels import split_labels
from classify.analysis.matrix import decisions


def evidence(tagged: pd.DataFrame, jurisdiction: str, label: str, threshold: float | None = None,
             gold: dict[str, str] | None = None) -> pd.DataFrame:
    """The units behind one matrix cell, most probable first, each marked as confirmed by a person or not."""
    rows = tagged[tagged["jurisdiction"] == jurisdiction]
    rows = rows[decisions(rows, [label], threshold)[label].to_numpy()]
    rows = rows.assign(probability=rows[f"p_{label}"]).sort_values("probability", ascending=False, kind="stable")
    gold = gold or {}
    status = rows["unit_id"].map(lambda unit: "unreviewed" if unit not in gold
                                 else ("confirmed" if label in split_labels(gold[unit]) else "rejected"))
    return rows.assign(review=status)


def neighbours(tagged: pd.DataFrame, unit_id: str, width: int = 2) -> pd.DataFrame:
    """The unit with up to `width` units before and after it in its document."""
    unit = tagged.loc[tagged["unit_id"] == unit_id]
    if unit.empty:
        return unit
    doc, position = unit.iloc[0]["doc_id"], unit.iloc[0]["position"]
    same = tagged[(tagged["doc_id"] == doc) & tagged["position"].between(position - width, position + width)]
    return same.sort_values("position")
