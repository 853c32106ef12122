"""Compare: what is distinctive about each jurisdiction, its commitments in numbers, similar playbooks,
profiles over time, how far each cell can be trusted, and a report to hand on."""

import streamlit as st

from classify.app import loaders
from classify.commitments import extract
from classify.compare import by_year, distinctive_measures, distinctive_terms, similarity
from classify.intervals import cell_intervals, from_card
from classify.labeled import checked_units
from classify.matrix import to_matrix
from classify.plot import similarity_heatmap
from classify.queue import gold_labels
from classify.report import build_report
from classify.segment import Segmenter

st.set_page_config(page_title="Compare", page_icon=":material/compare_arrows:", layout="wide")
st.title("Compare jurisdictions")

taxonomy = loaders.taxonomy()
card = loaders.card()
tagged = loaders.tagged()
labels = taxonomy.ids
names = {label.id: label.name_zh for label in taxonomy.labels}
places = sorted(tagged["jurisdiction"].astype(str).unique())
gold = gold_labels(loaders.events())

st.header("Distinctive measures")
st.caption("Which measures a jurisdiction stresses more (z > 0) or less than all the others, by a log-odds ratio "
           "with an informative Dirichlet prior, which accounts for how much text each jurisdiction has. "
           "|z| > 2 is unlikely to be chance.")
place = st.selectbox("Jurisdiction", places, key="compare_place")
table = distinctive_measures(tagged, labels)
mine = table[table["jurisdiction"] == place].assign(measure=lambda t: t["measure"].map(names))
st.dataframe(mine.drop(columns="jurisdiction"), hide_index=True, key="distinctive")
measure = st.selectbox("Words that set its sentences apart within a measure", labels, format_func=names.get,
                       key="compare_measure")
st.dataframe(distinctive_terms(tagged, place, measure, Segmenter(tuple(taxonomy.terms))), hide_index=True,
             key="distinctive_terms")

st.header("Commitments in numbers")
st.caption("Money (in yuan), counts of labs, platforms, firms or people, percentages and target years attached to "
           "each measure; a target when the clause says 力争, 到20xx年, 以上 and the like, else a result.")
chosen = st.multiselect("Measures", labels, default=labels, format_func=names.get, key="commitment_measures")
promises = extract(tagged[tagged["jurisdiction"].astype(str) == place], chosen)
shown = promises[["label", "raw", "value", "unit", "kind", "target_year", "text"]].assign(
    label=promises["label"].map(names))
# Money in full (1,000,000,000,000 元), never cut to a rounded or scientific form.
st.dataframe(shown, hide_index=True, key="commitments",
             column_config={"value": st.column_config.NumberColumn("value", format="localized"),
                            "target_year": st.column_config.NumberColumn("target year", format="%d")})
st.download_button("Download commitments (CSV)", promises.to_csv(index=False).encode("utf-8"),
                   f"commitments_{place}.csv", "text/csv", key="commitments_csv")

st.header("Similar playbooks")
cosine = similarity(to_matrix(tagged, labels=labels), labels)
st.pyplot(similarity_heatmap(cosine))

st.header("Over time")
yearly = by_year(tagged, labels, place)
if len(yearly) > 1:
    st.line_chart(yearly[labels].rename(columns=names))
st.dataframe(yearly.rename(columns=names), key="by_year")

st.header("How far each cell can be trusted")
st.caption("The estimated true number of sentences behind each cell and its 90% interval (the same figures as the "
           "Matrix page): model only, a checked random sample of n, or all units confirmed.")
calibration = from_card(card)
if calibration:
    cells = cell_intervals(tagged[tagged["jurisdiction"].astype(str) == place], calibration, gold,
                           checked_units(loaders.events()))
    st.dataframe(cells.assign(measure=cells["measure"].map(names)), hide_index=True, key="honest_cells")
else:
    st.info("This model's card has no interval calibration: retrain it on the Model page.")

st.header("Report")
team = st.multiselect("Jurisdictions to compare in the report", places, default=places[:2], key="report_places")
if team and st.button("Build the report", key="report_build"):
    st.session_state["report"] = build_report(tagged, taxonomy, team, card, gold,
                                              checked=frozenset(checked_units(loaders.events())))
if st.session_state.get("report"):
    st.download_button("Download the report (HTML)", st.session_state["report"].encode("utf-8"), "report.html",
                       "text/html", key="report_html")
