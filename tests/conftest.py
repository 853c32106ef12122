"""Shared fixtures: the project's own files, and tiny corpora built in temporary folders."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from classify.project import Project
from classify.taxonomy import load_taxonomy

ROOT = Path(__file__).resolve().parents[1]
PROJECT = Project(ROOT)
DEVSET = ROOT.parent / "shared" / "devset" / "dev_gold.csv"


@pytest.fixture(scope="session", autouse=True)
def own_cache(tmp_path_factory):
    """Derived files (the model's tagging form) go to a folder of this session, not the user's cache;
    commands run as subprocesses inherit it."""
    os.environ["POLICY_CLASSIFY_CACHE"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def taxonomy():
    return load_taxonomy(PROJECT.taxonomy)


@pytest.fixture(scope="session")
def committed_model(taxonomy):
    """The committed default model, loaded once for the whole session."""
    from classify.model.persist import load_model

    return load_model(PROJECT.model, taxonomy)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the bundled corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(PROJECT.corpus, target)
    return target


def write_corpus(folder: Path, documents: dict[str, str], manifest: str | None = None) -> Path:
    """A corpus folder with the given file texts and, optionally, a manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        (folder / name).write_text(text, encoding="utf-8")
    if manifest is not None:
        (folder / "manifest.csv").write_text(manifest, encoding="utf-8")
    return folder
