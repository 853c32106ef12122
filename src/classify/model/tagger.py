"""The one fast path from texts to features and probabilities: the fitted pipeline's own numbers, bit for bit,
counted with numpy; the same features explain a prediction (`explain.drivers`).

scikit-learn counts n-grams one text and one n-gram at a time in Python. Here a character 1–3-gram
is one 64-bit integer (21 bits per character), looked up in a hash index of the fitted vocabulary
and counted with `np.unique`; words come from one call to the word cutter per block of texts; the
taxonomy's terms are found by their first two characters. TF-IDF weighting then does
TfidfTransformer's arithmetic in its order, so every matrix, and every probability, is identical
bit for bit (tests/test_tagger.py checks it):

    fast_predict_proba(pipeline, texts)  # == pipeline.predict_proba(texts)
    fast_transform(pipeline, texts)      # == pipeline[:-1].transform(texts): what explains the prediction

Training is untouched: only transforms of fitted steps take this path, and any step it does not
know (another transformer, other vectorizer settings) runs through scikit-learn as before.

A new `policy-classify tag` process used to spend four seconds importing scikit-learn and skops and
rebuilding the model before tagging anything. So the model also has a tagging-only form, `Tagger`: its
vocabularies, IDF weights, term lists, coefficients and thresholds as arrays, tagging with numpy and
SciPy alone. It is derived from the checked skops file the first time (`persist.load_tagger`) and cached
by that file's hash; it gives the model's own probabilities with this module's counting and
scikit-learn's arithmetic in its order: the union's stacking, then per label `expit(X @ coef.T + intercept)`.
"""

from __future__ import annotations

import functools
import io
import json
import re
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import expit

from classify.ingest.normalize import normalize_all
from classify.ingest.segment import Segmenter, cut_chinese, dropped, other_words, split_runs
from classify.model.rules import apply_rules

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline

    from classify.model.features import TermIndicators

# scikit-learn is imported only where its objects are checked: the counting itself (and `Tagger`, which
# tags from arrays) runs on numpy and SciPy alone.

# Characters per block of texts. Arrays of a few MB reuse the allocator's memory; arrays of tens
# of MB are fresh pages, and on the benchmark machine (a VM) touching them costs more than the work.
BLOCK = 1 << 16
_BITS = 21  # every code point fits in 21 bits, so three characters fit one int64
_GAP = 0x110001  # above every code point + 1: closes each text, so no n-gram or term spans two texts
_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's `_white_spaces`, applied before character n-grams
_DOC, _PIECE = "\ue000", "\ue001"  # markers between texts and between runs: not Chinese, not spaces, not words
FORMAT = 1  # of the tagging form's file (`to_bytes`)


def fast_predict_proba(pipeline: Pipeline, texts: Sequence[str]) -> np.ndarray:
    """`pipeline.predict_proba(texts)`, with the features counted here."""
    return pipeline.steps[-1][1].predict_proba(fast_transform(pipeline, texts))


def fast_transform(pipeline: Pipeline, texts: Sequence[str]):
    """What `pipeline` hands its final step for `texts`: a feature union is counted here, other steps run as usual."""
    from sklearn.pipeline import FeatureUnion

    features = list(texts)
    for _, step in pipeline.steps[:-1]:
        if step is None or isinstance(step, str):  # "passthrough"
            continue
        features = union_features(step, features) if isinstance(step, FeatureUnion) else step.transform(features)
    return features


def union_features(union: FeatureUnion, texts: list[str]):
    """`union.transform(texts)`, with the parts this module reproduces counted here."""
    from sklearn import get_config

    if not all(type(text) is str for text in texts) or get_config().get("sparse_interface", "spmatrix") != "spmatrix":
        return union.transform(texts)
    weights = union.transformer_weights or {}
    parts = []
    for name, part in union.transformer_list:
        if isinstance(part, str):  # "drop", or "passthrough", which texts cannot be
            if part == "drop":
                continue
            return union.transform(texts)
        features = _part_features(part, texts)
        parts.append(features if weights.get(name) is None else features * weights[name])
    if not parts:
        return union.transform(texts)
    # The one private scikit-learn name here: FeatureUnion's own stacking (sparse or dense parts, and any
    # `set_output` container) has no public form, and using it keeps the columns, their order and type its own.
    return union._hstack(parts)


