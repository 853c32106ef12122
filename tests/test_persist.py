"""classify.model.persist: a save never loses the model it replaces, and a model file is trusted only when
it is what its card says and names no type outside the trusted ones."""

import json
import logging
import pickle
import shutil
import stat
import zipfile

import numpy as np
import pytest

from classify.ingest.sentences import corpus_frame
from classify.model.estimator import for_taxonomy
from classify.model.persist import ModelError, file_sha256, load_estimator, load_model, save_model

from conftest import PROJECT, invoke, one_line_error

PROJECT_MODEL = PROJECT.model / "model.skops"


def test_a_failed_save_keeps_the_previous_model_whole(tmp_path, committed_model, taxonomy, monkeypatch):
    """A disk error while saving leaves the earlier model loadable and says so in one line."""
    folder = save_model(committed_model, tmp_path / "model")
    before = (folder / "model.skops").read_bytes()

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("skops.io.dump", full_disk)
    with pytest.raises(ModelError, match="previous one is kept"):
        save_model(committed_model, folder)
    assert (folder / "model.skops").read_bytes() == before
    load_model(folder, taxonomy)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"], "no staging folder is left behind"


def test_saving_over_a_read_only_card_replaces_the_whole_folder(tmp_path, committed_model, taxonomy):
    """A read-only card in the old folder does not leave a new model beside an old card."""
    folder = save_model(committed_model, tmp_path / "model")
    (folder / "card.json").chmod(stat.S_IRUSR)
    save_model(committed_model, folder)
    load_model(folder, taxonomy)


def test_replacing_a_model_never_leaves_the_folder_missing(tmp_path, committed_model, taxonomy, monkeypatch):
    """The new model folder is exchanged with the old in one step: no rename to a gap is ever made."""
    folder = save_model(committed_model, tmp_path / "model")
    renames = []
    original = type(folder).rename

    def watched(self, target):
        renames.append((self.name, getattr(target, "name", target)))
        return original(self, target)

    monkeypatch.setattr(type(folder), "rename", watched)
    save_model(committed_model, folder)
    assert renames == [], "the swap went through renameat2, not two renames"
    load_model(folder, taxonomy)


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


def test_a_staging_folder_left_by_a_killed_save_is_cleaned_up_and_said(tmp_path, committed_model, caplog):
    folder = save_model(committed_model, tmp_path / "model")
    stale = tmp_path / ".model.999999999.new"  # no such process: its save was killed
    shutil.copytree(folder, stale)
    with caplog.at_level(logging.WARNING):
        save_model(committed_model, folder)
    assert not stale.exists() and ".model.999999999.new" in caplog.text


def _with_schema(tmp_path, schema_text: str):
    with zipfile.ZipFile(PROJECT_MODEL) as source:
        files = {item.filename: source.read(item.filename) for item in source.infolist()}
    path = tmp_path / "model.skops"
    with zipfile.ZipFile(path, "w") as target:
        for name, data in files.items():
            target.writestr(name, schema_text if name == "schema.json" else data)
    return path


@pytest.mark.parametrize("rewrite, fragment", [
    (lambda s: '{"bogus": ', "not a model file"),
    (lambda s: json.dumps([1, 2]), "not a model file"),
    (lambda s: json.dumps({"__class__": "Pipeline"}), "not a model file"),
    (lambda s: s.replace('"classify.ingest.segment"', '"classify.ingest.segment.os"', 1), "untrusted type"),
    (lambda s: s.replace('"Segmenter"', '"Segmenter.__init__"', 1), "untrusted type"),
], ids=["bogus schema", "schema of another shape", "no protocol", "spoofed module", "spoofed dotted class"])
def test_a_model_file_with_a_forged_schema_is_refused_in_one_line(tmp_path, rewrite, fragment):
    """A model zip whose schema.json is malformed or names a spoofed type is refused before anything runs."""
    with zipfile.ZipFile(PROJECT_MODEL) as source:
        schema = source.read("schema.json").decode("utf-8")
    with pytest.raises(ModelError, match=fragment):
        load_estimator(_with_schema(tmp_path, rewrite(schema)))


def test_a_model_file_that_would_run_code_is_refused_even_with_a_matching_card(tmp_path, model_copy):
    """An attacker who rewrites both the file and its hash still cannot make loading call os.system."""
    path = model_copy / "model.skops"
    with zipfile.ZipFile(path) as original:
        schema = json.loads(original.read("schema.json"))
        members = {name: original.read(name) for name in original.namelist() if name != "schema.json"}
    swapped = []

    def swap(node):
        # Point the pipeline's normalising function at os.system instead.
        if isinstance(node, dict):
            if node.get("__loader__") == "FunctionNode" and "normalize_all" in json.dumps(node):
                node.update({"__class__": "system", "__module__": "os"})
                node["content"] = {"module_path": "os", "function": "system"}
                swapped.append(node)
            for value in node.values():
                swap(value)
        elif isinstance(node, list):
            for value in node:
                swap(value)

    swap(schema)
    assert swapped
    with zipfile.ZipFile(path, "w") as rewritten:
        rewritten.writestr("schema.json", json.dumps(schema))
        for name, data in members.items():
            rewritten.writestr(name, data)
    card = json.loads((model_copy / "card.json").read_text(encoding="utf-8"))
    card["model_sha256"] = file_sha256(path)
    (model_copy / "card.json").write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelError, match="untrusted type"):
        load_estimator(path)
    (tmp_path / "in.csv").write_text("unit_id,text\nu,建设实验室\n", encoding="utf-8")
    one_line_error(invoke("predict", "--input", tmp_path / "in.csv", "--output", tmp_path / "o.csv",
                          "--model", model_copy), "untrusted type", "os.system")


def test_a_pickle_in_place_of_the_model_is_not_unpickled(tmp_path, model_copy):
    """A classic pickle payload is rejected as not a model file; nothing is executed."""
    marker = tmp_path / "pwned"
    path = model_copy / "model.skops"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path.write_bytes(pickle.dumps(Payload()))
    with pytest.raises(ModelError, match="not a model file"):
        load_estimator(path)
    assert not marker.exists()
