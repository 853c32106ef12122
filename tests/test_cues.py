"""Codebook cues: the 0/1 signals beside the n-grams, on sentences whose cues are obvious by eye."""

import numpy as np
import pytest

from classify.model.cues import GLOBAL_CUES, CodebookCues
from classify.ingest.normalize import normalize

TERMS = (("国家实验室", "重点实验室"), ("孵化器", "中试"))


def cues_of(text: str, weight: float = 1.0) -> dict[str, float]:
    """Cue name → value for one text, from a fitted transformer."""
    transformer = CodebookCues(TERMS, weight).fit([])
    return dict(zip(transformer.get_feature_names_out(), transformer.transform([text]).toarray()[0]))


def on(cues: dict[str, float]) -> set[str]:
    return {name for name, value in cues.items() if value}


def test_one_row_per_text_and_one_column_per_named_cue():
    """Global cues come first, then the same per-label cues for each label, named by label index."""
    transformer = CodebookCues(TERMS).fit([])
    names = list(transformer.get_feature_names_out())
    matrix = transformer.transform(["加快建设国家实验室", "今天天气很好", ""])
    assert matrix.shape == (3, len(names)) == (3, len(GLOBAL_CUES) + 2 * 7)
    assert names[:len(GLOBAL_CUES)] == [f"global:{cue}" for cue in GLOBAL_CUES]
    assert names[len(GLOBAL_CUES)] == "0:term" and names[-1] == "1:terms_many"


def test_no_texts_give_an_empty_matrix_of_the_same_width():
    """Transforming nothing still gives a matrix with every cue column."""
    transformer = CodebookCues(TERMS).fit([])
    assert transformer.transform([]).shape == (0, len(transformer.get_feature_names_out()))


def test_a_term_governed_by_an_action_lights_the_term_action_cue_of_its_label_only():
    """建设…国家实验室 is an action on a lab: label 0's term and term_action cues are on, label 1's all off."""
    cues = on(cues_of("建设张江、浦江、临港三大国家实验室"))
    assert {"0:term", "0:term_action", "0:term_first_clause"} <= cues
    assert "0:term_only" not in cues and "global:no_action" not in cues
    assert not {name for name in cues if name.startswith("1:")}


def test_a_term_in_a_bare_statistic_is_a_term_only_statistic():
    """A count of labs that reached a number is reported, not done: term_only and term_statistic, no action."""
    cues = on(cues_of("2023年全市重点实验室达到120家"))
    assert {"0:term", "0:term_only", "0:term_statistic", "global:statistic", "global:number",
            "global:no_action"} <= cues
    assert "0:term_action" not in cues


def test_a_target_is_not_a_statistic():
    """A number with 力争 is a goal, not a report of what happened."""
    cues = on(cues_of("力争到2025年重点实验室达到150家"))
    assert "global:target" in cues and "global:statistic" not in cues


def test_a_text_without_terms_lights_no_label_cue():
    """A sentence that mentions no term of any label has every per-label cue off."""
    cues = on(cues_of("加快推进全市高质量发展"))
    assert cues and all(name.startswith("global:") for name in cues)


def test_an_enumerated_short_line_with_a_term_is_a_term_heading():
    """(一)建设国家实验室 is a section heading naming the label's term, not a sentence of policy."""
    cues = on(cues_of("(一)建设国家实验室"))
    assert {"global:enumerated", "global:heading", "0:term_heading"} <= cues


def test_a_preamble_is_marked():
    """The 'we hereby issue' formula of a document's opening is a preamble cue."""
    assert "global:preamble" in on(cues_of("为加快科技创新,现印发本意见,请认真贯彻执行"))


def test_clauses_split_on_full_width_commas_once_text_is_normalised():
    """After the pipeline's normalisation, a term in two clauses counts in both (statistic and action)."""
    cues = on(cues_of(normalize("全市重点实验室达到120家，加快建设国家实验室")))
    assert {"0:terms_many", "0:term_statistic", "0:term_action"} <= cues


@pytest.mark.parametrize("weight", [0.5, 2.0])
def test_every_cue_that_is_on_carries_the_weight(weight):
    """The matrix is 0/1 scaled by `weight`, so cues can be turned up or down against the n-grams."""
    transformer = CodebookCues(TERMS, weight).fit([])
    matrix = transformer.transform(["建设国家实验室", "2023年全市重点实验室达到120家"])
    unweighted = CodebookCues(TERMS).fit([]).transform(["建设国家实验室", "2023年全市重点实验室达到120家"])
    assert set(np.unique(matrix.toarray())) == {0.0, weight}
    assert np.allclose(matrix.toarray(), weight * unweighted.toarray())
