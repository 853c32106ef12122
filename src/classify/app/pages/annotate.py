"""Annotate: label sentences, the model's suggestion pre-selected and the most useful sentences first."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from classify.annotation.agreement import agreement
from classify.app import loaders, views
from classify.annotation.labeled import Annotation, StoreError, append, undo_event
from classify.labels import CHECK, split_labels
from classify.analysis.evidence import neighbours
from classify.annotation.queue import QUEUES, build_queue
from classify.taxonomy import Taxonomy

CHECK_NOTE = ("Check this city: its sentences in a fixed random order, not ranked by the model. A simple random "
              "sample is what lets the matrix correct the model's count for this city without bias "
              "(prediction-powered inference); 10–20 sentences narrow its intervals markedly.")


def render() -> None:
    st.set_page_config(page_title="Annotate", page_icon=":material/edit_note:", layout="wide")
    st.title("Annotate")
    taxonomy = loaders.taxonomy()
    tagged = loaders.tagged()
    events = loaders.events()
    state = st.session_state
    state.setdefault("skipped", [])
    state.setdefault("history", [])
    user = views.login(loaders.users(), "annotate")
    if user is None:
        st.stop()
    annotator = user or st.text_input("Your name (required)", key="annotator").strip()
    queue, queue_name = render_queue_choice(tagged, events, annotator)
    if queue.empty:
        st.success("Nothing left in this queue.")
    else:
        render_unit(taxonomy, tagged, queue.iloc[0], annotator, check=queue_name == "check", remaining=len(queue))
    st.button("Undo last (Alt+U)", key="undo", shortcut="Alt+U", on_click=withdraw_last,
              disabled=not state["history"])
    render_progress(taxonomy, events)


def render_queue_choice(tagged: pd.DataFrame, events: list[Annotation], annotator: str) -> tuple[pd.DataFrame, str]:
    """Queue and jurisdiction pickers, the labelling progress bar, and the queue itself (skipped units left out)."""
    left, right = st.columns([2, 1])
    queue_name = left.selectbox("Queue", list(QUEUES), format_func=QUEUES.get, key="queue")
    jurisdiction = right.selectbox("Jurisdiction", ["all"] + sorted(tagged["jurisdiction"].unique()),
                                   key="queue_jurisdiction")
    labelled = {e.unit_id for e in events} & set(tagged["unit_id"])
    st.progress(len(labelled) / max(1, len(tagged)), text=f"{len(labelled)} of {len(tagged)} corpus units labelled")
    if not annotator:
        st.info("Enter your name to start: every decision is saved under it.")
        st.stop()
    if queue_name == "check":
        st.info(CHECK_NOTE)
        if jurisdiction == "all":
            st.warning("Choose the jurisdiction to check.")
            st.stop()
    units = tagged if jurisdiction == "all" else tagged[tagged["jurisdiction"] == jurisdiction]
    queue = build_queue(queue_name, units, events, loaders.card()["thresholds"], annotator=annotator,
                        jurisdiction=None if jurisdiction == "all" else jurisdiction)
    return queue[~queue["unit_id"].isin(st.session_state["skipped"])], queue_name


def render_unit(taxonomy: Taxonomy, tagged: pd.DataFrame, item: pd.Series, annotator: str, check: bool,
                remaining: int) -> None:
    """One unit in its context, a toggle per measure (the model's suggestion on), Submit and Skip."""
    st.caption(f"{remaining} left in this queue · {views.plain(item['jurisdiction'])} · "
               f"{views.plain(item['doc_id'])} · {views.plain(item['title'])}")
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
    st.button("Skip (Alt+S)", key="skip", shortcut="Alt+S",
              on_click=lambda: st.session_state["skipped"].append(item["unit_id"]))
    if not submit:
        return
    if none and chosen:
        st.error("Choose either measures or 'None of these', not both.")
        return
    labels = () if none else tuple(chosen)
    decision = Annotation(unit_id=item["unit_id"], text=item["text"], labels=labels, annotator=annotator,
                          doc_id=item["doc_id"], jurisdiction=item["jurisdiction"], sample=CHECK if check else "")
    try:
        append(loaders.project().labeled, [decision], taxonomy.ids)
    except (StoreError, OSError) as err:
        st.error(f"Not saved: {views.plain(err)}")
        return
    st.session_state["history"].append(decision)
    st.toast(f"Saved: {', '.join(labels) or 'none'}")
    st.rerun()


def withdraw_last() -> None:
    last = st.session_state["history"].pop()
    append(loaders.project().labeled, [undo_event(last)])
    st.toast(f"Withdrew your decision on {last.unit_id}")


def render_progress(taxonomy: Taxonomy, events: list[Annotation]) -> None:
    """Decisions per annotator and, where two coded the same units, their agreement."""
    st.header("Progress")
    counts = pd.Series([e.annotator for e in events if e.source == "corpus"]).value_counts().rename("decisions")
    st.dataframe(counts, key="annotator_counts")
    kappa = agreement(events, taxonomy.ids)
    if kappa["units"].max() > 0:
        st.subheader("Agreement on units coded by two annotators (Cohen's kappa)")
        st.dataframe(kappa.rename(index=lambda l: views.label_name(taxonomy, l)), key="agreement")
    else:
        st.caption("No unit has been coded by two annotators yet.")
