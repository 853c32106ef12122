"""Excel out: the matrix, its cells with intervals and the gold set as .xlsx, with the CSV's figures."""

import openpyxl
import pandas as pd
import pytest

from classify.tables import read_table, write_table

from conftest import PROJECT, invoke as run_cli


@pytest.fixture(scope="module")
def predictions(tmp_path_factory, _tagged_once):
    """The bundled corpus tagged by the committed model, as a CSV."""
    path = tmp_path_factory.mktemp("pred") / "pred.csv"
    write_table(_tagged_once, path)
    return path


def invoke(*args):
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize("value", ["count", "share"])
def test_matrix_xlsx_has_the_csv_figures(tmp_path, predictions, value):
    """`matrix --output m.xlsx` read back with pandas equals `--output m.csv`, numbers as numbers."""
    invoke("matrix", predictions, "--value", value, "--output", tmp_path / "m.csv")
    invoke("matrix", predictions, "--value", value, "--output", tmp_path / "m.xlsx")
    csv = pd.read_csv(tmp_path / "m.csv", keep_default_na=False)
    sheet = pd.read_excel(tmp_path / "m.xlsx", keep_default_na=False)
    pd.testing.assert_frame_equal(sheet, csv)
    assert "成都市" in sheet["jurisdiction"].tolist() and sheet["units"].dtype.kind == "i"


def test_matrix_intervals_xlsx_keeps_estimates_and_intervals_numeric(tmp_path, predictions):
    """`matrix --intervals --output cells.xlsx`: estimate, low, high are number cells; basis is text."""
    labeled = tmp_path / "labeled"
    labeled.mkdir()
    invoke("matrix", predictions, "--intervals", "--labeled", labeled, "--output", tmp_path / "cells.csv")
    invoke("matrix", predictions, "--intervals", "--labeled", labeled, "--output", tmp_path / "cells.xlsx")
    pd.testing.assert_frame_equal(pd.read_excel(tmp_path / "cells.xlsx"), pd.read_csv(tmp_path / "cells.csv"),
                                  check_dtype=False)
    sheet = openpyxl.load_workbook(tmp_path / "cells.xlsx").active
    header = [cell.value for cell in sheet[1]]
    first = dict(zip(header, (cell for cell in sheet[2])))
    assert {first[c].data_type for c in ("count", "estimate", "low", "high", "units")} == {"n"}
    assert first["basis"].data_type == "s" and isinstance(first["jurisdiction"].value, str)


def test_labels_export_xlsx_is_the_gold_set(tmp_path):
    """`labels export --output gold.xlsx` holds the same units, texts and labels as gold.csv."""
    invoke("labels", "export", "--labeled", PROJECT.labeled, "--output", tmp_path / "gold.csv")
    invoke("labels", "export", "--labeled", PROJECT.labeled, "--output", tmp_path / "gold.xlsx")
    pd.testing.assert_frame_equal(read_table(tmp_path / "gold.xlsx"), read_table(tmp_path / "gold.csv"),
                                  check_dtype=False)


def test_text_excel_cannot_hold_is_replaced_not_fatal(tmp_path):
    """A control character in a cell (Excel refuses them) becomes U+FFFD; the rest of the text is kept."""
    write_table(pd.DataFrame({"text": ["建设\x01实验室"], "n": [3]}), tmp_path / "t.xlsx")
    assert read_table(tmp_path / "t.xlsx").to_dict("records") == [{"text": "建设\ufffd实验室", "n": 3}]


def test_an_xlsx_table_can_be_predicted(tmp_path):
    """Analysts' own Excel tables go into `predict` as CSV does."""
    pd.DataFrame({"unit_id": ["u1"], "text": ["设立成都天使投资母子基金"]}).to_excel(tmp_path / "in.xlsx", index=False)
    invoke("predict", "--input", tmp_path / "in.xlsx", "--output", tmp_path / "out.xlsx")
    assert "finance" in read_table(tmp_path / "out.xlsx").loc[0, "labels"].split(";")
