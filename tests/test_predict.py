"""classify.model.predict: a corpus tagged once per model and set of files, its predictions and the phrases
behind them read back from the cache."""

import pandas as pd
import pytest

from classify.model import tagger
from classify.ingest.sentences import corpus_frame
from classify.model.explain import drivers, phrases_of
from classify.model.predict import predict_frame, tag_cached

from conftest import write_corpus


def test_the_tagged_corpus_is_read_from_disk_after_a_restart(tmp_path, committed_model, monkeypatch):
    """The second start finds the predictions of the same model on the same files without tagging."""
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": "建设国家实验室。设立基金。\n"})
    model_hash = committed_model.card_["model_sha256"]
    first = tag_cached(corpus, tmp_path / "cache", model_hash, lambda: committed_model)
    monkeypatch.setattr("classify.model.tagger.fast_transform", lambda *a, **k: (_ for _ in ()).throw(AssertionError))
    again = tag_cached(corpus, tmp_path / "cache", model_hash, lambda: pytest.fail("the model was loaded again"))
    pd.testing.assert_frame_equal(first.reset_index(drop=True), again.reset_index(drop=True))
    (corpus / "a.txt").write_text("引进人才。\n", encoding="utf-8")
    monkeypatch.undo()
    assert tag_cached(corpus, tmp_path / "cache", model_hash, lambda: committed_model)["text"].tolist() == ["引进人才"]


def test_tagging_a_corpus_counts_its_features_once_and_predicts_as_predict_frame(tmp_path, committed_model,
                                                                                 monkeypatch):
    """On a cache miss the features serve both the probabilities and the phrases that explain them."""
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": "建设国家实验室。设立天使投资基金。会议召开。\n"})
    calls, counted = [], tagger.fast_transform
    monkeypatch.setattr(tagger, "fast_transform", lambda *a, **k: calls.append(1) or counted(*a, **k))
    tagged = tag_cached(corpus, tmp_path / "cache", committed_model.card_["model_sha256"], lambda: committed_model)
    assert len(calls) == 1
    monkeypatch.undo()
    expected = predict_frame(committed_model, corpus_frame(corpus))
    pd.testing.assert_frame_equal(tagged[expected.columns].reset_index(drop=True), expected.reset_index(drop=True))


def test_cached_predictions_carry_the_phrases_that_drove_each_label(tmp_path, committed_model):
    """Evidence read from the cache marks the same phrases the model itself gives, without the model."""
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": "建设国家实验室。会议在北京召开。\n"})
    tagged = tag_cached(corpus, tmp_path / "cache", committed_model.card_["model_sha256"], lambda: committed_model)
    lab = tagged.iloc[0]
    assert phrases_of(lab, "labs") == drivers(committed_model, [lab["text"]], "labs")[0]
    assert "实验室" in phrases_of(lab, "labs")