def _part_features(part, texts: list[str]):
    """One part of the feature union applied to `texts`: counted here when it is a kind this module knows."""
    from classify.model.features import TermIndicators

    if _counts_chars(part):
        return char_tfidf(part, texts)
    if _counts_segmented_words(part):
        return segmented_word_tfidf(part, texts)
    if _counts_words(part):
        return word_tfidf(part, [part.tokenizer(text) for text in texts])
    if type(part) is TermIndicators:
        return term_indicators(part, texts)
    return part.transform(texts)


# ---- TF-IDF ----------------------------------------------------------------------------------------


def _plain_tfidf(vectorizer) -> bool:
    """A fitted TfidfVectorizer whose text reaches its analyzer unchanged, with float64 counts."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    # `vocabulary_` is set by `fit` after the weighting it fits, so it says both are fitted.
    return (type(vectorizer) is TfidfVectorizer and hasattr(vectorizer, "vocabulary_")
            and vectorizer.input == "content" and vectorizer.preprocessor is None
            and vectorizer.lowercase is False and vectorizer.strip_accents is None and not vectorizer.binary
            and np.dtype(vectorizer.dtype) == np.float64)


def _counts_chars(vectorizer) -> bool:
    """Whether `char_tfidf` reproduces this vectorizer: character n-grams of at most 3 characters."""
    return _plain_tfidf(vectorizer) and vectorizer.analyzer == "char" and 1 <= vectorizer.ngram_range[0] \
        and vectorizer.ngram_range[0] <= vectorizer.ngram_range[1] <= 3


def _counts_words(vectorizer) -> bool:
    """Whether `word_tfidf` reproduces this vectorizer: words from its own tokenizer, no stop words."""
    return _plain_tfidf(vectorizer) and vectorizer.analyzer == "word" and vectorizer.tokenizer is not None \
        and vectorizer.stop_words is None and 1 <= vectorizer.ngram_range[0] <= vectorizer.ngram_range[1]


def _counts_segmented_words(vectorizer) -> bool:
    """Whether `segmented_word_tfidf` reproduces this vectorizer: single words cut by a Segmenter."""
    return _counts_words(vectorizer) and type(vectorizer.tokenizer) is Segmenter and vectorizer.ngram_range == (1, 1)


@dataclass(frozen=True)
class _Weighting:
    """What turns counts into TF-IDF: 1 + log(tf) or tf, times the IDF when there is one, then the norm."""

    sublinear_tf: bool
    norm: str | None
    idf: np.ndarray | None  # None when the vectorizer does not use IDF


def _weighting_of(vectorizer: TfidfVectorizer) -> _Weighting:
    """A fitted vectorizer's weighting, read from its public settings and `idf_`."""
    # `fit` builds the TfidfTransformer that `transform` weights with from these same settings (a vectorizer
    # whose settings were changed after fitting, and not refitted, is one scikit-learn itself leaves inconsistent).
    return _Weighting(bool(vectorizer.sublinear_tf), vectorizer.norm, vectorizer.idf_ if vectorizer.use_idf else None)


def char_tfidf(vectorizer: TfidfVectorizer, texts: Sequence[str]) -> sparse.csr_matrix:
    """`vectorizer.transform(texts)` for a fitted vectorizer of character 1- to 3-grams (see `_counts_chars`)."""
    if not _counts_chars(vectorizer):
        raise ValueError(f"char_tfidf cannot reproduce {vectorizer!r}; use its transform")
    return _vectorizer_tfidf(vectorizer, len(texts), _char_blocks(_char_index(vectorizer), texts))


