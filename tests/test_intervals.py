"""Cell intervals: calibrated estimates whose 90% intervals hold on jurisdictions the model never saw."""

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from classify.cli import main
from classify.annotation.queue import check_order
from classify.analysis.intervals import (CHECKED, CONFIRMED, MODEL_ONLY, calibrate, cell_intervals, coverage,
                                from_card)
from classify.analysis.plot import interval_text
from classify.annotation.labeled import read_gold
from classify.model.estimator import label_matrix

from conftest import DEVSET, PROJECT


def synthetic(places: int, seed: int, ids=("a", "b")):
    """Jurisdictions whose units carry labels at a rate that shifts from place to place, and a model whose
    probabilities know the average rate but not the place's shift: the situation of an unseen city."""
    rng = np.random.default_rng(seed)
    rows, proba, truth = [], [], []
    for place in range(places):
        size = int(rng.integers(5, 40))
        shift = rng.normal(0, 0.6, len(ids))
        p = rng.beta(0.6, 3.0, (size, len(ids)))
        logit = np.log(p / (1 - p)) + shift
        truth.append(rng.random((size, len(ids))) < 1 / (1 + np.exp(-logit)))
        proba.append(p)
        rows += [f"place{place}"] * size
    return np.vstack(proba), np.vstack(truth).astype(int), np.array(rows, dtype=object)


def test_intervals_hold_90_percent_of_cells_of_places_they_were_not_calibrated_on():
    """Calibrated on 150 places, tested on 150 others: coverage within 85-95% without and with check samples."""
    ids = ("a", "b")
    proba, truth, places = synthetic(150, seed=1)
    calibration = calibrate(proba, truth, places, ids)
    test_proba, test_truth, test_places = synthetic(150, seed=2)
    table = coverage(test_proba, test_truth, test_places, ids, calibration, checks=(0, 10, 20), repeats=5)
    assert table["coverage"].between(0.85, 0.95).all(), table
    widths = table.set_index("checked units")["median width"]
    assert widths[20] < widths[0], "a check sample narrows the interval"


def test_the_density_stress_test_tests_only_the_denser_half_and_catches_a_model_blind_to_density():
    """Calibrated on the sparser half of the places and tested on the denser, a model that cannot see a
    place's shift covers far fewer cells than on random halves: the card's stress test can fail."""
    from classify.recipes import denser_half_coverage, halves_coverage

    proba, truth, places = synthetic(150, seed=1)
    shifted = denser_half_coverage(proba, truth, places, ("a", "b")).set_index("checked units")
    halves = halves_coverage(proba, truth, places, ("a", "b")).set_index("checked units")
    assert shifted.loc[0, "cells"] == 75 * 2  # the denser half's places, two labels each
    assert halves.loc[0, "coverage"] >= 0.85 and shifted.loc[0, "coverage"] < 0.7


@pytest.mark.skipif(not DEVSET.is_file(), reason="../shared/devset is absent")
def test_the_committed_model_s_intervals_hold_on_the_development_set(committed_model, taxonomy):
    """16 jurisdictions the model never saw: the model-only intervals cover 85-95% of their cells."""
    calibration = from_card(committed_model.card_)
    dev = read_gold(DEVSET)
    proba = committed_model.predict_proba(dev["text"].tolist())
    truth = label_matrix(dev["labels"].tolist(), taxonomy.ids)
    table = coverage(proba, truth, dev["jurisdiction"].to_numpy(), taxonomy.ids, calibration, checks=(0, 10))
    assert table["coverage"].between(0.85, 0.96).all(), table


def test_a_city_whose_sentences_are_all_confirmed_gets_its_exact_count(committed_model, tagged_corpus):
    """Every unit labelled by a person: estimate = low = high = the people's count."""
    tagged = tagged_corpus
    kunming = tagged[tagged["jurisdiction"] == "昆明市"]
    gold = {u: ("labs" if k % 3 == 0 else "") for k, u in enumerate(kunming["unit_id"])}
    cells = cell_intervals(kunming, from_card(committed_model.card_), gold).set_index("measure")
    assert cells.loc["labs", "basis"] == CONFIRMED
    assert cells.loc["labs", "low"] == cells.loc["labs", "high"] == cells.loc["labs", "estimate"] == \
        sum(1 for v in gold.values() if v)


