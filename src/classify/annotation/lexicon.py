"""Mine labelled text for the words that mark each measure, as candidates for the taxonomy's lexicon.

For each label, the words of its units are compared with the words of all other units by the
log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008). Terms the
taxonomy already has are left out. The table is for a person to vet: only terms that name the
measure itself (not a city, a year or a slogan) belong in `taxonomy.yaml`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from classify.analysis.compare import is_content_word
from classify.annotation.labeled import split_labels

COLUMNS = ["label", "term", "in_label", "elsewhere", "delta", "z"]


def candidate_terms(gold: pd.DataFrame, label_ids: Sequence[str], words: Callable[[str], list[str]],
                    known: set[str] = frozenset(), top: int = 30, prior: float = 100.0,
                    min_count: int = 3) -> pd.DataFrame:
    """Per label, the `top` words most over-represented in its units (z of the log-odds), unknown terms only.

    A word counts once per unit, so one long unit that repeats a word does not make it a marker.
    """
    bags = [set(w for w in words(text) if is_content_word(w)) for text in gold["text"]]
    labels = [set(split_labels(value)) for value in gold["labels"]]
    total = Counter(w for bag in bags for w in bag)
    background = pd.Series(total, dtype=float)
    alpha = prior * background / background.sum()
    rows = []
    for label in label_ids:
        own = Counter(w for bag, have in zip(bags, labels) if label in have for w in bag)
        if not own:
            continue
        inside = pd.Series(own, dtype=float).reindex(background.index, fill_value=0.0)
        outside = background - inside
        n_in, n_out, a0 = inside.sum(), outside.sum(), alpha.sum()
        delta = (np.log((inside + alpha) / (n_in + a0 - inside - alpha))
                 - np.log((outside + alpha) / (n_out + a0 - outside - alpha)))
        z = delta / np.sqrt(1 / (inside + alpha) + 1 / (outside + alpha))
        keep = (inside >= min_count) & ~inside.index.isin(list(known))
        for term in z[keep].sort_values(ascending=False).head(top).index:
            rows.append({"label": label, "term": term, "in_label": int(inside[term]),
                         "elsewhere": int(outside[term]), "delta": round(float(delta[term]), 3),
                         "z": round(float(z[term]), 2)})
    return pd.DataFrame(rows, columns=COLUMNS)
