"""Beyond counts: what is distinctive about each jurisdiction, which ones follow similar playbooks,
how profiles move over time, and how far a model-built cell can be trusted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from classify.labels import split_labels
from classify.analysis.matrix import decisions, year_of

Z_95 = 1.959964


def log_odds(counts: pd.DataFrame, prior: float = 10.0, total: pd.Series | None = None) -> pd.DataFrame:
    """Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008), one row per
    jurisdiction × measure: how much more (delta > 0) or less a jurisdiction stresses a measure than all
    others together, in units that account for how much text each has, with z-score and 95% interval.

    `counts` is jurisdictions × measures (label occurrences); `prior` is the prior's total weight,
    spread over measures in proportion to the whole corpus. `total` is the whole corpus's count per
    column when the rows do not add up to it (labels overlap, some units have none).
    """
    total = (counts.sum(axis=0) if total is None else total.reindex(counts.columns, fill_value=0)).astype(float)
    alpha = prior * total / max(total.sum(), 1)
    alpha0 = alpha.sum()
    rows = []
    for place in counts.index:
        own = counts.loc[place].astype(float)
        rest = total - own
        n_own, n_rest = own.sum(), rest.sum()
        delta = (np.log((own + alpha) / (n_own + alpha0 - own - alpha))
                 - np.log((rest + alpha) / (n_rest + alpha0 - rest - alpha)))
        se = np.sqrt(1 / (own + alpha) + 1 / (rest + alpha))
        for label in counts.columns:
            rows.append({"jurisdiction": place, "measure": label, "count": int(own[label]),
                         "share": own[label] / n_own if n_own else 0.0, "delta": delta[label], "z": delta[label] / se[label],
                         "low": delta[label] - Z_95 * se[label], "high": delta[label] + Z_95 * se[label]})
    return pd.DataFrame(rows).round(4)


def label_counts(tagged: pd.DataFrame, labels: Sequence[str], threshold: float | None = None,
                 by: str = "jurisdiction") -> pd.DataFrame:
    """Units carrying each label, per jurisdiction (or another column)."""
    chosen = decisions(tagged, labels, threshold).astype(int)
    return chosen.groupby(tagged[by].astype(str).to_numpy()).sum()


def distinctive_measures(tagged: pd.DataFrame, labels: Sequence[str], threshold: float | None = None,
                         prior: float = 10.0) -> pd.DataFrame:
    """Per jurisdiction and measure: log-odds against all other jurisdictions, strongest first."""
    table = log_odds(label_counts(tagged, labels, threshold), prior)
    return table.sort_values(["jurisdiction", "z"], ascending=[True, False], kind="stable").reset_index(drop=True)


def distinctive_terms(tagged: pd.DataFrame, jurisdiction: str, label: str, words: Callable[[str], list[str]],
                      threshold: float | None = None, top: int = 15, prior: float = 50.0) -> pd.DataFrame:
    """Within one measure, the words that set a jurisdiction's sentences apart from everyone else's
    (function words, single characters, numbers and punctuation are left out: they say nothing of policy)."""
    rows = tagged[decisions(tagged, [label], threshold)[label].to_numpy()]
    own = rows["jurisdiction"].astype(str) == jurisdiction

    def content(texts) -> pd.Series:
        return pd.Series([w for t in texts for w in words(t) if is_content_word(w)], dtype=object).value_counts()

    counts = pd.DataFrame({"own": content(rows.loc[own, "text"]), "rest": content(rows.loc[~own, "text"])}).fillna(0)
    if counts.empty or counts["own"].sum() == 0:
        return pd.DataFrame(columns=["term", "own", "rest", "delta", "z"])
    table = log_odds(counts.T, prior)
    mine = table[table["jurisdiction"] == "own"].rename(columns={"measure": "term", "count": "own"})
    mine["rest"] = counts.loc[mine["term"], "rest"].astype(int).to_numpy()
    return mine[mine["own"] > 1].sort_values("z", ascending=False).head(top)[["term", "own", "rest", "delta", "z"]]


STOP_WORDS = frozenset("的 为 和 与 在 是 了 等 及 对 将 以 把 中 上 下 年 个 家 项 其 并 或 由 向 从 被 于 之 "
                       "一 二 三 四 五 六 七 八 九 十 我们 我市 全市 全省 着 也 都 要 这 该 各 有 已 共 ".split())


def is_content_word(word: str) -> bool:
    """Whether a token can tell a reader something: two or more characters, not a function word, not a
    number or punctuation."""
    word = word.strip()
    return len(word) > 1 and word not in STOP_WORDS and not re.fullmatch(r"[\W\d_]+", word)


def profiles(matrix: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """Each jurisdiction's share of units per measure (its measure profile)."""
    return matrix[list(labels)].div(matrix["units"], axis=0)


