"""A tagging-only form of a fitted classifier: its vocabularies, IDF weights, term lists, coefficients and
thresholds as arrays, tagging with numpy and SciPy alone.

A new `policy-classify tag` process used to spend four seconds importing scikit-learn and skops and
rebuilding the model before tagging anything. The tagging form is derived from the checked skops file
the first time (`persist.load_tagger`) and cached by that file's hash; it gives the model's own
probabilities, bit for bit (tests/test_tagger.py), using `fastcount`'s counting and scikit-learn's
arithmetic in its order: the union's stacking, then per label `expit(X @ coef.T + intercept)`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import expit

from classify.ingest.normalize import normalize_all
from classify.ingest.segment import Segmenter
from classify.model import fastcount

FORMAT = 1


@dataclass
class Tagger:
    """What `predict_frame` needs of a model (`predict_proba`, `thresholds_`, `classes_`, `card_`), from arrays."""

    classes_: np.ndarray
    thresholds_: np.ndarray
    words: SimpleNamespace  # vocabulary_, _tfidf (sublinear_tf, idf_, norm), tokenizer
    chars: SimpleNamespace  # vocabulary_ (size only), _tfidf, the n-gram index
    terms: SimpleNamespace | None  # terms_by_label, terms_, weight
    coef: np.ndarray  # labels × features
    intercept: np.ndarray  # labels
    card_: dict = field(default_factory=dict)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        texts = normalize_all(list(texts))
        if not texts:
            return np.zeros((0, len(self.classes_)))
        # The same blocks and steps as `fastcount.segmented_word_tfidf` and `fastcount.char_tfidf`.
        words = (fastcount._segment_columns(self.words.tokenizer, self.words.lookup, texts[start:stop])
                 for start, stop in fastcount._blocks(texts))
        spaced = [fastcount._WHITE_SPACES.sub(" ", text) for text in texts]
        chars = (fastcount._char_pairs(self.chars.index, spaced[start:stop])
                 for start, stop in fastcount._blocks(spaced))
        parts = [fastcount._tfidf(self.words, len(texts), words), fastcount._tfidf(self.chars, len(texts), chars)]
        if self.terms is not None:
            parts.append(fastcount.term_indicators(self.terms, texts))
        features = sparse.hstack(parts).tocsr()  # FeatureUnion's own stacking
        # Per label, as LogisticRegression.predict_proba computes it (one-vs-rest, labels not exclusive).
        return np.array([expit((features @ self.coef[k:k + 1].T + self.intercept[k:k + 1]).reshape(-1))
                         for k in range(len(self.classes_))]).T


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
            or not (fastcount._counts_words(words) and type(words.tokenizer) is Segmenter
                    and words.ngram_range == (1, 1) and fastcount._counts_segments(words.vocabulary_))
            or not fastcount._counts_chars(chars)
            or not classifier.multilabel_ or len(classifier.estimators_) < 2
            or not all(type(e) is LogisticRegression and e.coef_.shape[0] == 1 for e in classifier.estimators_)):
        return None
    return Tagger(
        classes_=np.asarray(model.classes_, dtype=object), thresholds_=np.asarray(model.thresholds_, dtype=float),
        words=_word_part(words.vocabulary_, words._tfidf, words.tokenizer.terms),
        chars=_char_part(fastcount._char_index(chars), len(chars.vocabulary_), chars._tfidf),
        terms=None if terms is None else SimpleNamespace(
            terms_by_label=tuple(map(tuple, terms.terms_by_label)), terms_=tuple(terms.terms_),
            weight=float(terms.weight), per_term=terms.per_term),
        coef=np.vstack([e.coef_ for e in classifier.estimators_]),
        intercept=np.concatenate([e.intercept_ for e in classifier.estimators_]),
        card_=getattr(model, "card_", {}))


def _weighting(sublinear_tf: bool, idf: np.ndarray | None, norm: str | None) -> SimpleNamespace:
    return SimpleNamespace(sublinear_tf=bool(sublinear_tf), norm=norm, **({} if idf is None else {"idf_": idf}))


def _word_part(vocabulary: dict, weighting, terms: Sequence[str]) -> SimpleNamespace:
    lookup = vocabulary | {"\n": fastcount._NEXT, fastcount._PIECE: fastcount._NEXT,
                           fastcount._DOC: fastcount._NEXT_TEXT}
    return SimpleNamespace(vocabulary_=vocabulary, lookup=lookup, tokenizer=Segmenter(tuple(terms)),
                           _tfidf=_weighting(weighting.sublinear_tf, getattr(weighting, "idf_", None), weighting.norm))


def _char_part(index, size: int, weighting) -> SimpleNamespace:
    return SimpleNamespace(index=index, vocabulary_=range(size),  # only its length is read
                           _tfidf=_weighting(weighting.sublinear_tf, getattr(weighting, "idf_", None), weighting.norm))


def to_bytes(tagger: Tagger) -> bytes:
    """The tagging form as an .npz of plain arrays (no pickles) and one JSON string of the rest."""
    words = tagger.words.vocabulary_
    meta = {"format": FORMAT, "classes": list(tagger.classes_), "segmenter_terms": list(tagger.words.tokenizer.terms),
            "chars": {"sizes": [tagger.chars.index.sizes.start, tagger.chars.index.sizes.stop],
                      "features": len(tagger.chars.vocabulary_)},
            "weighting": {name: {"sublinear_tf": part._tfidf.sublinear_tf, "norm": part._tfidf.norm,
                                 "idf": hasattr(part._tfidf, "idf_")}
                          for name, part in (("words", tagger.words), ("chars", tagger.chars))},
            "terms": None if tagger.terms is None else {
                "terms_by_label": tagger.terms.terms_by_label, "terms_": tagger.terms.terms_,
                "weight": tagger.terms.weight, "per_term": tagger.terms.per_term}}
    arrays = {"meta": np.array(json.dumps(meta, ensure_ascii=False)), "thresholds": tagger.thresholds_,
              "word_list": np.array(sorted(words, key=words.get), dtype=str),
              "char_keys": np.asarray(tagger.chars.index.index), "char_columns": tagger.chars.index.columns,
              "coef": tagger.coef, "intercept": tagger.intercept}
    for name, part in (("words", tagger.words), ("chars", tagger.chars)):
        if hasattr(part._tfidf, "idf_"):
            arrays[f"{name}_idf"] = part._tfidf.idf_
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def from_bytes(data: bytes, card: dict) -> Tagger:
    """A tagger from `to_bytes`; plain arrays only (allow_pickle=False): nothing in the file can run code."""
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        meta = json.loads(str(arrays["meta"]))
        if meta.get("format") != FORMAT:
            raise ValueError("tagging form of another format")
        weighting = meta["weighting"]
        words = {word: column for column, word in enumerate(arrays["word_list"].tolist())}
        word_weights = _weighting(weighting["words"]["sublinear_tf"],
                                  arrays["words_idf"] if weighting["words"]["idf"] else None, weighting["words"]["norm"])
        char_weights = _weighting(weighting["chars"]["sublinear_tf"],
                                  arrays["chars_idf"] if weighting["chars"]["idf"] else None, weighting["chars"]["norm"])
        index = fastcount._CharIndex({}, range(*meta["chars"]["sizes"]), pd.Index(arrays["char_keys"]),
                                     arrays["char_columns"])
        terms = meta["terms"]
        return Tagger(
            classes_=np.asarray(meta["classes"], dtype=object), thresholds_=arrays["thresholds"],
            words=_word_part(words, word_weights, meta["segmenter_terms"]),
            chars=_char_part(index, meta["chars"]["features"], char_weights),
            terms=None if terms is None else SimpleNamespace(
                terms_by_label=tuple(map(tuple, terms["terms_by_label"])), terms_=tuple(terms["terms_"]),
                weight=terms["weight"], per_term=terms["per_term"]),
            coef=arrays["coef"], intercept=arrays["intercept"], card_=card)
