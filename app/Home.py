"""policy-classify: the app's front page."""

import streamlit as st

from classify.app import loaders
from classify.labeled import labelled_counts

st.set_page_config(page_title="policy-classify", page_icon=":material/map:", layout="wide")
st.title("Policy measures of Chinese cities")
st.markdown(
    "This tool codes science-and-technology policy texts sentence by sentence with the measures of the "
    "codebook (labs, pilot platforms, finance, talent, regional collaboration, institutional reform) "
    "and compares jurisdictions.")

tagged = loaders.tagged()
taxonomy = loaders.taxonomy()
events = loaders.events()
left, middle, right = st.columns(3)
left.metric("Documents", tagged["doc_id"].nunique())
middle.metric("Jurisdictions", tagged["jurisdiction"].nunique())
right.metric("Sentences (units)", len(tagged))

st.page_link("pages/1_Matrix.py", label="**Matrix** — which measures each city takes, with the sentences that prove it",
             icon=":material/grid_on:")
st.page_link("pages/2_Documents.py", label="**Documents** — add a policy text and see it tagged", icon=":material/description:")
st.page_link("pages/3_Annotate.py", label="**Annotate** — label sentences, most useful first", icon=":material/edit_note:")
st.page_link("pages/5_Compare.py", label="**Compare** — distinctive measures, commitments in numbers, similar "
             "playbooks, a report to send", icon=":material/compare_arrows:")
st.page_link("pages/4_Model.py", label="**Model** — how good the model is; retrain it", icon=":material/model_training:")
counts = labelled_counts(events, set(tagged["unit_id"]))
st.caption(f"Labelled by people: {counts['corpus']} of the {len(tagged)} corpus units, "
           f"{counts['standoff']} units of external corpora (stand-off) · {counts['written']} sentences written to "
           "teach the model · measures: " + ", ".join(label.name_zh for label in taxonomy.labels))
