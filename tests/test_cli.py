"""classify.cli: the command line through its real entry point, on the bundled corpus, and how each command
answers bad input: one line naming the problem, exit status 1, no traceback, and what was saved kept."""

import errno
import io
import json
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from classify.analysis.matrix import to_matrix
from classify.annotation.access import add_user
from classify.annotation.labeled import Annotation, append
from classify.cli import app_command_line
from classify.ingest.sentences import corpus_frame
from classify.model.persist import file_sha256, load_model
from classify.model.predict import predict_frame
from classify.tables import write_table

from conftest import DEVSET, PROJECT, invoke, one_line_error, write_corpus


def run(*args, cwd=None, check=True):
    result = subprocess.run([sys.executable, "-m", "classify", *map(str, args)], capture_output=True, text=True,
                            cwd=cwd, timeout=600)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_ingest_tag_matrix_on_the_bundled_corpus_agrees_with_the_gold_labels(tmp_path):
    """End to end: the matrix from the committed model is close to the matrix of the human labels."""
    run("ingest", PROJECT.corpus, "--output", tmp_path / "units.csv")
    units = pd.read_csv(tmp_path / "units.csv", dtype=str, keep_default_na=False)
    assert len(units) > 300 and units["unit_id"].is_unique

    run("tag", PROJECT.corpus, "--output", tmp_path / "pred.parquet")
    run("matrix", tmp_path / "pred.parquet", "--output", tmp_path / "matrix.csv")
    run("labels", "export", "--output", tmp_path / "gold.csv", "--labeled", PROJECT.labeled)

    tagged = pd.read_parquet(tmp_path / "pred.parquet")
    assert tagged["unit_id"].tolist() == units["unit_id"].tolist()
    matrix = pd.read_csv(tmp_path / "matrix.csv").set_index("jurisdiction")
    gold = pd.read_csv(tmp_path / "gold.csv", dtype=str, keep_default_na=False)
    labels = [c[2:] for c in tagged.columns if c.startswith("p_")]
    gold_matrix = to_matrix(tagged.drop(columns="labels").merge(gold[["unit_id", "labels"]], on="unit_id"),
                            labels=labels)
    assert sorted(matrix.index) == ["上海市", "成都市", "昆明市", "沟渠区", "重庆市"]
    difference = (matrix[labels] - gold_matrix.loc[matrix.index, labels]).abs()
    assert difference.to_numpy().max() <= 2, difference
    assert difference.to_numpy().sum() <= 0.05 * gold_matrix[labels].to_numpy().sum()


def test_predict_adds_labels_and_probabilities_and_passes_other_columns_through(tmp_path):
    """The contract used to score the model on outside data."""
    pd.DataFrame({"unit_id": ["u1", "u2", "u3"], "source": ["a", "b", "c"],
                  "text": ["設立成都天使投資母子基金", "加快建设张江国家实验室", "今天天气很好"]}).to_csv(
        tmp_path / "in.csv", index=False)
    run("predict", "--input", tmp_path / "in.csv", "--output", tmp_path / "out.csv")
    out = pd.read_csv(tmp_path / "out.csv", dtype={"labels": str}, keep_default_na=False)
    assert list(out.columns[:3]) == ["unit_id", "source", "text"]
    assert {f"p_{label}" for label in ["labs", "finance", "talent"]} <= set(out.columns)
    assert "finance" in out.loc[0, "labels"].split(";")
    assert "labs" in out.loc[1, "labels"].split(";")
    assert out.loc[2, "labels"] == ""


def test_evaluate_on_a_gold_file_prints_model_and_baseline(tmp_path):
    """--data scores the committed model and the keyword baseline on outside labels."""
    pd.DataFrame({"unit_id": ["u1", "u2"], "text": ["设立天使投资母子基金", "今天天气很好"],
                  "labels": ["finance", ""]}).to_csv(tmp_path / "gold.csv", index=False)
    output = run("evaluate", "--data", tmp_path / "gold.csv").stdout
    assert "Macro F1: model" in output and "keyword baseline" in output and "finance" in output