def test_a_check_sample_switches_the_basis_and_brackets_what_people_found(committed_model, tagged_corpus):
    """With a random sample of 10 checked units the cell says so, and its interval is at least what they found."""
    tagged = tagged_corpus
    place = tagged[tagged["jurisdiction"] == "重庆市"]
    sample = check_order(place["unit_id"].tolist(), "重庆市")[:10]
    gold = {u: "finance" for u in sample}
    cells = cell_intervals(place, from_card(committed_model.card_), gold, set(sample)).set_index("measure")
    assert cells.loc["finance", "basis"] == f"{CHECKED} of 10"
    assert cells.loc["finance", "low"] >= 10
    assert cells.loc["labs", "basis"] == f"{CHECKED} of 10" and cells.loc["labs", "low"] >= 0
    unchecked = cell_intervals(place, from_card(committed_model.card_)).set_index("measure")
    assert (unchecked["basis"] == MODEL_ONLY).all()


def test_the_check_order_is_a_fixed_random_order_per_city():
    """The same city always gets the same order (a sample survives restarts); another city another one."""
    ids = [f"u{k}" for k in range(50)]
    assert check_order(ids, "昆明市") == check_order(list(reversed(ids)), "昆明市")
    assert check_order(ids, "昆明市") != check_order(ids, "成都市")
    assert sorted(check_order(ids, "昆明市")) == sorted(ids)


def test_interval_text_reads_like_an_analyst_would_cite_it():
    """12 (8–17) for counts, shares in percent."""
    assert interval_text(12.0, 8.0, 17.0) == "12 (8–17)"
    assert interval_text(0.125, 0.05, 0.2, "share") == "12.5% (5.0–20.0%)"


def test_matrix_intervals_from_a_predicted_table_and_a_check_sample(tmp_path, committed_model):
    """`predict` on a CSV with a jurisdiction column, then `matrix --intervals`: one row per cell with
    estimate, low, high, basis; after `suggest --check` + `annotate --check`, that city's cells use the sample."""
    from classify.ingest.sentences import corpus_frame

    units = corpus_frame(PROJECT.corpus)[["unit_id", "jurisdiction", "text"]]
    units.to_csv(tmp_path / "units.csv", index=False)
    runner = CliRunner()
    assert runner.invoke(main, ["predict", "-i", str(tmp_path / "units.csv"), "-o", str(tmp_path / "pred.csv")]
                         ).exit_code == 0
    labeled = tmp_path / "labeled"
    labeled.mkdir()
    result = runner.invoke(main, ["matrix", str(tmp_path / "pred.csv"), "--intervals", "--labeled", str(labeled),
                                  "--output", str(tmp_path / "cells.csv")])
    assert result.exit_code == 0, result.output
    cells = pd.read_csv(tmp_path / "cells.csv")
    assert {"estimate", "low", "high", "basis"} <= set(cells.columns)
    assert len(cells) == 5 * 6 and (cells["low"] <= cells["estimate"]).all() and (cells["estimate"] <= cells["high"]).all()

    result = runner.invoke(main, ["suggest", str(PROJECT.corpus), "--check", "昆明市", "-n", "5",
                                  "--labeled", str(labeled), "-o", str(tmp_path / "check.csv")])
    assert result.exit_code == 0, result.output
    check = pd.read_csv(tmp_path / "check.csv")
    assert len(check) == 5 and (check["jurisdiction"] == "昆明市").all()
    check.assign(labels="").to_csv(tmp_path / "decided.csv", index=False)
    result = runner.invoke(main, ["annotate", "--from", str(tmp_path / "decided.csv"), "--annotator", "checker",
                                  "--check", "--labeled", str(labeled)])
    assert result.exit_code == 0, result.output
    runner.invoke(main, ["matrix", str(tmp_path / "pred.csv"), "--intervals", "--labeled", str(labeled),
                         "--output", str(tmp_path / "cells.csv")])
    kunming = pd.read_csv(tmp_path / "cells.csv").query("jurisdiction == '昆明市'")
    assert (kunming["basis"] == f"{CHECKED} of 5").all()