def word_tfidf(vectorizer: TfidfVectorizer, words: Sequence[Sequence[str]]) -> sparse.csr_matrix:
    """`vectorizer.transform(texts)` from `words`, each text's tokens as `vectorizer.tokenizer` gives them."""
    if not _counts_words(vectorizer):
        raise ValueError(f"word_tfidf cannot reproduce {vectorizer!r}; use its transform")
    low, high = vectorizer.ngram_range
    if (low, high) != (1, 1):
        words = [_word_ngrams(tokens, low, high) for tokens in words]
    words = list(words)
    return _vectorizer_tfidf(vectorizer, len(words), (_word_pairs(vectorizer.vocabulary_, words[start:stop])
                                                      for start, stop in _blocks(words)))


def _word_ngrams(tokens: Sequence[str], low: int, high: int) -> list[str]:
    # The n-grams scikit-learn's `_word_ngrams` makes, in another order (order does not change counts).
    return [" ".join(tokens[i:i + n]) for n in range(low, high + 1) for i in range(len(tokens) - n + 1)]


def _vectorizer_tfidf(vectorizer: TfidfVectorizer, n_texts: int, blocks: Iterator[tuple[np.ndarray, np.ndarray, int]]
                      ) -> sparse.csr_matrix:
    """`_tfidf` with a fitted vectorizer's weighting and vocabulary size."""
    if n_texts == 0:
        return vectorizer.transform([])  # scikit-learn refuses no texts: the same error, from its own code
    return _tfidf(_weighting_of(vectorizer), len(vectorizer.vocabulary_), n_texts, blocks)


def _tfidf(weighting: _Weighting, n_features: int, n_texts: int, blocks: Iterator[tuple[np.ndarray, np.ndarray, int]]
           ) -> sparse.csr_matrix:
    """Counts of (row, column) pairs, one block of rows at a time, weighted as TfidfTransformer does."""
    lengths, indices, data = [], [], []
    for rows, columns, n_rows in blocks:
        cells, counts = np.unique((rows << 32) | columns, return_counts=True)
        lengths.append(np.bincount(cells >> 32, minlength=n_rows))
        indices.append(cells & 0xFFFFFFFF)
        weights = counts.astype(np.float64)
        if weighting.sublinear_tf:
            np.log(weights, out=weights)
            weights += 1.0
        if weighting.idf is not None:
            weights *= weighting.idf[indices[-1]]
        data.append(weights)
    nnz = sum(map(len, data))
    index_dtype = np.int32 if nnz <= np.iinfo(np.int32).max else np.int64  # as CountVectorizer chooses
    indptr = np.zeros(n_texts + 1, dtype=index_dtype)
    if lengths:
        np.cumsum(np.concatenate(lengths), out=indptr[1:])
    matrix = sparse.csr_matrix((np.concatenate(data) if data else np.zeros(0),
                                np.concatenate(indices).astype(index_dtype) if indices else np.zeros(0, index_dtype),
                                indptr), shape=(n_texts, n_features))
    return _normalized(matrix, weighting.norm)


def _normalized(matrix: sparse.csr_matrix, norm: str | None) -> sparse.csr_matrix:
    """scikit-learn's `normalize(matrix, norm, copy=False)` for the norms it offers, with its arithmetic in its
    order (each row's squares or absolute values summed one after another, as its Cython loop does), so the
    result is the same to the bit without importing scikit-learn."""
    if norm is None:
        return matrix
    if norm not in ("l1", "l2", "max"):
        raise ValueError(f"unknown norm {norm!r}")
    data, lengths = matrix.data, np.diff(matrix.indptr)
    if norm == "max":
        from sklearn.preprocessing import normalize

        return normalize(matrix, norm=norm, copy=False)
    terms = data * data if norm == "l2" else np.abs(data)
    by_length = np.argsort(-lengths, kind="stable")
    longest_first = lengths[by_length]
    starts = matrix.indptr[:-1][by_length]
    sums = np.zeros(len(lengths))
    for position in range(int(longest_first[0]) if len(longest_first) else 0):
        active = int(np.searchsorted(-longest_first, -position, side="left"))  # rows longer than `position`
        sums[by_length[:active]] += terms[starts[:active] + position]
    if norm == "l2":
        sums = np.sqrt(sums)
    sums[sums == 0.0] = 1.0  # empty rows are left as they are
    data /= np.repeat(sums, lengths)
    return matrix


