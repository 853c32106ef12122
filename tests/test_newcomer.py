"""What a new user meets first: a complete box without ../shared, other cities' folders, honest tables."""

import copy
from pathlib import Path

import numpy as np
import pytest
import pandas as pd

from classify.cli import app_command_line
from classify.analysis.commitments import quantities
from classify.analysis.compare import distinctive_terms
from classify.model.explain import drivers, phrases_of, top_terms
from classify.analysis.matrix import matrix_change, to_matrix, with_flags, without_predictions
from classify.model.predict import predict_frame, tag_cached
from classify.ingest.sentences import corpus_frame

from conftest import PROJECT, invoke, write_corpus


def test_the_codebook_ships_with_the_project_and_the_taxonomy_points_to_it(taxonomy):
    """A clone without ../shared still has the rules that decide every hard case."""
    assert (PROJECT.root / "docs" / "codebook.md").is_file()
    assert "codebook: docs/codebook.md" in PROJECT.taxonomy.read_text("utf-8")
    assert "## Rules for hard cases" in PROJECT.codebook.read_text("utf-8")
    shared = PROJECT.root.parent / "shared" / "codebook.md"
    if shared.is_file():
        assert PROJECT.codebook.read_text("utf-8") == shared.read_text("utf-8"), "the copy is current"


def test_ablate_without_a_development_set_says_so_in_one_line(monkeypatch, tmp_path):
    """No ../shared: a one-line error and exit 1, not a traceback."""
    monkeypatch.setenv("POLICY_CLASSIFY_DEVSET", str(tmp_path / "absent.csv"))
    result = invoke("ablate")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: no development set: ../shared/devset is absent; pass --dev GOLD.csv"]


def test_a_folder_laid_out_like_the_devset_is_ingested_with_its_jurisdictions(tmp_path):
    """A manifest without a `file` column finds docs/<doc_id>.txt and keeps the real place names."""
    folder = tmp_path / "others"
    write_corpus(folder / "docs", {"wuhu_2023.txt": "加快建设重点实验室。\n", "jinan_2023.txt": "设立科创基金。\n"})
    (folder / "manifest.csv").write_text("doc_id,jurisdiction,parent,level,date,title,source_url,script,chars\n"
                                         "wuhu_2023,芜湖市,安徽省,city,2023,t,u,simplified,10\n"
                                         "jinan_2023,济南市,山东省,city,2023,t,u,simplified,8\n", encoding="utf-8")
    result = invoke("ingest", str(folder), "-o", str(tmp_path / "units.csv"))
    assert result.exit_code == 0, result.output
    units = pd.read_csv(tmp_path / "units.csv")
    assert sorted(units["jurisdiction"].unique()) == ["济南市", "芜湖市"]
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_text("doc_id,jurisdiction\nwuhu_2023,芜湖市\n", encoding="utf-8")
    result = invoke("ingest", str(folder), "--manifest", str(elsewhere),
                                       "-o", str(tmp_path / "one.csv"))
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "one.csv")["jurisdiction"].unique().tolist() == ["芜湖市"]


def test_a_candidate_with_other_decisions_changes_the_matrix(committed_model):
    """The matrix change comes from the candidate's own decisions, not the current model's leftover flags."""
    units = corpus_frame(PROJECT.corpus)
    current = with_flags(predict_frame(committed_model, units), committed_model.labels)
    eager = copy.copy(committed_model)
    eager.thresholds_ = np.full(len(committed_model.labels), 0.05)
    change = matrix_change(current, predict_frame(eager, without_predictions(current)), committed_model.labels)
    assert (change.to_numpy() >= 0).all() and change.to_numpy().sum() > 0
    assert not any(c.startswith(("is_", "p_")) for c in without_predictions(current).columns)


def test_top_terms_are_distinct_phrases_of_two_or_more_characters(committed_model):
    """The Model page lists each phrase once, and never a lone character."""
    for label in committed_model.labels:
        terms = top_terms(committed_model, label, 20)
        assert terms["phrase"].is_unique and (terms["phrase"].str.len() > 1).all()


