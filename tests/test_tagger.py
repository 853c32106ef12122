"""The tagging form of the model: the model's own probabilities from arrays, cached by the model file's hash."""

import copy

import numpy as np
import pytest
from hypothesis import given, settings

from classify.annotation.labeled import read_gold
from classify.ingest.sentences import corpus_frame
from classify.model import persist
from classify.model.persist import ModelError, load_tagger
from classify.model.tagger import Tagger, from_bytes, tagger_of, to_bytes

from conftest import DEVSET, PROJECT, texts_strategy


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
