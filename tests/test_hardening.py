"""What a new user broke by trying (issue 24): a model that cannot load never replaces one that can, the
card never claims a score it did not earn, and every failure is one line that keeps what was saved."""

import errno
import io
import json
import logging
import shutil
import zipfile

import numpy as np
import pandas as pd
import pytest

from classify.annotation.access import AccessError, add_user
from classify.annotation.labeled import Annotation, append, read_events
from classify.ingest.sentences import corpus_frame
from classify.model.card import render_card
from classify.model.estimator import for_taxonomy
from classify.model.evaluate import Report, score
from classify.model.persist import ModelError, file_sha256, load_model, save_model
from classify.model.predict import predict_frame
from classify.tables import write_table

from conftest import PROJECT, invoke, one_line_error


@pytest.fixture
def model_copy(tmp_path):
    target = tmp_path / "model"
    shutil.copytree(PROJECT.model, target)
    return target


def predictions_of(folder, taxonomy, units):
    return predict_frame(load_model(folder, taxonomy), units)[["labels"]]


def test_training_on_labels_of_one_class_is_refused_by_name_and_keeps_the_model(tmp_path, model_copy, taxonomy):
    units = corpus_frame(PROJECT.corpus)
    before = predictions_of(model_copy, taxonomy, units)
    append(tmp_path / "labels", [Annotation(unit_id=u, text=t, labels=("finance",), annotator="one-class",
                                            doc_id=d, jurisdiction=j)
                                 for u, t, d, j in units[["unit_id", "text", "doc_id", "jurisdiction"]].itertuples(index=False)])
    result = invoke("train", "--labeled", tmp_path / "labels", "--model", model_copy)
    one_line_error(result, "label labs has no positive example in the training data")
    assert predictions_of(model_copy, taxonomy, units).equals(before)


def test_a_model_that_would_not_load_back_is_never_swapped_in(tmp_path, committed_model, taxonomy):
    """A label without positives fitted anyway gives a constant predictor, which the checked load refuses:
    the save says so and the previous model stays."""
    folder = save_model(committed_model, tmp_path / "model")
    before = file_sha256(folder / "model.skops")
    gold = corpus_frame(PROJECT.corpus)
    y = np.zeros((len(gold), len(taxonomy.ids)), dtype=int)
    y[::3, 1] = 1  # only pilot_platforms has positives
    broken = for_taxonomy(taxonomy, threshold_tuning=0.0).fit(gold["text"].tolist(), y)
    broken.card_ = dict(committed_model.card_)
    with pytest.raises(ModelError, match="does not load back.*previous one is kept"):
        save_model(broken, folder)
    assert file_sha256(folder / "model.skops") == before
    load_model(folder, taxonomy)


def test_a_label_with_no_examples_is_no_examples_never_a_perfect_score():
    truth = np.array([[1, 0], [0, 0], [1, 0]])
    guess = np.array([[1, 0], [1, 0], [0, 0]])
    table = score(truth, guess, ["labs", "finance"])
    assert np.isnan(table.loc["finance", "f1"])
    assert table.loc["macro", "f1"] == pytest.approx(0.5) and table.loc["macro", "labels"] == 1


def test_the_card_says_no_examples_and_stays_strict_json(tmp_path, committed_model):
    truth = np.array([[1, 0], [0, 0]])
    scores = score(truth, truth, ["labs", "finance"])
    report = Report(model=scores, baseline=scores, units=2, documents=1, method="test").to_dict()
    assert report["model"]["finance"]["f1"] is None and report["model"]["macro"]["labels"] == 1
    card = dict(committed_model.card_, metrics={"dev": report})
    folder = save_model(committed_model, tmp_path / "model")
    from classify.model.persist import write_card

    write_card(folder, card)
    json.loads((folder / "card.json").read_text(encoding="utf-8"),
               parse_constant=lambda name: pytest.fail(f"card.json holds {name}"))
    markdown = render_card(card)
    assert "no examples" in markdown and "over 1 labels" in markdown


def test_a_damaged_model_with_a_matching_card_is_one_line_naming_the_file(model_copy):
    path = model_copy / "model.skops"
    data = bytearray(path.read_bytes())
    schema = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("schema.json")
    start = schema.header_offset + 30 + len(schema.filename.encode()) + len(schema.extra)
    data[start:start + 8] = bytes(b ^ 0xFF for b in data[start:start + 8])  # a deflate stream zlib cannot read
    path.write_bytes(bytes(data))
    card = json.loads((model_copy / "card.json").read_text(encoding="utf-8"))
    card["model_sha256"] = file_sha256(path)  # the hash rewritten to match, as a careless copy would
    (model_copy / "card.json").write_text(json.dumps(card), encoding="utf-8")
    write_table(pd.DataFrame({"unit_id": ["u1"], "text": ["建设国家实验室"]}), model_copy.parent / "in.csv")
    result = invoke("predict", "--input", model_copy.parent / "in.csv", "--output", model_copy.parent / "o.csv",
                    "--model", model_copy)
    one_line_error(result, "model.skops")


