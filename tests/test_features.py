"""Term indicators: the taxonomy's terms as features, on texts that do or do not contain them."""

import numpy as np

from classify.model.features import TermIndicators

TERMS = (("国家实验室", "实验室"), ("孵化器",))


def row(indicators: TermIndicators, text: str) -> dict[str, float]:
    """Column name → value for one text."""
    return dict(zip(indicators.get_feature_names_out(), indicators.transform([text]).toarray()[0]))


def test_a_text_with_a_label_s_term_lights_that_label_s_column_at_the_weight():
    """实验室 is a term of label 0: its group column is `weight`, label 1's stays 0."""
    indicators = TermIndicators(TERMS, weight=0.25).fit([])
    assert row(indicators, "新建市级重点实验室3家") == {"label_terms_0": 0.25, "label_terms_1": 0.0}
    assert row(indicators, "大力建设科技企业孵化器") == {"label_terms_0": 0.0, "label_terms_1": 0.25}


def test_a_text_without_any_term_gives_an_all_zero_row():
    """No term, no signal: every column is 0."""
    indicators = TermIndicators(TERMS, weight=1.0, per_term=True).fit([])
    matrix = indicators.transform(["加快推进全市高质量发展"])
    assert matrix.shape == (1, 5) and matrix.nnz == 0


def test_per_term_adds_one_column_per_term_lit_for_each_term_present():
    """With `per_term`, 国家实验室 lights its own column and, as it contains 实验室, that one too."""
    indicators = TermIndicators(TERMS, weight=0.5, per_term=True).fit([])
    assert row(indicators, "建设国家实验室") == {"label_terms_0": 0.5, "label_terms_1": 0.0, "term_国家实验室": 0.5,
                                               "term_实验室": 0.5, "term_孵化器": 0.0}


def test_a_term_shared_by_two_labels_lights_both_groups_and_one_term_column():
    """A term listed under two labels signals both; its per-term column appears once."""
    indicators = TermIndicators((("中试",), ("中试", "孵化器")), per_term=True).fit([])
    assert list(indicators.get_feature_names_out()) == ["label_terms_0", "label_terms_1", "term_中试", "term_孵化器"]
    assert row(indicators, "布局中试平台") == {"label_terms_0": 1.0, "label_terms_1": 1.0, "term_中试": 1.0,
                                             "term_孵化器": 0.0}


def test_feature_names_match_the_columns_with_and_without_per_term():
    """get_feature_names_out names every column transform produces, groups first, then terms in order."""
    for per_term, names in [(False, ["label_terms_0", "label_terms_1"]),
                            (True, ["label_terms_0", "label_terms_1", "term_国家实验室", "term_实验室", "term_孵化器"])]:
        indicators = TermIndicators(TERMS, per_term=per_term).fit([])
        matrix = indicators.transform(["建设国家实验室", "孵化器", "无关的句子"])
        assert list(indicators.get_feature_names_out()) == names
        assert matrix.shape == (3, len(names))


def test_rows_follow_the_order_of_the_texts():
    """Each text's indicators land on its own row, whatever the other texts contain."""
    matrix = TermIndicators(TERMS).fit([]).transform(["孵化器", "无关", "实验室和孵化器"]).toarray()
    assert np.array_equal(matrix, [[0, 1], [0, 0], [1, 1]])
