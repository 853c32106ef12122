"""Annotation queues: which units an annotator sees next, on tiny tagged frames and hand-made decisions."""

import pandas as pd
import pytest

from classify.annotation.queue import check_order
from classify.annotation.labeled import Annotation, undo_event
from classify.annotation.queue import QUEUES, build_queue, uncertainty

THRESHOLDS = {"labs": 0.5, "funding": 0.5}


def tagged(p_labs, p_funding=None, labels=None, jurisdictions=None) -> pd.DataFrame:
    """A tagged frame with units u1, u2, ... and the given probabilities."""
    n = len(p_labs)
    ids = [f"u{k + 1}" for k in range(n)]
    return pd.DataFrame({"unit_id": ids, "text": [f"句子{k + 1}" for k in range(n)],
                         "jurisdiction": jurisdictions or ["成都市"] * n, "labels": labels or [""] * n,
                         "p_labs": p_labs, "p_funding": p_funding or [0.0] * n})


def decision(unit, labels, annotator, second, **extra) -> Annotation:
    """A decision at a fixed time, so the order of events never depends on the clock."""
    return Annotation(unit_id=unit, text="", labels=tuple(labels), annotator=annotator,
                      time=f"2024-01-01T00:00:{second:02d}", **extra)


def test_uncertainty_is_one_at_a_threshold_and_zero_far_from_it():
    """A probability on the threshold is as uncertain as can be; 0 or 1 against a 0.5 threshold not at all."""
    scores = uncertainty(tagged([0.5, 0.0, 1.0]), {"labs": 0.5})
    assert scores.tolist() == pytest.approx([1.0, 0.0, 0.0])


def test_uncertainty_scales_distance_by_the_room_on_that_side_of_the_threshold():
    """0.45 under a 0.5 threshold and 0.09 under a 0.1 threshold are both 10% of the way to certain."""
    scores = uncertainty(tagged([0.45, 0.09]), {"labs": 0.5}).tolist()
    low = uncertainty(tagged([0.09]), {"labs": 0.1}).tolist()
    assert scores[0] == pytest.approx(low[0]) == pytest.approx(0.9)


def test_uncertainty_follows_the_label_closest_to_flipping():
    """A unit sure about one label but on the edge of another counts as uncertain."""
    scores = uncertainty(tagged([0.99, 0.99], p_funding=[0.51, 0.0]), THRESHOLDS)
    assert scores[0] > 0.9 > scores[1]


def test_uncertainty_is_zero_when_no_label_has_a_threshold():
    """Without thresholds for the frame's labels nothing is uncertain (and nothing breaks)."""
    assert uncertainty(tagged([0.5, 0.4]), {"other": 0.5}).tolist() == [0.0, 0.0]


def test_uncertain_queue_puts_units_nearest_their_thresholds_first():
    """The unit whose probability sits on its threshold comes first, the surest last."""
    queue = build_queue("uncertain", tagged([0.95, 0.5, 0.3, 0.62]), [], THRESHOLDS)
    assert queue["unit_id"].tolist() == ["u2", "u4", "u3", "u1"]
    assert queue["uncertainty"].is_monotonic_decreasing


def test_uncertain_queue_marks_labelled_units_and_puts_them_after_unlabelled_ones():
    """A labelled unit is flagged and follows every unlabelled one, however uncertain it is."""
    events = [decision("u2", ["labs"], "ann", 1)]
    queue = build_queue("uncertain", tagged([0.95, 0.5, 0.3]), events, THRESHOLDS)
    assert queue["unit_id"].tolist() == ["u3", "u1", "u2"]
    assert queue.set_index("unit_id")["labelled"].to_dict() == {"u1": False, "u2": True, "u3": False}


def test_a_unit_labelled_none_counts_as_labelled():
    """Deciding that a unit has no measure is a decision: the unit is marked labelled."""
    queue = build_queue("uncertain", tagged([0.5, 0.9]), [decision("u1", [], "ann", 1)], THRESHOLDS)
    assert queue.set_index("unit_id")["labelled"].to_dict() == {"u1": True, "u2": False}


def test_an_annotator_s_own_decided_units_are_left_out():
    """With `annotator=`, the units that annotator decided drop out; another annotator's stay, marked labelled."""
    events = [decision("u1", ["labs"], "ann", 1), decision("u2", [], "bob", 2)]
    queue = build_queue("uncertain", tagged([0.5, 0.5, 0.5]), events, THRESHOLDS, annotator="ann")
    assert queue["unit_id"].tolist() == ["u3", "u2"]
    assert build_queue("uncertain", tagged([0.5, 0.5, 0.5]), events, THRESHOLDS)["unit_id"].tolist() == \
        ["u3", "u1", "u2"]


def test_an_undone_decision_puts_the_unit_back_in_the_annotator_s_queue():
    """Undoing a decision withdraws it: the unit is unlabelled again and returns to the queue."""
    first = decision("u1", ["labs"], "ann", 1)  # dated 2024; the undo is dated now, so it comes later
    queue = build_queue("uncertain", tagged([0.5, 0.9]), [first, undo_event(first)], THRESHOLDS, annotator="ann")
    assert queue["unit_id"].tolist() == ["u1", "u2"]
    assert not queue["labelled"].any()