def similarity(matrix: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """Cosine similarity of measure profiles, rows and columns in hierarchical-clustering order."""
    shares = profiles(matrix, labels).fillna(0.0)
    vectors = shares.to_numpy()
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    cosine = pd.DataFrame(unit @ unit.T, index=shares.index, columns=shares.index)
    if len(shares) > 2:
        from scipy.cluster.hierarchy import leaves_list, linkage  # only the Compare page clusters
        from scipy.spatial.distance import pdist

        order = leaves_list(linkage(pdist(unit, metric="euclidean"), method="average"))
        cosine = cosine.iloc[order, order]
    return cosine.round(4)


def by_year(tagged: pd.DataFrame, labels: Sequence[str], jurisdiction: str | None = None,
            threshold: float | None = None) -> pd.DataFrame:
    """Share of units per measure for each year that has dated documents (optionally one jurisdiction)."""
    rows = tagged if jurisdiction is None else tagged[tagged["jurisdiction"].astype(str) == jurisdiction]
    years = rows["date"].map(year_of)
    rows, years = rows[years.notna()], years[years.notna()].astype(int)
    if rows.empty:
        return pd.DataFrame(columns=["units", *labels])
    chosen = decisions(rows, labels, threshold).astype(int)
    shares = chosen.groupby(years.to_numpy()).mean()
    shares.insert(0, "units", chosen.groupby(years.to_numpy()).size())
    shares.index.name = "year"
    return shares.round(4)


def regroup(tagged: pd.DataFrame, mapping: dict[str, Sequence[str]]) -> pd.DataFrame:
    """Tagged units relabelled by a crosswalk: a unit gets a group when any of its labels maps to it
    (so a unit with two labels of one group counts once)."""
    groups = sorted({group for targets in mapping.values() for group in targets})
    chosen = tagged["labels"].fillna("").astype(str).map(
        lambda value: ";".join(g for g in groups if any(g in mapping.get(l, ()) for l in split_labels(value))))
    result = tagged.drop(columns=[c for c in tagged if c.startswith(("p_", "is_"))]).assign(labels=chosen)
    for group in groups:
        members = [l for l, targets in mapping.items() if group in targets and f"p_{l}" in tagged]
        result[f"p_{group}"] = tagged[[f"p_{l}" for l in members]].max(axis=1) if members else 0.0
    return result


LEXICON_COLUMNS = ["label", "term", "in_label", "elsewhere", "delta", "z"]


def candidate_terms(gold: pd.DataFrame, label_ids: Sequence[str], words: Callable[[str], list[str]],
                    known: set[str] = frozenset(), top: int = 30, prior: float = 100.0,
                    min_count: int = 3) -> pd.DataFrame:
    """Per label, the `top` words most over-represented in its units (z of the log-odds against all
    other units), terms the taxonomy does not know only: candidates for a person to vet, since only
    terms that name the measure itself (not a city, a year or a slogan) belong in its lexicon.

    A word counts once per unit, so one long unit that repeats a word does not make it a marker.
    """
    bags = [set(w for w in words(text) if is_content_word(w)) for text in gold["text"]]
    labels = [set(split_labels(value)) for value in gold["labels"]]
    background = pd.Series(Counter(w for bag in bags for w in bag), dtype=float)
    counts = pd.DataFrame({label: Counter(w for bag, have in zip(bags, labels) if label in have for w in bag)
                           for label in label_ids}, index=background.index).fillna(0.0).T
    counts = counts[counts.sum(axis=1) > 0]
    if counts.empty:
        return pd.DataFrame(columns=LEXICON_COLUMNS)
    table = log_odds(counts, prior, total=background).rename(columns={"jurisdiction": "label", "measure": "term",
                                                                      "count": "in_label"})
    table["elsewhere"] = (background.reindex(table["term"]).to_numpy() - table["in_label"]).astype(int)
    table = table[(table["in_label"] >= min_count) & ~table["term"].isin(list(known))]
    table = table.sort_values(["z"], ascending=False, kind="stable").groupby("label", sort=False).head(top)
    order = {label: k for k, label in enumerate(label_ids)}
    table = table.sort_values("label", key=lambda s: s.map(order), kind="stable")
    return table.assign(delta=table["delta"].round(3), z=table["z"].round(2))[LEXICON_COLUMNS].reset_index(drop=True)
