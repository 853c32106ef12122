"""The command line through its real entry point, on the bundled corpus."""

import re
import subprocess
import sys

import pandas as pd
import pytest

from classify.analysis.matrix import to_matrix

from conftest import DEVSET, PROJECT


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
    figures = re.search(r"Macro F1: model (\d\.\d+), keyword baseline (\d\.\d+)", last)
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
