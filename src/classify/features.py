"""Turn unit texts into features: TF-IDF over jieba words and over character n-grams.

The segmenter gets the taxonomy's terms as a user dictionary, so a phrase
such as 成果转化运营公司 is one token rather than four.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import jieba
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

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
    min_df: int = 1
    sublinear_tf: bool = True


def build_features(terms: tuple[str, ...], settings: FeatureSettings = FeatureSettings()) -> FeatureUnion:
    """Words and characters side by side, each TF-IDF weighted and L2-normalised."""
    words = TfidfVectorizer(tokenizer=Segmenter(terms), token_pattern=None, lowercase=False,
                            ngram_range=settings.word_ngrams, min_df=settings.min_df,
                            sublinear_tf=settings.sublinear_tf)
    chars = TfidfVectorizer(analyzer="char", ngram_range=settings.char_ngrams, lowercase=False,
                            min_df=settings.min_df, sublinear_tf=settings.sublinear_tf)
    return FeatureUnion([("words", words), ("chars", chars)])
