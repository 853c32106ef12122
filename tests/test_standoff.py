"""Stand-off labels: decisions on an external corpus kept by id, without text, joined back at training time."""

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from classify.cli import main
from classify.project import Project
from classify.annotation.labeled import StoreError, append, gold_frame, standoff
from classify.labels import STANDOFF
from classify.annotation.standoff import corpus_units, decisions, resolve

from conftest import write_corpus

MANIFEST = "doc_id,jurisdiction,level\nalpha,甲市,city\nbeta,乙市,city\n"


@pytest.fixture
def external(tmp_path):
    """An external corpus laid out like the shared pool, and its units."""
    folder = write_corpus(tmp_path / "external", {"alpha.txt": "建设国家重点实验室。设立天使投资基金。\n",
                                                  "beta.txt": "引进高层次人才。\n"}, MANIFEST)
    return folder, corpus_units(folder)


def test_a_standoff_record_keeps_ids_and_labels_but_never_the_text(tmp_path, external):
    """What goes into labeled/ for an external corpus holds no sentence of it."""
    folder, units = external
    made = decisions([(units.index[0], ("labs",))], "coder", units, corpus="ext")
    append(tmp_path / "labeled", made)
    record = json.loads((tmp_path / "labeled" / "coder.jsonl").read_text("utf-8"))
    assert record["text"] == "" and record["corpus"] == "ext" and record["source"] == STANDOFF
    assert record["doc_id"] == "alpha" and record["labels"] == ["labs"]
    assert "实验室" not in json.dumps(record, ensure_ascii=False)


def test_the_store_refuses_a_standoff_record_that_carries_text(tmp_path):
    """A stand-off record with text would copy a corpus that may not be redistributed."""
    bad = standoff("alpha-0123456789", "alpha", ("labs",), "coder", "ext")
    with pytest.raises(StoreError):
        append(tmp_path, [bad.__class__(**{**bad.__dict__, "text": "建设国家重点实验室"})])


def test_resolving_joins_text_by_id_and_counts_what_it_could_not_find(tmp_path, external):
    """Present corpus: text filled in; an id that no longer exists and an absent corpus are counted, not used."""
    folder, units = external
    made = decisions([(u, ("labs",)) for u in units.index], "coder", units, corpus="ext")
    append(tmp_path, made + [standoff("alpha-ffffffffff", "alpha", (), "coder", "ext"),
                             standoff("x-0000000000", "x", (), "coder", "gone")])
    gold, resolution = resolve(gold_frame(tmp_path), {"ext": folder})
    assert sorted(gold["text"]) == sorted(units["text"])
    assert resolution.units == {"ext": 3} and resolution.documents == {"ext": 2}
    assert resolution.unresolved == {"ext": 1, "gone": 1} and resolution.absent == ("gone",)
    assert "2 could not be resolved" in resolution.summary()


def test_unknown_unit_ids_are_refused_before_anything_is_written(tmp_path, external):
    """A table with a typo in one id writes none of its decisions."""
    _, units = external
    with pytest.raises(StoreError, match="not in the corpus"):
        decisions([(units.index[0], ()), ("alpha-typo", ())], "coder", units, corpus="ext")


def test_annotate_from_a_table_stores_standoff_decisions_for_a_named_corpus(tmp_path, external, monkeypatch):
    """`annotate --from T --corpus NAME` records every row stand-off; `labels export` joins the text back."""
    folder, units = external
    root = tmp_path / "project"
    (root / "labeled").mkdir(parents=True)
    (root / "project.yaml").write_text(f"corpora:\n  ext: {folder}\n", encoding="utf-8")
    monkeypatch.setattr("classify.cli.PROJECT", Project(root))
    table = tmp_path / "decisions.csv"
    pd.DataFrame({"unit_id": list(units.index), "labels": ["labs", "finance", "talent"]}).to_csv(table, index=False)
    runner = CliRunner()
    result = runner.invoke(main, ["annotate", "--from", str(table), "--annotator", "coder", "--corpus", "ext",
                                  "--labeled", str(root / "labeled")])
    assert result.exit_code == 0, result.output
    assert "3 decisions by coder on ext (stand-off)" in result.output
    exported = tmp_path / "gold.csv"
    result = runner.invoke(main, ["labels", "export", "-o", str(exported), "--labeled", str(root / "labeled")])
    assert result.exit_code == 0, result.output
    gold = pd.read_csv(exported, keep_default_na=False).set_index("unit_id")
    assert gold.loc[units.index[0], "text"] == units["text"].iloc[0]
