"""The card `train` writes: figures it earned, the place-held-out one beside the document-grouped one, and
prose counted from the training data."""

import pytest

from classify.model.card import render_card
from classify.model.train import ASSIGNMENTS_TITLE, KIND_TITLE
from classify.recipes import train_with_card



@pytest.fixture(scope="module")
def corpus_card(taxonomy, corpus_gold):
    return corpus_gold, train_with_card(corpus_gold, taxonomy, name="corpus-only").card_


def test_the_card_shows_provinces_held_out_beside_documents_held_out(corpus_card):
    gold, card = corpus_card
    place, document = card["metrics"]["cv_place"], card["metrics"]["cv"]
    assert "holding out whole provinces (4 provinces)" in place["method"]
    assert place["units"] == document["units"] == len(gold)
    markdown = render_card(card)
    assert markdown.index("holding out whole provinces") < markdown.index("grouped by document")


def test_the_card_scores_each_kind_of_document(corpus_card):
    _, card = corpus_card
    table = next(t for t in card["tables"] if t["title"] == KIND_TITLE)
    assert "work report" in table["markdown"] and "macro F1" in table["markdown"]


def test_the_card_reads_the_place_held_out_figure_under_three_assignments_of_provinces(corpus_card):
    _, card = corpus_card
    table = next(t for t in card["tables"] if t["title"] == ASSIGNMENTS_TITLE)["markdown"]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table.splitlines()[2:]]
    assert [row[0] for row in rows] == ["balanced by size (the card's figure)", "dealt at random, seed 1",
                                        "dealt at random, seed 2"]
    assert float(rows[0][1]) == round(card["metrics"]["cv_place"]["model"]["macro"]["f1"], 3)


def test_the_card_prose_counts_what_it_trained_on(corpus_card):
    gold, card = corpus_card
    assert f"trains on {len(gold)} labelled units of {gold['doc_id'].nunique()} documents" in card["rationale"]
    assert "no external corpus" in card["rationale"] and "0 sentences written" in card["rationale"]
    assert f"{card['metrics']['cv_place']['model']['macro']['f1']:.3f}" in card["rationale"]


def test_intervals_are_calibrated_on_units_held_out_by_province(corpus_card):
    _, card = corpus_card
    assert "held out by province" in card["intervals"]["source"]
    assert card["intervals"]["jurisdictions"] == 5  # calibrated per jurisdiction, folds by province
