import json

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from classify.annotation.labeled import gold_frame
from classify.annotation.standoff import gold_with_text
from classify.model.estimator import DocumentFolds, ThresholdedClassifier, choose_thresholds
from classify.model.persist import ModelError, load_model, save_model
from classify.model.train import train, training_fingerprint
from classify.taxonomy import parse_taxonomy

from conftest import PROJECT


@pytest.fixture(scope="module")
def small_gold():
    """Three documents' worth of the real gold set: enough to train, quick to fit."""
    gold = gold_frame(PROJECT.labeled, include_written=False)
    return gold[gold["doc_id"].isin(["001", "002", "004"])].reset_index(drop=True)


@pytest.fixture(scope="module")
def small_model(small_gold, taxonomy):
    return train(small_gold, taxonomy)


def test_thresholds_maximise_f1_on_out_of_fold_probabilities():
    """The threshold sits between the scores of the positives and the negatives."""
    y = np.array([[1], [1], [0], [0]])
    proba = np.array([[0.9], [0.6], [0.4], [0.1]])
    assert 0.4 < choose_thresholds(y, proba)[0] <= 0.6


def test_a_label_never_seen_keeps_the_neutral_threshold():
    """No positives in training: nothing to tune on, so the default 0.5 stands."""
    assert choose_thresholds(np.zeros((3, 1), int), np.full((3, 1), 0.2)).tolist() == [0.5]


def test_folds_never_split_a_document_and_written_sentences_only_train():
    """A document is never on both sides; authored sentences are never scored."""
    groups = ["a", "a", "b", "b", "c", "written", "written"]
    folds = list(DocumentFolds().split(groups=groups))
    assert len(folds) == 3
    for train_index, test_index in folds:
        test_docs = {groups[i] for i in test_index}
        assert len(test_docs) == 1 and "written" not in test_docs
        assert not test_docs & {groups[i] for i in train_index}
        assert {5, 6} <= set(train_index)


def test_saved_model_loads_and_predicts_the_same(tmp_path, small_model, taxonomy):
    """Save/load round trip: same labels, thresholds and probabilities."""
    save_model(small_model, tmp_path / "m")
    loaded = load_model(tmp_path / "m", taxonomy)
    texts = ["设立天使投资母子基金", "加快建设国家实验室"]
    assert loaded.thresholds_by_label() == small_model.thresholds_by_label()
    assert np.array_equal(loaded.predict_proba(texts), small_model.predict_proba(texts))
    assert (tmp_path / "m" / "card.md").read_text(encoding="utf-8").startswith("# Model card")


def test_model_from_another_taxonomy_is_refused(tmp_path, small_model, taxonomy):
    """A model trained for other labels would put figures in the wrong columns."""
    save_model(small_model, tmp_path / "m")
    other = parse_taxonomy({"labels": [{"id": "labs", "name_zh": "实验室", "name_en": "Labs", "definition": "x",
                                        "key_terms": ["实验室"], "examples": ["x"]}]})
    with pytest.raises(ModelError, match="differ from the taxonomy"):
        load_model(tmp_path / "m", other)


def test_altered_or_truncated_model_file_is_refused(tmp_path, small_model, taxonomy):
    """A model file that does not match the hash in its card is never unpickled."""
    folder = save_model(small_model, tmp_path / "m")
    path = folder / "model.skops"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ModelError, match="does not match the hash in its card"):
        load_model(folder, taxonomy)


def test_folder_without_a_card_is_not_a_model(tmp_path, taxonomy):
    """Pointing --model at the wrong folder says so."""
    with pytest.raises(ModelError, match="no model card"):
        load_model(tmp_path, taxonomy)


def test_committed_model_is_what_train_rebuilds_from_labeled(taxonomy):
    """The default model was trained on exactly the current labeled/ (with the pool) and taxonomy, and
    retraining reproduces it."""
    committed = load_model(PROJECT.model, taxonomy)
    gold, resolution = gold_with_text(PROJECT.labeled, PROJECT.corpora)
    if resolution.unresolved:
        pytest.skip("the pool (../shared/pool) is absent: the committed model cannot be rebuilt here")
    assert committed.card_["training_data"] == training_fingerprint(gold), "retrain: policy-classify train"
    defaults = json.loads(json.dumps(ThresholdedClassifier().settings()))
    assert committed.card_["settings"] == defaults, "retrain with the defaults"
    rebuilt = train(gold, taxonomy)
    texts = gold["text"].tolist()[:50]
    assert rebuilt.thresholds_by_label() == committed.thresholds_by_label()
    assert np.allclose(rebuilt.predict_proba(texts), committed.predict_proba(texts), atol=1e-6)


def test_training_fingerprint_ignores_row_order():
    """The data hash identifies content, not the order events were read in."""
    gold = pd.DataFrame({"unit_id": ["a", "b"], "text": ["x", "y"], "labels": ["labs", "finance;talent"]})
    assert training_fingerprint(gold) == training_fingerprint(gold.iloc[::-1])


def test_every_setting_travels_through_get_params_set_params_and_clone(small_model):
    """scikit-learn's tools (clone, grid search) see and change every setting of the classifier."""
    copy = clone(small_model)
    assert copy.get_params() == small_model.get_params()
    copy.set_params(C=3.0, char_ngrams=(1, 2), term_weight=0.0)
    pipeline = copy._pipeline()
    assert pipeline.named_steps["classifier"].estimator.C == 3.0
    features = dict(pipeline.named_steps["features"].transformer_list)
    assert features["chars"].ngram_range == (1, 2) and "terms" not in features


def test_predictions_apply_the_model_s_own_thresholds(small_model):
    """predict is predict_proba against each label's tuned threshold; decision_function is positive exactly there."""
    texts = ["设立天使投资母子基金", "加快建设国家实验室", "会议在北京召开", "引进高层次人才团队"]
    proba = small_model.predict_proba(texts)
    assert small_model.thresholds_.shape == (len(small_model.labels),)
    assert np.array_equal(small_model.predict(texts), (proba >= small_model.thresholds_).astype(int))
    assert np.array_equal(small_model.decision_function(texts) >= 0, small_model.predict(texts) == 1)


def test_thresholds_are_tuned_inside_fit_by_document_groups(small_gold, small_model, taxonomy):
    """With documents to hold out, fit moves thresholds off 0.5; with tuning off they stay at 0.5."""
    assert not np.allclose(small_model.thresholds_, 0.5)
    fixed = train(small_gold, taxonomy, {"threshold_tuning": 0.0})
    assert np.allclose(fixed.thresholds_, 0.5)
    assert fixed.card_["settings"]["threshold_tuning"] == 0.0
