"""Matrix: jurisdictions × measures, filters, and the sentences behind each cell."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from classify import recipes
from classify.app import loaders, views
from classify.analysis.compare import regroup
from classify.model.explain import phrases_of
from classify.analysis.evidence import evidence, neighbours
from classify.analysis.matrix import VALUES, filter_units, to_matrix, year_of
from classify.analysis.plot import heatmap, heatmap_chart, matrix_cells, selected_cell, to_png
from classify.annotation.queue import gold_labels
from classify.tables import excel_bytes
from classify.taxonomy import CROSSWALKS, Taxonomy

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VALUE_NAMES = {"count": "Count of units", "share": "Share of the jurisdiction's units", "per1000": "Units per 1,000"}


@dataclass
class Shown:
    """What the matrix shows after the reader's choices: its units, cells and columns."""

    units: pd.DataFrame
    matrix: pd.DataFrame
    labels: list[str]
    columns: list[str]
    value: str
    threshold: float | None
    scheme: str


def render() -> None:
    st.set_page_config(page_title="Matrix", page_icon=":material/grid_on:", layout="wide")
    st.title("Which measures does each jurisdiction take?")
    st.caption("Each row is a jurisdiction (as named in the manifest, with its level); each column a kind of policy "
               "measure. A cell counts the sentences of that jurisdiction's documents that the model codes with that "
               "measure. Click a cell (or pick it below the heatmap) to read its sentences.")
    taxonomy = loaders.taxonomy()
    tagged = loaders.tagged()
    titles = tagged.groupby("doc_id")["title"].first().to_dict()
    shown = render_matrix(taxonomy, tagged, titles)
    render_evidence(taxonomy, tagged, shown, titles)
    render_comparison(taxonomy, shown)


def render_filters(tagged: pd.DataFrame, titles: dict) -> tuple[pd.DataFrame, float | None]:
    """The sidebar: documents, levels, years and the threshold; returns the units kept and the threshold."""
    with st.sidebar:
        st.header("Filters")
        documents = st.multiselect("Documents", sorted(titles), default=sorted(titles), key="matrix_docs",
                                   format_func=lambda d: f"{d} · {titles[d]}")
        level_options = sorted(tagged["level"].fillna("").unique())
        levels = st.multiselect("Level", level_options, default=level_options, key="matrix_levels")
        years = sorted({y for y in tagged["date"].map(year_of) if y})
        year_range = (st.slider("Years", years[0], years[-1], (years[0], years[-1]), key="matrix_years")
                      if len(years) > 1 else None)
        own = st.toggle("Use the model's own threshold per measure", value=True, key="matrix_own_thresholds")
        threshold = None if own else st.slider("Probability threshold", 0.05, 0.95, 0.5, 0.05,
                                               key="matrix_threshold")
    return filter_units(tagged, documents, levels, year_range), threshold


def render_matrix(taxonomy: Taxonomy, tagged: pd.DataFrame, titles: dict) -> Shown:
    """The heatmap (clickable), the table, the cells' intervals and the downloads."""
    units, threshold = render_filters(tagged, titles)
    labels = taxonomy.ids
    value = st.radio("Value", VALUES, format_func=VALUE_NAMES.get, horizontal=True, key="matrix_value")
    scheme = st.radio("Group measures by", ["codebook"] + list(CROSSWALKS), horizontal=True, key="matrix_scheme",
                      format_func=lambda s: "the codebook's six measures" if s == "codebook" else CROSSWALKS[s])
    if scheme != "codebook":
        # Regrouped: a unit counts once in a group however many of its measures map there.
        units = regroup(units, taxonomy.crosswalk(scheme))
        labels = sorted({group for groups in taxonomy.crosswalk(scheme).values() for group in groups})
    if units.empty:
        st.warning("No units match these filters.")
        st.stop()
    matrix = to_matrix(units, value=value, threshold=threshold, labels=labels)

    left, right = st.columns(2)
    sort_by = left.selectbox("Sort rows by", ["jurisdiction", "units"] + labels, key="matrix_sort",
                             format_func=lambda c: views.label_name(taxonomy, c) if c in labels else c)
    descending = left.toggle("Descending", value=sort_by != "jurisdiction", key="matrix_descending")
    column_order = right.selectbox("Order columns", ["taxonomy order", "largest total first"], key="matrix_columns")
    matrix = matrix.sort_index(ascending=not descending) if sort_by == "jurisdiction" else \
        matrix.sort_values(sort_by, ascending=not descending, kind="stable")
    columns = labels if column_order == "taxonomy order" else \
        list(matrix[labels].sum().sort_values(ascending=False, kind="stable").index)
    names = [views.short_name(taxonomy, label) for label in columns]

    cells = render_intervals_note(units, value) if scheme == "codebook" and threshold is None else None
    event = st.altair_chart(heatmap_chart(matrix_cells(matrix, columns, names, value, cells), value),
                            on_select="rerun", selection_mode="cell", key="matrix_heatmap", use_container_width=True)
    clicked = selected_cell(event)
    if clicked and clicked != st.session_state.get("matrix_clicked") and clicked[0] in matrix.index:
        # A click opens that cell's evidence below; the dropdowns stay for keyboards.
        st.session_state["matrix_clicked"] = clicked
        st.session_state["evidence_jurisdiction"], st.session_state["evidence_label"] = clicked
    table = matrix[["level", "units"] + columns]
    st.dataframe(table.rename(columns=lambda c: views.label_name(taxonomy, c)), key="matrix_table")
    if cells is not None:
        st.markdown("**Estimates with 90% intervals and their basis**")
        st.dataframe(cells.assign(measure=cells["measure"].map(lambda l: views.label_name(taxonomy, l))),
                     hide_index=True, key="matrix_intervals")
    download_csv, download_xlsx, download_png = st.columns(3)
    download = table.reset_index() if cells is None else cells
    download_csv.download_button("Download matrix (CSV)", download.to_csv(index=False).encode("utf-8"),
                                 "matrix.csv", "text/csv", key="matrix_csv")
    download_xlsx.download_button("Download matrix (Excel)", lambda: excel_bytes(readable(taxonomy, download)),
                                  "matrix.xlsx", XLSX, key="matrix_xlsx")
    download_png.download_button("Download heatmap (PNG)", lambda: to_png(heatmap(matrix, columns, names, value)),
                                 "matrix.png", "image/png", key="matrix_png")  # drawn only when asked for
    return Shown(units, matrix, labels, columns, value, threshold, scheme)


