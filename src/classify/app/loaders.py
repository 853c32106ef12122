"""Cached loaders for the app: the model, the tagged corpus and the annotation record.

Each is keyed on the paths and a stamp of their files' modification times
(`files`, a hashed argument: Streamlit leaves arguments starting with `_` out
of the key), never on model objects, so a retrained model, a new document or
a new annotation is picked up on the next rerun, and switching matrix options
never recomputes predictions. The tagged corpus is also kept on disk
(the one cache folder, `project.cache_folder`), keyed by the model's and the corpus's hashes, so a restarted
server shows its first page without tagging again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from classify.app import views

from classify.annotation.access import AccessError, load_users
from classify.ingest.documents import CorpusError
from classify.annotation.labeled import Annotation, read_events
from classify.analysis.matrix import with_flags
from classify.model.persist import ModelError, checked_card, load_model
from classify.model.predict import tag_cached
from classify.project import Project, cache_folder, find_project
from classify.taxonomy import Taxonomy, TaxonomyError, load_taxonomy


if TYPE_CHECKING:
    from classify.model.estimator import ThresholdedClassifier as Model



def project() -> Project:
    return find_project(Path(__file__).resolve().parents[3])


def stamp(*paths: Path, pattern: str = "*") -> tuple:
    """(path, mtime, size) of each file, or of each file matching `pattern` in a folder."""
    files = []
    for path in map(Path, paths):
        files.extend(sorted(path.glob(pattern)) if path.is_dir() else [path])
    return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.exists())


@st.cache_resource(show_spinner=False)
def _taxonomy(path: str, files: tuple) -> Taxonomy:
    return load_taxonomy(path)


@st.cache_resource(show_spinner="Loading the model…")
def _model(folder: str, taxonomy_path: str, files: tuple) -> Model:
    return load_model(Path(folder), load_taxonomy(taxonomy_path))


@st.cache_resource(show_spinner=False)
def _card(folder: str, taxonomy_path: str, files: tuple) -> dict:
    return checked_card(Path(folder), load_taxonomy(taxonomy_path))


@st.cache_data(show_spinner="Tagging the corpus…")
def _tagged(corpus: str, folder: str, taxonomy_path: str, files: tuple) -> pd.DataFrame:
    # From the disk cache when this model tagged these files before: the model is then not even loaded.
    model_files = stamp(Path(folder)) + stamp(Path(taxonomy_path))
    card = _card(folder, taxonomy_path, model_files)
    skipped: list[str] = []
    tagged = tag_cached(Path(corpus), cache_folder(), card["model_sha256"],
                        lambda: _model(folder, taxonomy_path, model_files), skipped)
    tagged = with_flags(tagged, card["labels"])
    # Parsed once here, so every matrix the page draws is a sum over boolean columns.
    return tagged.assign(jurisdiction=tagged["jurisdiction"].astype("category")), skipped


@st.cache_data(show_spinner=False)
def _events(folder: str, files: tuple) -> list[Annotation]:
    return read_events(Path(folder))


def taxonomy() -> Taxonomy:
    p = project()
    return _guard(lambda: _taxonomy(str(p.taxonomy), stamp(p.taxonomy)))


def model(folder: Path | None = None) -> Model:
    p = project()
    folder = folder or p.model
    return _guard(lambda: _model(str(folder), str(p.taxonomy), stamp(folder) + stamp(p.taxonomy)))


def card() -> dict:
    """The current model's card, checked against the taxonomy and the model file, without loading the model."""
    p = project()
    return _guard(lambda: _card(str(p.model), str(p.taxonomy), stamp(p.model) + stamp(p.taxonomy)))


def tagged() -> pd.DataFrame:
    """Every unit of the project's corpus with the current model's labels and probabilities."""
    p = project()
    key = stamp(p.corpus, pattern="*.*") + stamp(p.model) + stamp(p.taxonomy)
    tagged, skipped = _guard(lambda: _tagged(str(p.corpus), str(p.model), str(p.taxonomy), key))
    for reason in skipped:
        # One unreadable document is reported and left out; the rest of the corpus still loads.
        st.warning(f"Left out of the corpus: {views.plain(reason)}")
    return tagged


def events() -> list[Annotation]:
    p = project()
    return _events(str(p.labeled), stamp(p.labeled, pattern="*.jsonl"))


def _guard(load):
    # A broken model, taxonomy or corpus stops the page with its one-line reason, not a traceback.
    try:
        return load()
    except (ModelError, TaxonomyError, CorpusError, AccessError, OSError, ValueError) as err:
        st.error(f"Cannot load the project: {err}")
        st.stop()


def users() -> dict[str, str] | None:
    """The annotators allowed to label and retrain, or None when the app is open to one local user."""
    return _guard(load_users)