def _blocks(items: Sequence) -> Iterator[tuple[int, int]]:
    """Consecutive ranges of `items` (texts or token lists) of about BLOCK characters or tokens each."""
    ends = np.cumsum(np.fromiter(map(len, items), dtype=np.int64, count=len(items)) + 1)
    cuts = np.unique(np.searchsorted(ends, np.arange(BLOCK, ends[-1] if len(ends) else 0, BLOCK)))
    bounds = [0, *(int(cut) for cut in cuts if 0 < cut < len(items)), len(items)]
    return zip(bounds[:-1], bounds[1:])


# ---- characters ------------------------------------------------------------------------------------


def _key(gram: str) -> int:
    key = 0
    for char in gram:
        key = (key << _BITS) | (ord(char) + 1)
    return key


def _codes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Code points + 1 of `texts` end to end, each text closed by _GAP, and which text each position is in."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64) + 1
    return np.insert(codes, np.cumsum(lengths), _GAP), np.repeat(np.arange(len(texts)), lengths + 1)


@dataclass(frozen=True)
class _CharIndex:
    vocabulary: dict  # the vocabulary_ this index was built from: a refitted vectorizer gets a new one
    sizes: range  # n-gram lengths counted
    index: pd.Index  # n-gram keys (unique), for hash lookups
    columns: np.ndarray  # the vectorizer's column of each key


_CHAR_INDEXES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _char_index(vectorizer: TfidfVectorizer) -> _CharIndex:
    """The vectorizer's vocabulary as n-gram keys, built once per fitted vectorizer."""
    cached = _CHAR_INDEXES.get(vectorizer)
    if cached is not None and cached.vocabulary is vectorizer.vocabulary_:
        return cached
    low, high = vectorizer.ngram_range
    grams = [(gram, column) for gram, column in vectorizer.vocabulary_.items() if low <= len(gram) <= high]
    keys = np.array([_key(gram) for gram, _ in grams], dtype=np.int64)
    columns = np.array([column for _, column in grams], dtype=np.int64)
    index = _CharIndex(vectorizer.vocabulary_, range(low, high + 1), pd.Index(keys), columns)
    _CHAR_INDEXES[vectorizer] = index
    return index


def _char_blocks(index: _CharIndex, texts: Sequence[str]) -> Iterator[tuple[np.ndarray, np.ndarray, int]]:
    """`_char_pairs` of `texts` a block at a time, after scikit-learn's collapsing of whitespace runs."""
    spaced = [_WHITE_SPACES.sub(" ", text) for text in texts]
    return (_char_pairs(index, spaced[start:stop]) for start, stop in _blocks(spaced))


def _char_pairs(index: _CharIndex, texts: list[str]) -> tuple[np.ndarray, np.ndarray, int]:
    """(text, column) of every n-gram of `texts` that is in the vocabulary."""
    codes, text_of = _codes(texts)
    keys, rows, columns = codes, [], []
    for size in range(1, index.sizes[-1] + 1):
        if size > 1:
            keys = (keys[:-1] << _BITS) | codes[size - 1:]
        if size in index.sizes:
            found = index.index.get_indexer(keys)
            hit = found >= 0
            rows.append(text_of[:len(keys)][hit])
            columns.append(index.columns[found[hit]])
    return np.concatenate(rows), np.concatenate(columns), len(texts)


# ---- words -----------------------------------------------------------------------------------------


