"""The project's shared vocabulary, at the bottom of the import graph: how a set of labels is written
in a table cell, the sources a labelled unit can come from, and the column names of a tagged frame.

Every other module imports these from here, so renaming a column or a source is one edit.
"""

from __future__ import annotations

from collections.abc import Iterable

WRITTEN = "written"    # a sentence written to teach the model (not corpus text)
STANDOFF = "standoff"  # a unit of an external corpus, referred to by id: the record holds no text
CHECK = "check"        # a decision made in a random check sample (unbiased for cell intervals)

PROBA = "p_"   # p_<label>: the model's probability for a label
FLAG = "is_"   # is_<label>: whether a unit carries the label (parsed once from `labels`)
WHY = "why_"   # why_<label>: the phrases that drove a label, '|'-joined


def split_labels(value: str) -> tuple[str, ...]:
    """'a;b' → ('a', 'b'); empty or NaN → ()."""
    if not isinstance(value, str):
        return ()
    return tuple(part.strip() for part in value.split(";") if part.strip())


def join_labels(labels: Iterable[str]) -> str:
    """('a', 'b') → 'a;b', the form a table cell holds."""
    return ";".join(labels)


def proba_column(label: str) -> str:
    return f"{PROBA}{label}"


def flag_column(label: str) -> str:
    return f"{FLAG}{label}"


def why_column(label: str) -> str:
    return f"{WHY}{label}"


def label_ids_of(tagged) -> list[str]:
    """Label ids present in a tagged frame, from its `p_<label>` columns, in column order."""
    return [column[len(PROBA):] for column in tagged.columns if column.startswith(PROBA)]