def test_model_vs_gold_lists_labelled_units_the_model_labels_differently_with_their_gold_labels():
    """Only labelled units whose model label set differs from the gold set appear, with the gold labels beside."""
    frame = tagged([0.9, 0.9, 0.1, 0.1], labels=["labs", "labs", "", "funding;labs"])
    events = [decision("u1", ["labs"], "ann", 1), decision("u2", [], "ann", 2),
              decision("u4", ["labs", "funding"], "ann", 3)]
    queue = build_queue("model_vs_gold", frame, events, THRESHOLDS)
    assert queue[["unit_id", "labels", "gold"]].values.tolist() == [["u2", "labs", ""]]


def test_model_vs_gold_is_empty_when_the_model_agrees_with_every_gold_label():
    """When every labelled unit's model labels equal its gold labels, there is nothing to review."""
    frame = tagged([0.9, 0.1, 0.5], labels=["labs", "", ""])
    events = [decision("u1", ["labs"], "ann", 1), decision("u2", [], "ann", 2)]
    queue = build_queue("model_vs_gold", frame, events, THRESHOLDS)
    assert queue.empty, queue


def test_annotators_disagree_lists_units_two_annotators_labelled_differently():
    """A unit two annotators coded differently appears with each one's labels; one they agree on does not."""
    events = [decision("u1", ["labs"], "ann", 1), decision("u1", [], "bob", 2),
              decision("u2", ["funding"], "ann", 3), decision("u2", ["funding"], "bob", 4)]
    queue = build_queue("annotators_disagree", tagged([0.5, 0.5, 0.5]), events, THRESHOLDS)
    assert queue[["unit_id", "decisions"]].values.tolist() == [["u1", "ann: labs; bob: none"]]


def test_annotators_disagree_keeps_units_the_adjudicator_labelled_before():
    """The disagreement queue ignores `annotator=`: an adjudicator who coded the unit earlier still sees it."""
    events = [decision("u1", ["labs"], "ann", 1), decision("u1", ["funding"], "bob", 2)]
    queue = build_queue("annotators_disagree", tagged([0.5]), events, THRESHOLDS, annotator="ann")
    assert queue["unit_id"].tolist() == ["u1"]


def test_a_third_reading_takes_a_unit_off_the_disagreement_queue():
    """Once an adjudicator decides, the unit is settled and leaves the queue."""
    events = [decision("u1", ["labs"], "ann", 1), decision("u1", [], "bob", 2), decision("u1", ["labs"], "cai", 3)]
    assert build_queue("annotators_disagree", tagged([0.5]), events, THRESHOLDS).empty


def test_unlabelled_queue_keeps_unlabelled_units_of_the_chosen_jurisdiction_in_document_order():
    """Labelled units and other jurisdictions' units are left out; the rest keep their order."""
    frame = tagged([0.1, 0.9, 0.5, 0.2], jurisdictions=["成都市", "上海市", "成都市", "成都市"])
    queue = build_queue("unlabelled", frame, [decision("u3", ["labs"], "ann", 1)], THRESHOLDS, jurisdiction="成都市")
    assert queue["unit_id"].tolist() == ["u1", "u4"]


def test_random_queue_is_a_reproducible_shuffle_of_every_unit():
    """The same seed gives the same order; every unit appears once."""
    frame = tagged([0.1 * k for k in range(10)])
    first = build_queue("random", frame, [], THRESHOLDS, seed=3)["unit_id"].tolist()
    assert first == build_queue("random", frame, [], THRESHOLDS, seed=3)["unit_id"].tolist()
    assert sorted(first) == sorted(frame["unit_id"]) and first != frame["unit_id"].tolist()


def test_check_queue_is_the_jurisdiction_s_fixed_random_order_without_checked_units():
    """Units already checked leave the sample; a unit labelled in another queue stays in it."""
    frame = tagged([0.5] * 6, jurisdictions=["成都市"] * 5 + ["上海市"])
    events = [decision("u2", ["labs"], "ann", 1, sample="check"), decision("u3", ["labs"], "ann", 2)]
    queue = build_queue("check", frame, events, THRESHOLDS, annotator="ann", jurisdiction="成都市")
    expected = [u for u in check_order(["u1", "u2", "u3", "u4", "u5"], "成都市") if u != "u2"]
    assert queue["unit_id"].tolist() == expected


def test_check_queue_without_a_jurisdiction_is_refused():
    """A check sample is drawn per jurisdiction, so asking for one without it is an error."""
    with pytest.raises(ValueError, match="jurisdiction"):
        build_queue("check", tagged([0.5]), [], THRESHOLDS)


def test_an_unknown_queue_name_is_refused_with_the_choices():
    """A misspelt queue name fails and the message lists the real ones."""
    with pytest.raises(ValueError, match="uncertain, model_vs_gold"):
        build_queue("uncertian", tagged([0.5]), [], THRESHOLDS)


@pytest.mark.parametrize("name", list(QUEUES))
def test_every_listed_queue_can_be_built(name):
    """Each queue offered in QUEUES (and so in the app and CLI) builds a frame of the tagged units."""
    queue = build_queue(name, tagged([0.5, 0.2]), [], THRESHOLDS, jurisdiction="成都市")
    assert isinstance(queue, pd.DataFrame)
    assert set(queue["unit_id"]) <= {"u1", "u2"}