def segmented_word_tfidf(vectorizer: TfidfVectorizer, texts: Sequence[str]) -> sparse.csr_matrix:
    """`vectorizer.transform(texts)` for a word vectorizer whose tokenizer is a Segmenter, cutting all the texts'
    Chinese runs in one call per block (see `_segment_columns`)."""
    if not _counts_segmented_words(vectorizer):
        raise ValueError(f"segmented_word_tfidf cannot reproduce {vectorizer!r}; use its transform")
    if not _counts_segments(vectorizer.vocabulary_):
        return word_tfidf(vectorizer, [vectorizer.tokenizer(text) for text in texts])
    texts = list(texts)
    return _vectorizer_tfidf(vectorizer, len(texts),
                             _word_blocks(vectorizer.tokenizer, _segment_lookup(vectorizer.vocabulary_), texts))


_NEXT, _NEXT_TEXT = -2, -3  # what _segment_columns' lookup gives the markers between pieces and between texts


def _segment_lookup(vocabulary: dict) -> dict:
    """`vocabulary` with the markers `_segment_columns` joins texts and runs with."""
    return vocabulary | {"\n": _NEXT, _PIECE: _NEXT, _DOC: _NEXT_TEXT}


def _counts_segments(vocabulary: dict) -> bool:
    """Whether `vocabulary` holds no word that `segment.words` drops and no marker: then the lookup itself
    drops them, and `_segment_columns` need not filter words first."""
    return not any(dropped(word) or word in (_DOC, _PIECE) for word in vocabulary)


def _word_blocks(segmenter: Segmenter, lookup: dict, texts: list[str]) -> Iterator[tuple[np.ndarray, np.ndarray, int]]:
    """`_segment_columns` of `texts` a block at a time."""
    return (_segment_columns(segmenter, lookup, texts[start:stop]) for start, stop in _blocks(texts))


def _segment_columns(segmenter: Segmenter, lookup: dict, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, int]:
    """(text, column) of every word `segmenter` finds in `texts` that `lookup` (a vocabulary) holds.

    As `segment.words` does for one text: the texts, joined by a marker, are split into Chinese and other
    runs; all Chinese runs are cut in one call, joined by line breaks (which the cutter never joins to a
    word), and all other runs by one regular expression, joined by another marker. `lookup` maps the
    markers to _NEXT and _NEXT_TEXT, which tell which text each word is in. Word order is not kept.
    """
    joined = _DOC.join(texts)
    if joined.count(_DOC) != len(texts) - 1 or _PIECE in joined:  # a text holds a marker: look up one by one
        words = [segmenter(text) for text in texts]
        return _word_pairs(lookup, words)
    chinese, other, first = split_runs(joined)
    in_chinese = _columns(lookup, cut_chinese(chinese, segmenter.terms))
    in_other = _columns(lookup, other_words(other, _PIECE))
    # The markers between texts are in the other runs, so a word there is in the text numbered by the
    # markers before it. Chinese run k comes after other runs 0 … k + first - 1: it is in the text
    # numbered by the markers in those runs.
    texts_so_far = np.cumsum(in_other == _NEXT_TEXT)
    texts_before_run = np.concatenate([[0], texts_so_far[in_other == _NEXT], [texts_so_far[-1] if len(in_other) else 0]])
    chinese_text = texts_before_run[np.cumsum(in_chinese == _NEXT) + first]
    rows = np.concatenate([chinese_text[in_chinese >= 0], texts_so_far[in_other >= 0]])
    return rows, np.concatenate([in_chinese[in_chinese >= 0], in_other[in_other >= 0]]), len(texts)


def _columns(lookup: dict, words: list[str]) -> np.ndarray:
    return np.fromiter(map(lookup.get, words, repeat(-1)), dtype=np.int64, count=len(words))


def _word_pairs(vocabulary: dict, words: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray, int]:
    """(text, column) of every word of `words` that is in the vocabulary."""
    columns = _columns(vocabulary, list(chain.from_iterable(words)))
    rows = np.repeat(np.arange(len(words)), np.fromiter(map(len, words), dtype=np.int64, count=len(words)))
    hit = columns >= 0
    return rows[hit], columns[hit], len(words)