@pytest.mark.skipif(not DEVSET.is_file(), reason="the shared development set is not beside the project")
def test_model_beats_the_keyword_baseline_on_unseen_jurisdictions():
    """The figure analysts care about: macro F1 on the development set's 16 other jurisdictions."""
    output = run("evaluate", "--data", DEVSET).stdout
    last = output.strip().splitlines()[-1]
    figures = re.search(r"Macro F1: model (\d\.\d+) \(90% interval over jurisdictions \d\.\d+-\d\.\d+\), "
                        r"keyword baseline (\d\.\d+)", last)
    assert figures and float(figures.group(1)) > float(figures.group(2)), output


@pytest.mark.parametrize("args, message", [
    (["ingest", "no/such/folder", "--output", "x.csv"], "no/such/folder: not a folder"),
    (["predict", "--input", "missing.csv", "--output", "x.csv"], "missing.csv: no such file"),
    (["train", "--model", "m", "--taxonomy", "missing.yaml"], "missing.yaml: cannot read"),
    (["evaluate", "--model", "no-model-here", "--data", "x.csv"], "no-model-here: no model card"),
    (["matrix", "missing.parquet"], "missing.parquet: no such file"),
])
def test_bad_input_gets_one_line_error_and_exit_status_1(tmp_path, args, message):
    """No tracebacks: one line on stderr naming the problem."""
    result = run(*args, cwd=tmp_path, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("error:") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_predict_without_a_text_column_names_the_missing_column(tmp_path):
    pd.DataFrame({"unit_id": ["u1"], "body": ["x"]}).to_csv(tmp_path / "in.csv", index=False)
    result = run("predict", "--input", tmp_path / "in.csv", "--output", tmp_path / "o.csv", check=False)
    assert result.returncode == 1 and "in.csv: missing column(s) text" in result.stderr


def test_commitments_and_report_from_the_command_line(tmp_path):
    """`commitments` writes a table; `report` writes one self-contained HTML file with escaped text."""
    run("tag", PROJECT.corpus, "--output", tmp_path / "pred.csv")
    run("commitments", tmp_path / "pred.csv", "--output", tmp_path / "c.csv", "--measure", "finance")
    table = pd.read_csv(tmp_path / "c.csv", dtype=str, keep_default_na=False)
    assert set(table["label"]) == {"finance"} and {"result", "target"} >= set(table["kind"])
    run("report", "--jurisdictions", "成都市,沟渠区", "--output", tmp_path / "r.html", "--pred", tmp_path / "pred.csv")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script" not in html and "data:image/png;base64," in html and "沟渠区" in html
    result = run("report", "--jurisdictions", "不存在市", "--output", tmp_path / "x.html", "--pred",
                 tmp_path / "pred.csv", check=False)
    assert result.returncode == 1 and "no units of 不存在市" in result.stderr


@pytest.mark.parametrize("command", [["--help"], ["matrix", "--help"], ["annotate", "--help"]])
def test_help_starts_without_loading_pandas_or_scikit_learn(command):
    """Help is read in a loop by people and scripts: it must not pay for the data libraries (0.5 s here)."""
    script = ("import sys\nfrom classify.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
              "print('LOADED', sorted(m for m in ('pandas', 'sklearn', 'scipy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", script, *command], capture_output=True, text=True, timeout=60)
    assert "Usage:" in result.stdout
    assert result.stdout.rsplit("LOADED", 1)[1].strip() == "[]"


def assert_one_line_error(result, *fragments):
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    # Warnings (a folder without a manifest) may come first; the failure itself is one line.
    lines = [line for line in result.stderr.strip().splitlines() if line.strip() and not line.startswith("WARNING")]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def predictions_of(folder, taxonomy, units):
    return predict_frame(load_model(folder, taxonomy), units)[["labels"]]


@pytest.fixture
def full_disk(monkeypatch):
    """Every file write fails as on a full disk, when the data is flushed."""
    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    return lambda: monkeypatch.setattr("os.fsync", no_space)


