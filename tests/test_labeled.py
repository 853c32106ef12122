"""classify.annotation.labeled: the annotation store, one JSON-lines file per annotator, and what it keeps
or refuses."""

import json

from classify.annotation.access import AccessError, add_user
from classify.annotation.labeled import Annotation, StoreError, append, gold_frame, read_events, written_id
from classify.ingest.sentences import corpus_frame

import pytest

from conftest import PROJECT, invoke, one_line_error


def _ann(unit_id="d-1", labels=("labs",), annotator="ann", time="2026-01-01T00:00:00+00:00", **kw):
    return Annotation(unit_id=unit_id, text="建设国家实验室", labels=tuple(labels), annotator=annotator,
                      doc_id="d", jurisdiction="某市", time=time, **kw)


def test_latest_decision_per_unit_is_the_gold_label(tmp_path):
    """A later decision (an adjudication, a correction) replaces an earlier one in the training set."""
    append(tmp_path, [_ann(labels=("labs",), time="2026-01-01T00:00:00+00:00")])
    append(tmp_path, [_ann(labels=("labs", "finance"), annotator="judge", time="2026-01-02T00:00:00+00:00")])
    gold = gold_frame(tmp_path)
    assert len(gold) == 1 and gold.iloc[0]["labels"] == "finance;labs"
    assert len(read_events(tmp_path)) == 2, "the earlier decision is kept in the record"


def test_each_annotator_appends_to_their_own_file(tmp_path):
    """Annotators in separate clones never edit the same file, so merges never conflict."""
    append(tmp_path, [_ann(annotator="张三"), _ann(annotator="li si")])
    assert sorted(p.name for p in tmp_path.glob("*.jsonl")) == ["li_si.jsonl", "张三.jsonl"]


def test_unknown_labels_are_refused_before_anything_is_written(tmp_path):
    """A typo in a label id never reaches the store."""
    with pytest.raises(StoreError, match="unknown label\\(s\\) lab"):
        append(tmp_path, [_ann(labels=("lab",))], label_ids=["labs"])
    assert not list(tmp_path.glob("*.jsonl"))


def test_a_torn_last_line_is_skipped_and_later_writes_stay_whole(tmp_path):
    """A writer killed mid-line loses only its own record."""
    append(tmp_path, [_ann(unit_id="d-1")])
    path = next(tmp_path.glob("*.jsonl"))
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"unit_id": "d-2", "text": "半')
    append(tmp_path, [_ann(unit_id="d-3")])
    assert sorted(e.unit_id for e in read_events(tmp_path)) == ["d-1", "d-3"]


def test_written_sentences_are_marked_and_left_out_of_the_exported_gold(tmp_path):
    """Sentences written to teach the model never count in evaluation."""
    text = "设立科技成果转化引导基金"
    append(tmp_path, [_ann(), Annotation(written_id(text), text, ("finance",), "ann", doc_id="written",
                                         source="written")])
    assert len(gold_frame(tmp_path)) == 2
    assert gold_frame(tmp_path, include_written=False)["unit_id"].tolist() == ["d-1"]


def test_records_are_json_lines_with_labels_sorted(tmp_path):
    """The store is plain, diffable JSON lines."""
    append(tmp_path, [_ann(labels=("talent", "finance"))])
    record = json.loads(next(tmp_path.glob("*.jsonl")).read_text(encoding="utf-8"))
    assert record["labels"] == ["finance", "talent"] and record["annotator"] == "ann"


def test_a_store_record_with_a_non_string_time_is_skipped_not_fatal(tmp_path):
    """A hand-edited record that would break sorting is reported and skipped; the others load."""
    good = {"unit_id": "d-1", "text": "建设", "labels": ["labs"], "annotator": "a", "time": "2026-01-01T00:00:00"}
    bad = dict(good, unit_id="d-2", time=12345)
    (tmp_path / "a.jsonl").write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    assert [e.unit_id for e in read_events(tmp_path)] == ["d-1"]


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
