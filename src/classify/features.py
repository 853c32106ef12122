"""Turn unit texts into features: TF-IDF over jieba words and over character n-grams.

The segmenter gets the taxonomy's terms as a user dictionary, so a phrase
such as 成果转化运营公司 is one token rather than four.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import jieba
import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from .cues import CodebookCues

jieba.setLogLevel(logging.WARNING)

_SKIP = frozenset(" ,、:“”\"'()《》[]【】-—·.")


@functools.lru_cache(maxsize=4)
def _segmenter(terms: tuple[str, ...]) -> jieba.Tokenizer:
    # One jieba dictionary per term list and process: loading it costs ~0.5 s.
    tokenizer = jieba.Tokenizer()
    for term in terms:
        tokenizer.add_word(term)
    return tokenizer


class Segmenter:
    """A picklable jieba tokenizer with a user dictionary: `Segmenter(["中试平台"])("布局中试平台")`."""

    def __init__(self, terms: tuple[str, ...] = ()):
        self.terms = tuple(terms)

    def __call__(self, text: str) -> list[str]:
        return [token for token in _segmenter(self.terms).lcut(text) if token not in _SKIP and token.strip()]

    def __repr__(self) -> str:
        return f"Segmenter({len(self.terms)} terms)"


@dataclass(frozen=True)
class FeatureSettings:
    """What the text is turned into; each field was chosen by measurement (see the model card)."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (1, 3)
    min_df: int = 2
    sublinear_tf: bool = True
    term_weight: float = 0.25  # 0 turns the term indicators off
    per_term: bool = True
    cue_weight: float = 0.0  # 0 turns the codebook cues off


def build_features(key_terms: tuple[tuple[str, ...], ...], lexicon: tuple[tuple[str, ...], ...] = (),
                   settings: FeatureSettings = FeatureSettings()) -> FeatureUnion:
    """Words and characters side by side, each TF-IDF weighted and L2-normalised, plus term indicators.

    `key_terms` and `lexicon` hold one tuple of phrases per label: the first are strong signals,
    the second weaker jargon; each group gets its own indicator so the model can weigh them apart.
    """
    lexicon = lexicon or tuple(() for _ in key_terms)
    terms_by_label = tuple(tuple(dict.fromkeys(k + j)) for k, j in zip(key_terms, lexicon))
    terms = tuple(dict.fromkeys(term for label_terms in terms_by_label for term in label_terms))
    words = TfidfVectorizer(tokenizer=Segmenter(terms), token_pattern=None, lowercase=False,
                            ngram_range=settings.word_ngrams, min_df=settings.min_df,
                            sublinear_tf=settings.sublinear_tf)
    chars = TfidfVectorizer(analyzer="char", ngram_range=settings.char_ngrams, lowercase=False,
                            min_df=settings.min_df, sublinear_tf=settings.sublinear_tf)
    parts = [("words", words), ("chars", chars)]
    if settings.term_weight:
        parts.append(("terms", TermIndicators(key_terms + lexicon, settings.term_weight, settings.per_term)))
    if settings.cue_weight:
        parts.append(("cues", CodebookCues(terms_by_label, settings.cue_weight)))
    return FeatureUnion(parts)


class TermIndicators(BaseEstimator, TransformerMixin):
    """Features from the taxonomy's terms: per group of terms, does the text contain any of them;
    and, with `per_term`, one feature per term. Both scaled by `weight`.

    They carry the codebook's vocabulary to cities whose wording the training data never showed.
    """

    def __init__(self, terms_by_label: tuple[tuple[str, ...], ...] = (), weight: float = 1.0,
                 per_term: bool = False):
        self.terms_by_label = terms_by_label
        self.weight = weight
        self.per_term = per_term

    def fit(self, texts, y=None):
        self.terms_ = tuple(dict.fromkeys(t for terms in self.terms_by_label for t in terms)) if self.per_term else ()
        return self

    def transform(self, texts):
        rows = []
        for text in texts:
            present = {term for terms in self.terms_by_label for term in terms if term in text}
            rows.append([any(t in present for t in terms) for terms in self.terms_by_label]
                        + [term in present for term in self.terms_])
        width = len(self.terms_by_label) + len(self.terms_)
        return sparse.csr_matrix(self.weight * np.asarray(rows, dtype=float).reshape(len(rows), width))

    def get_feature_names_out(self, input_features=None):
        return np.array([f"label_terms_{k}" for k in range(len(self.terms_by_label))]
                        + [f"term_{t}" for t in self.terms_], dtype=object)
