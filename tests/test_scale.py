"""Tagging in parallel, locally and on a Dask cluster, gives exactly the single-process output."""

import subprocess
import sys

import pandas as pd
import pytest

from classify.ingest.segment import dictionary_file, jieba_rs, words
from classify.annotation.labeled import gold_frame
from classify.ingest.sentences import corpus_frame
from classify.taxonomy import load_taxonomy

from conftest import PROJECT


def tag(tmp_path, name, *options):
    output = tmp_path / name
    result = subprocess.run([sys.executable, "-m", "classify", "tag", str(PROJECT.corpus), "--output", str(output),
                             "--chunk-size", "100", *options], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return pd.read_parquet(output)


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    return tag(tmp_path_factory.mktemp("single"), "single.parquet")


def test_two_local_workers_give_the_single_process_output_row_for_row(tmp_path, single):
    assert tag(tmp_path, "two.parquet", "--jobs", "2").equals(single)


def test_a_dask_cluster_gives_the_single_process_output_row_for_row(tmp_path, single):
    """The same chunks run on a local Dask cluster, reached by its scheduler address."""
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        on_cluster = tag(tmp_path, "dask.parquet", "--backend", "dask", "--scheduler", cluster.scheduler_address)
    assert on_cluster.equals(single)


def test_jieba_rs_cuts_the_corpus_exactly_as_jieba_does():
    """The fast segmenter may take the hot path only because its words are jieba's, unit for unit."""
    terms = tuple(load_taxonomy(PROJECT.taxonomy).terms)
    texts = corpus_frame(PROJECT.corpus)["text"].tolist() + gold_frame(PROJECT.labeled)["text"].tolist()
    reference = [words(text, terms, "jieba") for text in texts]
    fast = [words(text, terms, "rjieba") for text in texts]
    assert sum(a == b for a, b in zip(reference, fast)) == len(texts)


def test_jieba_rs_embedded_dictionary_with_the_terms_is_the_dictionary_file_word_for_word():
    """The fast engine starts from jieba-rs's embedded dictionary and adds only the taxonomy's terms: it
    may, only because every word then has the frequency (and the dictionary the total) of the file."""
    rjieba = pytest.importorskip("rjieba")
    terms = tuple(load_taxonomy(PROJECT.taxonomy).terms)
    from_file = rjieba.Jieba.empty()
    entries = [line.split() for line in dictionary_file(terms).read_text(encoding="utf-8").splitlines()]
    for word, count, tag in entries:
        from_file.add_word(word, int(count), tag)
    fast = jieba_rs(terms)
    # suggest_freq reads a word's frequency and the dictionary's total: equal values mean equal entries
    assert [fast.suggest_freq(w) for w, _, _ in entries] == [from_file.suggest_freq(w) for w, _, _ in entries]
    texts = corpus_frame(PROJECT.corpus)["text"].tolist()
    assert [fast.cut(text, True) for text in texts] == [from_file.cut(text, True) for text in texts]


def test_the_user_dictionary_keeps_taxonomy_terms_whole_in_both_engines():
    terms = ("成果转化运营公司", "科创生态岛")
    for engine in ("jieba", "rjieba"):
        cut = words("组建成果转化运营公司,建设科创生态岛", terms, engine)
        assert "成果转化运营公司" in cut and "科创生态岛" in cut


@pytest.mark.parametrize("damage", ["{}", "not json", '{"成果转化运营公司": "many", "科创生态岛": 1}'])
def test_a_damaged_term_frequency_cache_is_worked_out_again(tmp_path, monkeypatch, damage):
    """The terms' frequencies are kept in the temp folder; a damaged file must not change how words are cut."""
    import tempfile

    from classify.ingest import segment

    terms = ("成果转化运营公司", "科创生态岛")
    expected = segment.term_frequencies(terms)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    segment.term_frequencies.cache_clear()
    segment._cached("terms", terms).with_suffix(".json").write_text(damage, encoding="utf-8")
    try:
        assert segment.term_frequencies(terms) == expected
    finally:
        segment.term_frequencies.cache_clear()
