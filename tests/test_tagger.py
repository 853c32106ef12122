"""The one fast path: features counted with numpy are scikit-learn's matrices bit for bit, so the probabilities
are the pipeline's own; the tagging form gives the model's probabilities from arrays, cached by the model
file's hash."""

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from classify.annotation.labeled import read_gold
from classify.ingest.segment import Segmenter
from classify.ingest.sentences import corpus_frame
from classify.model import persist
from classify.model.features import TermIndicators
from classify.model.persist import ModelError, load_tagger
from classify.model.tagger import (Tagger, char_tfidf, fast_predict_proba, fast_transform, from_bytes, segmented_word_tfidf,
                                   tagger_of, term_indicators, to_bytes, union_features, word_tfidf)

from conftest import DEVSET, PROJECT, texts_strategy


# ---- counting: scikit-learn's matrices ----------------------------------------------------------------


def assert_identical(fast, slow):
    """Same type and shape, and the same dtypes and bytes in data, indices and indptr."""
    assert type(fast) is type(slow) and fast.shape == slow.shape
    for name in ("data", "indices", "indptr"):
        mine, theirs = getattr(fast, name), getattr(slow, name)
        assert mine.dtype == theirs.dtype and mine.tobytes() == theirs.tobytes(), name


@pytest.fixture(scope="module")
def parts(committed_model):
    return dict(committed_model.pipeline_.named_steps["features"].transformer_list)


@pytest.fixture(scope="module")
def corpus(committed_model):
    """The bundled corpus's units, normalised as the pipeline's first step leaves them."""
    return committed_model.pipeline_.named_steps["normalize"].transform(corpus_frame(PROJECT.corpus)["text"].tolist())


@pytest.fixture(scope="module")
def other_vectorizers(corpus, parts):
    """Vectorizers with the settings the model does not use, fitted on the corpus."""
    segmenter = parts["words"].tokenizer
    fitted = [TfidfVectorizer(analyzer="char", lowercase=False, ngram_range=grams, min_df=min_df, sublinear_tf=sublinear,
                              norm=norm, use_idf=idf).fit(corpus)
              for grams, min_df, sublinear, norm, idf in [((1, 1), 1, False, "l2", True), ((1, 2), 2, True, "l1", True),
                                                          ((2, 3), 1, False, None, True), ((3, 3), 1, True, "l2", False)]]
    words = TfidfVectorizer(tokenizer=segmenter, token_pattern=None, lowercase=False, ngram_range=(1, 2)).fit(corpus)
    return fitted, words


def test_character_ngrams_match_scikit_learn_on_the_corpus(parts, corpus):
    """The model's character TF-IDF of every corpus unit, counted with numpy, equals scikit-learn's."""
    assert_identical(char_tfidf(parts["chars"], corpus), parts["chars"].transform(corpus))


def test_words_match_scikit_learn_on_the_corpus(parts, corpus):
    """The model's word TF-IDF, from words cut a block at a time, equals scikit-learn's."""
    words = parts["words"]
    assert_identical(segmented_word_tfidf(words, corpus), words.transform(corpus))
    assert_identical(word_tfidf(words, [words.tokenizer(text) for text in corpus]), words.transform(corpus))


def test_term_indicators_match_on_the_corpus(parts, corpus):
    """The taxonomy-term indicators, found by their first characters, equal TermIndicators' own."""
    assert_identical(term_indicators(parts["terms"], corpus), parts["terms"].transform(corpus))


def test_probabilities_are_identical_on_the_corpus(committed_model):
    """Tagging through the fast path gives exactly the pipeline's probabilities."""
    texts = corpus_frame(PROJECT.corpus)["text"].tolist()
    pipeline = committed_model.pipeline_
    assert np.array_equal(fast_predict_proba(pipeline, texts), pipeline.predict_proba(texts))


def test_other_settings_match_on_the_corpus(corpus, other_vectorizers):
    """Other n-gram ranges, norms, idf and tf settings, and word bigrams, are reproduced too."""
    chars, words = other_vectorizers
    for vectorizer in chars:
        assert_identical(char_tfidf(vectorizer, corpus), vectorizer.transform(corpus))
    assert_identical(word_tfidf(words, [words.tokenizer(text) for text in corpus]), words.transform(corpus))


