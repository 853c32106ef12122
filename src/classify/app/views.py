"""Render helpers shared by the pages: they take library objects and draw them."""

from __future__ import annotations

import time


import pandas as pd
import streamlit as st

from classify.annotation.access import LoginThrottle, check_login
from classify.model.explain import highlight, safe_text
from classify.labels import split_labels
from classify.taxonomy import Taxonomy

# Plain coloured words: emoji badges draw as boxes where no emoji font is installed.
REVIEW_BADGES = {"confirmed": ":green[confirmed by a person]", "rejected": ":red[a person removed this label]",
                 "unreviewed": ":gray[not yet reviewed by a person]"}


def label_name(taxonomy: Taxonomy, label_id: str) -> str:
    """'中文名 (id)' for a codebook label; a crosswalk group's own name otherwise."""
    if label_id not in taxonomy.ids:
        return label_id
    label = taxonomy.label(label_id)
    return f"{label.name_zh} ({label.id})"


def short_name(taxonomy: Taxonomy, label_id: str) -> str:
    return taxonomy.label(label_id).name_zh if label_id in taxonomy.ids else label_id


def plain(text) -> str:
    """A string from a document, manifest or annotation, safe to put in st.markdown or st.caption:
    shown as written, never as a link, image, emphasis or HTML."""
    return safe_text(text)


def label_names(taxonomy: Taxonomy, labels: str) -> str:
    """';'-joined label ids as the reader's names ('实验室与重大科研平台、人才引育'); empty for none."""
    return "、".join(short_name(taxonomy, label) for label in split_labels(labels))


def named_columns(frame: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """A frame whose label-id columns (and p_<id> columns) carry the readers' names, the id in brackets."""
    def name(column: str) -> str:
        if column.startswith("p_") and column[2:] in taxonomy.ids:
            return f"p {label_name(taxonomy, column[2:])}"
        return label_name(taxonomy, column)
    return frame.rename(columns=name)


def unit_card(row: pd.Series, phrases: list[str], label: str, titles: dict[str, str]) -> None:
    """One evidence sentence: probability, review state, document, the text with its driving terms marked."""
    st.markdown(
        f"**p = {row[f'p_{label}']:.2f}** · {REVIEW_BADGES.get(row.get('review', ''), '')} · "
        f"{plain(titles.get(row['doc_id'], row['doc_id']))}<br>{highlight(row['text'], phrases)}",
        unsafe_allow_html=True)


def context(rows: pd.DataFrame, unit_id: str) -> None:
    """Neighbouring sentences, the chosen one in bold; all text escaped."""
    for _, row in rows.iterrows():
        text = plain(row["text"])
        st.markdown(f"**{text}**" if row["unit_id"] == unit_id else f"<span style='color:#666'>{text}</span>",
                    unsafe_allow_html=True)


@st.cache_resource
def _throttle() -> LoginThrottle:
    return LoginThrottle()  # one per server: a new browser session does not reset it


def login(users: dict[str, str] | None, purpose: str) -> str | None:
    """The logged-in annotator, asking for name and password when a users file exists.

    Returns "" in open mode (no users file): the page then asks only for a name.
    Returns None until a login succeeds.
    """
    if users is None:
        return ""
    if st.session_state.get("user"):
        st.caption(f"Logged in as {plain(st.session_state['user'])}")
        return st.session_state["user"]
    st.info(f"Log in to {purpose}.")
    with st.form("login"):
        name = st.text_input("Name", key="login_name")
        password = st.text_input("Password", type="password", key="login_password")
        if st.form_submit_button("Log in"):
            throttle, now = _throttle(), time.time()
            wait = throttle.wait(name.strip(), now)
            if wait:
                st.error(f"Too many failed logins: try again in {wait:.0f} s.")
                return None
            ok = check_login(name.strip(), password, users)
            throttle.record(name.strip(), ok, now)
            if ok:
                st.session_state["user"] = name.strip()
                st.rerun()
            st.error("Unknown name or wrong password.")
    return None
