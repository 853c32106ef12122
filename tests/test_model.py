import json

import numpy as np
import pandas as pd
import pytest

from classify.labeled import gold_frame
from classify.standoff import gold_with_text
from classify.model import (ModelError, Settings, choose_thresholds, document_folds, load_model, predict_proba,
                            save_model, train, training_fingerprint)
from classify.taxonomy import parse_taxonomy

from conftest import PROJECT


@pytest.fixture(scope="module")
def small_gold():
    """Three documents' worth of the real gold set: enough to train, quick to fit."""
    gold = gold_frame(PROJECT.labeled, include_written=False)
    return gold[gold["doc_id"].isin(["001", "002", "004"])].reset_index(drop=True)


@pytest.fixture(scope="module")
def small_model(small_gold, taxonomy):
    return train(small_gold, taxonomy, Settings())


def test_thresholds_maximise_f1_on_out_of_fold_probabilities():
    """The threshold sits between the scores of the positives and the negatives."""
    y = np.array([[1], [1], [0], [0]])
    proba = np.array([[0.9], [0.6], [0.4], [0.1]])
    assert 0.4 < choose_thresholds(y, proba, ["labs"])["labs"] <= 0.6


def test_a_label_never_seen_keeps_the_neutral_threshold():
    """No positives in training: nothing to tune on, so the default 0.5 stands."""
    assert choose_thresholds(np.zeros((3, 1), int), np.full((3, 1), 0.2), ["labs"]) == {"labs": 0.5}


def test_folds_never_split_a_document_and_written_sentences_only_train():
    """A document is never on both sides; authored sentences are never scored."""
    groups = ["a", "a", "b", "b", "c", "written", "written"]
    folds = list(document_folds(groups))
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
    assert loaded.thresholds == small_model.thresholds
    assert np.allclose(predict_proba(loaded, texts), predict_proba(small_model, texts))
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
    assert committed.card["training_data"] == training_fingerprint(gold), "retrain: policy-classify train"
    assert committed.card["settings"] == json.loads(json.dumps(Settings().to_dict())), "retrain with the defaults"
    rebuilt = train(gold, taxonomy, Settings())
    texts = gold["text"].tolist()[:50]
    assert rebuilt.thresholds == committed.thresholds
    assert np.allclose(predict_proba(rebuilt, texts), predict_proba(committed, texts), atol=1e-6)


def test_training_fingerprint_ignores_row_order():
    """The data hash identifies content, not the order events were read in."""
    gold = pd.DataFrame({"unit_id": ["a", "b"], "text": ["x", "y"], "labels": ["labs", "finance;talent"]})
    assert training_fingerprint(gold) == training_fingerprint(gold.iloc[::-1])
