"""classify.model.card: the model card never claims a score it did not earn, and card.json stays strict JSON."""

import json

import numpy as np
import pytest

from classify.model.card import render_card
from classify.model.evaluate import Report, score
from classify.model.persist import save_model, write_card


def test_the_card_says_no_examples_and_stays_strict_json(tmp_path, committed_model):
    truth = np.array([[1, 0], [0, 0]])
    scores = score(truth, truth, ["labs", "finance"])
    report = Report(model=scores, baseline=scores, units=2, documents=1, method="test").to_dict()
    assert report["model"]["finance"]["f1"] is None and report["model"]["macro"]["labels"] == 1
    card = dict(committed_model.card_, metrics={"dev": report})
    folder = save_model(committed_model, tmp_path / "model")
    write_card(folder, card)
    json.loads((folder / "card.json").read_text(encoding="utf-8"),
               parse_constant=lambda name: pytest.fail(f"card.json holds {name}"))
    markdown = render_card(card)
    assert "no examples" in markdown and "over 1 labels" in markdown