def readable(taxonomy: Taxonomy, table: pd.DataFrame) -> pd.DataFrame:
    """A table for Excel: measures by their Chinese names (id in brackets), in the header and the measure column."""
    if "measure" in table:
        table = table.assign(measure=table["measure"].map(lambda l: views.label_name(taxonomy, l)))
    return table.rename(columns=lambda c: views.label_name(taxonomy, c))


def render_intervals_note(units: pd.DataFrame, value: str) -> pd.DataFrame | None:
    """Each cell's estimate and 90% interval from the card's calibration (None when the card has none)."""
    if not recipes.has_calibration(loaders.card()):
        return None
    cells = recipes.interval_cells(units, loaders.card(), loaders.events(), value)
    st.caption("Each cell: the estimated true count and its 90% interval, from the model's calibrated "
               "probabilities (model only), a checked random sample of the city's sentences, or sentences all "
               "confirmed by people; grey text marks a wide interval. Label a city's check sample on the "
               "Annotate page to narrow it.")
    return cells


def render_evidence(taxonomy: Taxonomy, tagged: pd.DataFrame, shown: Shown, titles: dict) -> None:
    """The sentences behind one cell, most probable first, with the phrases that drove the label marked."""
    st.header("Evidence")
    pick_left, pick_right = st.columns(2)
    jurisdiction = pick_left.selectbox("Jurisdiction", list(shown.matrix.index), key="evidence_jurisdiction")
    label = pick_right.selectbox("Measure", shown.columns, key="evidence_label",
                                 format_func=lambda c: views.label_name(taxonomy, c))
    rows = evidence(shown.units, jurisdiction, label, shown.threshold, gold_labels(loaders.events()))
    st.markdown(f"**{len(rows)}** sentences of {views.plain(jurisdiction)} coded "
                f"**{views.short_name(taxonomy, label)}**; the terms that drove each prediction are marked.")
    limit = st.slider("Show", 5, max(5, len(rows)), min(20, max(5, len(rows))), key="evidence_limit") \
        if len(rows) > 5 else len(rows)
    for _, row in rows.head(limit).iterrows():
        views.unit_card(row, phrases_of(row, label) if shown.scheme == "codebook" else [], label, titles)
        with st.expander("Context"):
            views.context(neighbours(tagged, row["unit_id"]), row["unit_id"])
    columns = ["unit_id", "doc_id", "jurisdiction", "text", "probability", "review", "labels"]
    download_csv, download_xlsx = st.columns(2)
    download_csv.download_button("Download evidence (CSV)", rows[columns].to_csv(index=False).encode("utf-8"),
                                 f"evidence_{label}.csv", "text/csv", key="evidence_csv")
    download_xlsx.download_button("Download evidence (Excel)", lambda: excel_bytes(rows[columns]),
                                  f"evidence_{label}.xlsx", XLSX, key="evidence_xlsx")


def render_comparison(taxonomy: Taxonomy, shown: Shown) -> None:
    """Two jurisdictions' shares side by side, grouped as the matrix is."""
    st.header("Compare two jurisdictions")
    places = list(shown.matrix.index)
    first, second = st.columns(2)
    a = first.selectbox("First", places, index=0, key="compare_a")
    b = second.selectbox("Second", places, index=min(1, len(places) - 1), key="compare_b")
    shares = to_matrix(shown.units, value="share", threshold=shown.threshold, labels=shown.labels)
    comparison = shares.loc[[a, b], shown.labels].T.rename(index=lambda l: views.short_name(taxonomy, l))
    st.bar_chart(comparison, stack=False)
    st.dataframe(comparison.style.format("{:.1%}"), key="compare_table")
