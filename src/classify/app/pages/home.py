"""The front page: what the tool does, the corpus in three numbers, the way to each page."""

import streamlit as st

from classify.app import loaders
from classify.annotation.labeled import labelled_counts

PAGES = (("pages/1_Matrix.py", "**Matrix** — which measures each city takes, with the sentences that prove it",
          ":material/grid_on:"),
         ("pages/2_Documents.py", "**Documents** — add a policy text and see it tagged", ":material/description:"),
         ("pages/3_Annotate.py", "**Annotate** — label sentences, most useful first", ":material/edit_note:"),
         ("pages/5_Compare.py", "**Compare** — distinctive measures, commitments in numbers, similar playbooks, "
                                "a report to send", ":material/compare_arrows:"),
         ("pages/4_Model.py", "**Model** — how good the model is; retrain it", ":material/model_training:"))


def render() -> None:
    st.set_page_config(page_title="policy-classify", page_icon=":material/map:", layout="wide")
    st.title("Policy measures of Chinese cities")
    st.markdown(
        "This tool codes science-and-technology policy texts sentence by sentence with the measures of the "
        "codebook (labs, pilot platforms, finance, talent, regional collaboration, institutional reform) "
        "and compares jurisdictions.")
    tagged = loaders.tagged()
    left, middle, right = st.columns(3)
    left.metric("Documents", tagged["doc_id"].nunique())
    middle.metric("Jurisdictions", tagged["jurisdiction"].nunique())
    right.metric("Sentences (units)", len(tagged))
    for page, label, icon in PAGES:
        st.page_link(page, label=label, icon=icon)
    render_counts(tagged)


def render_counts(tagged) -> None:
    """What people have labelled so far, honestly split by where the units come from."""
    taxonomy = loaders.taxonomy()
    counts = labelled_counts(loaders.events(), set(tagged["unit_id"]))
    st.caption(f"Labelled by people: {counts['corpus']} of the {len(tagged)} corpus units, "
               f"{counts['standoff']} units of external corpora (stand-off) · {counts['written']} sentences written "
               "to teach the model · measures: " + ", ".join(label.name_zh for label in taxonomy.labels))
