"""Shared fixtures: the project's own files, and tiny corpora built in temporary folders."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import strategies as st

from classify.project import Project
from classify.taxonomy import load_taxonomy

ROOT = Path(__file__).resolve().parents[1]
PROJECT = Project(ROOT)
DEVSET = ROOT.parent / "shared" / "devset" / "dev_gold.csv"

# Pieces of generated text: simplified and traditional characters, taxonomy terms, punctuation and
# whitespace runs, astral characters, Latin letters, digits and decimals, and the characters the fast
# path joins texts with.
PIECES = (list("科技创新实验室中试平台产业基金人才建设国家重点研究成果转化") + ["实验室", "中试平台", "国家实验室",
          "孵化器", "科技园", "成果转化运营公司"] + list("國際實驗室產業發展與創新") + [",", "。", "、", ",,", "——", "《", "》",
          "“", "”", "(", ")", ".", "·", "-", ":"] + [" ", "  ", "\t", "\n", " \n\t ", "\u3000", "\xa0", "\x1f"]
          + ["𠀀", "𠮷", "😀", "a", "Z", "abc", "PM2.5", "3", "2024", "1.5", "٣", "\x00", "\ue000", "\ue001"])
texts_strategy = st.lists(st.lists(st.sampled_from(PIECES), max_size=30).map("".join), min_size=1, max_size=6)


@pytest.fixture(scope="session", autouse=True)
def own_cache(tmp_path_factory):
    """Derived files (the model's tagging form) go to a folder of this session, not the user's cache;
    commands run as subprocesses inherit it."""
    os.environ["POLICY_CLASSIFY_CACHE"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def taxonomy():
    return load_taxonomy(PROJECT.taxonomy)


@pytest.fixture(scope="session")
def corpus_gold(taxonomy):
    """The labelled units of the bundled corpus alone (no pool, no written sentences): read, never changed."""
    from classify.annotation.standoff import gold_with_text

    gold, _ = gold_with_text(PROJECT.labeled, {}, include_written=False, label_ids=taxonomy.ids,
                             corpus=PROJECT.corpus)
    return gold[gold["source"] == "corpus"].reset_index(drop=True)


@pytest.fixture(scope="session")
def committed_model(taxonomy):
    """The committed default model, loaded once for the whole session."""
    from classify.model.persist import load_model

    return load_model(PROJECT.model, taxonomy)


@pytest.fixture(scope="session")
def _tagged_once(committed_model):
    from classify.ingest.sentences import corpus_frame
    from classify.model.predict import predict_frame

    return predict_frame(committed_model, corpus_frame(PROJECT.corpus))


@pytest.fixture
def tagged_corpus(_tagged_once):
    """The bundled corpus tagged by the committed model (tagged once per session; each test gets a copy)."""
    return _tagged_once.copy()


def invoke(*args, **options):
    """The CLI run in this process (`options` go to click's runner, e.g. input=): its result, unchecked."""
    from click.testing import CliRunner

    from classify.cli import main

    return CliRunner().invoke(main, [str(arg) for arg in args], **options)


def one_line_error(result, *fragments):
    """An in-process CLI result that failed as a user should see it: exit 1, one `error:` line holding
    every fragment, no traceback."""
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    # Progress notes (what stand-off labels were used) may come first; the failure is one line.
    lines = [line for line in result.output.strip().splitlines() if line.startswith(("error:", "Error:"))]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the bundled corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(PROJECT.corpus, target)
    return target


@pytest.fixture
def model_copy(tmp_path) -> Path:
    """A writable copy of the committed model folder."""
    target = tmp_path / "model"
    shutil.copytree(PROJECT.model, target)
    return target


def write_corpus(folder: Path, documents: dict[str, str], manifest: str | None = None) -> Path:
    """A corpus folder with the given file texts and, optionally, a manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        (folder / name).write_text(text, encoding="utf-8")
    if manifest is not None:
        (folder / "manifest.csv").write_text(manifest, encoding="utf-8")
    return folder
