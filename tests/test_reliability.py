"""Bad input gets a one-line error naming the file and the problem, exit status 1, no traceback,
and leaves saved data untouched."""

import json
import shutil
import subprocess
import sys
import zipfile

import pytest

from classify.model.persist import ModelError, file_sha256, load_estimator

from conftest import PROJECT, write_corpus


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "classify", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def assert_one_line_error(result, *fragments):
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    # Warnings (a folder without a manifest) may come first; the failure itself is one line.
    lines = [line for line in result.stderr.strip().splitlines() if line.strip() and not line.startswith("WARNING")]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture
def model_copy(tmp_path):
    target = tmp_path / "model"
    shutil.copytree(PROJECT.model, target)
    return target


@pytest.mark.parametrize("name, content, problem", [
    ("empty.txt", b"", "file is empty"),
    ("image.txt", bytes(range(256)) * 40, "binary file"),
])
def test_unreadable_documents_are_named_and_left_out(tmp_path, name, content, problem):
    """An empty or binary file is named with its problem and left out; the other documents are ingested."""
    folder = write_corpus(tmp_path / "c", {"good.txt": "建设国家实验室。"})
    (folder / name).write_bytes(content)
    output = tmp_path / "units.csv"
    result = cli("ingest", folder, "--output", output)
    assert result.returncode == 0, result.stderr
    assert name in result.stderr and problem in result.stderr and "Traceback" not in result.stderr
    assert "good" in output.read_text(encoding="utf-8") and name.split(".")[0] not in output.read_text("utf-8")


def test_a_corpus_with_no_readable_document_is_an_error_and_keeps_the_earlier_output(tmp_path):
    """Nothing to ingest: one line, and the earlier output file is kept."""
    folder = write_corpus(tmp_path / "c", {})
    (folder / "image.txt").write_bytes(bytes(range(256)) * 40)
    output = tmp_path / "units.csv"
    output.write_text("earlier results", encoding="utf-8")
    assert_one_line_error(cli("ingest", folder, "--output", output), "nothing to write")
    assert output.read_text(encoding="utf-8") == "earlier results"


@pytest.mark.parametrize("codec", ["gb18030", "gbk", "utf-16"])
def test_gbk_and_utf16_documents_are_read_not_rejected(tmp_path, codec):
    """Chinese files in the encodings Windows tools write ingest like UTF-8 ones."""
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "杭州市.txt").write_bytes("加快建設國家實驗室。設立天使投資基金。".encode(codec))
    result = cli("ingest", folder, "--output", tmp_path / "units.csv")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "units.csv").read_text(encoding="utf-8")
    assert "加快建设国家实验室" in text and "设立天使投资基金" in text


