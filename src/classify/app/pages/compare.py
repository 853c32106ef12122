"""Compare: what is distinctive about each jurisdiction, its commitments in numbers, similar playbooks,
profiles over time, how far each cell can be trusted, and a report to hand on."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from classify import recipes
from classify.app import loaders
from classify.analysis.commitments import extract
from classify.analysis.compare import by_year, distinctive_measures, distinctive_terms, similarity
from classify.analysis.matrix import to_matrix
from classify.analysis.plot import similarity_heatmap
from classify.ingest.segment import Segmenter
from classify.taxonomy import Taxonomy


def render() -> None:
    st.set_page_config(page_title="Compare", page_icon=":material/compare_arrows:", layout="wide")
    st.title("Compare jurisdictions")
    taxonomy = loaders.taxonomy()
    tagged = loaders.tagged()
    names = {label.id: label.name_zh for label in taxonomy.labels}
    places = sorted(tagged["jurisdiction"].astype(str).unique())
    place = render_distinctive(taxonomy, tagged, places, names)
    render_commitments(taxonomy, tagged, place, names)
    render_similar(taxonomy, tagged)
    render_over_time(taxonomy, tagged, place, names)
    render_trust(tagged, place, names)
    render_report(taxonomy, tagged, places)


def render_distinctive(taxonomy: Taxonomy, tagged: pd.DataFrame, places: list[str], names: dict) -> str:
    """Measures a jurisdiction stresses more or less than the others, and its distinctive words; returns it."""
    st.header("Distinctive measures")
    st.caption("Which measures a jurisdiction stresses more (z > 0) or less than all the others, by a log-odds "
               "ratio with an informative Dirichlet prior, which accounts for how much text each jurisdiction has. "
               "|z| > 2 is unlikely to be chance.")
    place = st.selectbox("Jurisdiction", places, key="compare_place")
    table = distinctive_measures(tagged, taxonomy.ids)
    mine = table[table["jurisdiction"] == place].assign(measure=lambda t: t["measure"].map(names))
    st.dataframe(mine.drop(columns="jurisdiction"), hide_index=True, key="distinctive")
    measure = st.selectbox("Words that set its sentences apart within a measure", taxonomy.ids,
                           format_func=names.get, key="compare_measure")
    st.dataframe(distinctive_terms(tagged, place, measure, Segmenter(tuple(taxonomy.terms))), hide_index=True,
                 key="distinctive_terms")
    return place


def render_commitments(taxonomy: Taxonomy, tagged: pd.DataFrame, place: str, names: dict) -> None:
    st.header("Commitments in numbers")
    st.caption("Money (in yuan), counts of labs, platforms, firms or people, percentages and target years attached "
               "to each measure; a target when the clause says 力争, 到20xx年, 以上 and the like, else a result.")
    chosen = st.multiselect("Measures", taxonomy.ids, default=taxonomy.ids, format_func=names.get,
                            key="commitment_measures")
    promises = extract(tagged[tagged["jurisdiction"].astype(str) == place], chosen)
    shown = promises[["label", "raw", "value", "unit", "kind", "target_year", "text"]].assign(
        label=promises["label"].map(names))
    # Money in full (1,000,000,000,000 元), never cut to a rounded or scientific form.
    st.dataframe(shown, hide_index=True, key="commitments",
                 column_config={"value": st.column_config.NumberColumn("value", format="localized"),
                                "target_year": st.column_config.NumberColumn("target year", format="%d")})
    st.download_button("Download commitments (CSV)", promises.to_csv(index=False).encode("utf-8"),
                       f"commitments_{place}.csv", "text/csv", key="commitments_csv")


def render_similar(taxonomy: Taxonomy, tagged: pd.DataFrame) -> None:
    st.header("Similar playbooks")
    st.pyplot(similarity_heatmap(similarity(to_matrix(tagged, labels=taxonomy.ids), taxonomy.ids)))


def render_over_time(taxonomy: Taxonomy, tagged: pd.DataFrame, place: str, names: dict) -> None:
    st.header("Over time")
    yearly = by_year(tagged, taxonomy.ids, place)
    if len(yearly) > 1:
        st.line_chart(yearly[taxonomy.ids].rename(columns=names))
    st.dataframe(yearly.rename(columns=names), key="by_year")


def render_trust(tagged: pd.DataFrame, place: str, names: dict) -> None:
    st.header("How far each cell can be trusted")
    st.caption("The estimated true number of sentences behind each cell and its 90% interval (the same figures as "
               "the Matrix page): model only, a checked random sample of n, or all units confirmed.")
    if recipes.has_calibration(loaders.card()):
        cells = recipes.interval_cells(tagged[tagged["jurisdiction"].astype(str) == place], loaders.card(),
                                       loaders.events()).drop(columns="wide")
        st.dataframe(cells.assign(measure=cells["measure"].map(names)), hide_index=True, key="honest_cells")
    else:
        st.info("This model's card has no interval calibration: retrain it on the Model page.")


def render_report(taxonomy: Taxonomy, tagged: pd.DataFrame, places: list[str]) -> None:
    """A self-contained HTML report of the chosen jurisdictions, to download."""
    st.header("Report")
    team = st.multiselect("Jurisdictions to compare in the report", places, default=places[:2],
                          key="report_places")
    if team and st.button("Build the report", key="report_build"):
        st.session_state["report"] = recipes.report(tagged, taxonomy, team, loaders.card(), loaders.events())
    if st.session_state.get("report"):
        st.download_button("Download the report (HTML)", st.session_state["report"].encode("utf-8"), "report.html",
                           "text/html", key="report_html")