def test_one_unreadable_document_is_skipped_and_named_the_rest_is_ingested(tmp_path):
    """A binary file in the corpus no longer stops it: the others are ingested, the bad one is named."""
    folder = write_corpus(tmp_path / "c", {"good.txt": "建设国家实验室。设立基金。\n"})
    (folder / "bad.txt").write_bytes(bytes(range(256)) * 40)
    result = invoke("ingest", folder, "-o", tmp_path / "units.csv")
    assert result.exit_code == 0, result.output
    units = pd.read_csv(tmp_path / "units.csv")
    assert units["doc_id"].unique().tolist() == ["good"]


@pytest.mark.parametrize("name, content, problem", [
    ("empty.txt", b"", "file is empty"),
    ("image.txt", bytes(range(256)) * 40, "binary file"),
])
def test_unreadable_documents_are_named_and_left_out(tmp_path, name, content, problem):
    """An empty or binary file is named with its problem and left out; the other documents are ingested."""
    folder = write_corpus(tmp_path / "c", {"good.txt": "建设国家实验室。"})
    (folder / name).write_bytes(content)
    output = tmp_path / "units.csv"
    result = run("ingest", folder, "--output", output, check=False)
    assert result.returncode == 0, result.stderr
    assert name in result.stderr and problem in result.stderr and "Traceback" not in result.stderr
    assert "good" in output.read_text(encoding="utf-8") and name.split(".")[0] not in output.read_text("utf-8")


def test_a_corpus_with_no_readable_document_is_an_error_and_keeps_the_earlier_output(tmp_path):
    """Nothing to ingest: one line, and the earlier output file is kept."""
    folder = write_corpus(tmp_path / "c", {})
    (folder / "image.txt").write_bytes(bytes(range(256)) * 40)
    output = tmp_path / "units.csv"
    output.write_text("earlier results", encoding="utf-8")
    assert_one_line_error(run("ingest", folder, "--output", output, check=False), "nothing to write")
    assert output.read_text(encoding="utf-8") == "earlier results"


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


def test_a_read_only_output_is_not_replaced(tmp_path):
    """`ingest` refuses to overwrite a file its owner made read-only."""
    folder = write_corpus(tmp_path / "c", {"a.txt": "建设国家实验室。\n"})
    output = tmp_path / "units.csv"
    output.write_text("keep me", encoding="utf-8")
    output.chmod(stat.S_IRUSR)
    one_line_error(invoke("ingest", folder, "-o", output), "read-only")
    assert output.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("name, content, fragment", [
    ("manifest.csv", "doc_id,jurisdiction\na,杭州市\n".encode("gb18030"), "not UTF-8 text"),
    ("manifest.csv", b"\x00\x01\x02doc_id,jurisdiction\n", "binary file"),
], ids=["gb18030 manifest", "binary manifest"])
def test_a_manifest_in_another_encoding_is_named_with_the_fix(tmp_path, name, content, fragment):
    """The message names the manifest and what to do, not a codec's internals."""
    folder = write_corpus(tmp_path / "c", {"a.txt": "建设国家实验室。\n"})
    (folder / name).write_bytes(content)
    one_line_error(invoke("ingest", folder, "-o", tmp_path / "u.csv"), "manifest.csv", fragment)


def test_manifest_naming_a_missing_file_is_named(tmp_path):
    folder = write_corpus(tmp_path / "c", {}, "doc_id,file,jurisdiction\nd1,gone.txt,杭州市\n")
    assert_one_line_error(run("ingest", folder, "--output", tmp_path / "u.csv", check=False), "manifest.csv",
                          "gone.txt")


def test_a_taxonomy_in_another_encoding_is_named_with_the_fix(tmp_path):
    """A GB18030 taxonomy.yaml gets one line that names it."""
    taxonomy = tmp_path / "taxonomy.yaml"
    taxonomy.write_bytes("labels:\n  - id: 实验室\n".encode("gb18030"))
    one_line_error(invoke("predict", "-i", tmp_path / "x.csv", "-o", tmp_path / "y.csv", "--taxonomy", taxonomy),
                   "taxonomy.yaml", "not UTF-8")


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
    assert_one_line_error(run("train", "--taxonomy", path, "--model", tmp_path / "m", check=False), "taxonomy.yaml",
                          problem)
    assert not (tmp_path / "m").exists()


