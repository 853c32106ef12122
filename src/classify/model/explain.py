"""Why the model gave a label: the features that pushed a unit over, as phrases to highlight.

For a linear model a feature's contribution to a label is its value times
the label's weight for it; the phrases behind the largest positive
contributions are what an analyst should see marked in the sentence.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from classify.labels import why_column

if TYPE_CHECKING:
    from classify.model.estimator import ThresholdedClassifier as Model


_PREFIXES = ("words__", "chars__", "terms__term_")


def label_weights(model: Model) -> pd.DataFrame:
    """Features × labels weight table of the fitted classifier, indexed by feature name."""
    names = model.pipeline_.named_steps["features"].get_feature_names_out()
    estimators = model.pipeline_.named_steps["classifier"].estimators_
    columns = {label: _coefficients(estimator, len(names)) for label, estimator in zip(model.labels, estimators)}
    return pd.DataFrame(columns, index=names)


def _coefficients(estimator, width: int) -> np.ndarray:
    # A label absent from training is a constant predictor without weights.
    return estimator.coef_.ravel() if hasattr(estimator, "coef_") else np.zeros(width)


def top_terms(model: Model, label: str, n: int = 20) -> pd.DataFrame:
    """The n phrases that most raise `label`, with their weights (for the model card and app).

    A phrase seen by several feature kinds (a word, a character n-gram, a taxonomy term) is listed once,
    at its largest weight; single characters say little to a reader and are left out.
    """
    weights = label_weights(model)[label].sort_values(ascending=False, kind="stable")
    phrases = pd.Series([_phrase(name) for name in weights.index], index=weights.index)
    readable = phrases.notna() & (phrases.str.len() > 1)
    top = weights[readable & ~phrases.duplicated()].head(n)
    return pd.DataFrame({"phrase": phrases[top.index].to_numpy(), "feature": top.index,
                         "weight": top.to_numpy().round(3)})


def _phrase(feature: str) -> str | None:
    for prefix in _PREFIXES:
        if feature.startswith(prefix):
            return feature[len(prefix):].replace(" ", "")
    return None


def drivers(model: Model, texts: Sequence[str], label: str, n: int = 5) -> list[list[str]]:
    """For each text, the phrases (words, character n-grams, taxonomy terms) that most raised `label`."""
    from classify.model.tagger import fast_transform

    if not len(texts):
        return []
    weights = label_weights(model)[label]
    features = fast_transform(model.pipeline_, list(texts))
    return _top_phrases(features.multiply(weights.to_numpy()).tocsr(), weights.index.to_numpy(), n)


def driver_columns(model: Model, texts: Sequence[str], proba: np.ndarray, n: int = 5,
                   floor: float = 0.05, features=None) -> pd.DataFrame:
    """`drivers` for every text and label at once, as '|'-joined `why_<label>` columns, so evidence can be
    shown with its marked phrases without the model; left empty where the label's probability is below
    `floor` (no threshold an analyst can pick would show the unit there). `features`, when the caller has
    counted them to predict, are not counted again."""
    from classify.model.tagger import fast_transform

    weights = label_weights(model)
    names = weights.index.to_numpy()
    if features is None and len(texts):
        features = fast_transform(model.pipeline_, list(texts))
    columns = {}
    for k, label in enumerate(model.classes_):
        rows = np.flatnonzero(proba[:, k] >= floor)
        joined = np.full(len(texts), "", dtype=object)
        if len(rows):
            contributions = features[rows].multiply(weights[label].to_numpy()).tocsr()
            joined[rows] = ["|".join(phrases) for phrases in _top_phrases(contributions, names, n)]
        columns[why_column(label)] = joined
    return pd.DataFrame(columns)


def _top_phrases(contributions, names: np.ndarray, n: int) -> list[list[str]]:
    result = []
    for row in range(contributions.shape[0]):
        start, end = contributions.indptr[row], contributions.indptr[row + 1]
        order = np.argsort(-contributions.data[start:end])
        phrases = []
        for index in order:
            if contributions.data[start + index] <= 0:
                break
            phrase = _phrase(names[contributions.indices[start + index]])
            if phrase and len(phrase) > 1 and phrase not in phrases:
                phrases.append(phrase)
            if len(phrases) == n:
                break
        result.append(phrases)
    return result


def phrases_of(row: pd.Series, label: str) -> list[str]:
    """The phrases stored by `driver_columns` for one unit and label."""
    return [p for p in str(row.get(why_column(label), "") or "").split("|") if p]


# Markdown's active punctuation as numeric character references: shown as themselves by both HTML and
# Markdown renderers, but never read as a link, an image, emphasis, code, a heading or a table; ':' too,
# so that a bare http://… is not turned into a link.
_MARKDOWN = {ord(ch): f"&#{ord(ch)};" for ch in "\\`*_[]()#!|~:$"}


def safe_text(text: str) -> str:
    """Text from a document, manifest or annotation, made inert for Markdown and HTML alike.

    >>> safe_text("[通知](http://x/y) <b>")
    '&#91;通知&#93;&#40;http&#58;//x/y&#41; &lt;b&gt;'
    """
    return html.escape(str(text), quote=True).translate(_MARKDOWN)


def highlight(text: str, phrases: Sequence[str]) -> str:
    """HTML of `text`, made inert (`safe_text`), with every occurrence of the phrases wrapped in <mark>.

    >>> highlight("<b>建设实验室</b>", ["实验室"])
    '&lt;b&gt;建设<mark>实验室</mark>&lt;/b&gt;'
    """
    phrases = sorted({p for p in phrases if p}, key=len, reverse=True)
    if not phrases:
        return safe_text(text)
    pattern = re.compile("|".join(re.escape(p) for p in phrases))
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(safe_text(text[last:match.start()]))
        parts.append(f"<mark>{safe_text(match.group())}</mark>")
        last = match.end()
    parts.append(safe_text(text[last:]))
    return "".join(parts)
