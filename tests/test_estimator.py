"""The thresholded classifier: thresholds tuned on a capped, fixed sample, so large training sets cost
one final fit more, not five."""

import numpy as np

from classify.annotation.labeled import gold_frame
from classify.model.estimator import for_taxonomy, training_arrays, tuning_sample
from classify.project import find_project


def test_under_the_cap_every_unit_tunes_the_thresholds():
    assert tuning_sample(500, 20_000).tolist() == list(range(500))
    assert tuning_sample(500, None).tolist() == list(range(500))


def test_over_the_cap_a_fixed_sample_tunes_them():
    rows = tuning_sample(50_000, 20_000)
    assert len(rows) == len(set(rows)) == 20_000 and (np.diff(rows) > 0).all()
    assert (tuning_sample(50_000, 20_000) == rows).all()  # retraining on the same data gives the same model


def test_a_capped_sample_tunes_thresholds_reproducibly(taxonomy):
    gold = gold_frame(find_project().labeled, include_written=False)
    texts, y, groups = training_arrays(gold, taxonomy.ids)
    capped = [for_taxonomy(taxonomy, tuning_units=200).fit(texts, y, groups=groups).thresholds_by_label()
              for _ in range(2)]
    everything = for_taxonomy(taxonomy, tuning_units=None).fit(texts, y, groups=groups).thresholds_by_label()
    assert capped[0] == capped[1]
    assert capped[0] != everything  # 200 of the corpus's 348 units: a different sample, other thresholds