def test_a_staging_folder_left_by_a_killed_save_is_cleaned_up_and_said(tmp_path, committed_model, caplog):
    folder = save_model(committed_model, tmp_path / "model")
    stale = tmp_path / ".model.999999999.new"  # no such process: its save was killed
    shutil.copytree(folder, stale)
    with caplog.at_level(logging.WARNING):
        save_model(committed_model, folder)
    assert not stale.exists() and ".model.999999999.new" in caplog.text


def test_a_label_given_twice_is_stored_once(tmp_path):
    unit = corpus_frame(PROJECT.corpus)["unit_id"].iloc[0]
    result = invoke("annotate", unit, "--labels", "finance;finance", "--annotator", "ann", "--labeled", tmp_path)
    assert result.exit_code == 0, result.output
    assert [e.labels for e in read_events(tmp_path)] == [("finance",)]
    assert json.loads((tmp_path / "ann.jsonl").read_text(encoding="utf-8"))["labels"] == ["finance"]


def test_an_annotator_name_that_looks_like_a_path_is_refused(tmp_path):
    unit = corpus_frame(PROJECT.corpus)["unit_id"].iloc[0]
    result = invoke("annotate", unit, "--labels", "finance", "--annotator", "../../x", "--labeled", tmp_path / "s")
    one_line_error(result, "looks like a path")
    assert not list(tmp_path.rglob("*.jsonl"))
    with pytest.raises(AccessError, match="looks like a path"):
        add_user("../x", "long enough password", tmp_path / "users.json")


def test_a_name_keeps_one_spelling_in_its_file_and_its_records(tmp_path):
    unit = corpus_frame(PROJECT.corpus)["unit_id"].iloc[0]
    for name in ("li si", "li_si"):
        assert invoke("annotate", unit, "--labels", "labs", "--annotator", name, "--labeled", tmp_path).exit_code == 0
    assert [p.name for p in tmp_path.glob("*.jsonl")] == ["li_si.jsonl"]
    assert {e.annotator for e in read_events(tmp_path)} == {"li_si"}


MARKUP = "<script>alert(1)</script> ![x](http://127.0.0.1:8501/x.png) [通知](http://127.0.0.1/phish)"


def test_the_report_shows_markup_in_text_title_and_jurisdiction_as_text(tmp_path, tagged_corpus):
    tagged = tagged_corpus.copy()
    place = "<script>x</script>市"
    tagged.loc[tagged.index[:40], "jurisdiction"] = place
    tagged.loc[tagged.index[:40], "text"] = MARKUP
    tagged["title"] = MARKUP
    write_table(tagged, tmp_path / "pred.csv")
    result = invoke("report", "--jurisdictions", f"{place},成都市", "--output", tmp_path / "r.html",
                    "--pred", tmp_path / "pred.csv")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script" not in page and "&lt;script&gt;" in page
    assert 'src="http' not in page and "href=" not in page.replace('href="#', "")  # nothing points out


@pytest.fixture
def full_disk(monkeypatch):
    """Every file write fails as on a full disk, when the data is flushed."""
    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    return lambda: monkeypatch.setattr("os.fsync", no_space)


def test_report_and_matrix_on_a_full_disk_keep_the_old_file(tmp_path, tagged_corpus, full_disk):
    write_table(tagged_corpus, tmp_path / "pred.csv")
    (tmp_path / "r.html").write_text("old report", encoding="utf-8")
    (tmp_path / "m.csv").write_text("old matrix", encoding="utf-8")
    full_disk()
    one_line_error(invoke("report", "--jurisdictions", "成都市", "--output", tmp_path / "r.html",
                          "--pred", tmp_path / "pred.csv"), "r.html", "No space left")
    one_line_error(invoke("matrix", tmp_path / "pred.csv", "--output", tmp_path / "m.csv"), "m.csv", "No space left")
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == "old report"
    assert (tmp_path / "m.csv").read_text(encoding="utf-8") == "old matrix"


def test_train_on_a_full_disk_keeps_the_model(tmp_path, model_copy, taxonomy, monkeypatch):
    units = corpus_frame(PROJECT.corpus)
    before = predictions_of(model_copy, taxonomy, units)
    labels = tmp_path / "labels"
    labels.mkdir()
    shutil.copy(PROJECT.labeled / "seed-coder.jsonl", labels)

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("skops.io.dump", no_space)
    result = invoke("train", "--labeled", labels, "--model", model_copy)
    one_line_error(result, "cannot save the model", "previous one is kept")
    assert predictions_of(model_copy, taxonomy, units).equals(before)
