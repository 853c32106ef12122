"""Annotate: label sentences, the model's suggestion pre-selected and the most useful sentences first."""

import pandas as pd
import streamlit as st

from classify.app import loaders
from classify.app import views
from classify.agreement import agreement
from classify.labeled import CHECK, Annotation, StoreError, append, split_labels, undo_event
from classify.matrix import neighbours
from classify.queue import QUEUES, build_queue

st.set_page_config(page_title="Annotate", page_icon=":material/edit_note:", layout="wide")
st.title("Annotate")

taxonomy = loaders.taxonomy()
card = loaders.card()
tagged = loaders.tagged()
events = loaders.events()
state = st.session_state
state.setdefault("skipped", [])
state.setdefault("history", [])

user = views.login(loaders.users(), "annotate")
if user is None:
    st.stop()
annotator = user or st.text_input("Your name (required)", key="annotator").strip()
left, right = st.columns([2, 1])
queue_name = left.selectbox("Queue", list(QUEUES), format_func=QUEUES.get, key="queue")
jurisdiction = right.selectbox("Jurisdiction", ["all"] + sorted(tagged["jurisdiction"].unique()),
                               key="queue_jurisdiction")

labelled = {e.unit_id for e in events if e.unit_id in set(tagged["unit_id"])}
st.progress(len(labelled) / max(1, len(tagged)), text=f"{len(labelled)} of {len(tagged)} corpus units labelled")

if not annotator:
    st.info("Enter your name to start: every decision is saved under it.")
    st.stop()

if queue_name == "check":
    st.info("Check this city: its sentences in a fixed random order, not ranked by the model. A simple random "
            "sample is what lets the matrix correct the model's count for this city without bias "
            "(prediction-powered inference); 10–20 sentences narrow its intervals markedly.")
    if jurisdiction == "all":
        st.warning("Choose the jurisdiction to check.")
        st.stop()
units = tagged if jurisdiction == "all" else tagged[tagged["jurisdiction"] == jurisdiction]
queue = build_queue(queue_name, units, events, card["thresholds"], annotator=annotator,
                    jurisdiction=None if jurisdiction == "all" else jurisdiction)
queue = queue[~queue["unit_id"].isin(state["skipped"])]

if queue.empty:
    st.success("Nothing left in this queue.")
else:
    item = queue.iloc[0]
    st.caption(f"{len(queue)} left in this queue · {views.plain(item['jurisdiction'])} · {views.plain(item['doc_id'])}"
               f" · {views.plain(item['title'])}")
    with st.container(border=True):
        views.context(neighbours(tagged, item["unit_id"], width=1), item["unit_id"])
    if "decisions" in item and isinstance(item["decisions"], str):
        st.warning(f"Annotators disagree: {views.plain(item['decisions'])}")
    suggested = set(split_labels(item["labels"]))
    with st.form(key=f"form_{item['unit_id']}"):
        chosen = [label.id for label in taxonomy.labels
                  if st.toggle(f"{label.name_zh} · {label.name_en}", value=label.id in suggested,
                               key=f"toggle_{item['unit_id']}_{label.id}",
                               help=f"{label.definition} p = {item[f'p_{label.id}']:.2f}")]
        none = st.toggle("None of these", value=not suggested, key=f"toggle_{item['unit_id']}_none")
        submit = st.form_submit_button("Submit (Ctrl+Enter)", type="primary", shortcut="Ctrl+Enter")
    st.button("Skip (Alt+S)", key="skip", shortcut="Alt+S", on_click=lambda: state["skipped"].append(item["unit_id"]))

    if submit:
        labels = () if none else tuple(chosen)
        if none and chosen:
            st.error("Choose either measures or 'None of these', not both.")
        else:
            decision = Annotation(unit_id=item["unit_id"], text=item["text"], labels=labels, annotator=annotator,
                                  doc_id=item["doc_id"], jurisdiction=item["jurisdiction"],
                                  sample=CHECK if queue_name == "check" else "")
            try:
                append(loaders.project().labeled, [decision], taxonomy.ids)
                state["history"].append(decision)
                st.toast(f"Saved: {', '.join(labels) or 'none'}")
                st.rerun()
            except (StoreError, OSError) as err:
                st.error(f"Not saved: {views.plain(err)}")


def withdraw_last() -> None:
    last = state["history"].pop()
    append(loaders.project().labeled, [undo_event(last)])
    st.toast(f"Withdrew your decision on {last.unit_id}")


st.button("Undo last (Alt+U)", key="undo", shortcut="Alt+U", on_click=withdraw_last, disabled=not state["history"])

st.header("Progress")
counts = pd.Series([e.annotator for e in events if e.source == "corpus"]).value_counts().rename("decisions")
st.dataframe(counts, key="annotator_counts")
kappa = agreement(events, taxonomy.ids)
if kappa["units"].max() > 0:
    st.subheader("Agreement on units coded by two annotators (Cohen's kappa)")
    st.dataframe(kappa.rename(index=lambda l: views.label_name(taxonomy, l)), key="agreement")
else:
    st.caption("No unit has been coded by two annotators yet.")