def test_distinctive_words_leave_out_function_words():
    """的 and 为 say nothing of a city's policy, however often it writes them."""
    tagged = pd.DataFrame({"jurisdiction": ["甲", "甲", "乙"], "labels": ["labs"] * 3, "p_labs": [0.9] * 3,
                           "text": ["为 建设 的 实验室", "为 建设 的 实验室", "设立 基金"]})
    terms = distinctive_terms(tagged, "甲", "labs", str.split, threshold=0.5)["term"].tolist()
    assert "的" not in terms and "为" not in terms and "实验室" in terms


def test_commitments_skip_congress_numbers_and_ordinal_lists():
    """十九大 is a congress and 三大战略 a slogan; 三大平台 counts three platforms; 千亿元 stays in full."""
    assert quantities("深入学习贯彻党的十九大精神") == []
    assert quantities("实施三大战略") == []
    assert [q["value"] for q in quantities("建设三大平台")] == [3]
    assert [q["value"] for q in quantities("打造千亿元产业集群")] == [100_000_000_000]


def test_the_tagged_corpus_is_read_from_disk_after_a_restart(tmp_path, committed_model, monkeypatch):
    """The second start finds the predictions of the same model on the same files without tagging."""
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": "建设国家实验室。设立基金。\n"})
    model_hash = committed_model.card_["model_sha256"]
    first = tag_cached(corpus, tmp_path / "cache", model_hash, lambda: committed_model)
    monkeypatch.setattr("classify.model.tagger.fast_transform", lambda *a, **k: (_ for _ in ()).throw(AssertionError))
    again = tag_cached(corpus, tmp_path / "cache", model_hash, lambda: pytest.fail("the model was loaded again"))
    pd.testing.assert_frame_equal(first.reset_index(drop=True), again.reset_index(drop=True))
    (corpus / "a.txt").write_text("引进人才。\n", encoding="utf-8")
    monkeypatch.undo()
    assert tag_cached(corpus, tmp_path / "cache", model_hash, lambda: committed_model)["text"].tolist() == ["引进人才"]


def test_tagging_a_corpus_counts_its_features_once_and_predicts_as_predict_frame(tmp_path, committed_model,
                                                                                 monkeypatch):
    """On a cache miss the features serve both the probabilities and the phrases that explain them."""
    from classify.model import tagger

    corpus = write_corpus(tmp_path / "corpus", {"a.txt": "建设国家实验室。设立天使投资基金。会议召开。\n"})
    calls, counted = [], tagger.fast_transform
    monkeypatch.setattr(tagger, "fast_transform", lambda *a, **k: calls.append(1) or counted(*a, **k))
    tagged = tag_cached(corpus, tmp_path / "cache", committed_model.card_["model_sha256"], lambda: committed_model)
    assert len(calls) == 1
    monkeypatch.undo()
    expected = predict_frame(committed_model, corpus_frame(corpus))
    pd.testing.assert_frame_equal(tagged[expected.columns].reset_index(drop=True), expected.reset_index(drop=True))


def test_cached_predictions_carry_the_phrases_that_drove_each_label(tmp_path, committed_model):
    """Evidence read from the cache marks the same phrases the model itself gives, without the model."""
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": "建设国家实验室。会议在北京召开。\n"})
    tagged = tag_cached(corpus, tmp_path / "cache", committed_model.card_["model_sha256"], lambda: committed_model)
    lab = tagged.iloc[0]
    assert phrases_of(lab, "labs") == drivers(committed_model, [lab["text"]], "labs")[0]
    assert "实验室" in phrases_of(lab, "labs")


def test_the_app_command_keeps_usage_statistics_and_the_network_off_unless_asked():
    """`policy-classify app` listens on localhost and sends no usage statistics by default."""
    line = app_command_line(Path("Home.py"), [])
    assert line[line.index("--browser.gatherUsageStats") + 1] == "false"
    assert line[line.index("--server.address") + 1] == "localhost"
    mine = app_command_line(Path("Home.py"), ["--browser.gatherUsageStats", "true"])
    assert mine.count("--browser.gatherUsageStats") == 1


def test_version_is_printed():
    """`--version` names the installed version."""
    result = invoke("--version")
    assert result.exit_code == 0 and result.output.startswith("policy-classify ")


def test_matrix_counts_match_flags(committed_model, tagged_corpus):
    """A matrix from flags equals one from the labels column (the app's fast path is the CLI's)."""
    tagged = tagged_corpus
    labels = committed_model.labels
    assert to_matrix(with_flags(tagged, labels), labels=labels).equals(to_matrix(tagged, labels=labels))