def test_a_50_mb_document_is_streamed_in_bounded_memory(tmp_path):
    """Ingesting 50 MB peaks far below what holding the document and its units would need."""
    seed = (PROJECT.corpus / "002_085781b0c4483538.txt").read_text(encoding="utf-8")
    folder = tmp_path / "big"
    folder.mkdir()
    with (folder / "big.txt").open("w", encoding="utf-8") as handle:
        written = 0
        while written < 50_000_000:
            handle.write(seed)
            written += len(seed.encode("utf-8"))
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent (pytest itself).
    script = ("import re, sys; from classify.cli import main\n"
              "try:\n    main(sys.argv[1:], standalone_mode=False)\n"
              "finally:\n    print('PEAK', re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))")
    result = subprocess.run([sys.executable, "-c", script, "ingest", str(folder), "--output",
                             str(tmp_path / "units.csv")], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    peak_mb = int(result.stdout.split("PEAK")[-1]) / 1024
    lines = sum(1 for _ in (tmp_path / "units.csv").open(encoding="utf-8"))
    assert lines > 100_000
    assert peak_mb < 500, f"peak {peak_mb:.0f} MB"


def test_a_200000_character_line_without_punctuation_becomes_capped_units(tmp_path):
    """A page with no stops is cut into units of at most 400 characters, none lost."""
    line = "建设国家重点实验室" * 22_223
    folder = write_corpus(tmp_path / "c", {"long.txt": line[:200_000]})
    result = cli("ingest", folder, "--output", tmp_path / "units.csv")
    assert result.returncode == 0, result.stderr
    import pandas as pd

    units = pd.read_csv(tmp_path / "units.csv", dtype=str, keep_default_na=False)
    assert units["text"].str.len().max() <= 400
    assert "".join(units["text"]) == line[:200_000]


@pytest.mark.parametrize("yaml_text, problem", [
    ("labels:\n  - {id: labs, name_zh: a, name_en: b, definition: c, key_terms: [x], examples: [y]}\n"
     "  - {id: labs, name_zh: a, name_en: b, definition: c, key_terms: [x], examples: [y]}\n",
     "duplicate label id 'labs'"),
    ("labels:\n  - {id: labs, name_zh: a, name_en: b, key_terms: [x], examples: [y]}\n", "missing definition"),
    ("labels:\n  - id: labs\n    key_terms: [x, y\n", "not valid YAML"),
])
def test_malformed_taxonomy_is_named(tmp_path, yaml_text, problem):
    """Duplicate ids, missing fields and YAML syntax errors all say what and where."""
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    assert_one_line_error(cli("train", "--taxonomy", path, "--model", tmp_path / "m"), "taxonomy.yaml", problem)
    assert not (tmp_path / "m").exists()


def test_annotation_with_an_unknown_label_is_refused_and_the_store_untouched(tmp_path):
    """A typo in a label never enters labeled/."""
    store = tmp_path / "labeled"
    shutil.copytree(PROJECT.labeled, store)
    before = {p.name: p.read_bytes() for p in store.glob("*.jsonl")}
    assert_one_line_error(cli("annotate", "000-3e921aa276", "--labels", "labs;lab", "--annotator", "x",
                              "--labeled", store), "unknown label(s) lab")
    assert {p.name: p.read_bytes() for p in store.glob("*.jsonl")} == before


def test_annotation_of_an_unknown_unit_is_refused(tmp_path):
    assert_one_line_error(cli("annotate", "999-0000000000", "--labels", "labs", "--annotator", "x",
                              "--labeled", tmp_path / "labeled"), "unknown unit id '999-0000000000'")
    assert not (tmp_path / "labeled").exists()


def test_training_on_a_store_with_an_unknown_label_names_the_file_and_line(tmp_path):
    """An event edited by hand to a label the taxonomy lacks stops training at that line."""
    store = tmp_path / "labeled"
    store.mkdir()
    good = {"unit_id": "a-1", "text": "建设实验室", "labels": ["labs"], "annotator": "x", "doc_id": "a",
            "jurisdiction": "j", "source": "corpus", "time": "2026-01-01T00:00:00+00:00"}
    (store / "x.jsonl").write_text(json.dumps(good) + "\n" + json.dumps(good | {"labels": ["lasb"]}) + "\n",
                                   encoding="utf-8")
    assert_one_line_error(cli("train", "--labeled", store, "--model", tmp_path / "m"), "x.jsonl:2", "lasb")


def test_manifest_naming_a_missing_file_is_named(tmp_path):
    folder = write_corpus(tmp_path / "c", {}, "doc_id,file,jurisdiction\nd1,gone.txt,杭州市\n")
    assert_one_line_error(cli("ingest", folder, "--output", tmp_path / "u.csv"), "manifest.csv", "gone.txt")


def test_model_from_another_taxonomy_is_refused(tmp_path, model_copy):
    card = json.loads((model_copy / "card.json").read_text(encoding="utf-8"))
    card["labels"] = card["labels"][:-1]
    (model_copy / "card.json").write_text(json.dumps(card), encoding="utf-8")
    (tmp_path / "in.csv").write_text("unit_id,text\nu,建设实验室\n", encoding="utf-8")
    assert_one_line_error(cli("predict", "--input", tmp_path / "in.csv", "--output", tmp_path / "o.csv",
                              "--model", model_copy), "differ from the taxonomy")
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_truncated_or_altered_model_file_is_refused(tmp_path, model_copy, damage):
    path = model_copy / "model.skops"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if damage == "truncate" else data[:100] + bytes([data[100] ^ 1]) + data[101:])
    (tmp_path / "in.csv").write_text("unit_id,text\nu,建设实验室\n", encoding="utf-8")
    assert_one_line_error(cli("predict", "--input", tmp_path / "in.csv", "--output", tmp_path / "o.csv",
                              "--model", model_copy), "model.skops", "does not match the hash")


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
    assert_one_line_error(cli("predict", "--input", tmp_path / "in.csv", "--output", tmp_path / "o.csv",
                              "--model", model_copy), "untrusted type", "os.system")


def test_a_pickle_in_place_of_the_model_is_not_unpickled(tmp_path, model_copy):
    """A classic pickle payload is rejected as not a model file; nothing is executed."""
    import pickle

    marker = tmp_path / "pwned"
    path = model_copy / "model.skops"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path.write_bytes(pickle.dumps(Payload()))
    with pytest.raises(ModelError, match="not a model file"):
        load_estimator(path)
    assert not marker.exists()