@settings(max_examples=100, deadline=None)
@given(texts=texts_strategy)
def test_generated_text_matches_scikit_learn(committed_model, parts, other_vectorizers, texts):
    """Any mix of scripts, punctuation, whitespace runs, astral characters and empty texts: same matrices."""
    for vectorizer in [parts["chars"], *other_vectorizers[0]]:
        assert_identical(char_tfidf(vectorizer, texts), vectorizer.transform(texts))
    assert_identical(segmented_word_tfidf(parts["words"], texts), parts["words"].transform(texts))
    bigrams = other_vectorizers[1]
    assert_identical(word_tfidf(bigrams, [bigrams.tokenizer(text) for text in texts]), bigrams.transform(texts))
    assert_identical(term_indicators(parts["terms"], texts), parts["terms"].transform(texts))
    assert_identical(fast_transform(committed_model.pipeline_, texts), committed_model.pipeline_[:-1].transform(texts))


def test_texts_counted_in_many_blocks_make_one_matrix(parts, corpus, monkeypatch):
    """Blocks of about 200 characters (instead of 65,536) give the same matrices."""
    monkeypatch.setattr("classify.model.tagger.BLOCK", 200)
    assert_identical(char_tfidf(parts["chars"], corpus), parts["chars"].transform(corpus))
    assert_identical(segmented_word_tfidf(parts["words"], corpus), parts["words"].transform(corpus))
    assert_identical(term_indicators(parts["terms"], corpus), parts["terms"].transform(corpus))


def test_no_ngram_spans_two_texts():
    """'b' ending one text and 'c' starting the next never make the bigram 'bc'."""
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), lowercase=False).fit(["abc", "bcd"])
    assert_identical(char_tfidf(vectorizer, ["ab", "cd", "", "bc"]), vectorizer.transform(["ab", "cd", "", "bc"]))


def test_whitespace_runs_collapse_as_in_scikit_learn():
    """Two or more whitespace characters become one space; a lone tab stays a tab."""
    texts = ["a  b", "a\t\n b", "a\tb", " a "]
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), lowercase=False).fit(texts)
    assert_identical(char_tfidf(vectorizer, texts), vectorizer.transform(texts))


def test_an_astral_character_is_one_character():
    """'𠀀' (outside the 16-bit plane) is one character of an n-gram, as in Python's strings."""
    texts = ["𠀀科", "科𠀀𠀀"]
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), lowercase=False).fit(texts)
    assert_identical(char_tfidf(vectorizer, texts), vectorizer.transform(texts))


def test_terms_that_overlap_or_nest_are_all_found():
    """'实验室' inside '国家实验室', and a one-character term, each set their own indicators."""
    indicators = TermIndicators((("国家实验室", "实验室"), ("验", "室外")), 0.5, per_term=True).fit([])
    texts = ["国家实验室", "实验", "室外实验室", ""]
    assert_identical(term_indicators(indicators, texts), indicators.transform(texts))


def test_a_text_holding_a_marker_character_keeps_its_own_words(parts):
    """Texts are joined with private-use characters; a text that holds one is cut on its own."""
    texts = ["建设\ue000实验室", "中试平台", "\ue001"]
    assert_identical(segmented_word_tfidf(parts["words"], texts), parts["words"].transform(texts))


@pytest.mark.parametrize("texts", [["中 文"], ["中 文", "建设 实验室"], [" 中"], ["中 "], ["", "中", ""], [" "], ["a"]])
def test_runs_without_words_between_chinese_runs(parts, texts):
    """A space between Chinese runs gives no word, yet the runs after it stay in their own text."""
    assert_identical(segmented_word_tfidf(parts["words"], texts), parts["words"].transform(texts))


def test_jieba_engine_gives_the_same_words(parts, corpus, monkeypatch):
    """Cutting the joined Chinese runs with Python jieba gives its own per-text words too."""
    monkeypatch.setenv("POLICY_CLASSIFY_SEGMENTER", "jieba")
    words = parts["words"]
    assert_identical(segmented_word_tfidf(words, corpus[:100]), words.transform(corpus[:100]))


def test_parts_it_does_not_know_are_left_to_scikit_learn(corpus):
    """A lower-casing vectorizer, a weighted part and a dropped part: the union's own result."""
    lowering = TfidfVectorizer(analyzer="char", ngram_range=(1, 2))
    union = FeatureUnion([("lower", lowering), ("words", TfidfVectorizer(tokenizer=Segmenter(), token_pattern=None,
                                                                       lowercase=False)),
                          ("chars", TfidfVectorizer(analyzer="char", lowercase=False)), ("gone", "drop")],
                         transformer_weights={"chars": 0.5}).fit(corpus)
    texts = corpus[:20] + ["ABC abc"]
    assert_identical(union_features(union, texts), union.transform(texts))
    with pytest.raises(ValueError, match="cannot reproduce"):
        char_tfidf(lowering, texts)


