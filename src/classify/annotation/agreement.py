"""Agreement between annotators: Cohen's kappa per label on the units two of them coded independently."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from classify.annotation.labeled import Annotation, standing_by_annotator


def agreement(events: Sequence[Annotation], ids: Sequence[str], annotators: Sequence[str] | None = None
              ) -> pd.DataFrame:
    """Cohen's kappa per label between the first two annotators of every unit coded by at least two
    (or, with `annotators`, between exactly those two, on the units both coded)."""
    pairs = []
    for decisions in standing_by_annotator(events).values():
        if annotators:
            if all(name in decisions for name in annotators[:2]):
                pairs.append([frozenset(decisions[name].labels) for name in annotators[:2]])
        elif len(decisions) >= 2:
            pairs.append([frozenset(d.labels) for d in decisions.values()][:2])
    rows = {}
    for label in ids:
        first = [label in pair[0] for pair in pairs]
        second = [label in pair[1] for pair in pairs]
        rows[label] = {"units": len(pairs), "agree": sum(a == b for a, b in zip(first, second)),
                       "positives": sum(first) + sum(second), "kappa": kappa(first, second)}
    return pd.DataFrame.from_dict(rows, orient="index")


def kappa(first: Sequence[bool], second: Sequence[bool]) -> float:
    """Cohen's kappa of two binary codings; 1.0 when both never (or always) use the label, NaN for none."""
    if not first:
        return float("nan")
    if len(set(first) | set(second)) == 1:
        return 1.0
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second)) / n
    p1, p2 = sum(first) / n, sum(second) / n
    expected = p1 * p2 + (1 - p1) * (1 - p2)
    return float((observed - expected) / (1 - expected)) if expected < 1 else 1.0
