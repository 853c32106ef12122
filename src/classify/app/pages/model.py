"""Model: the current model's card, and retraining from labeled/ with a side-by-side comparison."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from classify import recipes
from classify.app import loaders, views
from classify.model.card import METRIC_SECTIONS, NO_EXAMPLES, metrics_summary, metrics_table
from classify.model.explain import top_terms
from classify.annotation.labeled import read_gold
from classify.analysis.matrix import matrix_change, without_predictions
from classify.model.persist import load_model, replace_model
from classify.model.predict import predict_frame
from classify.annotation.standoff import gold_with_text
from classify.taxonomy import Taxonomy

CANDIDATE = "candidate"


def render() -> None:
    st.set_page_config(page_title="Model", page_icon=":material/model_training:", layout="wide")
    st.title("The model")
    taxonomy = loaders.taxonomy()
    model = loaders.model()
    card = model.card_
    render_card(taxonomy, card)
    render_top_terms(taxonomy, model)
    render_retrain(taxonomy, card)


def render_card(taxonomy: Taxonomy, card: dict) -> None:
    """What the model learnt from, how well it does (beside the keyword baseline), how far its intervals hold."""
    units = card["units"]
    st.markdown(f"Trained {card.get('created', '?')} on {units['corpus']} labelled units from {units['documents']} "
                "documents" + (f" and {units['written']} written sentences" if units.get("written") else "") + ".")
    for key, title in METRIC_SECTIONS:
        report = card.get("metrics", {}).get(key)
        if report:
            st.subheader(title)
            st.caption(metrics_summary(report) + " tp/fp/fn are the confusion counts.")
            table = metrics_table(report).rename(index=lambda l: views.label_name(taxonomy, l))
            st.dataframe(table.style.format("{:.3f}", subset=["precision", "recall", "f1", "baseline f1"], na_rep=NO_EXAMPLES),
                         key=f"metrics_{key}")
    intervals = card.get("intervals", {})
    if intervals.get("coverage"):
        st.subheader("How often the matrix's 90% intervals hold")
        st.caption(f"Calibrated on {intervals['units']} {intervals['source']} ({intervals['jurisdictions']} "
                   "jurisdictions); coverage of the true count of a cell, without and with a random check sample.")
        for name, rows in intervals["coverage"].items():
            st.markdown(f"**{name}**")
            st.dataframe(pd.DataFrame(rows), hide_index=True, key=f"coverage_{name}")
    st.subheader("Training labels")
    st.bar_chart(pd.Series(card["label_counts"]).rename(index=lambda l: taxonomy.label(l).name_zh))


def render_top_terms(taxonomy: Taxonomy, model) -> None:
    st.subheader("Terms that weigh most for each measure")
    columns = st.columns(3)
    for index, label in enumerate(taxonomy.ids):
        with columns[index % 3]:
            st.markdown(f"**{taxonomy.label(label).name_zh}**")
            st.dataframe(top_terms(model, label, 12)[["phrase", "weight"]], hide_index=True, key=f"terms_{label}")


def render_retrain(taxonomy: Taxonomy, card: dict) -> None:
    """Train a candidate, compare it with the current model, and promote it only when asked to."""
    st.header("Retrain")
    st.caption("Train a candidate on the current labeled/ folder; compare it with the current model; replace the "
               "current model only when you choose to.")
    project = loaders.project()
    candidate_dir = project.models / CANDIDATE
    if views.login(loaders.users(), "retrain or replace the model") is None:
        st.stop()
    if st.button("Train a candidate", key="train"):
        train_candidate(taxonomy, candidate_dir)
    if (candidate_dir / "card.json").exists():
        candidate = load_model(candidate_dir, taxonomy)
        render_side_by_side(taxonomy, card, candidate.card_)
        change = candidate_change(str(candidate_dir), candidate.card_["model_sha256"], card["model_sha256"],
                                  loaders.tagged(), tuple(taxonomy.ids))
        st.markdown("**How the matrix would change** (candidate minus current, units)")
        st.dataframe(change.rename(columns=lambda l: views.short_name(taxonomy, l)), key="matrix_change")
        if st.button("Replace the current model with the candidate", type="primary", key="promote"):
            replace_model(candidate_dir, project.model)
            st.success("The candidate is now the current model.")
            st.rerun()


@st.cache_data(show_spinner="Tagging the corpus with the candidate…", max_entries=2)
def candidate_change(folder: str, candidate_sha: str, current_sha: str, _units: pd.DataFrame,
                     labels: tuple[str, ...]) -> pd.DataFrame:
    """Candidate minus current units per cell, computed once per pair of models (keyed by their hashes),
    not on every rerun of the page."""
    candidate = load_model(Path(folder), loaders.taxonomy())
    return matrix_change(_units, predict_frame(candidate, without_predictions(_units)), list(labels))


def train_candidate(taxonomy: Taxonomy, folder) -> None:
    project = loaders.project()
    bar = st.progress(0.0, text="starting")
    steps = iter(range(1, 10))

    def advance(message: str) -> None:
        bar.progress(min(next(steps) / 6, 1.0), text=message)

    dev = read_gold(project.devset) if project.devset else None
    gold, resolution = gold_with_text(project.labeled, project.corpora, label_ids=taxonomy.ids,
                                      corpus=project.corpus)
    st.caption(resolution.summary())
    recipes.train(gold, resolution, taxonomy, folder, dev, progress=advance)
    bar.progress(1.0, text="done")


def render_side_by_side(taxonomy: Taxonomy, card: dict, candidate: dict) -> None:
    """F1 per label of the current model and the candidate, with the change."""
    names = {"dev": "development set", "cv_place": "provinces held out", "cv": "grouped by document"}
    for key in names:
        if key in candidate.get("metrics", {}) and key in card.get("metrics", {}):
            side = pd.DataFrame({"current": pd.DataFrame(card["metrics"][key]["model"]).T["f1"].astype(float),
                                 "candidate": pd.DataFrame(candidate["metrics"][key]["model"]).T["f1"].astype(float)}
                                ).rename(index=lambda l: views.label_name(taxonomy, l))
            st.markdown(f"**F1, {names[key]}**")
            shown = side.assign(change=side["candidate"] - side["current"]).style.format(
                "{:+.3f}", subset=["change"], na_rep="—").format("{:.3f}", subset=["current", "candidate"],
                                                                  na_rep=NO_EXAMPLES)
            st.dataframe(shown, key=f"side_{key}")