def test_annotation_with_an_unknown_label_is_refused_and_the_store_untouched(tmp_path):
    """A typo in a label never enters labeled/."""
    store = tmp_path / "labeled"
    shutil.copytree(PROJECT.labeled, store)
    before = {p.name: p.read_bytes() for p in store.glob("*.jsonl")}
    assert_one_line_error(run("annotate", "000-3e921aa276", "--labels", "labs;lab", "--annotator", "x",
                              "--labeled", store, check=False), "unknown label(s) lab")
    assert {p.name: p.read_bytes() for p in store.glob("*.jsonl")} == before


def test_annotation_of_an_unknown_unit_is_refused(tmp_path):
    assert_one_line_error(run("annotate", "999-0000000000", "--labels", "labs", "--annotator", "x",
                              "--labeled", tmp_path / "labeled", check=False), "unknown unit id '999-0000000000'")
    assert not (tmp_path / "labeled").exists()


def test_with_a_users_file_the_cli_stores_decisions_only_under_registered_names(tmp_path, monkeypatch):
    """`annotate --annotator` must name a registered annotator once a users file exists."""
    path = tmp_path / "users.json"
    add_user("李四", "correct horse", path)
    monkeypatch.setenv("POLICY_CLASSIFY_USERS", str(path))
    one_line_error(invoke("annotate", "000-3e921aa276", "--annotator", "冒名者", "--labeled", tmp_path / "l"),
                   "not in the users file")
    assert not (tmp_path / "l").exists()


def test_training_on_a_store_with_an_unknown_label_names_the_file_and_line(tmp_path):
    """An event edited by hand to a label the taxonomy lacks stops training at that line."""
    store = tmp_path / "labeled"
    store.mkdir()
    good = {"unit_id": "a-1", "text": "建设实验室", "labels": ["labs"], "annotator": "x", "doc_id": "a",
            "jurisdiction": "j", "source": "corpus", "time": "2026-01-01T00:00:00+00:00"}
    (store / "x.jsonl").write_text(json.dumps(good) + "\n" + json.dumps(good | {"labels": ["lasb"]}) + "\n",
                                   encoding="utf-8")
    assert_one_line_error(run("train", "--labeled", store, "--model", tmp_path / "m", check=False), "x.jsonl:2",
                          "lasb")


def test_training_on_labels_of_one_class_is_refused_by_name_and_keeps_the_model(tmp_path, model_copy, taxonomy):
    units = corpus_frame(PROJECT.corpus)
    before = predictions_of(model_copy, taxonomy, units)
    append(tmp_path / "labels", [Annotation(unit_id=u, text=t, labels=("finance",), annotator="one-class",
                                            doc_id=d, jurisdiction=j)
                                 for u, t, d, j in units[["unit_id", "text", "doc_id", "jurisdiction"]].itertuples(index=False)])
    result = invoke("train", "--labeled", tmp_path / "labels", "--model", model_copy)
    one_line_error(result, "label labs has no positive example in the training data")
    assert predictions_of(model_copy, taxonomy, units).equals(before)


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