# ---- taxonomy terms --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TermIndex:
    widths: tuple[int, ...]  # prefix lengths in use: 1 for one-character terms, 2 for the rest
    prefixes: pd.Index  # keys of the terms' prefixes (unique)
    first: np.ndarray  # per prefix, where its terms start in `order`
    count: np.ndarray  # per prefix, how many terms have it
    order: np.ndarray  # term numbers grouped by prefix
    codes: np.ndarray  # terms × longest: each term's code points + 1, padded with 0
    lengths: np.ndarray  # per term, its length
    column_start: np.ndarray  # per term, where its output columns start in `columns`
    columns: np.ndarray  # output columns of every term, term after term


@functools.lru_cache(maxsize=8)
def _term_index(terms_by_label: tuple[tuple[str, ...], ...], own_columns: tuple[str, ...]) -> _TermIndex:
    """The terms of a TermIndicators grouped by their first two characters, with the columns each one sets:
    its groups', and its own when it is one of `own_columns` (the fitted `terms_`)."""
    groups_of_term: dict[str, list[int]] = {}
    for group, terms in enumerate(terms_by_label):
        for term in terms:
            groups_of_term.setdefault(term, []).append(group)
    own_column = {term: k + len(terms_by_label) for k, term in enumerate(own_columns)}
    terms = list(groups_of_term)
    columns = [groups_of_term[t] + ([own_column[t]] if t in own_column else []) for t in terms]
    prefix_of = np.array([_key(term[:2]) for term in terms], dtype=np.int64)
    prefixes, numbers = np.unique(prefix_of, return_inverse=True)
    order = np.argsort(numbers, kind="stable")
    count = np.bincount(numbers, minlength=len(prefixes))
    longest = max(map(len, terms))
    codes = np.zeros((len(terms), longest), dtype=np.int64)
    for row, term in enumerate(terms):
        codes[row, :len(term)] = [ord(char) + 1 for char in term]
    return _TermIndex(tuple(sorted({min(len(term), 2) for term in terms})), pd.Index(prefixes),
                      np.cumsum(count) - count, count, order, codes, np.array(list(map(len, terms))),
                      np.cumsum([0, *map(len, columns)]), np.array(list(chain.from_iterable(columns)), dtype=np.int64))


def term_indicators(indicators: TermIndicators, texts: Sequence[str]) -> sparse.csr_matrix:
    """`indicators.transform(texts)` for a fitted TermIndicators."""
    terms_by_label = tuple(map(tuple, indicators.terms_by_label))
    if not any(terms_by_label) or not all(term for terms in terms_by_label for term in terms):
        return indicators.transform(texts)  # nothing to find, or an empty term: its own transform decides
    texts = list(texts)
    index = _term_index(terms_by_label, tuple(indicators.terms_))
    width = len(terms_by_label) + len(indicators.terms_)
    cells = [start * width + _term_cells(index, texts[start:stop], width) for start, stop in _blocks(texts)]
    cells = np.concatenate(cells) if cells else np.zeros(0, dtype=np.int64)
    rows, columns = np.divmod(cells, width)
    # Built as TermIndicators builds it, so the index dtypes and order are its own.
    return sparse.csr_matrix((np.full(len(rows), float(indicators.weight)), (rows, columns)),
                             shape=(len(texts), width))


def _ragged(count: np.ndarray) -> np.ndarray:
    """0..count[0]-1, 0..count[1]-1, … end to end."""
    return np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)


