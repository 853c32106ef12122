"""The matrix as pictures: the PNG heatmap, the clickable chart's cells, their printed text, and clicks."""

import warnings

import pandas as pd
import pytest

from classify.analysis.plot import (cjk_font, heatmap, heatmap_chart, interval_text, matrix_cells, number_text,
                                    selected_cell, to_png)

LABELS = ["labs", "funding"]
NAMES = ["实验室", "资金"]


@pytest.fixture
def matrix() -> pd.DataFrame:
    """Two Chinese jurisdictions, one with a level, counts for two labels."""
    return pd.DataFrame({"level": ["city", ""], "units": [10, 5], "labs": [3, 0], "funding": [1, 2]},
                        index=pd.Index(["成都市", "上海市"], name="jurisdiction"))


def test_heatmap_of_chinese_jurisdictions_is_a_png(matrix):
    """The download button's bytes are a PNG image."""
    png = to_png(heatmap(matrix, LABELS, NAMES))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000


@pytest.mark.skipif(cjk_font() is None, reason="no font with Chinese glyphs is installed")
def test_heatmap_draws_chinese_names_without_missing_glyphs(matrix):
    """With a CJK font installed, city and measure names are drawn, not shown as empty boxes."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        to_png(heatmap(matrix, LABELS, NAMES))
    assert not [w for w in caught if "missing from font" in str(w.message)]


def test_heatmap_names_rows_with_their_level_and_prints_each_cell(matrix):
    """Rows read `jurisdiction (level)` when a level is known; every cell prints its count."""
    axes = heatmap(matrix, LABELS, NAMES).axes[0]
    assert [t.get_text() for t in axes.get_yticklabels()] == ["成都市 (city)", "上海市"]
    assert [t.get_text() for t in axes.get_xticklabels()] == NAMES
    assert [t.get_text() for t in axes.texts] == ["3", "1", "0", "2"]


def test_heatmap_prints_shares_as_percentages(matrix):
    """In the share view a cell of 0.3 reads 30.0%."""
    shares = matrix.assign(labs=[0.3, 0.0], funding=[0.1, 0.4])
    axes = heatmap(shares, LABELS, NAMES, value="share").axes[0]
    assert [t.get_text() for t in axes.texts] == ["30.0%", "10.0%", "0.0%", "40.0%"]


def test_matrix_cells_has_one_row_per_jurisdiction_and_label_with_its_printed_text(matrix):
    """The long form the chart draws: each cell once, with the measure's name and its value as text."""
    cells = matrix_cells(matrix, LABELS, NAMES)
    assert cells[["jurisdiction", "label", "measure", "value", "text"]].values.tolist() == [
        ["成都市", "labs", "实验室", 3.0, "3"], ["成都市", "funding", "资金", 1.0, "1"],
        ["上海市", "labs", "实验室", 0.0, "0"], ["上海市", "funding", "资金", 2.0, "2"]]
    assert not cells["wide"].any()


def test_matrix_cells_with_intervals_print_estimate_low_high_and_mark_wide_ones(matrix):
    """A cell with an interval reads "estimate (low–high)" and carries its `wide` mark; others keep the number."""
    intervals = pd.DataFrame({"jurisdiction": ["成都市"], "measure": ["labs"], "estimate": [3.4], "low": [2.0],
                              "high": [7.0], "wide": [True]})
    cells = matrix_cells(matrix, LABELS, NAMES, intervals=intervals).set_index(["jurisdiction", "label"])
    assert cells.loc[("成都市", "labs"), "text"] == "3 (2–7)" and cells.loc[("成都市", "labs"), "wide"]
    assert cells.loc[("上海市", "funding"), "text"] == "2" and not cells.loc[("上海市", "funding"), "wide"]


@pytest.mark.parametrize("number, value, text", [(3.0, "count", "3"), (0.125, "share", "12.5%"),
                                                 (2.46, "per1000", "2.5")])
def test_number_text_prints_counts_whole_shares_as_percent_and_rates_to_one_decimal(number, value, text):
    """Each kind of cell value is printed the way its unit reads."""
    assert number_text(number, value) == text


@pytest.mark.parametrize("args, text", [((12, 8, 17, "count"), "12 (8–17)"),
                                        ((12.3, 8.1, 17.0, "count"), "12.3 (8.1–17.0)"),
                                        ((0.031, 0.01, 0.052, "share"), "3.1% (1.0–5.2%)")])
def test_interval_text_prints_estimate_and_bounds(args, text):
    """Whole-unit bounds print without decimals, fractional ones with one; shares once as percent at the end."""
    assert interval_text(*args) == text


def test_selected_cell_reads_the_clicked_cell_of_a_chart_selection_event():
    """A click on a cell gives (jurisdiction, label), as Streamlit reports it under the selection's name."""
    event = {"selection": {"cell": [{"jurisdiction": "成都市", "label": "labs"}]}}
    assert selected_cell(event) == ("成都市", "labs")
    assert selected_cell({"selection": {"pick": [{"jurisdiction": "上海市", "label": "funding"}]}},
                         selection="pick") == ("上海市", "funding")


@pytest.mark.parametrize("event", [None, {}, {"selection": {}}, {"selection": {"cell": []}},
                                   {"selection": {"cell": [{"jurisdiction": "成都市"}]}}])
def test_selected_cell_is_none_without_a_clicked_cell(event):
    """No event, no selection, an empty one or a point without a label: nothing is selected."""
    assert selected_cell(event) is None


def test_heatmap_chart_is_an_altair_chart_with_a_clickable_cell_selection(matrix):
    """The chart is valid Vega-Lite with a click selection over jurisdiction and label, named as asked."""
    import altair as alt

    chart = heatmap_chart(matrix_cells(matrix, LABELS, NAMES), selection="pick")
    assert isinstance(chart, alt.TopLevelMixin)
    spec = chart.to_dict()  # validates against the Vega-Lite schema
    [param] = spec["params"]
    assert param["name"] == "pick" and param["select"]["fields"] == ["jurisdiction", "label"]
    [rows] = spec["datasets"].values()
    assert {(r["jurisdiction"], r["text"]) for r in rows} >= {("成都市", "3"), ("上海市", "2")}
