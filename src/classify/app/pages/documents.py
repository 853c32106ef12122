"""Documents: upload or paste a policy text, see it tagged at once, keep it in the corpus."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from classify.app import loaders, views
from classify.ingest.documents import CorpusError, Document, add_document, check_text, safe_file_name
from classify.ingest.readers import SUFFIXES, Text, read_bytes
from classify.labels import split_labels
from classify.ingest.normalize import detect_script
from classify.model.predict import predict_frame
from classify.ingest.sentences import document_units, units_frame
from classify.tables import TableError
from classify.taxonomy import Taxonomy

LEVELS = ["city", "district", "county", "province", "municipality"]


def render() -> None:
    st.set_page_config(page_title="Documents", page_icon=":material/description:", layout="wide")
    st.title("Add a document")
    st.caption("Upload documents — .txt (UTF-8, GB18030/GBK or UTF-16; simplified or traditional), .pdf with a text "
               "layer, .docx, or a saved web page (.html: its main text, without navigation and footers) — or paste "
               "text. It is tagged at once; keep it and its text joins the corpus and the matrix. Scanned PDFs need "
               "OCR first; .doc, .wps and .ofd files need converting to .docx or .pdf.")
    taxonomy = loaders.taxonomy()
    texts = render_input()
    left, middle, right = st.columns(3)
    place = {"jurisdiction": left.text_input("Jurisdiction (e.g. 杭州市)", key="doc_jurisdiction"),
             "level": middle.selectbox("Level", LEVELS, key="doc_level"),
             "date": right.text_input("Date (YYYY or YYYY-MM-DD)", key="doc_date"),
             "parent": left.text_input("Parent (e.g. 浙江省)", key="doc_parent")}
    for file_name, read in texts.items():
        render_tagged(taxonomy, file_name, read, place["jurisdiction"])
    render_keep(texts, place)


def render_input() -> dict[str, Text]:
    """Uploaded files or pasted text, each read by its format's reader and checked like a stored document;
    {corpus file name: text}."""
    source = st.radio("Source", ["Upload files", "Paste text"], horizontal=True, key="doc_source")
    texts: dict[str, Text] = {}
    if source == "Upload files":
        # The refused formats are accepted by the widget so that the page can say what to do with them.
        for upload in st.file_uploader("Documents", type=[suffix.lstrip(".") for suffix in SUFFIXES],
                                       accept_multiple_files=True, key="doc_files") or []:
            try:
                texts[safe_file_name(upload.name)] = read_bytes(upload.name, upload.getvalue())
            except CorpusError as err:
                st.error(f"Cannot read {views.plain(err)}")
    else:
        name = st.text_input("File name", value="pasted.txt", key="doc_name")
        pasted = st.text_area("Text", height=200, key="doc_text")
        if pasted.strip():
            try:
                texts[safe_file_name(name)] = Text(check_text(name, pasted), "pasted")
            except CorpusError as err:
                st.error(views.plain(err))
    return texts


def render_tagged(taxonomy: Taxonomy, file_name: str, read: Text, jurisdiction: str) -> None:
    """One document split into units and tagged by the current model: counts per measure and a preview."""
    text = read.text
    document = Document(doc_id=Path(file_name).stem, path=Path(file_name), jurisdiction=jurisdiction or "?")
    tagged = predict_frame(loaders.model(), units_frame(document_units(document, text.splitlines())))
    st.subheader(f"{views.plain(file_name)}: {len(tagged)} units, {detect_script(text)} script")
    if read.reader != "pasted":
        st.caption(f"Read by {read.reader}" + (f"; title: {views.plain(read.title)}" if read.title else ""))
    counts = pd.Series([views.short_name(taxonomy, l) for v in tagged["labels"] for l in split_labels(v)])
    st.write(counts.value_counts().rename("units") if len(counts) else "No measures found.")
    preview = tagged[["position", "text", "labels"] + [c for c in tagged if c.startswith("p_")]]
    st.dataframe(views.named_columns(preview.assign(labels=preview["labels"].map(
        lambda v: views.label_names(taxonomy, v))), taxonomy), hide_index=True, key=f"doc_preview_{file_name}")


def render_keep(texts: dict[str, Text], place: dict[str, str]) -> None:
    """Keeping changes what every analyst sees: with a users file it needs a login, like annotating."""
    if texts and views.login(loaders.users(), "keep documents in the corpus") is not None and \
            st.button("Keep in the corpus", type="primary", key="doc_keep"):
        corpus = loaders.project().corpus
        for file_name, read in texts.items():
            try:
                add_document(corpus, file_name, read.text, place["jurisdiction"], level=place["level"],
                             date=place["date"], parent=place["parent"], title=read.title,
                             script=detect_script(read.text))
                st.success(f"{views.plain(file_name)} added to the corpus as {views.plain(place['jurisdiction'])}.")
            except (CorpusError, TableError, OSError) as err:
                st.error(views.plain(err))