def test_export_on_a_full_disk_keeps_the_earlier_file(tmp_path, monkeypatch):
    """`labels export -o` that cannot finish leaves the good file it would have replaced."""
    output = tmp_path / "gold.csv"
    output.write_text("earlier export", encoding="utf-8")

    def full_disk(self, path, *args, **kwargs):
        open(path, "w").write("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full_disk)
    one_line_error(invoke("labels", "export", "-o", output), str(output), "nothing was replaced")
    assert output.read_text(encoding="utf-8") == "earlier export"


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


def test_model_from_another_taxonomy_is_refused(tmp_path, model_copy):
    card = json.loads((model_copy / "card.json").read_text(encoding="utf-8"))
    card["labels"] = card["labels"][:-1]
    (model_copy / "card.json").write_text(json.dumps(card), encoding="utf-8")
    (tmp_path / "in.csv").write_text("unit_id,text\nu,建设实验室\n", encoding="utf-8")
    assert_one_line_error(run("predict", "--input", tmp_path / "in.csv", "--output", tmp_path / "o.csv",
                              "--model", model_copy, check=False), "differ from the taxonomy")
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_truncated_or_altered_model_file_is_refused(tmp_path, model_copy, damage):
    path = model_copy / "model.skops"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if damage == "truncate" else data[:100] + bytes([data[100] ^ 1]) + data[101:])
    (tmp_path / "in.csv").write_text("unit_id,text\nu,建设实验室\n", encoding="utf-8")
    assert_one_line_error(run("predict", "--input", tmp_path / "in.csv", "--output", tmp_path / "o.csv",
                              "--model", model_copy, check=False), "model.skops", "does not match the hash")


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


@pytest.mark.parametrize("args, fragment", [
    (["predict", "-i", "{units}", "-o", "{tmp}/out.xls"], "unsupported table format .xls;"),
    (["labels", "export", "-o", "{tmp}/g.csv", "--labeled", "{tmp}/nowhere"], "no such annotation store"),
    (["commitments", "{pred}", "-o", "{tmp}/c.csv", "--measure", "bogus"], "unknown measure(s) bogus"),
    (["matrix", "{badpred}", "--threshold", "0.5"], "non-numeric"),
    (["train", "--labeled", "{tmp}/empty", "--model", "{tmp}/m"], "no labelled units"),
    (["curve", "--labeled", "{tmp}/empty", "--model", "{tmp}/m"], "no labelled units"),
    (["predict", "-i", "{units}", "-o", "{tmp}/o.csv", "--model", "{listcard}"], "not a model card"),
])
def test_bad_inputs_get_one_line_naming_the_problem(tmp_path, args, fragment):
    """Each of these once ended in a traceback or was accepted silently."""
    units = tmp_path / "units.csv"
    pd.DataFrame({"unit_id": ["u1"], "text": ["建设国家实验室"], "jurisdiction": ["甲市"]}).to_csv(units, index=False)
    pred = tmp_path / "pred.csv"
    pd.DataFrame({"unit_id": ["u1"], "jurisdiction": ["甲市"], "text": ["x"], "labels": ["labs"],
                  "p_labs": [0.9]}).to_csv(pred, index=False)
    badpred = tmp_path / "bad.csv"
    pd.DataFrame({"jurisdiction": ["甲市"], "labels": ["labs"], "p_labs": ["high"]}).to_csv(badpred, index=False)
    (tmp_path / "empty").mkdir()
    listcard = tmp_path / "listcard"
    listcard.mkdir()
    (listcard / "card.json").write_text("[1, 2]", encoding="utf-8")
    filled = [a.format(tmp=tmp_path, units=units, pred=pred, badpred=badpred, listcard=listcard) for a in args]
    one_line_error(invoke(*filled), fragment)


def test_ablate_without_a_development_set_says_so_in_one_line(monkeypatch, tmp_path):
    """No ../shared: a one-line error and exit 1, not a traceback."""
    monkeypatch.setenv("POLICY_CLASSIFY_DEVSET", str(tmp_path / "absent.csv"))
    result = invoke("ablate")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: no development set: ../shared/devset is absent; pass --dev GOLD.csv"]


def test_the_app_command_keeps_usage_statistics_and_the_network_off_unless_asked():
    """`policy-classify app` listens on localhost and sends no usage statistics by default."""
    line = app_command_line(Path("Home.py"), [])
    assert line[line.index("--browser.gatherUsageStats") + 1] == "false"
    assert line[line.index("--server.address") + 1] == "localhost"
    mine = app_command_line(Path("Home.py"), ["--browser.gatherUsageStats", "true"])
    assert mine.count("--browser.gatherUsageStats") == 1


def test_version_is_printed():
    """`--version` names the installed version."""
    result = invoke("--version")
    assert result.exit_code == 0 and result.output.startswith("policy-classify ")