def test_no_texts_get_scikit_learns_answer(committed_model, parts):
    """No texts: scikit-learn refuses them, and so does the fast path, with the same error."""
    with pytest.raises(ValueError, match="0 sample"):
        committed_model.pipeline_.predict_proba([])
    with pytest.raises(ValueError, match="0 sample"):
        fast_predict_proba(committed_model.pipeline_, [])
    with pytest.raises(ValueError, match="0 sample"):
        char_tfidf(parts["chars"], [])
    assert committed_model.predict_proba([]).shape == (0, len(committed_model.labels))


# ---- the tagging form: the model's probabilities from arrays ------------------------------------------


@pytest.fixture(scope="module")
def tagger(committed_model):
    return tagger_of(committed_model)


def corpus_and_dev() -> list[str]:
    texts = corpus_frame(PROJECT.corpus)["text"].tolist()
    return texts + (read_gold(DEVSET)["text"].tolist() if DEVSET.is_file() else [])


def test_the_tagging_form_gives_the_model_s_probabilities_bit_for_bit(committed_model, tagger):
    """Corpus and development set: every probability identical, so every label and every matrix cell too."""
    texts = corpus_and_dev()
    assert isinstance(tagger, Tagger)
    assert np.array_equal(tagger.predict_proba(texts), committed_model.predict_proba(texts))
    assert np.array_equal(tagger.thresholds_, committed_model.thresholds_)


@settings(max_examples=60, deadline=None)
@given(texts=texts_strategy)
def test_any_text_gets_the_model_s_probabilities(committed_model, tagger, texts):
    """Traditional script, punctuation and whitespace runs, astral characters, empty texts: the same numbers."""
    assert np.array_equal(tagger.predict_proba(texts), committed_model.predict_proba(texts))


def test_the_form_survives_its_file(tagger, committed_model):
    """Written as plain arrays and read back, it tags the same; no texts give an empty table."""
    again = from_bytes(to_bytes(tagger), committed_model.card_)
    texts = corpus_and_dev()[:200]
    assert np.array_equal(again.predict_proba(texts), tagger.predict_proba(texts))
    assert again.predict_proba([]).shape == (0, len(tagger.classes_))


def test_a_pipeline_it_cannot_reproduce_is_tagged_by_the_model_itself(committed_model):
    """An extra feature part (codebook cues, say) is not in the form: no form is made rather than a wrong one."""
    changed = copy.deepcopy(committed_model)
    changed.pipeline_.named_steps["features"].transformer_list.append(("cues", "drop"))
    assert tagger_of(changed) is None


def test_the_second_process_reads_the_form_from_the_cache_without_loading_the_model(tmp_path, taxonomy, monkeypatch):
    """The first load makes and keeps the form; the next one never rebuilds the skops model."""
    first = load_tagger(PROJECT.model, taxonomy, cache=tmp_path)
    assert isinstance(first, Tagger) and len(list(tmp_path.glob("tagger-*.npz"))) == 1
    monkeypatch.setattr(persist, "estimator_from_bytes", lambda *a, **k: pytest.fail("the model was rebuilt"))
    second = load_tagger(PROJECT.model, taxonomy, cache=tmp_path)
    texts = corpus_and_dev()[:100]
    assert np.array_equal(second.predict_proba(texts), first.predict_proba(texts))
    assert second.card_["model_sha256"] == first.card_["model_sha256"]


def test_a_damaged_cache_is_made_again(tmp_path, taxonomy):
    """A truncated cache file is only a cache: the model is loaded and the form written anew."""
    load_tagger(PROJECT.model, taxonomy, cache=tmp_path)
    cached = next(tmp_path.glob("tagger-*.npz"))
    cached.write_bytes(cached.read_bytes()[:1000])
    assert isinstance(load_tagger(PROJECT.model, taxonomy, cache=tmp_path), Tagger)
    assert cached.stat().st_size > 1000


def test_a_cache_never_stands_in_for_a_model_file_that_fails_its_check(tmp_path, taxonomy):
    """The card's checks come first: an altered model file is refused even when its old form is cached."""
    model = tmp_path / "model"
    model.mkdir()
    for item in PROJECT.model.iterdir():
        (model / item.name).write_bytes(item.read_bytes())
    load_tagger(model, taxonomy, cache=tmp_path / "cache")
    (model / "model.skops").write_bytes((model / "model.skops").read_bytes()[:-10])
    with pytest.raises(ModelError, match="does not match the hash"):
        load_tagger(model, taxonomy, cache=tmp_path / "cache")