def _term_cells(index: _TermIndex, texts: list[str], width: int) -> np.ndarray:
    """row × width + column of every indicator set in `texts` (rows counted within the block), unique."""
    codes, text_of = _codes(texts)
    longest = index.codes.shape[1]
    padded = np.concatenate([codes, np.full(longest, _GAP, dtype=np.int64)])
    found_at, found = [], []
    for size in index.widths:
        keys = codes if size == 1 else (codes[:-1] << _BITS) | codes[1:]
        prefix = index.prefixes.get_indexer(keys)
        at = np.flatnonzero(prefix >= 0)
        prefix = prefix[at]
        # Every candidate position against every term starting with its prefix, compared character by character.
        at = np.repeat(at, index.count[prefix])
        term = index.order[np.repeat(index.first[prefix], index.count[prefix]) + _ragged(index.count[prefix])]
        same = np.ones(len(at), dtype=bool)
        for offset in range(size, longest):
            same &= (index.lengths[term] <= offset) | (padded[at + offset] == index.codes[term, offset])
        found_at.append(at[same])
        found.append(term[same])
    at, term = np.concatenate(found_at), np.concatenate(found)
    starts, count = index.column_start[term], np.diff(index.column_start)[term]
    rows = np.repeat(text_of[at], count)
    columns = index.columns[np.repeat(starts, count) + _ragged(count)]
    return np.unique(rows * width + columns)


# ---- the tagging form ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Words:
    vocabulary: dict  # word → column
    lookup: dict  # the vocabulary with `_segment_columns`' markers
    segmenter: Segmenter
    weighting: _Weighting


@dataclass(frozen=True)
class _Chars:
    index: _CharIndex
    n_features: int  # columns of the character part
    weighting: _Weighting


@dataclass(frozen=True)
class _Terms:
    # The fitted TermIndicators' settings, under its names: `term_indicators` reads them.
    terms_by_label: tuple[tuple[str, ...], ...]
    terms_: tuple[str, ...]
    weight: float
    per_term: bool


@dataclass
class Tagger:
    """What `predict_frame` needs of a model (`predict_proba`, `thresholds_`, `classes_`, `card_`), from arrays."""

    classes_: np.ndarray
    thresholds_: np.ndarray
    words: _Words
    chars: _Chars
    terms: _Terms | None
    coef: np.ndarray  # labels × features
    intercept: np.ndarray  # labels
    card_: dict = field(default_factory=dict)
    rules: tuple[str, ...] = ()  # the model's `rules` (`rules.apply_rules`)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        texts = normalize_all(list(texts))
        if not texts:
            return np.zeros((0, len(self.classes_)))
        # The same blocks and steps as `segmented_word_tfidf` and `char_tfidf`.
        words = _word_blocks(self.words.segmenter, self.words.lookup, texts)
        chars = _char_blocks(self.chars.index, texts)
        parts = [_tfidf(self.words.weighting, len(self.words.vocabulary), len(texts), words),
                 _tfidf(self.chars.weighting, self.chars.n_features, len(texts), chars)]
        if self.terms is not None:
            parts.append(term_indicators(self.terms, texts))
        features = sparse.hstack(parts).tocsr()  # FeatureUnion's own stacking
        # Per label, as LogisticRegression.predict_proba computes it (one-vs-rest, labels not exclusive).
        proba = np.array([expit((features @ self.coef[k:k + 1].T + self.intercept[k:k + 1]).reshape(-1))
                          for k in range(len(self.classes_))]).T
        return apply_rules(texts, proba, self.classes_, self.rules)


def tagger_of(model) -> Tagger | None:
    """The tagging form of a fitted `ThresholdedClassifier`, or None when its pipeline holds a step or a
    setting this form does not reproduce (then the model itself tags)."""
    from sklearn.linear_model import LogisticRegression

    pipeline = model.pipeline_
    steps = dict(pipeline.steps)
    union, classifier = steps.get("features"), steps.get("classifier")
    parts = dict(union.transformer_list) if union is not None else {}
    words, chars, terms = parts.get("words"), parts.get("chars"), parts.get("terms")
    if (list(steps) != ["normalize", "features", "classifier"] or steps["normalize"].func is not normalize_all
            or set(parts) - {"words", "chars", "terms"} or union.transformer_weights
            or words is None or chars is None or list(parts)[:2] != ["words", "chars"]
            or not (_counts_segmented_words(words) and _counts_segments(words.vocabulary_))
            or not _counts_chars(chars)
            or not classifier.multilabel_ or len(classifier.estimators_) < 2
            or not all(type(e) is LogisticRegression and e.coef_.shape[0] == 1 for e in classifier.estimators_)):
        return None
    return Tagger(
        classes_=np.asarray(model.classes_, dtype=object), thresholds_=np.asarray(model.thresholds_, dtype=float),
        words=_words(words.vocabulary_, _weighting_of(words), words.tokenizer.terms),
        chars=_Chars(_char_index(chars), len(chars.vocabulary_), _weighting_of(chars)),
        terms=None if terms is None else _Terms(tuple(map(tuple, terms.terms_by_label)), tuple(terms.terms_),
                                                float(terms.weight), terms.per_term),
        coef=np.vstack([e.coef_ for e in classifier.estimators_]),
        intercept=np.concatenate([e.intercept_ for e in classifier.estimators_]),
        card_=getattr(model, "card_", {}), rules=tuple(model.rules))


def _words(vocabulary: dict, weighting: _Weighting, terms: Sequence[str]) -> _Words:
    return _Words(vocabulary, _segment_lookup(vocabulary), Segmenter(tuple(terms)), weighting)


def to_bytes(tagger: Tagger) -> bytes:
    """The tagging form as an .npz of plain arrays (no pickles) and one JSON string of the rest."""
    words = tagger.words.vocabulary
    meta = {"format": FORMAT, "classes": list(tagger.classes_), "segmenter_terms": list(tagger.words.segmenter.terms),
            "chars": {"sizes": [tagger.chars.index.sizes.start, tagger.chars.index.sizes.stop],
                      "features": tagger.chars.n_features},
            "weighting": {name: {"sublinear_tf": part.weighting.sublinear_tf, "norm": part.weighting.norm,
                                 "idf": part.weighting.idf is not None}
                          for name, part in (("words", tagger.words), ("chars", tagger.chars))},
            "terms": None if tagger.terms is None else {
                "terms_by_label": tagger.terms.terms_by_label, "terms_": tagger.terms.terms_,
                "weight": tagger.terms.weight, "per_term": tagger.terms.per_term},
            "rules": list(tagger.rules)}
    arrays = {"meta": np.array(json.dumps(meta, ensure_ascii=False)), "thresholds": tagger.thresholds_,
              "word_list": np.array(sorted(words, key=words.get), dtype=str),
              "char_keys": np.asarray(tagger.chars.index.index), "char_columns": tagger.chars.index.columns,
              "coef": tagger.coef, "intercept": tagger.intercept}
    for name, part in (("words", tagger.words), ("chars", tagger.chars)):
        if part.weighting.idf is not None:
            arrays[f"{name}_idf"] = part.weighting.idf
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def from_bytes(data: bytes, card: dict) -> Tagger:
    """A tagger from `to_bytes`; plain arrays only (allow_pickle=False): nothing in the file can run code."""
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        meta = json.loads(str(arrays["meta"]))
        if meta.get("format") != FORMAT:
            raise ValueError("tagging form of another format")
        weighting = {name: _Weighting(bool(part["sublinear_tf"]), part["norm"],
                                      arrays[f"{name}_idf"] if part["idf"] else None)
                     for name, part in meta["weighting"].items()}
        words = {word: column for column, word in enumerate(arrays["word_list"].tolist())}
        index = _CharIndex({}, range(*meta["chars"]["sizes"]), pd.Index(arrays["char_keys"]), arrays["char_columns"])
        terms = meta["terms"]
        return Tagger(
            classes_=np.asarray(meta["classes"], dtype=object), thresholds_=arrays["thresholds"],
            words=_words(words, weighting["words"], meta["segmenter_terms"]),
            chars=_Chars(index, meta["chars"]["features"], weighting["chars"]),
            terms=None if terms is None else _Terms(tuple(map(tuple, terms["terms_by_label"])), tuple(terms["terms_"]),
                                                    terms["weight"], terms["per_term"]),
            coef=arrays["coef"], intercept=arrays["intercept"], card_=card,
            rules=tuple(meta.get("rules", ())))
